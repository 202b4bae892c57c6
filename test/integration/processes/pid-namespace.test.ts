// Issue 12, fault 3: a process that left the container's cgroup (an exited child its parent never
// reaps) is missing from the engine's top; the snapshot reads the PID namespace and shows it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ProcessSnapshot, ProcessSnapshotResult } from '../../../shared/domain/processes';
import { drydock } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, required, runContainer, startTestCore, type TestCore } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';

function assertZombieCase(snapshot: ProcessSnapshot, where: string): void {
  assert.equal(snapshot.source, 'pid-namespace', `${where}: read from the PID namespace (${snapshot.limitations.join('; ')})`);
  assert.equal(snapshot.processes.length, 2, `${where}: the sleeping init and its zombie child`);
  const init = required(
    snapshot.processes.find((p) => p.isInit),
    `${where}: the init`,
  );
  assert.equal(init.nsPid, 1);
  assert.equal(init.hostPid, snapshot.initPid, 'the init is paired with its host PID');
  assert.deepEqual(init.seenBy, ['pid-namespace', 'engine-top']);
  assert.equal(init.args, 'sleep 1d');
  const zombie = required(
    snapshot.processes.find((p) => !p.isInit),
    `${where}: the second process`,
  );
  assert.equal(zombie.state, 'Z');
  assert.equal(zombie.parent, init.pid, 'a child of the init');
  assert.equal(zombie.hostPid, null, 'top never listed it, so its host PID is unknown');
  assert.deepEqual(zombie.seenBy, ['pid-namespace']);
  assert.ok(
    zombie.flags.some((f) => f.kind === 'zombie'),
    `${where}: flagged zombie`,
  );
  const notInTop = zombie.flags.find((f) => f.kind === 'not-in-top');
  assert.match(notInTop?.reason ?? '', /not listed by the engine's top/);
  assert.ok(snapshot.flagged.includes(zombie.pid));
}

describe("processes the engine's top does not list", () => {
  let t: TestCore;
  let id = '';
  const name = `dd-ps-zombie-${process.pid}`;
  let cliStore = '';

  before(async () => {
    t = startTestCore('drydock-ps-ns');
    cliStore = mkdtempSync(path.join(tmpdir(), 'drydock-ps-cli-'));
    id = runContainer(['--name', name, BUSYBOX, 'sh', '-c', 'sleep 1 & exec sleep 1d']);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Zombie case' });
    // The child exits after a second and leaves the cgroup: top then lists the init alone. (Before
    // the fork top shows `sh -c …`, so one row reading `sleep 1d` means the child has exited.)
    await waitFor(
      () => {
        const rows = docker(['top', id]).split('\n').slice(1);
        return rows.length === 1 && rows[0]?.endsWith('sleep 1d');
      },
      { what: 'the background sleep to exit and top to list the init alone' },
    );
  });

  after(async () => {
    removeContainers([id]);
    await t.close();
    rmSync(cliStore, { recursive: true, force: true });
  });

  it('shows the zombie through the dispatcher, flagged and marked as not in top, with the helper recorded and gone', async () => {
    const result = await t.call('processes.snapshot', { host: 'local', container: name });
    assertZombieCase(result.snapshot, 'dispatcher');
    assert.ok(result.stored);
    const helpers = docker(['ps', '-a', '--filter', `label=drydock.helper.target=${id}`, '--format', '{{.ID}}']);
    assert.equal(helpers, '', 'the helper container was removed');
    const verify = await t.call('evidence.verify', {});
    assert.equal(verify.ok, true);
  });

  it("falls back to the engine's top when the helper cannot run, and says what it cannot see", async () => {
    await t.call('capture.set-settings', { helperImage: 'drydock-test/no-such-helper:1' });
    try {
      const { snapshot } = await t.call('processes.snapshot', { host: 'local', container: name, store: false });
      assert.equal(snapshot.source, 'engine-top');
      assert.deepEqual(
        snapshot.processes.map((p) => p.args),
        ['sleep 1d'],
      );
      assert.match(
        snapshot.limitations.join('\n'),
        /engine's top only: the PID-namespace helper could not run \(.*no-such-helper.*local.*\); processes outside the container's cgroup, such as zombies, are not seen/,
      );
    } finally {
      await t.call('capture.set-settings', { helperImage: null });
    }
  });

  it('shows the zombie through the built CLI with a fresh store and no --host', () => {
    const run = drydock(cliStore, ['ps', name, '--json']);
    assert.equal(run.code, 0, run.err);
    const result = JSON.parse(run.out) as ProcessSnapshotResult;
    assertZombieCase(result.snapshot, 'CLI');
    const text = drydock(cliStore, ['ps', name]);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /zombie, not in top/);
    assert.match(text.out, /not-in-top: not listed by the engine's top/);
  });
});
