import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DriftReport, DriftScanInfo } from '../../../shared/domain/drift';
import { BUSYBOX, docker, removeContainers, runContainer } from '../../helpers/docker';
import { HOSTILE_NAMES } from './intrusion';

const root = path.resolve(__dirname, '../../..');

function drydock(store: string, args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'main/cli/index.ts'), ...args, '--store', store], { cwd: root, encoding: 'utf8', timeout: 180000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('drydock drift (CLI)', () => {
  let store: string;
  const ids: string[] = [];
  const clean = `dd-drift-cli-clean-${process.pid}`;
  const dirty = `dd-drift-cli-dirty-${process.pid}`;

  before(() => {
    store = mkdtempSync(path.join(tmpdir(), 'drydock-drift-cli-'));
    ids.push(runContainer(['--name', clean, '--user', '65534', BUSYBOX, 'sleep', '3600']));
    ids.push(runContainer(['--name', dirty, BUSYBOX, 'sleep', '3600']));
    docker(['exec', dirty, 'sh', '-c', `cp /bin/busybox /tmp/.x; printf x > "$(printf '/tmp/\\033[31mred\\033]0;pwned\\007')"`]);
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
    assert.equal(result.code, 1, result.err);
    assert.match(result.err, /finding\(s\) at or above high/);
    assert.match(result.out, /critical\s+added\s+\/tmp\/\.x\s+ELF binary dropped/);
    assert.ok(result.out.includes('/tmp/\\x1b[31mred\\x1b]0;pwned\\x07'), 'the escape codes are shown, not run');
    assert.ok(!result.out.includes('\u001b') && !result.err.includes('\u001b'), 'no raw ESC reaches the terminal');
  });

  it('prints JSON with the exact names and the same exit status', () => {
    const result = drydock(store, ['drift', dirty, '--host', 'local', '--json', '--fail-on', 'critical', '--cap', '0']);
    assert.equal(result.code, 1, result.err);
    const parsed = JSON.parse(result.out) as { scan: DriftScanInfo; reports: DriftReport[] };
    assert.equal(parsed.scan.state, 'complete');
    const names = parsed.reports[0]!.entries.map((e) => e.path);
    assert.ok(names.includes(HOSTILE_NAMES.escape));
    assert.ok(parsed.reports[0]!.entries.every((e) => e.content.state !== 'stored'), '--cap 0 stores no file contents');
  });

  it('refuses bad arguments with exit status 2', () => {
    assert.equal(drydock(store, ['drift', dirty, '--host', 'local', '--fail-on', 'severe']).code, 2);
    assert.equal(drydock(store, ['drift', '--host', 'local']).code, 2);
    assert.equal(drydock(store, ['drift', dirty, '--all', '--host', 'local']).code, 2);
  });
});
