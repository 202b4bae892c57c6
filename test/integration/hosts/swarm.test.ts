import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX, docker, startTestCore, type TestCore } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';
import { startSecondEngine, type SecondEngine } from '../../helpers/second-engine';

describe('a Swarm manager', () => {
  let t: TestCore;
  let engine: SecondEngine;
  let host = '';

  before(async () => {
    engine = await startSecondEngine('dds', [BUSYBOX]);
    host = `unix://${engine.socket}`;
    // Its own listen port: the swarm must not collide with anything on the machine's 2377.
    docker(['swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', `127.0.0.1:${20000 + (process.pid % 20000)}`], { host });
    docker(['service', 'create', '-d', '--name', 'dd-svc', '--replicas', '2', '--no-resolve-image', BUSYBOX, 'sleep', '600'], { host });
    t = startTestCore('drydock-swarm');
    await t.call('hosts.add', { name: 'swarm', url: engine.tcpUrl, tls: engine.tls });
  });

  after(async () => {
    await t?.close();
    try {
      docker(['swarm', 'leave', '--force'], { host });
    } catch {
      // Not a swarm member any more.
    }
    await engine?.stop();
  });

  it('reports its swarm role and lists task containers with their service and task', async () => {
    const facts = await t.call('hosts.test', { name: 'swarm' });
    assert.equal(facts.swarmRole, 'manager');
    assert.ok(facts.swarmNodeId);
    const snapshot = await waitFor(
      async () => {
        const s = await t.call('inventory.list', { host: 'swarm' });
        return s.containers.filter((c) => c.swarm?.serviceName === 'dd-svc' && c.state === 'running').length === 2 ? s : undefined;
      },
      { what: 'both replicas running', timeoutMs: 60000 },
    );
    const tasks = snapshot.containers.filter((c) => c.swarm?.serviceName === 'dd-svc');
    for (const task of tasks) {
      assert.match(task.swarm?.taskName ?? '', /^dd-svc\.[12]\./);
      assert.ok(task.swarm?.serviceId && task.swarm.taskId);
    }
  });
});
