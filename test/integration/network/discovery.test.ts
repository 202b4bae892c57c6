import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type {
  GraphEdge,
  GraphNode,
  NetworkChangedEvent,
  NetworkGraphSnapshot,
  NetworkSnapshotResult,
  NetworkWatchEndedEvent,
  NetworkWatchInfo,
  SocketEntry,
} from '../../../shared/domain/network';
import { ensureHelperImage } from '../../../main/core/helper/image';
import { collectHost, type CachedTables } from '../../../main/core/network/host-collector';
import { readNamespaceSockets } from '../../../main/core/network/namespace-reader';
import { BUSYBOX, docker, removeContainers, runContainer, startTestCore, TEST_LABEL, type TestCore } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';
import { startScenario, type Scenario } from '../../helpers/scenario';

interface StoredSnapshot {
  format: string;
  snapshot: NetworkGraphSnapshot;
  socketTables: { containerName: string; entries: SocketEntry[] }[];
}

function byLabel(snapshot: NetworkGraphSnapshot, name: string): GraphNode {
  const node = snapshot.nodes.find((n) => n.kind === 'container' && n.label === name);
  assert.ok(node, `node for container ${name} in the graph`);
  return node;
}

function edgeBetween(snapshot: NetworkGraphSnapshot, client: string, server: string, port: number): GraphEdge | undefined {
  const source = snapshot.nodes.find((n) => n.label === client)?.id;
  const target = snapshot.nodes.find((n) => n.label === server)?.id;
  return snapshot.edges.find((e) => e.source === source && e.target === target && e.protocol === 'tcp' && e.port === port);
}

function inspectIp(name: string, field: 'IPAddress' | 'GlobalIPv6Address'): string {
  return docker(['inspect', '-f', `{{range .NetworkSettings.Networks}}{{.${field}}}{{end}}`, name]);
}

async function readJson(t: TestCore, artifactId: string): Promise<StoredSnapshot> {
  const parts: Buffer[] = [];
  for await (const chunk of await t.core.evidence.openArtifact(artifactId)) parts.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as StoredSnapshot;
}

describe('connection discovery on the real engine', () => {
  const suffix = `net${process.pid}`;
  const v6Net = `dd-v6-${process.pid}`;
  const names = { server: `dd-v6srv-${process.pid}`, client6: `dd-v6cli-${process.pid}`, client4: `dd-v4cli-${process.pid}` };
  const ids: string[] = [];
  let scenario: Scenario;
  let t: TestCore;
  /** Set when the engine refuses IPv6 networks: IPv6 is then proven inside one namespace. */
  let ipv6Network = true;
  let serverV4 = '';
  let serverV6 = '';

  before(async () => {
    t = startTestCore('drydock-net');
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Connections case' });
    scenario = startScenario({ suffix });
    // The app holds a connection to the web server open (httpd waits for a request line).
    docker(['exec', '-d', scenario.ids.app, 'sh', '-c', `sleep 600 | nc ${scenario.names.web} 8080`]);

    const subnet = `fd00:dd:${randomBytes(2).toString('hex')}::/64`;
    try {
      docker(['network', 'create', '--label', TEST_LABEL, '--ipv6', '--subnet', subnet, v6Net]);
    } catch {
      ipv6Network = false;
    }
    const network = ipv6Network ? v6Net : 'bridge';
    // busybox nc listens on [::]: one dual-stack socket answers IPv6 and (v4-mapped) IPv4 clients.
    ids.push(runContainer(['--name', names.server, '--network', network, BUSYBOX, 'nc', '-ll', '-p', '7000', '-e', 'cat']));
    serverV4 = inspectIp(names.server, 'IPAddress');
    serverV6 = inspectIp(names.server, 'GlobalIPv6Address');
    if (ipv6Network) {
      assert.ok(serverV6, 'the server has a global IPv6 address on the IPv6 network');
      ids.push(runContainer(['--name', names.client6, '--network', network, BUSYBOX, 'sh', '-c', `sleep 600 | nc ${serverV6} 7000`]));
    } else {
      // Fallback: the same listener reached over ::1 from inside its own namespace.
      docker(['exec', '-d', names.server, 'sh', '-c', 'sleep 600 | nc ::1 7000']);
    }
    ids.push(runContainer(['--name', names.client4, '--network', network, BUSYBOX, 'sh', '-c', `sleep 600 | nc ${serverV4} 7000`]));
  });

  after(async () => {
    removeContainers(ids);
    scenario?.teardown();
    try {
      docker(['network', 'rm', v6Net]);
    } catch {
      // never created
    }
    await t.close();
  });

  it('finds the scenario app connected to the web server, and the listeners, with both ends resolved to container names', async () => {
    const snapshot = await waitFor(
      async () => {
        const { snapshot: s } = await t.call('network.snapshot', { host: 'local' });
        const edge = edgeBetween(s, scenario.names.app, scenario.names.web, 8080);
        return edge?.seenBy.length === 2 ? s : undefined;
      },
      { what: 'the app → web connection in the graph', timeoutMs: 180_000 },
    );
    const app = byLabel(snapshot, scenario.names.app);
    const web = byLabel(snapshot, scenario.names.web);
    const db = byLabel(snapshot, scenario.names.db);
    const edge = edgeBetween(snapshot, scenario.names.app, scenario.names.web, 8080);
    assert.ok(edge);
    assert.equal(edge.state, 'established');
    assert.equal(edge.directionBasis, 'listener', 'the web server listens on 8080: it is the server side');
    assert.deepEqual(edge.seenBy, ['source', 'target'], "read from both containers' namespaces");
    assert.equal(edge.connections, 1, 'the same socket pair seen from both ends counts once');
    assert.equal(app.scan.status, 'scanned');
    assert.ok(
      web.listening.some((l) => l.protocol === 'tcp' && l.port === 8080 && l.published.length > 0),
      'web listens on 8080, published on the host',
    );
    assert.ok(
      db.listening.some((l) => l.protocol === 'tcp' && l.port === 5432 && !l.loopbackOnly),
      'the database listens on 5432',
    );
    assert.deepEqual(web.compose, { project: 'shop', service: 'web' });
    assert.equal(web.group.kind, 'compose');
    const backdoor = byLabel(snapshot, scenario.names.backdoor);
    assert.ok(backdoor.risk === 'critical' || backdoor.risk === 'high', 'the privileged, socket-mounting backdoor stands out');
    assert.ok(
      snapshot.nodes.some((n) => n.kind === 'host'),
      'the host is a node',
    );
    // Every helper that read a namespace is gone.
    const leftovers = docker([
      'ps',
      '-a',
      '-q',
      '--filter',
      'label=drydock.helper=sockets',
      '--filter',
      `label=drydock.owner.pid=${process.pid}`,
    ]);
    assert.equal(leftovers, '', 'no socket-reader helper left behind');
  });

  it('finds established TCP over IPv6 and IPv4 (v4-mapped on a dual-stack listener), records the snapshot and audits it', async () => {
    let result: NetworkSnapshotResult | undefined;
    await waitFor(
      async () => {
        result = await t.call('network.snapshot', { host: 'local', record: true });
        const s = result.snapshot;
        const v4 = edgeBetween(s, names.client4, names.server, 7000);
        const v6 = ipv6Network ? edgeBetween(s, names.client6, names.server, 7000) : byLabel(s, names.server).loopbackConnections > 0;
        return v4 && v6 ? true : undefined;
      },
      { what: 'both client connections in the graph', timeoutMs: 180_000 },
    );
    assert.ok(result?.stored, 'recorded as an artifact');
    const s = result.snapshot;
    const server = byLabel(s, names.server);
    assert.ok(
      server.listening.some((l) => l.protocol === 'tcp' && l.port === 7000 && l.ip === '::'),
      `the server listens on [::]:7000 (listening: ${JSON.stringify(server.listening)})`,
    );
    const v4 = edgeBetween(s, names.client4, names.server, 7000);
    assert.ok(v4);
    assert.equal(v4.state, 'established');
    assert.equal(v4.connections, 1);
    assert.deepEqual(v4.seenBy, ['source', 'target']);

    const stored = await readJson(t, result.stored.artifactId);
    assert.equal(stored.format, 'drydock.connection-snapshot/1');
    const table = (name: string) => stored.socketTables.find((x) => x.containerName === name)?.entries ?? [];
    const client4Ip = inspectIp(names.client4, 'IPAddress');
    const mapped = table(names.server).find((e) => e.family === 6 && e.v4Mapped && e.remote.ip === client4Ip && e.local.port === 7000);
    assert.ok(mapped, "the server's tcp6 table holds the IPv4 client as a v4-mapped peer, decoded to its IPv4 address");
    assert.equal(mapped.state, 'established');

    if (ipv6Network) {
      const v6 = edgeBetween(s, names.client6, names.server, 7000);
      assert.ok(v6, 'the IPv6 client → server edge');
      assert.equal(v6.state, 'established');
      assert.deepEqual(v6.seenBy, ['source', 'target']);
      const client6Ip = inspectIp(names.client6, 'GlobalIPv6Address');
      const native = table(names.client6).find((e) => e.family === 6 && !e.v4Mapped && e.remote.ip === serverV6 && e.remote.port === 7000);
      assert.ok(native, `the IPv6 client's tcp6 table holds the connection to [${serverV6}]:7000`);
      assert.equal(native.local.ip, client6Ip, 'its local address decodes to the address the engine reports');
      assert.ok(byLabel(s, names.client6).addresses.includes(client6Ip));
    } else {
      // The engine refused IPv6 networks: the [::] listener answered ::1 inside its own namespace.
      const loop = table(names.server).find((e) => e.family === 6 && e.remote.ip === '::1' && e.state === 'established');
      assert.ok(loop, 'an IPv6 loopback connection in the server namespace (this engine refuses IPv6 networks)');
    }

    const artifacts = await t.call('evidence.artifacts', { kind: 'connection-snapshot' });
    assert.ok(artifacts.some((a) => a.id === result?.stored?.artifactId && a.source.host === 'local'));
    const audit = await t.call('evidence.audit', {});
    assert.ok(
      audit.some((e) => e.action === 'network.snapshot' && e.details.artifactId === result?.stored?.artifactId),
      'the recorded snapshot is in the audit log',
    );
    const verify = await t.call('evidence.verify', {});
    assert.equal(verify.ok, true);
  });

  it('watches live: a new connection shows up in a later refresh, the lease is renewable, and the watch ends when it lapses', async () => {
    const changes: NetworkChangedEvent[] = [];
    const ended: NetworkWatchEndedEvent[] = [];
    let renewing: NodeJS.Timeout | undefined;
    const off = t.core.events.subscribe((event, payload) => {
      if (event === 'network.changed') changes.push(payload as NetworkChangedEvent);
      if (event === 'network.watch-ended') ended.push(payload as NetworkWatchEndedEvent);
    });
    try {
      const watch = await t.call('network.watch', { host: 'local', intervalSeconds: 2, leaseSeconds: 10 });
      assert.match(watch.id, /^nw-/);
      // Renewed while the test waits (a busy host takes several refreshes to read every namespace).
      let lastRenewal = watch;
      renewing = setInterval(() => {
        void t.call('network.watch', { renew: watch.id }).then((info) => (lastRenewal = info as NetworkWatchInfo));
      }, 3000);
      const first = await waitFor(() => changes.find((c) => c.watchId === watch.id && c.refresh === 1), {
        what: 'the first refresh',
        timeoutMs: 60_000,
      });
      assert.ok(first.snapshot.nodes.length > 0);
      // A busy host is read a bounded number of namespaces per refresh: wait until both ends have been read.
      const ready = await waitFor(
        () =>
          changes.find((c) => c.watchId === watch.id && edgeBetween(c.snapshot, names.client4, names.server, 7000)?.seenBy.length === 2),
        { what: 'a refresh with the existing connection read from both ends', timeoutMs: 180_000 },
      );
      const before = edgeBetween(ready.snapshot, names.client4, names.server, 7000);
      assert.ok(before);
      const readAt = ready.snapshot.nodes.find((n) => n.label === names.client4)?.scan.readAt;
      assert.ok(readAt, 'the reading is dated');
      // A second connection from the same client to the same server port: the same edge, one more connection.
      docker(['exec', '-d', names.client4, 'sh', '-c', `sleep 600 | nc ${serverV4} 7000`]);
      const later = await waitFor(
        () =>
          changes.find(
            (c) => c.watchId === watch.id && (edgeBetween(c.snapshot, names.client4, names.server, 7000)?.connections ?? 0) >= 2,
          ),
        { what: 'a refresh with the second connection', timeoutMs: 180_000 },
      );
      assert.ok(later.refresh > ready.refresh);
      assert.ok(
        changes.some((c) => c.watchId === watch.id && c.refresh > ready.refresh && c.diff.changed.includes(before.id)),
        'a diff names the changed edge',
      );
      clearInterval(renewing);
      // One explicit renewal: on a quick host the interval above may not have fired yet.
      lastRenewal = (await t.call('network.watch', { renew: watch.id })) as NetworkWatchInfo;
      assert.ok(
        lastRenewal.leaseExpiresAt && watch.leaseExpiresAt && lastRenewal.leaseExpiresAt > watch.leaseExpiresAt,
        'renewal pushes the lease out',
      );
      const lapsed = await waitFor(() => ended.find((e) => e.watchId === watch.id), { what: 'the lease to lapse', timeoutMs: 20000 });
      assert.equal(lapsed.reason, 'lease-expired');
      const watches = await t.call('network.watches', {});
      assert.ok(!watches.some((w) => w.id === watch.id));
      const result = await t.dispatch('network.watch', { renew: watch.id });
      assert.equal(result.ok, false, 'a lapsed watch cannot be renewed');
    } finally {
      clearInterval(renewing);
      off();
    }
  });

  it('reads a bounded number of namespaces per call, oldest reading first, and reuses the rest', async () => {
    const dockerClient = await t.core.hosts.docker('local');
    const deps = {
      inventory: async (host: string) => (await t.core.inventory.list(host, { record: false })).containers,
      helperImage: async (d: typeof dockerClient, host: string) =>
        (await ensureHelperImage(d, { host, override: null, audit: () => undefined })).image,
      readNamespace: readNamespaceSockets,
      helpers: t.core.helpers,
      now: () => new Date(),
    };
    const cache = new Map<string, CachedTables>();
    const first = await collectHost(dockerClient, 'local', deps, { cache, budget: 2 });
    const running = [...first.input.scans.values()].filter(
      (x) => x.status === 'scanned' || x.status === 'pending' || x.status === 'failed',
    ).length;
    assert.ok(running > 2, 'enough running containers for the budget to matter');
    // (A container of another test may vanish mid-read: it is then skipped, so these are bounds.)
    assert.ok(first.report.scanned + first.report.failed <= 2, 'at most two namespaces read');
    assert.ok(first.report.pending >= running - 2 - 2 && first.report.pending > 0, 'the others wait for a following call');
    const second = await collectHost(dockerClient, 'local', deps, { cache, budget: 2 });
    assert.ok(second.report.pending < first.report.pending, 'the next call reads the ones still waiting');
    const firstRead = [...first.input.scans.entries()].filter(([, x]) => x.status === 'scanned').map(([id]) => id);
    for (const id of firstRead)
      assert.equal(second.input.scans.get(id)?.readAt, first.input.scans.get(id)?.readAt, `${id}: its first reading reused`);
    assert.ok(second.tables.length >= firstRead.length + 1, 'the reused readings are part of what a recorded snapshot stores');
  });

  it('refuses a host that is not a saved profile with a message naming it', async () => {
    const result = await t.dispatch('network.snapshot', { host: 'no-such-host' });
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error.message, /no-such-host/);
  });
});
