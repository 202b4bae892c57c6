import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX, removeContainers, runContainer, startTestCore, type TestCore } from '../../helpers/docker';
import { startSecondEngine, type SecondEngine } from '../../helpers/second-engine';

// A fresh engine has no helper image, so a capture there must load it: the footprint then holds
// the image load, the helper's creation and its removal, each naming the host and the examiner.
describe('footprint: what Drydock did on a host, from the audit log', () => {
  let t: TestCore;
  let engine: SecondEngine;
  const remote: string[] = [];

  before(async () => {
    t = startTestCore('drydock-footprint');
    engine = await startSecondEngine('ddf', [BUSYBOX]);
    await t.call('hosts.add', { name: 'suspect', url: engine.tcpUrl, tls: engine.tls });
    await t.call('hosts.add', { name: 'bystander', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Footprint case' });
    remote.push(runContainer(['--name', 'dd-footprint-target', BUSYBOX, 'sleep', '600'], { host: `unix://${engine.socket}` }));
  });

  after(async () => {
    removeContainers(remote, { host: `unix://${engine.socket}` });
    await t.close();
    await engine?.stop();
  });

  it('lists the helper image load and the helper created and removed by a capture, for that host only', async () => {
    const before = await t.call('footprint.summary', { host: 'suspect' });
    assert.deepEqual(before.hosts, [], 'nothing done on the host yet');

    const started = await t.call('capture.start', {
      host: 'suspect',
      container: 'dd-footprint-target',
      options: { interface: 'any', durationSeconds: 1 },
    });
    const info = await t.call('capture.wait', { captureId: started.id });
    assert.equal(info.state, 'finished', info.error?.message);

    const summary = await t.call('footprint.summary', { host: 'suspect' });
    assert.equal(summary.caseId, null, 'no caseRef: the whole store');
    assert.deepEqual(
      summary.hosts.map((h) => h.host),
      ['suspect'],
    );
    const actions = summary.hosts[0]?.actions ?? [];
    const load = actions.find((a) => a.action === 'capture.helper-image-loaded');
    const created = actions.find((a) => a.action === 'helper.created');
    const removed = actions.find((a) => a.action === 'helper.removed');
    assert.ok(load && created && removed, `footprint actions: ${actions.map((a) => a.action).join(', ')}`);
    assert.equal(load.objectKind, 'image');
    assert.match(load.objectId, /^sha256:[0-9a-f]{64}$/);
    assert.equal(created.objectKind, 'container');
    assert.match(created.objectId, /^[0-9a-f]{64}$/);
    assert.equal(removed.objectId, created.objectId, 'the helper removed is the one created');
    assert.ok(actions.indexOf(load) < actions.indexOf(created) && actions.indexOf(created) < actions.indexOf(removed), 'oldest first');
    const examiner = (await t.call('evidence.examiner', {})).name;
    for (const a of actions) {
      assert.equal(a.examiner, examiner, `${a.action} by the acting examiner`);
      assert.ok(!Number.isNaN(Date.parse(a.at)), `${a.action} has a time`);
      assert.notEqual(a.caseId, null, `${a.action} is in the case's chain`);
    }

    // The same through the case, and nothing for a host Drydock did not touch.
    const byCase = await t.call('footprint.summary', { caseRef: 'Footprint case' });
    assert.deepEqual(byCase.hosts.find((h) => h.host === 'suspect')?.actions, actions);
    const bystander = await t.call('footprint.summary', { host: 'bystander' });
    assert.deepEqual(bystander.hosts, []);
  });
});
