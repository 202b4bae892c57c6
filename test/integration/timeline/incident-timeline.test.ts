// A scripted incident on the real engine, journaled while it happens, then concluded: create →
// start → `docker exec` a dropper that writes files (one with an HTML-hostile name) → a connection
// to the web container, captured → drift scan → the container dies and is removed. The case's one
// timeline shows the exec, the drift entries and the flow in the right order with the logs that
// were followed from the start; the built CLI exports it as l2tcsv that Python's csv module
// parses with plaso's 17 columns, and writes the case report as HTML (no external URL, every
// hostile name escaped) and PDF (rendered, its first page turned into a PNG), stored in the case,
// which still verifies.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TimelineRow } from '../../../shared/domain/timeline';
import { drydock } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, runContainer, startTestCore, TEST_LABEL, type TestCore } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';

const WEB = 'drydock-fixture/web:1';
const HOSTILE = '/tmp/<img src=x onerror=alert(1)>';

describe('one timeline per case, and the case report', () => {
  let t: TestCore;
  let out: string;
  const net = `ddtl-${process.pid}`;
  const victim = `${net}-victim`;
  const ids: string[] = [];

  before(() => {
    out = mkdtempSync(path.join(tmpdir(), 'ddtimeline-out-'));
    docker(['network', 'create', '--label', TEST_LABEL, net]);
    ids.push(runContainer(['--name', `${net}-web`, '--network', net, WEB]));
  });

  after(async () => {
    removeContainers([...ids, victim]);
    try {
      docker(['network', 'rm', net]);
    } catch {
      // Already gone.
    }
    await t?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('merges journal, logs, drift and flows in order; exports l2tcsv; reports in HTML and PDF', async () => {
    t = startTestCore('drydock-timeline', { followLogs: true });
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Timeline incident' });
    await t.call('journal.watch', { host: 'local' });

    const id = runContainer(['--name', victim, '--network', net, BUSYBOX, 'sh', '-c', 'echo victim-up; exec sleep 600']);
    docker(['exec', victim, 'sh', '-c', `printf '#!/bin/sh\\necho pwned\\n' > /tmp/.x; chmod +x /tmp/.x; echo x > '${HOSTILE}'`]);
    // The dropper phones home: a loop of connections to the web container while a capture runs.
    docker(['exec', '-d', victim, 'sh', '-c', `while true; do wget -q -O /dev/null http://${net}-web:8080/; sleep 0.3; done`]);
    const started = await t.call('capture.start', {
      host: 'local',
      container: victim,
      options: { interface: 'any', durationSeconds: 3, filter: 'tcp port 8080' },
    });
    const capture = await t.call('capture.wait', { captureId: started.id });
    assert.equal(capture.pcap?.status, 'complete');
    const scan = await t.call('drift.scan', { host: 'local', containers: [victim] });
    const scanned = await t.call('drift.wait', { scanId: scan.id });
    assert.equal(scanned.state, 'complete', JSON.stringify(scanned));

    docker(['kill', victim]);
    docker(['rm', victim]);
    await waitFor(() => t.core.journal.entries('local', undefined, 10_000).some((e) => e.actorId === id && e.action === 'destroy'), {
      what: `the destroy of ${victim} in the journal`,
      timeoutMs: 30_000,
    });
    await waitFor(async () => (await t.call('evidence.artifacts', { kind: 'logs' })).some((a) => a.source.containerId === id), {
      what: 'the followed logs to be stored',
      timeoutMs: 30_000,
    });

    // The timeline, through the contract.
    const rows: TimelineRow[] = [];
    for (let offset = 0; ;) {
      const page = await t.call('timeline.page', { offset, limit: 5000 });
      rows.push(...page.rows);
      offset += page.rows.length;
      if (page.rows.length < 5000) break;
    }
    const times = rows.map((r) => BigInt(r.timeNano));
    assert.deepEqual(
      [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      times,
      'in time order',
    );
    const exec = rows.find(
      (r) => r.source === 'journal' && r.containerId === id && r.message.includes('exec_create') && r.message.includes('/tmp/.x'),
    );
    const dropped = rows.find((r) => r.source === 'drift' && r.path === '/tmp/.x');
    const hostile = rows.find((r) => r.source === 'drift' && r.path === HOSTILE);
    const flow = rows.find((r) => r.source === 'flow' && r.message.includes(':8080'));
    const logLine = rows.find((r) => r.source === 'logs' && r.message.includes('victim-up'));
    const destroy = rows.find((r) => r.source === 'journal' && r.containerId === id && r.message.startsWith('container destroy'));
    assert.ok(exec, 'the exec of the dropper, with its command line');
    assert.ok(dropped?.artifactId && hostile, 'the drift entries, linked to their report');
    assert.ok(
      flow?.artifactId,
      `the flow to the web container, linked to its summary (capture: ${JSON.stringify(capture.counters)}; rows: ${JSON.stringify(rows.filter((r) => r.source === 'flow' || r.source === 'capture').map((r) => r.message))})`,
    );
    assert.ok(logLine, 'the followed log line');
    assert.ok(destroy, 'the removal');
    const at = (r: TimelineRow) => BigInt(r.timeNano);
    assert.ok(at(logLine) <= at(exec), 'the log line the entrypoint printed comes before the exec');
    // mtimes have second precision at best in the tar header: the file was written by the exec.
    assert.ok(at(dropped) / 1_000_000_000n >= at(exec) / 1_000_000_000n, 'the dropped file after the exec that wrote it');
    assert.ok(at(flow) > at(exec), 'the connection after the exec');
    assert.ok(at(destroy) > at(flow), 'the removal last');
    assert.ok(
      rows.some((r) => r.source === 'audit' && r.message.startsWith('capture.')),
      'the audit entries',
    );

    // The journal keeps recording the host's events (other tests' containers) while this runs: the
    // strip is compared with the row count read just before and just after it, when the two agree.
    let counted: { strip: number; rows: number } | undefined;
    for (let attempt = 0; attempt < 5 && !counted; attempt++) {
      const before = (await t.call('timeline.page', { limit: 1 })).total;
      const histogram = await t.call('timeline.histogram', { bins: 50 });
      const after = (await t.call('timeline.page', { limit: 1 })).total;
      if (before === after) counted = { strip: histogram.bins.reduce((a, b) => a + b, 0), rows: after };
    }
    assert.ok(counted, 'the timeline stood still between two reads at least once in five');
    assert.ok(counted.rows >= rows.length);
    assert.equal(counted.strip, counted.rows, 'the density strip counts every row');
    await t.core.close();

    // The built CLI on the same store: l2tcsv that Python's csv module parses.
    const csvFile = path.join(out, 'timeline.csv');
    const exported = drydock(t.storeDir, ['timeline', '--format', 'l2tcsv', '--out', csvFile]);
    assert.equal(exported.code, 0, exported.err);
    const parsed = execFileSync(
      'python3',
      [
        '-c',
        'import csv,json,sys\nrows=list(csv.reader(open(sys.argv[1],newline="",encoding="utf-8")))\nprint(json.dumps({"header":rows[0],"widths":sorted(set(len(r) for r in rows)),"n":len(rows)-1,"tz":sorted(set(r[2] for r in rows[1:])),"drift":[r for r in rows[1:] if r[4]=="FILE"][:50]}))',
        csvFile,
      ],
      { encoding: 'utf8' },
    );
    const csv = JSON.parse(parsed) as { header: string[]; widths: number[]; n: number; tz: string[]; drift: string[][] };
    assert.deepEqual(
      csv.header,
      'date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,version,filename,inode,notes,format,extra'.split(','),
    );
    assert.deepEqual(csv.widths, [17], 'every row has the 17 l2tcsv columns');
    // Rows read above plus whatever the journal recorded of the host until the core closed.
    assert.ok(csv.n >= rows.length, `${csv.n} exported of at least ${rows.length}`);
    assert.deepEqual(csv.tz, ['UTC'], 'exports are UTC');
    assert.ok(
      csv.drift.some((r) => r[12] === HOSTILE && r[3] === 'M...'),
      'the hostile path is a quoted field, intact',
    );
    const jsonl = drydock(t.storeDir, ['timeline', '--format', 'jsonl', '--tz', 'Asia/Kolkata']);
    assert.equal(jsonl.code, 0, jsonl.err);
    const jsonlRows = jsonl.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { message?: string; source?: string });
    // The closed store changed only by the audit entry of the l2tcsv export written to a file.
    assert.equal(jsonlRows.length, csv.n + 1, 'the second export holds the first and its audit entry');
    assert.ok(
      jsonlRows.some((r) => /timeline\.export/.test(r.message ?? '')),
      'the file export is audited and on the timeline',
    );
    const first = JSON.parse(jsonl.out.split('\n')[0]!) as Record<string, unknown>;
    for (const field of ['message', 'datetime', 'timestamp_desc']) assert.ok(field in first, `Timesketch's ${field}`);
    assert.match(String(first.datetime), /\+05:30$/, '--tz applies');

    // The report: HTML and PDF, stored in the case.
    const pdfFile = path.join(out, 'report.pdf');
    const report = drydock(t.storeDir, ['report', '--format', 'pdf', '--out', pdfFile, '--json']);
    assert.equal(report.code, 0, report.err);
    const made = JSON.parse(report.out) as {
      html: { artifactId: string };
      pdf?: { artifactId: string };
      verified: boolean;
      findings: number;
    };
    assert.ok(made.pdf, 'a PDF was rendered by the local Chromium');
    assert.equal(made.verified, true);
    assert.ok(made.findings >= 2, 'drift and the exec are findings');
    const htmlFile = path.join(out, 'report.html');
    assert.equal(drydock(t.storeDir, ['artifact', 'export', made.html.artifactId, '--out', htmlFile]).code, 0);
    const html = readFileSync(htmlFile, 'utf8');
    // Text from hosts may mention URLs (the dropper's wget): it is escaped text. No tag and no style may load anything.
    const tags = (html.match(/<[^>]+>/g) ?? []).map((tag) => tag.replace('xmlns="http://www.w3.org/2000/svg"', ''));
    assert.deepEqual(
      tags.filter((tag) => /(\bsrc=|\bhref=|url\(|https?:|ftp:|@import)/i.test(tag)),
      [],
      'no tag loads anything',
    );
    assert.doesNotMatch(/<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '', /url\(|@import/, 'no style loads anything');
    assert.doesNotMatch(html, /<script|<img/i, 'no script, and the hostile <img> name is escaped');
    assert.ok(html.includes('/tmp/&lt;img src=x onerror=alert(1)&gt;'), 'the hostile name, escaped');
    assert.ok(html.includes('Content-Security-Policy'));
    execFileSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', pdfFile, path.join(out, 'page')]);
    const png = path.join(out, 'page-1.png');
    assert.ok(existsSync(png), 'the PDF has a first page');
    // Kept beside the UI screenshots, to be looked at (the directory is not in git).
    const shots = path.join(__dirname, '../../ui/screenshots');
    mkdirSync(shots, { recursive: true });
    copyFileSync(png, path.join(shots, 'report-page-1.png'));
    const verify = drydock(t.storeDir, ['case', 'verify']);
    assert.equal(verify.code, 0, verify.out + verify.err);
    const artifacts = drydock(t.storeDir, ['evidence', 'list', '--json']);
    const kinds = (JSON.parse(artifacts.out) as { kind: string }[]).map((a) => a.kind);
    assert.equal(kinds.filter((k) => k === 'case-report').length, 2, 'the HTML and the PDF are artifacts of the case');
  });
});
