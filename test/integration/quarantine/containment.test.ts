// What isolation really cuts off: every container in the target's network namespace goes with it
// (named in the plan and the record, either direction), and a container that controls the engine
// or the host is not contained by cutting its network (the plan says so and proposes pause/stop).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX, docker, removeContainers, runContainer, startTestCore, TEST_LABEL, type TestCore } from '../../helpers/docker';
import { fetches, networksOf, QUARANTINE_NET, removeNetworks, WEB } from './fixture';

describe('quarantine: shared network namespaces and containers that control the engine', () => {
  let t: TestCore;
  const tag = `dd-qc-${process.pid}`;
  const net = `${tag}-net`;
  const ids: string[] = [];
  const names = { a: `${tag}-a`, b: `${tag}-b`, peer: `${tag}-peer` };
  let a = '';
  let b = '';

  before(async () => {
    t = startTestCore('drydock-quarantine-containment');
    docker(['network', 'create', '--label', TEST_LABEL, net]);
    a = runContainer(['--name', names.a, '--network', net, BUSYBOX, 'sleep', '3600']);
    ids.push(a);
    b = runContainer(['--name', names.b, '--network', `container:${names.a}`, BUSYBOX, 'sleep', '3600']);
    ids.push(b);
    ids.push(runContainer(['--name', names.peer, '--network', net, WEB]));
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
  });

  after(async () => {
    for (const id of ids) await t.call('quarantine.release', { host: 'local', container: id }).catch(() => undefined);
    removeContainers([...ids].reverse());
    removeNetworks([net]);
    await t.close();
  });

  it('the plan for a names every container that joined its namespace', async () => {
    const plan = await t.call('quarantine.plan', { host: 'local', container: names.a, modes: ['isolate'] });
    assert.deepEqual(
      plan.sharedNetworkNamespace.map((p) => [p.containerId, p.containerName, p.relation]),
      [[b, names.b, 'joined-target']],
    );
    const notice = plan.notices.find((n) => n.severity === 'danger' && n.text.includes(names.b));
    assert.ok(notice, JSON.stringify(plan.notices));
    assert.match(notice.text, /isolating it cuts them off too/);
  });

  it('the plan for b names a, whose namespace it runs in, and refuses to isolate b alone', async () => {
    const plan = await t.call('quarantine.plan', { host: 'local', container: names.b, modes: ['isolate'] });
    assert.deepEqual(
      plan.sharedNetworkNamespace.map((p) => [p.containerId, p.containerName, p.relation]),
      [[a, names.a, 'target-joined']],
    );
    assert.match(plan.steps[0]?.blocked ?? '', new RegExp(`network namespace of ${names.a} \\(`));
  });

  it('isolating a cuts b off too, and the record and the audit say so', async () => {
    assert.ok(await fetches(names.b, `http://${names.peer}:8080/`), 'b reaches the peer through the namespace it shares with a');
    const record = await t.call('quarantine.apply', { host: 'local', container: names.a, modes: ['isolate'] });
    assert.deepEqual(Object.keys(networksOf(a)), [QUARANTINE_NET]);
    assert.equal(await fetches(names.b, `http://${names.peer}:8080/`), false, 'b is cut off with a');
    assert.deepEqual(
      record.sharedNetworkNamespace?.map((p) => p.containerId),
      [b],
    );
    assert.match(record.steps[0]?.detail ?? '', new RegExp(`the same cut applies to ${names.b} `));
    const audit = await t.call('evidence.audit', { limit: 1000 });
    const recorded = audit.find((e) => e.action === 'quarantine.recorded' && e.details.recordId === record.id);
    assert.deepEqual(
      (recorded?.details.sharedNetworkNamespace as { containerId: string }[] | undefined)?.map((p) => p.containerId),
      [b],
    );
    const released = await t.call('quarantine.release', { host: 'local', container: names.a, reason: 'shared namespace test' });
    assert.equal(released.release?.reason, 'shared namespace test');
    assert.deepEqual(Object.keys(networksOf(a)), [net]);
  });

  it('warns that isolation does not contain a container with the Docker socket mounted, and proposes pause or stop', async () => {
    const id = runContainer(['--name', `${tag}-sock`, '-v', '/var/run/docker.sock:/var/run/docker.sock', BUSYBOX, 'sleep', '3600']);
    ids.push(id);
    const plan = await t.call('quarantine.plan', { host: 'local', container: id, modes: ['isolate'] });
    assert.equal(plan.isolationEscapes.length, 1, JSON.stringify(plan.isolationEscapes));
    assert.match(plan.isolationEscapes[0]!, /runtime socket is mounted.*\/var\/run\/docker\.sock/);
    const danger = plan.notices.find((n) => n.severity === 'danger' && /Network isolation does not contain it/.test(n.text));
    assert.ok(danger, JSON.stringify(plan.notices));
    assert.match(danger.text, /Add pause .* stop/);
    const withPause = await t.call('quarantine.plan', { host: 'local', container: id, modes: ['isolate', 'pause'] });
    assert.equal(
      withPause.notices.some((n) => n.severity === 'danger' && /does not contain it/.test(n.text)),
      false,
      'pause contains it',
    );
    assert.ok(withPause.notices.some((n) => n.severity === 'warning' && /isolation alone would not contain it/.test(n.text)));
  });

  it('warns that isolation does not contain a container in the host PID namespace', async () => {
    const id = runContainer(['--name', `${tag}-pid`, '--pid', 'host', BUSYBOX, 'sleep', '3600']);
    ids.push(id);
    const plan = await t.call('quarantine.plan', { host: 'local', container: id, modes: ['isolate'] });
    assert.ok(
      plan.isolationEscapes.some((e) => /host's PID namespace/.test(e)),
      JSON.stringify(plan.isolationEscapes),
    );
    assert.ok(
      plan.notices.some((n) => n.severity === 'danger' && /Network isolation does not contain it: .*host's PID namespace/.test(n.text)),
    );
    const ordinary = await t.call('quarantine.plan', { host: 'local', container: names.a, modes: ['isolate'] });
    assert.deepEqual(ordinary.isolationEscapes, [], 'an ordinary container is contained by isolation');
  });
});
