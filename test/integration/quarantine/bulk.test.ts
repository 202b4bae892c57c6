import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runContainer, startTestCore, type TestCore } from '../../helpers/docker';
import {
  fetches,
  networksOf,
  networkWithSubnet,
  QUARANTINE_NET,
  quarantineNetworkGoneOrUsed,
  removeAll,
  removeNetworks,
  runMany,
  stateOf,
  userAliasesOf,
  WEB,
} from './fixture';

const COUNT = 20;

describe('quarantine: twenty containers at once', () => {
  let t: TestCore;
  const tag = `dd-qb-${process.pid}`;
  const net = `${tag}-net`;
  let prefix = '';
  const ids: string[] = [];
  let client = '';
  let cleanup: string[] = [];

  before(async () => {
    t = startTestCore('drydock-quarantine-bulk');
    prefix = networkWithSubnet(net).prefix;
    const created: string[] = [];
    cleanup = created;
    ids.push(
      ...(await runMany(
        Array.from({ length: COUNT }, (_, i) => [
          '--name',
          `${tag}-${i}`,
          '--network',
          net,
          '--ip',
          `${prefix}.${100 + i}`,
          '--network-alias',
          `bulk-${i}`,
          WEB,
        ]),
        created,
      )),
    );
    client = runContainer(['--name', `${tag}-client`, '--network', net, WEB]);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Bulk case' });
  });

  after(async () => {
    await Promise.all(ids.map((id) => t.call('quarantine.release', { host: 'local', container: id }).catch(() => undefined)));
    removeAll([...cleanup, client].filter(Boolean));
    removeNetworks([net]);
    await t.close();
  });

  it('all quarantine concurrently, cannot reach each other, and all release to the same addresses', async () => {
    // Even ones are also paused, so isolate and pause steps of different containers interleave.
    const applied = await Promise.all(
      ids.map((id, i) => t.call('quarantine.apply', { host: 'local', container: id, modes: i % 2 ? ['isolate'] : ['isolate', 'pause'] })),
    );
    assert.equal(applied.filter((r) => r.state === 'quarantined').length, COUNT);
    const networkIds = new Set(applied.map((r) => r.quarantineNetwork?.id));
    assert.equal(networkIds.size, 1, 'one quarantine network for the host, created once');
    for (const [i, id] of ids.entries()) {
      assert.deepEqual(Object.keys(networksOf(id)), [QUARANTINE_NET], `container ${i} is isolated`);
      assert.equal(stateOf(id).Paused, i % 2 === 0, `container ${i} paused only when asked`);
    }
    const status = await t.call('quarantine.status', { host: 'local' });
    assert.ok(ids.every((id) => status.some((r) => r.containerId === id && r.state === 'quarantined')));
    const quarantineIp = networksOf(ids[3]!)[QUARANTINE_NET]!.IPAddress;
    assert.equal(await fetches(ids[1]!, `http://${quarantineIp}:8080/`), false, 'two quarantined containers cannot talk to each other');
    assert.equal(await fetches(client, `http://bulk-3:8080/`), false);

    const released = await Promise.all(ids.map((id) => t.call('quarantine.release', { host: 'local', container: id })));
    assert.equal(released.filter((r) => r.state === 'released').length, COUNT);
    for (const [i, id] of ids.entries()) {
      const nets = networksOf(id);
      assert.deepEqual(Object.keys(nets), [net], `container ${i} is back on its network only`);
      assert.equal(nets[net]!.IPAddress, `${prefix}.${100 + i}`);
      assert.deepEqual(userAliasesOf(nets[net], id), [`bulk-${i}`]);
      assert.equal(stateOf(id).Paused, false);
    }
    assert.ok(await fetches(client, `http://bulk-3:8080/`), 'reachable again');
    assert.ok(await fetches(ids[1]!, `http://bulk-3:8080/`));
    assert.ok(quarantineNetworkGoneOrUsed(), 'the quarantine network is removed once the last one is released');
  });
});
