import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DriftEntry, DriftReport, DriftScanInfo } from '../../../shared/domain/drift';
import { drydock } from '../../helpers/cli';
import { docker, removeContainers, runContainer } from '../../helpers/docker';

// Live drift through the containers' overlay2 directories (one helper per host streaming the layer
// trees) against the engine's API path on the same container: the same entries with the same
// hashes, an opaque directory's hidden lower files as deletions, names that differ only in invalid
// UTF-8 bytes kept apart — and a file rewritten with its size and modification time put back,
// which the engine's change list cannot see, found only by the upper-dir read.

const DEBIAN = 'drydock-fixture/debian:bookworm';

interface Run {
  scan: DriftScanInfo;
  reports: DriftReport[];
}

function hiddenFromEngine(e: DriftEntry): boolean {
  return e.reasons.some((r) => r.reason.includes("not in the engine's change list"));
}

function key(e: DriftEntry): string {
  return JSON.stringify([
    e.pathBase64 ?? e.path,
    e.change,
    e.severity,
    e.container?.type ?? null,
    e.container?.sha256 ?? null,
    e.image?.sha256 ?? null,
  ]);
}

describe('live drift through the upper directories', () => {
  let store: string;
  const ids: string[] = [];
  const name = `dd-upper-${process.pid}`;
  const runs: Partial<Record<'upper-dir' | 'engine-api', Run>> = {};

  before(() => {
    store = mkdtempSync(path.join(tmpdir(), 'drydock-upper-'));
    ids.push(runContainer(['--name', name, DEBIAN, 'sleep', '3600']));
    docker([
      'exec',
      name,
      'sh',
      '-c',
      [
        'set -e',
        // An opaque directory: the image's /etc/apt replaced by a new one.
        'rm -rf /etc/apt && mkdir /etc/apt && echo replaced > /etc/apt/sources.list',
        // Added, deleted, changed, made setuid.
        'printf "#!/bin/sh\\necho dropped\\n" > /tmp/.dropper && chmod 755 /tmp/.dropper',
        'rm /usr/bin/who',
        'echo tampered >> /etc/issue',
        'chmod u+s /usr/bin/env',
        // A package-owned binary changed after installation (coreutils' md5sums no longer match it).
        'printf "\\n# trojaned\\n" >> /usr/bin/tail',
        // Two names that differ only in bytes that are not UTF-8.
        `printf a > "$(printf '/tmp/n\\344')" && printf b > "$(printf '/tmp/n\\345')"`,
        // Content changed with size and modification time put back (touch -r).
        'touch -r /etc/debian_version /tmp/.ref && sed -i "s/1/9/" /etc/debian_version && touch -r /tmp/.ref /etc/debian_version && rm /tmp/.ref',
      ].join('\n'),
    ]);
    assert.equal(drydock(store, ['hosts', 'add', 'local', 'unix:///var/run/docker.sock']).code, 0);
    assert.equal(drydock(store, ['case', 'create', '--name', 'Upper-dir drift']).code, 0);
    for (const via of ['upper-dir', 'engine-api'] as const) {
      const result = drydock(store, ['drift', name, '--host', 'local', '--via', via, '--json']);
      assert.equal(result.code, 0, result.err);
      runs[via] = JSON.parse(result.out) as Run;
    }
  });

  after(() => {
    removeContainers(ids);
    rmSync(store, { recursive: true, force: true });
  });

  it('says which path each report used', () => {
    const upper = runs['upper-dir'] as Run;
    const api = runs['engine-api'] as Run;
    assert.equal(upper.scan.containers[0]?.readFrom, 'upper-dir', upper.scan.upperDirNote);
    assert.equal(upper.reports[0]?.readFrom?.kind, 'upper-dir');
    assert.match(upper.reports[0]?.readFrom?.detail ?? '', /overlay2 bound read-only/);
    assert.equal(api.scan.containers[0]?.readFrom, 'engine-api');
    assert.equal(api.reports[0]?.readFrom?.kind, 'engine-api');
    const auto = drydock(store, ['drift', name, '--host', 'local', '--via', 'auto']);
    assert.match(auto.out, /READ FROM[\s\S]*upper-dir/, 'the summary table names the path (auto chose the upper directories here)');
    const plain = drydock(store, ['drift', name, '--host', 'local']);
    assert.match(plain.out, /READ FROM[\s\S]*engine-api/, "the default is still the engine's API");
  });

  it('gives the entries and hashes of the API path, and the hidden change besides', () => {
    const upper = (runs['upper-dir'] as Run).reports[0] as DriftReport;
    const api = (runs['engine-api'] as Run).reports[0] as DriftReport;
    const shown = upper.entries.filter((e) => !hiddenFromEngine(e));
    assert.deepEqual(shown.map(key).sort(), api.entries.map(key).sort());
    const hidden = upper.entries.filter(hiddenFromEngine);
    assert.deepEqual(
      hidden.map((e) => [e.path, e.change]),
      [['/etc/debian_version', 'modified']],
    );
    assert.notEqual(hidden[0]?.container?.sha256, hidden[0]?.image?.sha256, 'its content differs from the image');
    assert.ok(!api.entries.some((e) => e.path === '/etc/debian_version'), 'the engine cannot see it');
  });

  it('reads the opaque directory, the whiteout, the setuid bit and the non-UTF-8 names', () => {
    const upper = (runs['upper-dir'] as Run).reports[0] as DriftReport;
    const at = (p: string) => upper.entries.find((e) => e.path === p);
    assert.equal(at('/etc/apt/sources.list')?.change, 'modified', 'the replaced file');
    assert.equal(at('/etc/apt/trusted.gpg.d')?.change, 'deleted', 'a lower directory the opaque one hides');
    assert.ok(
      at('/etc/apt')?.reasons.some((r) => /^replaced: an opaque directory/.test(r.reason)),
      'the opaque directory is said to replace the image one',
    );
    assert.ok(!upper.limitations.some((l) => /Package integrity/i.test(l)), 'package integrity is checked here too');
    assert.equal(at('/usr/bin/who')?.change, 'deleted');
    assert.equal(at('/tmp/.dropper')?.change, 'added');
    assert.equal(at('/tmp/.dropper')?.content?.state, 'stored');
    assert.ok(
      at('/usr/bin/env')?.reasons.some((r) => /setuid/i.test(r.reason)),
      'the setuid bit is a reason',
    );
    const odd = upper.entries.filter((e) => e.pathBase64 !== undefined && e.path.startsWith('/tmp/n'));
    assert.equal(odd.length, 2, 'two entries for two names');
    assert.notEqual(odd[0]?.pathBase64, odd[1]?.pathBase64);
  });

  it('checks package integrity as the API path does: the trojaned package binary is critical in both', () => {
    const upper = (runs['upper-dir'] as Run).reports[0] as DriftReport;
    const api = (runs['engine-api'] as Run).reports[0] as DriftReport;
    const tail = upper.entries.find((e) => e.path === '/usr/bin/tail');
    assert.equal(tail?.severity, 'critical');
    assert.equal(tail?.package, 'coreutils');
    assert.ok(tail?.reasons.some((r) => /owned by package coreutils, but no longer what it installed: MD5 recorded/.test(r.reason)));
    assert.deepEqual(
      upper.integrity?.mismatched.map((m) => [m.path, m.package, m.recorded, m.actual]),
      api.integrity?.mismatched.map((m) => [m.path, m.package, m.recorded, m.actual]),
    );
    assert.ok(upper.integrity?.mismatched.some((m) => m.path === '/usr/bin/tail'));
    assert.deepEqual(upper.integrity?.sources, api.integrity?.sources);
    assert.equal(upper.integrity?.verified, api.integrity?.verified, 'as many files found to match their packages');
  });

  it("stores the image's version of a changed text file, for the side-by-side view", () => {
    const upper = (runs['upper-dir'] as Run).reports[0] as DriftReport;
    const issue = upper.entries.find((e) => e.path === '/etc/issue');
    assert.equal(issue?.verdict, 'content-changed');
    const id = issue?.image?.artifactId;
    assert.ok(id, 'the image side names its artifact');
    const shown = drydock(store, ['evidence', 'show', id, '--json']);
    assert.equal(shown.code, 0, shown.err);
    const { artifact, preview } = JSON.parse(shown.out) as { artifact: { kind: string; sha256: string }; preview: { text?: string } };
    assert.equal(artifact.kind, 'image-file');
    assert.equal(artifact.sha256, issue?.image?.sha256, "the bytes are the image's, as hashed in the report");
    assert.ok(!(preview.text ?? '').includes('tampered'), "the image's version, not the container's");
  });

  it('leaves no helper behind and records the helper it ran', () => {
    const left = docker(['ps', '-aq', '--filter', 'label=drydock.helper=upper-dirs']);
    assert.equal(left, '', 'no upper-dirs helper is left on the host');
    const audit = drydock(store, ['case', 'audit', '--json']);
    assert.equal(audit.code, 0, audit.err);
    const actions = audit.out
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { action: string; details: Record<string, unknown> })
      .filter((e) => JSON.stringify(e.details).includes('upper-dirs'))
      .map((e) => e.action);
    assert.ok(
      actions.some((a) => /^helper\.created$/.test(a)),
      `helper creation audited: ${actions.join(', ')}`,
    );
    assert.ok(
      actions.some((a) => /^helper\.removed$/.test(a)),
      `helper removal audited: ${actions.join(', ')}`,
    );
  });
});
