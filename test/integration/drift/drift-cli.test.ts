import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DriftReport, DriftScanInfo, MountInventoryResult } from '../../../shared/domain/drift';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import { drydock } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, runContainer } from '../../helpers/docker';
import { HOSTILE_NAMES } from './intrusion';

describe('drydock drift (CLI)', () => {
  let store: string;
  const ids: string[] = [];
  const clean = `dd-drift-cli-clean-${process.pid}`;
  const dirty = `dd-drift-cli-dirty-${process.pid}`;

  before(() => {
    store = mkdtempSync(path.join(tmpdir(), 'drydock-drift-cli-'));
    ids.push(runContainer(['--name', clean, '--user', '65534', BUSYBOX, 'sleep', '3600']));
    ids.push(runContainer(['--name', dirty, '-v', '/data', BUSYBOX, 'sleep', '3600']));
    docker([
      'exec',
      dirty,
      'sh',
      '-c',
      `cp /bin/busybox /tmp/.x; printf x > "$(printf '/tmp/\\033[31mred\\033]0;pwned\\007')"; printf x > "$(printf '/tmp/h\\344')"; printf x > "$(printf '/tmp/h\\345')"; echo one > /data/a.txt; dd if=/dev/urandom of=/tmp/blob.dat bs=1024 count=2048 2>/dev/null`,
    ]);
    assert.equal(drydock(store, ['hosts', 'add', 'local', 'unix:///var/run/docker.sock']).code, 0);
    assert.equal(drydock(store, ['case', 'create', '--name', 'CLI drift']).code, 0);
  });

  after(() => {
    removeContainers(ids);
    rmSync(store, { recursive: true, force: true });
  });

  it('passes the gate on a container without drift', () => {
    const result = drydock(store, ['drift', clean, '--host', 'local', '--fail-on', 'high']);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, /Drift scan ds-\S+ on host local: complete; 1\/1 containers/);
  });

  it('fails the gate on findings at or above the threshold, printing hostile names escaped', () => {
    const result = drydock(store, ['drift', dirty, '--host', 'local', '--fail-on', 'high']);
    assert.equal(result.code, 6, `a failed gate exits 6, apart from errors: ${result.err}`);
    assert.match(result.err, /\d+ findings? at or above high/);
    assert.match(result.out, /critical\s+added\s+\/tmp\/\.x\s+ELF binary dropped/);
    assert.ok(result.out.includes('/tmp/\\x1b[31mred\\x1b]0;pwned\\x07'), 'the escape codes are shown, not run');
    assert.ok(!result.out.includes('\u001b') && !result.err.includes('\u001b'), 'no raw ESC reaches the terminal');
  });

  it('prints names that are not UTF-8 with each invalid byte as \\xNN, never U+FFFD', () => {
    const result = drydock(store, ['drift', dirty, '--host', 'local']);
    assert.ok(result.out.includes('/tmp/h\\xe4') && result.out.includes('/tmp/h\\xe5'), result.out);
    assert.ok(!result.out.includes('\uFFFD'), 'no replacement character');
  });

  it("hash-inventories the container's mounts with --mounts", () => {
    const text = drydock(store, ['drift', dirty, '--host', 'local', '--mounts']);
    assert.match(text.out, /Mount inventory: volume \/data — 2 entries, 4 bytes hashed, complete; artifact \S+/);
    const json = drydock(store, ['drift', dirty, '--host', 'local', '--mounts', '--json']);
    const parsed = JSON.parse(json.out) as { mounts: MountInventoryResult[] };
    assert.deepEqual(
      parsed.mounts.map((m) => [m.destination, m.files, m.status]),
      [['/data', 2, 'complete']],
    );
  });

  it('acquires a file the scan only hashed, with the same SHA-256', () => {
    const scan = drydock(store, ['drift', dirty, '--host', 'local', '--json']);
    const report = (JSON.parse(scan.out) as { reports: DriftReport[] }).reports[0]!;
    const blob = report.entries.find((e) => e.path === '/tmp/blob.dat');
    assert.equal(blob?.content.state, 'over-cap', 'a 2 MiB data file is over the default 1 MiB cap');
    const result = drydock(store, ['artifact', 'acquire', dirty, '/tmp/blob.dat', '--host', 'local', '--json']);
    assert.equal(result.code, 0, result.err);
    const artifact = JSON.parse(result.out) as ArtifactInfo;
    assert.equal(artifact.kind, 'container-file');
    assert.equal(artifact.sha256, blob?.container?.sha256);
    assert.equal(artifact.sha256, docker(['exec', dirty, 'sha256sum', '/tmp/blob.dat']).split(/\s+/)[0]);
    assert.equal(artifact.size, 2 * 1024 * 1024);
    const missing = drydock(store, ['artifact', 'acquire', dirty, '/tmp/no-such-file', '--host', 'local']);
    assert.equal(missing.code, 3, missing.err);
    assert.match(missing.err, /No file "\/tmp\/no-such-file" in container dd-drift-cli-dirty/);
  });

  it('prints JSON with the exact names and the same exit status', () => {
    const result = drydock(store, ['drift', dirty, '--host', 'local', '--json', '--fail-on', 'critical', '--cap', '0', '--key-cap', '0']);
    assert.equal(result.code, 6, result.err);
    const parsed = JSON.parse(result.out) as { scan: DriftScanInfo; reports: DriftReport[] };
    assert.equal(parsed.scan.state, 'complete');
    const names = parsed.reports[0]!.entries.map((e) => e.path);
    assert.ok(names.includes(HOSTILE_NAMES.escape));
    assert.ok(
      parsed.reports[0]!.entries.every((e) => e.content.state !== 'stored'),
      '--cap 0 --key-cap 0 stores no file contents',
    );
  });

  it('refuses bad arguments with exit status 2', () => {
    assert.equal(drydock(store, ['drift', dirty, '--host', 'local', '--fail-on', 'severe']).code, 2);
    assert.equal(drydock(store, ['drift', '--host', 'local']).code, 2);
    assert.equal(drydock(store, ['drift', dirty, '--all', '--host', 'local']).code, 2);
  });
});
