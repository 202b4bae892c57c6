import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { QuarantineRecord } from '../../../shared/domain/quarantine';
import { docker, removeContainers, runContainer, TEST_LABEL } from '../../helpers/docker';
import { networksOf, QUARANTINE_NET, removeNetworks, WEB } from './fixture';

const root = path.resolve(__dirname, '../../..');

function drydock(store: string, args: string[], input = '') {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'main/cli/index.ts'), ...args, '--store', store], { cwd: root, encoding: 'utf8', input, timeout: 120000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe('drydock quarantine / release (CLI)', () => {
  let store = '';
  const net = `dd-qcli-${process.pid}`;
  const name = `${net}-suspect`;
  let id = '';

  before(() => {
    store = mkdtempSync('/tmp/drydock-quarantine-cli-');
    docker(['network', 'create', '--label', TEST_LABEL, net]);
    id = runContainer(['--name', name, '--network', net, '--network-alias', 'cli-alias', WEB]);
    assert.equal(drydock(store, ['hosts', 'add', 'local', 'unix:///var/run/docker.sock']).code, 0);
    assert.equal(drydock(store, ['case', 'create', '--name', 'CLI quarantine']).code, 0);
  });

  after(() => {
    drydock(store, ['release', name, '--host', 'local']);
    removeContainers([id]);
    removeNetworks([net]);
    rmSync(store, { recursive: true, force: true });
  });

  it('shows the plan and changes nothing when the answer is no', () => {
    const refused = drydock(store, ['quarantine', name, '--host', 'local', '--mode', 'isolate,pause'], 'n\n');
    assert.equal(refused.code, 1, refused.err);
    assert.match(refused.out, /1\. isolate \(will run\)/);
    assert.match(refused.out, new RegExp(`Disconnect it from ${net} \\(.*aliases cli-alias\\)`));
    assert.match(refused.out, /2\. pause \(will run\)/);
    assert.match(refused.err, /nothing was changed/);
    assert.deepEqual(Object.keys(networksOf(id)), [net]);
    const rejected = drydock(store, ['quarantine', name, '--host', 'local', '--mode', 'isolate,freeze', '--yes']);
    assert.equal(rejected.code, 2);
    assert.match(rejected.err, /unknown mode freeze/);
  });

  it('applies on yes, reports status, releases', () => {
    const applied = drydock(store, ['quarantine', name, '--host', 'local', '--mode', 'isolate'], 'y\n');
    assert.equal(applied.code, 0, applied.err);
    assert.match(applied.out, /QUARANTINED/);
    assert.deepEqual(Object.keys(networksOf(id)), [QUARANTINE_NET]);
    const status = drydock(store, ['quarantine', 'status', '--host', 'local', '--json']);
    assert.equal(status.code, 0, status.err);
    assert.ok((JSON.parse(status.out) as QuarantineRecord[]).some((r) => r.containerId === id && r.state === 'quarantined'));
    const released = drydock(store, ['release', name, '--host', 'local', '--json']);
    assert.equal(released.code, 0, released.err);
    assert.equal((JSON.parse(released.out) as QuarantineRecord).state, 'released');
    assert.deepEqual(Object.keys(networksOf(id)), [net]);
    const none = drydock(store, ['quarantine', 'status', '--host', 'local']);
    assert.match(none.out, /No active quarantine on host local/);
  });
});
