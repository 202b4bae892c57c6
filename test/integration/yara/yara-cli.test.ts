// YARA through the built `drydock` with the real engines: Debian's yara in the helper image over a
// running container's files and its live process memory, libyara (WebAssembly) in the app over a
// stored memory image, a drift scan's stored files and a stopped container's archive. A rule for
// the memory fixture's heap marker hits the image and the live process; a rule for the drift
// fixture's dropped binary hits the drift file; a clean sibling gives no match; and the same rules
// give the same matches from both engines on the same bytes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DriftScanInfo } from '../../../shared/domain/drift';
import type { MemoryAcquireResult } from '../../../shared/domain/memory';
import type { YaraMatch, YaraScanReport } from '../../../shared/domain/yara';
import { wasmScan } from '../../../main/core/yara/wasm-engine';
import { drydock, ROOT } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, runContainer } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';
import { BUSYBOX_PATHS, intrude } from '../drift/intrusion';

const IMPLANT = 'drydock-fixture/implant:1';
const MARKER = 'DRYDOCK-HEAP-MARKER-5e1f0c7a';

const MARKER_RULE = `rule drydock_test_heap_marker
{
    meta:
        source = "Drydock tests: the memory fixture's heap marker (test/fixtures/images/implant)"
    strings:
        $m = "${MARKER}"
    condition:
        $m
}
`;
// The drift fixture drops a copy of busybox at /tmp/.x: an ELF file carrying BusyBox's banner.
const DROPPED_RULE = `rule drydock_test_dropped_busybox
{
    meta:
        source = "Drydock tests: the drift fixture's dropped binary (test/integration/drift/intrusion.ts)"
    strings:
        $banner = "BusyBox v1."
    condition:
        uint32(0) == 0x464c457f and $banner
}
`;
// Features both engines must read alike: text, wide, nocase, hex with jumps and wildcards, regex,
// `at`, counts, filesize, and a rule with no strings.
const EQUIVALENCE_RULES = `rule eq_text { strings: $a = "EQUIV-TEXT" $w = "EQUIV-WIDE" wide condition: $a or $w }
rule eq_nocase { strings: $n = "equiv-nocase" nocase condition: #n >= 2 }
rule eq_hex { strings: $h = { 45 51 [2-4] 56 ?? 48 45 58 } condition: $h }
rule eq_regex { strings: $r = /EQUIV-[0-9]{3}-[a-f]+/ condition: $r }
rule eq_at { strings: $s = "EQSTART" condition: $s at 0 }
rule eq_small { strings: $e = "EQSMALL" condition: $e and filesize < 64 }
rule eq_nostring { condition: uint16(0) == 0x5145 and filesize > 1000 }
`;

function json<T>(store: string, args: string[]): T {
  const run = drydock(store, [...args, '--json'], { timeout: 600_000 });
  assert.equal(run.code, 0, `drydock ${args.join(' ')}: ${run.err}`);
  return JSON.parse(run.out) as T;
}

/** Bytes exercising EQUIVALENCE_RULES, with random filler (the same bytes go to both engines). */
function equivalenceBytes(): Buffer {
  const parts = [
    Buffer.from('EQSTART'),
    Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 251)),
    Buffer.from('xxEQUIV-TEXTxx'),
    Buffer.from('EQUIV-WIDE', 'utf16le'),
    Buffer.from('Equiv-NoCase..EQUIV-NOCASE'),
    Buffer.from('EQ12VzHEX EQ1234V_HEX'),
    Buffer.from('EQUIV-042-beef'),
    Buffer.from('EQSMALL'),
  ];
  return Buffer.concat(parts);
}

const FORGED_NAME = '/eq/a\neq_text /proc/1/root/etc/passwd';

const key = (m: YaraMatch) => `${m.rule} ${m.path ?? ''} ${m.string} ${m.offset} ${m.length}`;

describe('drydock yara', () => {
  let store: string;
  let rulesDir: string;
  let implant = '';
  let clean = '';
  let dirty = '';
  let equiv = '';
  const containers: string[] = [];

  before(async () => {
    store = mkdtempSync(path.join(tmpdir(), 'ddyara-'));
    rulesDir = mkdtempSync(path.join(tmpdir(), 'ddyara-rules-'));
    writeFileSync(path.join(rulesDir, 'marker.yar'), MARKER_RULE);
    writeFileSync(path.join(rulesDir, 'dropped.yar'), DROPPED_RULE);
    writeFileSync(path.join(rulesDir, 'equivalence.yara'), EQUIVALENCE_RULES);
    assert.equal(drydock(store, ['case', 'new', '--name', 'yara-tests']).code, 0);
    // Helpers attached to by a log follower that does not read stall (see memory-cli.test.ts).
    assert.equal(drydock(store, ['logs', '--follow-on-start', 'off']).code, 0);
    implant = runContainer(['--name', `ddyara-implant-${process.pid}`, IMPLANT]);
    clean = runContainer(['--name', `ddyara-clean-${process.pid}`, BUSYBOX, 'sleep', '3600']);
    dirty = runContainer(['--name', `ddyara-dirty-${process.pid}`, BUSYBOX, 'sleep', '3600']);
    equiv = runContainer(['--name', `ddyara-equiv-${process.pid}`, BUSYBOX, 'sleep', '3600']);
    containers.push(implant, clean, dirty, equiv);
    intrude(dirty, BUSYBOX_PATHS, '/bin/busybox');
    const bytes = equivalenceBytes();
    docker(['exec', equiv, 'mkdir', '-p', '/eq']);
    const file = path.join(rulesDir, 'sample.bin');
    writeFileSync(file, bytes);
    docker(['cp', file, `${equiv}:/eq/sample.bin`]);
    // A name built to forge a line of yara's output: a match under it must not be taken for /etc/passwd's.
    docker([
      'exec',
      equiv,
      'sh',
      '-c',
      `p="$(printf '${FORGED_NAME.replace(/\n/g, '\\n')}')" && mkdir -p "$(dirname "$p")" && cp /eq/sample.bin "$p"`,
    ]);
    await waitFor(() => docker(['logs', implant]).includes('ready'), { what: 'the implant fixture to hold its marker' });
  });

  after(() => {
    removeContainers(containers);
    rmSync(store, { recursive: true, force: true });
    rmSync(rulesDir, { recursive: true, force: true });
  });

  it('hits the marker in a memory image, at an offset that holds it and an address in its region', () => {
    const acquired = json<MemoryAcquireResult>(store, ['memory', implant, '--pid', '1']);
    const image = acquired.images[0];
    assert.ok(image && !image.incomplete);
    const report = json<YaraScanReport>(store, ['yara', path.join(rulesDir, 'marker.yar'), '--artifact', image.artifactId]);
    assert.equal(report.engine.name, 'libyara-wasm');
    const hits = report.matches.filter((m) => m.rule === 'drydock_test_heap_marker');
    assert.ok(hits.length >= 1, 'the marker rule hits the image');
    const exported = path.join(store, 'image.core');
    assert.equal(drydock(store, ['artifact', 'export', image.artifactId, '--out', exported]).code, 0);
    const bytes = readFileSync(exported);
    for (const hit of hits) {
      assert.equal(bytes.subarray(hit.offset, hit.offset + hit.length).toString('latin1'), MARKER, 'the offset is the image offset');
      assert.equal(hit.pid, 1);
      assert.match(hit.address ?? '', /^[0-9a-f]+$/);
    }
    assert.deepEqual(report.scanned.artifactIds, [image.artifactId]);
    assert.ok(report.stored, 'stored as a yara-report');
    const stored = json<{ artifact: { kind: string; attributes: Record<string, unknown> } }>(store, [
      'evidence',
      'show',
      report.stored.artifactId,
    ]).artifact;
    assert.equal(stored.kind, 'yara-report');
    assert.deepEqual(stored.attributes.scannedArtifactIds, [image.artifactId]);
  });

  it("hits the marker in the live process's memory through the helper's yara, at the image's address", () => {
    const image = json<MemoryAcquireResult>(store, ['memory', implant, '--pid', '1']).images[0];
    assert.ok(image);
    const fromImage = json<YaraScanReport>(store, ['yara', path.join(rulesDir, 'marker.yar'), '--artifact', image.artifactId]);
    const live = json<YaraScanReport>(store, ['yara', path.join(rulesDir, 'marker.yar'), '--container', implant, '--memory']);
    assert.equal(live.engine.name, 'yara');
    assert.equal(live.engine.where, 'helper');
    assert.ok(live.scanned.pids.includes(1));
    const hits = live.matches.filter((m) => m.rule === 'drydock_test_heap_marker');
    assert.ok(hits.length >= 1, 'the marker rule hits the live process');
    assert.ok(hits.every((m) => m.pid === 1 && m.length === MARKER.length));
    const imageAddresses = new Set(fromImage.matches.map((m) => m.address));
    assert.ok(
      hits.some((m) => imageAddresses.has(m.address)),
      `a live address (${hits.map((m) => m.address).join(', ')}) is one the image holds the marker at (${[...imageAddresses].join(', ')})`,
    );
    assert.ok(docker(['inspect', '-f', '{{.State.Running}}', implant]) === 'true', 'the container still runs');
  });

  it('gives no match in a clean sibling, in memory or on disk', () => {
    const memory = json<YaraScanReport>(store, ['yara', path.join(rulesDir, 'marker.yar'), '--container', clean, '--memory']);
    assert.ok(memory.scanned.pids.length >= 1, 'its processes were scanned');
    assert.equal(memory.matchCount, 0);
    const files = json<YaraScanReport>(store, ['yara', path.join(rulesDir, 'marker.yar'), '--container', clean]);
    assert.ok(files.scanned.files >= 1);
    assert.equal(files.matchCount, 0);
  });

  it("hits the drift fixture's dropped binary among a drift scan's stored files, and nothing of the clean sibling", () => {
    const drift = drydock(store, ['drift', dirty, clean, '--json'], { timeout: 600_000 });
    assert.ok(drift.code === 0 || drift.code === 6, drift.err);
    const scan = (JSON.parse(drift.out) as { scan: DriftScanInfo }).scan;
    const report = json<YaraScanReport>(store, ['yara', path.join(rulesDir, 'dropped.yar'), '--scan', scan.id]);
    const hits = report.matches.filter((m) => m.rule === 'drydock_test_dropped_busybox');
    assert.deepEqual([...new Set(hits.map((m) => m.path))], [BUSYBOX_PATHS.dropped]);
    assert.ok(hits[0]?.artifactId, 'the match names the stored file');
    assert.ok(report.scanned.artifactIds.includes(hits[0].artifactId));
    assert.ok(
      report.matches.every((m) => m.path === BUSYBOX_PATHS.dropped),
      'the clean sibling gave no match',
    );
    // The same rule over the dirty container's live filesystem, through the helper.
    const live = json<YaraScanReport>(store, ['yara', path.join(rulesDir, 'dropped.yar'), '--container', dirty]);
    assert.ok(live.matches.some((m) => m.path === BUSYBOX_PATHS.dropped));
  });

  it("gives the same matches from the helper's Debian yara and the in-app engine on the same bytes", async () => {
    const bundle = JSON.parse(readFileSync(path.join(ROOT, 'resources/capture-helper/drydock-capture-helper.json'), 'utf8')) as {
      tag: string;
    };
    docker(['load', '-i', path.join(ROOT, 'resources/capture-helper/drydock-capture-helper.tar')]);
    const bytes = equivalenceBytes();
    const dir = mkdtempSync(path.join(tmpdir(), 'ddyara-eq-'));
    writeFileSync(path.join(dir, 'r.yar'), EQUIVALENCE_RULES);
    writeFileSync(path.join(dir, 's.bin'), bytes);
    const run = spawnSync('docker', [
      'run',
      '--rm',
      '--label',
      'drydock.test=1',
      '--network',
      'none',
      '--read-only',
      '-v',
      `${dir}:/in:ro`,
      '--entrypoint',
      '',
      bundle.tag,
      'yara',
      '-s',
      '-L',
      '-w',
      '/in/r.yar',
      '/in/s.bin',
    ]);
    rmSync(dir, { recursive: true, force: true });
    assert.equal(run.status, 0, run.stderr.toString());
    const debian = new Set<string>();
    let rule = '';
    for (const line of run.stdout.toString('latin1').split('\n')) {
      const r = /^(\w+) \/in\/s\.bin$/.exec(line);
      const s = /^0x([0-9a-f]+):(\d+):(\$\w+):/.exec(line);
      if (r) {
        rule = r[1] ?? '';
        debian.add(`${rule} - -`);
      } else if (s) debian.add(`${rule} ${s[3]} ${Number.parseInt(s[1] ?? '0', 16)}:${s[2]}`);
    }
    const wasm = new Set<string>();
    for (const m of (await wasmScan(bytes, EQUIVALENCE_RULES)).matches) {
      wasm.add(`${m.rule} - -`);
      if (m.string !== '') wasm.add(`${m.rule} ${m.string} ${m.offset}:${m.length}`);
    }
    assert.ok(debian.size > 7, `every rule matched something: ${[...debian].join('; ')}`);
    assert.deepEqual([...wasm].sort(), [...debian].sort());
  });

  it("gives the same matches over a container's files whether yara reads them live or the app reads its archive", () => {
    const rules = path.join(rulesDir, 'equivalence.yara');
    const live = json<YaraScanReport>(store, ['yara', rules, '--container', equiv]);
    assert.equal(live.engine.name, 'yara');
    docker(['stop', '-t', '1', equiv]);
    const archived = json<YaraScanReport>(store, ['yara', rules, '--container', equiv]);
    assert.equal(archived.engine.name, 'libyara-wasm');
    const mine = (r: YaraScanReport) =>
      r.matches
        .filter((m) => m.path?.startsWith('/eq/'))
        .map(key)
        .sort();
    assert.ok(mine(live).length >= 7, mine(live).join('\n'));
    assert.deepEqual(mine(archived), mine(live));
    assert.ok(
      live.matches.some((m) => m.path === FORGED_NAME && m.rule === 'eq_text'),
      'the file with a newline in its name is reported under its exact name',
    );
    assert.ok(!live.matches.some((m) => m.path === '/etc/passwd'), 'no match is forged onto another file');
  });

  it('refuses rules that do not compile, naming the file and line, before reading anything', () => {
    const bad = path.join(rulesDir, 'bad.yar');
    writeFileSync(bad, 'rule broken {\n  condition: no_such_identifier\n}\n');
    const run = drydock(store, ['yara', bad, '--container', clean]);
    assert.equal(run.code, 2, run.err);
    assert.match(run.err, /bad\.yar line 2/);
  });

  it('gates a pipeline with --fail-on-match, and puts each scan in the case timeline and report', () => {
    const rules = path.join(rulesDir, 'dropped.yar');
    const hit = drydock(store, ['yara', rules, '--container', dirty, '--fail-on-match']);
    assert.equal(hit.code, 6, hit.err);
    assert.match(hit.err, /gate failed: \d+ rules? matched, \d+ string hits? \(exit 6\)/);
    // (The dropped binary is a copy of busybox, so its rule matches the clean sibling's own /bin/busybox: the marker rule is the clean one's.)
    const quiet = drydock(store, ['yara', path.join(rulesDir, 'marker.yar'), '--container', clean, '--fail-on-match']);
    assert.equal(quiet.code, 0, quiet.err);
    const timeline = drydock(store, ['timeline', '--format', 'jsonl']);
    assert.equal(timeline.code, 0, timeline.err);
    const rows = timeline.out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { message: string; severity?: string; timestamp_desc: string; container?: string });
    const yaraRow = rows.find((r) => r.timestamp_desc === 'YARA Scan Time' && /drydock_test_dropped_busybox/.test(r.message));
    assert.ok(yaraRow, 'a row for the scan that matched');
    assert.equal(yaraRow.severity, 'high');
    assert.ok(
      rows.some((r) => r.timestamp_desc === 'YARA Scan Time' && /^YARA: no match/.test(r.message)),
      'and for the clean one',
    );
    const out = path.join(store, 'report.html');
    const report = drydock(store, ['report', '--format', 'html', '--out', out]);
    assert.equal(report.code, 0, report.err);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /YARA \(filesystem\): \d+ rules? matched \([^<]*drydock_test_dropped_busybox[^<]*\), \d+ string hits?/);
  });

  it("scans with Drydock's starter rules", () => {
    const report = json<YaraScanReport>(store, ['yara', '@starter', '--container', dirty]);
    assert.ok(report.rules.some((r) => r.name === 'eicar.yar' && r.origin === 'starter'));
  });
});
