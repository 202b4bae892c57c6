import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Flow } from '../../../shared/domain/capture';
import type { ContainerSummary } from '../../../shared/domain/inventory';
import type { NodeScan, SocketEntry, SocketState } from '../../../shared/domain/network';
import {
  containerNodeId,
  hostNodeId,
  serviceNodeId,
  type HostTopology,
  type TopologyContainer,
} from '../../../main/core/network/endpoint-resolver';
import { enrichWithFlows } from '../../../main/core/network/flow-enrichment';
import { buildGraph, type HostGraphInput } from '../../../main/core/network/graph-builder';
import { diffGraphs } from '../../../main/core/network/graph-diff';

const HOST = 'h1';
const NET = 'net-front-id';

function container(
  id: string,
  name: string,
  ip: string,
  extra: Partial<TopologyContainer> = {},
): { t: TopologyContainer; s: ContainerSummary } {
  const nodeId = containerNodeId(HOST, id);
  const t: TopologyContainer = {
    host: HOST,
    nodeId,
    id,
    name,
    networks: [{ name: 'front', networkId: NET, ipv4: ip }],
    ports: [],
    hostNetwork: false,
    ...extra,
  };
  const s: ContainerSummary = {
    host: HOST,
    id,
    name,
    image: 'img',
    imageId: 'sha256:x',
    createdAt: '2026-01-01T00:00:00Z',
    state: 'running',
    status: 'running',
    restartCount: 0,
    command: '',
    user: '',
    networks: t.networks.map((n) => ({ network: n.name, networkId: n.networkId, ...(n.ipv4 ? { ipv4: n.ipv4 } : {}), aliases: [] })),
    ports: t.ports.map((p) => ({ ...p })),
    mounts: [],
    labels: {},
    risks: [],
  };
  return { t, s };
}

function tcp(local: string, remote: string, state: SocketState = 'established', family: 4 | 6 = 4): SocketEntry {
  const split = (a: string) => {
    const i = a.lastIndexOf(':');
    return { ip: a.slice(0, i), port: Number(a.slice(i + 1)) };
  };
  return {
    protocol: 'tcp',
    family,
    v4Mapped: false,
    local: split(local),
    remote: split(remote),
    state,
    listening: state === 'listen',
    uid: 0,
    inode: 1,
    txQueue: 0,
    rxQueue: 0,
  };
}

function input(
  parts: { t: TopologyContainer; s: ContainerSummary }[],
  sockets: Record<string, SocketEntry[]>,
  extra: Partial<HostTopology> = {},
): HostGraphInput {
  const scans = new Map<string, NodeScan>(
    parts.map((p) => [p.t.nodeId, sockets[p.t.id] ? { status: 'scanned' } : { status: 'skipped', reason: 'test' }]),
  );
  return {
    topology: {
      host: HOST,
      hostNodeId: hostNodeId(HOST),
      containers: parts.map((p) => p.t),
      hostAddresses: ['172.20.0.1'],
      services: [],
      ...extra,
    },
    containers: parts.map((p) => p.s),
    scans,
    sockets: new Map(Object.entries(sockets).map(([id, entries]) => [containerNodeId(HOST, id), entries])),
  };
}

describe('graph builder', () => {
  const web = container('w'.repeat(64), 'web', '172.20.0.2', {
    ports: [{ containerPort: 8080, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 32768 }],
  });
  const app = container('a'.repeat(64), 'app', '172.20.0.3');
  const db = container('d'.repeat(64), 'db', '172.20.0.4');

  it('merges both ends of a connection into one edge, client → listener', () => {
    const g = buildGraph([
      input([web, app], {
        [web.t.id]: [tcp('0.0.0.0:8080', '0.0.0.0:0', 'listen'), tcp('172.20.0.2:8080', '172.20.0.3:40000')],
        [app.t.id]: [tcp('172.20.0.3:40000', '172.20.0.2:8080')],
      }),
    ]).finish();
    assert.equal(g.edges.length, 1);
    const [edge] = g.edges;
    assert.equal(edge?.source, app.t.nodeId);
    assert.equal(edge?.target, web.t.nodeId);
    assert.equal(edge?.port, 8080);
    assert.equal(edge?.connections, 1);
    assert.deepEqual(edge?.seenBy, ['source', 'target']);
    assert.equal(edge?.directionBasis, 'listener');
    const webNode = g.nodes.find((n) => n.id === web.t.nodeId);
    assert.deepEqual(webNode?.listening, [
      { protocol: 'tcp', ip: '0.0.0.0', port: 8080, loopbackOnly: false, published: [{ hostIp: '0.0.0.0', hostPort: 32768 }] },
    ]);
  });

  it('keeps direction from the listener when only the server end was read, and counts loopback connections as internal', () => {
    const g = buildGraph([
      input([web, app], {
        [web.t.id]: [
          tcp('0.0.0.0:8080', '0.0.0.0:0', 'listen'),
          tcp('172.20.0.2:8080', '172.20.0.3:40000', 'time-wait'),
          tcp('127.0.0.1:5000', '127.0.0.1:8080'),
        ],
      }),
    ]).finish();
    assert.equal(g.edges.length, 1);
    assert.equal(g.edges[0]?.source, app.t.nodeId, 'app was not read, but web listens on 8080');
    assert.equal(g.edges[0]?.state, 'closing');
    assert.deepEqual(g.edges[0]?.seenBy, ['target']);
    assert.equal(g.nodes.find((n) => n.id === web.t.nodeId)?.loopbackConnections, 1);
  });

  it('resolves the host (gateway), a published port behind it, a Swarm VIP and external addresses', () => {
    const svc = { nodeId: serviceNodeId(HOST, 'svc1'), id: 'svc1', name: 'api', vips: [{ networkId: NET, ip: '10.0.9.2/24' }] };
    const g = buildGraph([
      input(
        [web, app, db],
        {
          [app.t.id]: [
            tcp('172.20.0.3:40001', '172.20.0.1:32768'),
            tcp('172.20.0.3:40002', '172.20.0.1:2375'),
            tcp('172.20.0.3:40003', '10.0.9.2:443'),
            tcp('172.20.0.3:40004', '203.0.113.9:4444'),
          ],
        },
        { services: [svc] },
      ),
    ]).finish();
    const to = (target: string) => g.edges.find((e) => e.source === app.t.nodeId && e.target === target);
    assert.equal(to(web.t.nodeId)?.via, 'published-port', 'gateway:32768 is web published');
    assert.equal(to(web.t.nodeId)?.port, 32768);
    assert.equal(to(hostNodeId(HOST))?.port, 2375, 'a connection to the engine port on the host');
    assert.equal(to(svc.nodeId)?.via, 'swarm-vip');
    const ext = to('x:203.0.113.9');
    assert.ok(ext?.external);
    assert.equal(g.nodes.find((n) => n.id === 'x:203.0.113.9')?.addressScope, 'public');
  });

  it('attributes a shared namespace to its owner', () => {
    const side = container('s'.repeat(64), 'sidecar', '', { networks: [], namespaceOwner: app.t.nodeId });
    const g = buildGraph([input([web, app, side], { [app.t.id]: [tcp('172.20.0.3:40000', '172.20.0.2:8080')] })]).finish();
    assert.equal(g.edges[0]?.source, app.t.nodeId);
    assert.deepEqual(g.nodes.find((n) => n.id === side.t.nodeId)?.addresses, []);
  });

  it('adds captured bytes to edges: one connection captured at both ends counts once, successive captures add up, closed ones become capture-only edges', () => {
    const graph = buildGraph([
      input([web, app, db], {
        [web.t.id]: [tcp('0.0.0.0:8080', '0.0.0.0:0', 'listen'), tcp('172.20.0.2:8080', '172.20.0.3:40000')],
        [app.t.id]: [tcp('172.20.0.3:40000', '172.20.0.2:8080')],
      }),
    ]);
    const flow = (cPort: number, sIp: string, sPort: number, bytes: number): Flow => ({
      protocol: 'tcp',
      ipProtocol: 6,
      client: { ip: '172.20.0.3', port: cPort },
      server: { ip: sIp, port: sPort },
      packetsToServer: 2,
      packetsToClient: 3,
      bytesToServer: bytes,
      bytesToClient: bytes * 2,
      firstSeen: '2026-01-01T00:00:00Z',
      lastSeen: '2026-01-01T00:00:05Z',
      tlsServerNames: [],
      httpHosts: [],
      dnsQueries: [],
    });
    const report = enrichWithFlows(graph, [
      {
        artifactId: 'A1',
        host: HOST,
        containerId: app.t.id,
        flows: [flow(40000, '172.20.0.2', 8080, 100), flow(41000, '172.20.0.4', 5432, 7)],
      },
      { artifactId: 'A2', host: HOST, containerId: web.t.id, flows: [flow(40000, '172.20.0.2', 8080, 90)] },
      { artifactId: 'A3', host: HOST, containerId: app.t.id, flows: [flow(40001, '172.20.0.2', 8080, 10)] },
      { artifactId: 'A4', host: 'other', containerId: 'x', flows: [flow(1, '1.1.1.1', 1, 1)] },
    ]);
    const g = graph.finish();
    const live = g.edges.find((e) => e.target === web.t.nodeId);
    assert.equal(live?.traffic?.bytesToServer, 110, 'max(100, 90) for the connection seen at both ends, plus 10 from a second connection');
    assert.equal(live?.traffic?.flows, 2);
    assert.deepEqual(live?.traffic?.artifactIds, ['A1', 'A2', 'A3']);
    const closed = g.edges.find((e) => e.target === db.t.nodeId);
    assert.equal(closed?.state, 'seen-in-capture');
    assert.equal(closed?.directionBasis, 'capture');
    assert.equal(closed?.traffic?.bytesToClient, 14);
    assert.equal(report.summaries, 4);
    assert.equal(report.matched, 4);
    assert.equal(report.unmatched, 1);
  });

  it('diffs refreshes by id', () => {
    const a = {
      takenAt: '',
      hosts: [],
      flows: { summaries: 0, matched: 0, unmatched: 0 },
      limitations: [],
      ...buildGraph([input([web, app], { [app.t.id]: [tcp('172.20.0.3:40000', '172.20.0.2:8080')] })]).finish(),
    };
    const b = {
      ...a,
      ...buildGraph([
        input([web, app, db], { [app.t.id]: [tcp('172.20.0.3:40000', '172.20.0.2:8080'), tcp('172.20.0.3:40001', '172.20.0.2:8080')] }),
      ]).finish(),
    };
    const diff = diffGraphs(a, b);
    assert.deepEqual(diff.nodesAdded, [db.t.nodeId]);
    assert.deepEqual(diff.changed, [a.edges[0]?.id], 'the edge gained a connection');
    assert.deepEqual(diffGraphs(b, b), { nodesAdded: [], nodesRemoved: [], edgesAdded: [], edgesRemoved: [], changed: [] });
  });
});
