import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX, docker, removeContainers, runContainer, startTestCore, TEST_LABEL, type TestCore } from '../../helpers/docker';
import {
  fetches,
  networksOf,
  networkWithSubnet,
  QUARANTINE_NET,
  quarantineNetworkGoneOrUsed,
  removeNetworks,
  userAliasesOf,
  WEB,
} from './fixture';

describe('quarantine: isolate and release with real traffic', () => {
  let t: TestCore;
  const tag = `dd-qi-${process.pid}`;
  const netA = `${tag}-a`;
  const netB = `${tag}-b`;
  let prefix = '';
  let staticIp = '';
  const ids: string[] = [];
  const names = { suspect: `${tag}-suspect`, peer: `${tag}-peer`, client: `${tag}-client` };
  let hostServer: Server;
  let hostPort = 0;

  before(async () => {
    t = startTestCore('drydock-quarantine');
    prefix = networkWithSubnet(netA).prefix;
    staticIp = `${prefix}.77`;
    docker(['network', 'create', '--label', TEST_LABEL, netB]);
    ids.push(
      runContainer([
        '--name',
        names.suspect,
        '--network',
        netA,
        '--ip',
        staticIp,
        '--network-alias',
        'suspect-alias',
        '--network-alias',
        'second-alias',
        WEB,
      ]),
    );
    docker(['network', 'connect', '--alias', 'beta-alias', netB, names.suspect]);
    ids.push(runContainer(['--name', names.peer, '--network', netA, WEB]));
    ids.push(runContainer(['--name', names.client, '--network', netA, BUSYBOX, 'sleep', '3600']));
    docker(['network', 'connect', netB, names.client]);
    // A service on the Docker host itself, on every address: the quarantine must not reach it either.
    hostServer = createServer((_req, res) => res.end('drydock fixture web\n'));
    await new Promise<void>((resolve) => hostServer.listen(0, '0.0.0.0', resolve));
    hostPort = (hostServer.address() as { port: number }).port;
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Quarantine case' });
  });

  after(async () => {
    try {
      await t.call('quarantine.release', { host: 'local', container: names.suspect });
    } catch {
      // Never quarantined, or already released.
    }
    removeContainers(ids);
    removeNetworks([netA, netB]);
    hostServer.close();
    await t.close();
  });

  const gateway = (network: string) => docker(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', network]);
  const auditCount = async () => (await t.call('evidence.audit', { limit: 1000 })).length;

  it('starts with every path open (the probes can succeed)', async () => {
    assert.ok(await fetches(names.suspect, `http://${names.peer}:8080/`), 'suspect reaches its peer');
    assert.ok(await fetches(names.client, `http://suspect-alias:8080/`), 'client reaches the suspect by alias');
    assert.ok(await fetches(names.client, `http://beta-alias:8080/`), 'client reaches the suspect on the second network');
    assert.ok(await fetches(names.client, `http://${staticIp}:8080/`), 'client reaches the suspect by its static IP');
    assert.ok(await fetches(names.suspect, `http://${prefix}.1:${hostPort}/`), 'the host service answers containers on a normal network');
  });

  it('plans without acting: each network with its static IP and aliases', async () => {
    const plan = await t.call('quarantine.plan', { host: 'local', container: names.suspect, modes: ['isolate'] });
    assert.equal(plan.steps.length, 1);
    const step = plan.steps[0]!;
    assert.equal(step.blocked, undefined);
    assert.match(
      step.action,
      new RegExp(
        `${netA} \\(${staticIp.replace(/\./g, '\\.')} static; aliases second-alias, suspect-alias|${netA} \\(${staticIp.replace(/\./g, '\\.')} static; aliases suspect-alias, second-alias`,
      ),
    );
    assert.match(step.action, new RegExp(netB));
    assert.deepEqual(Object.keys(networksOf(names.suspect)).sort(), [netA, netB].sort(), 'planning changed nothing');
    const status = await t.call('quarantine.status', { host: 'local', container: names.suspect });
    assert.equal(status.length, 0);
  });

  it('isolates: no traffic in or out, the peer keeps working, the inventory shows it', async () => {
    const record = await t.call('quarantine.apply', { host: 'local', container: names.suspect, modes: ['isolate'] });
    assert.equal(record.state, 'quarantined');
    assert.equal(record.steps[0]?.state, 'done');
    const before = Object.fromEntries(record.before.networks.map((n) => [n.networkName, n]));
    assert.equal(before[netA]?.staticIpv4, staticIp);
    assert.deepEqual([...before[netA]!.aliases].sort(), ['second-alias', 'suspect-alias']);
    assert.deepEqual(before[netB]?.aliases, ['beta-alias']);

    assert.deepEqual(Object.keys(networksOf(names.suspect)), [QUARANTINE_NET]);
    assert.equal(await fetches(names.suspect, `http://${names.peer}:8080/`), false, 'suspect no longer reaches its peer by name');
    const peerIp = networksOf(names.peer)[netA]!.IPAddress;
    assert.equal(await fetches(names.suspect, `http://${peerIp}:8080/`), false, 'nor by address');
    assert.equal(await fetches(names.client, `http://${staticIp}:8080/`), false, 'the suspect cannot be reached by its old address');
    assert.equal(await fetches(names.client, `http://suspect-alias:8080/`), false, 'nor by alias');
    const quarantineIp = networksOf(names.suspect)[QUARANTINE_NET]!.IPAddress;
    assert.equal(await fetches(names.client, `http://${quarantineIp}:8080/`), false, 'nor on its quarantine address');
    assert.match(gateway(QUARANTINE_NET), /^\d+\.\d+\.\d+\.\d+$/, 'the probe below targets a real address');
    assert.equal(
      await fetches(names.suspect, `http://${gateway(QUARANTINE_NET)}:${hostPort}/`),
      false,
      'the host is not reachable through the quarantine bridge',
    );
    assert.ok(await fetches(names.client, `http://${names.peer}:8080/`), 'the peer keeps serving others');

    const network = JSON.parse(docker(['network', 'inspect', QUARANTINE_NET]))[0] as {
      Internal: boolean;
      Labels: Record<string, string>;
      Options: Record<string, string>;
    };
    assert.equal(network.Internal, true);
    assert.ok(network.Labels['drydock.quarantine']);
    assert.equal(network.Options['com.docker.network.bridge.enable_icc'], 'false');

    const summary = await t.call('inventory.get', { host: 'local', container: names.suspect });
    const flag = summary.risks.find((r) => r.id === 'quarantined');
    assert.ok(flag, 'the inventory flags it as quarantined');
    assert.match(flag.reason, /isolate/);
    const status = await t.call('quarantine.status', { host: 'local' });
    assert.ok(status.some((r) => r.id === record.id && r.state === 'quarantined'));

    const audit = await t.call('evidence.audit', { limit: 1000 });
    const recorded = audit.find((e) => e.action === 'quarantine.recorded' && e.details.recordId === record.id);
    assert.ok(recorded, 'the recorded state is audited before acting');
    const step = audit.find((e) => e.action === 'quarantine.isolate' && e.details.recordId === record.id);
    const stepBefore = step?.details.before as { networks: { network: string }[] } | undefined;
    assert.deepEqual(
      stepBefore?.networks.map((n) => n.network).sort(),
      [netA, netB].sort(),
      'the isolate entry carries the state before it',
    );
    assert.ok(recorded.seq < step!.seq);
  });

  it('applying again is refused as already quarantined: changes nothing and audits nothing', async () => {
    const count = await auditCount();
    const first = (await t.call('quarantine.status', { host: 'local', container: names.suspect }))[0]!;
    await assert.rejects(
      t.call('quarantine.apply', { host: 'local', container: names.suspect, modes: ['isolate'] }),
      new RegExp(`conflict: .*is already quarantined by Drydock \\(${first.id}, since ${first.createdAt}\\): nothing done`),
    );
    const now = (await t.call('quarantine.status', { host: 'local', container: names.suspect }))[0]!;
    assert.equal(now.updatedAt, first.updatedAt);
    assert.equal(await auditCount(), count);
    assert.deepEqual(Object.keys(networksOf(names.suspect)), [QUARANTINE_NET]);
  });

  it('can still be captured while isolated', async () => {
    // DNS lookups to the embedded resolver stay inside the namespace: traffic a capture must see.
    const loop = runContainer([
      '--network',
      `container:${names.suspect}`,
      BUSYBOX,
      'sh',
      '-c',
      `while true; do nslookup ${names.peer} 127.0.0.11 >/dev/null 2>&1; sleep 0.2; done`,
    ]);
    try {
      const started = await t.call('capture.start', { host: 'local', container: names.suspect, options: { durationSeconds: 3 } });
      const done = await t.call('capture.wait', { captureId: started.id });
      assert.equal(done.state, 'finished', JSON.stringify(done.error ?? done.stopReason));
      assert.ok(done.counters.packets > 0, 'packets were captured on the isolated container');
      assert.equal(done.pcap?.status, 'complete');
    } finally {
      removeContainers([loop]);
    }
  });

  it('releases: same static IP, same aliases on every network, traffic back', async () => {
    const record = await t.call('quarantine.release', { host: 'local', container: names.suspect });
    assert.equal(record.state, 'released');
    const nets = networksOf(names.suspect);
    assert.deepEqual(Object.keys(nets).sort(), [netA, netB].sort());
    assert.equal(nets[netA]!.IPAddress, staticIp);
    assert.equal(nets[netA]!.IPAMConfig?.IPv4Address, staticIp, 'the address is static again, not just the same by chance');
    assert.deepEqual(userAliasesOf(nets[netA], ids[0]!), ['second-alias', 'suspect-alias']);
    assert.deepEqual(userAliasesOf(nets[netB], ids[0]!), ['beta-alias']);
    assert.equal((nets[netA]!.Aliases ?? []).filter((a) => a === ids[0]!.slice(0, 12)).length, 1, 'the short-ID alias is not doubled');
    assert.ok(record.release?.restored.every((n) => n.networkName !== netA || (n.ipv4 === staticIp && !n.addressChanged)));

    assert.ok(await fetches(names.suspect, `http://${names.peer}:8080/`), 'suspect reaches its peer again');
    assert.ok(await fetches(names.client, `http://suspect-alias:8080/`), 'reachable by alias again');
    assert.ok(await fetches(names.client, `http://beta-alias:8080/`), 'and on the second network');
    assert.ok(await fetches(names.client, `http://${staticIp}:8080/`), 'and at its static IP');
    assert.ok(quarantineNetworkGoneOrUsed(), 'the quarantine network is removed once unused');

    const summary = await t.call('inventory.get', { host: 'local', container: names.suspect });
    assert.equal(
      summary.risks.some((r) => r.id === 'quarantined'),
      false,
    );
    const audit = await t.call('evidence.audit', { limit: 1000 });
    assert.ok(audit.some((e) => e.action === 'quarantine.release.networks' && e.details.recordId === record.id));
    assert.ok(audit.some((e) => e.action === 'quarantine.released' && e.details.recordId === record.id));
  });

  it('releasing again is a no-op; releasing a container never quarantined is refused', async () => {
    const count = await auditCount();
    const again = await t.call('quarantine.release', { host: 'local', container: names.suspect });
    assert.equal(again.state, 'released');
    assert.equal(await auditCount(), count);
    await assert.rejects(t.call('quarantine.release', { host: 'local', container: names.peer }), /not-found: .*not quarantined/);
    const history = await t.call('quarantine.status', { host: 'local', container: names.suspect, includeReleased: true });
    assert.equal(history.length, 1);
  });
});
