// buildSwarmLayer over listings, without an engine (the real swarm is in test/ui/graph-swarm.test.ts):
// each Swarm node a group of its host's containers, or of stand-ins for what the manager lists when
// it was not read (no profile, down, its host failing); each overlay network one link between the
// nodes that hold a task on it; tasks no longer wanted (desired shutdown) neither inside nor linking.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterNode, ClusterService, ClusterTask } from '../../../shared/domain/cluster';
import type { GraphNode } from '../../../shared/domain/network';
import type { NodeEngine } from '../../../shared/domain/replicas';
import { networkChannels } from '../../../shared/contract/network';
import { buildSwarmLayer, type SwarmLayerInput } from '../../../main/core/network/swarm-layer';

function node(id: string, extra: Partial<ClusterNode> = {}): ClusterNode {
  return {
    id,
    hostname: `host-${id}`,
    role: id === 'n1' ? 'manager' : 'worker',
    availability: 'active',
    state: 'ready',
    address: `10.0.0.${id.slice(1)}`,
    engineVersion: '27.0',
    platform: 'linux/x86_64',
    labels: {},
    engineLabels: {},
    reachable: true,
    self: id === 'n1',
    ...(id === 'n1' ? { manager: { leader: true, reachability: 'reachable' as const, address: '10.0.0.1:2377' } } : {}),
    ...extra,
  };
}

function service(name: string, networks: { id: string; name: string }[]): ClusterService {
  return {
    id: `id-${name}`,
    name,
    mode: 'replicated',
    replicas: { desired: 3, running: 3 },
    image: { reference: 'busybox' },
    ports: [],
    networks,
    secrets: [],
    configs: [],
    labels: {},
  };
}

function task(svc: string, slot: number, nodeId: string, desiredState = 'running'): ClusterTask {
  return {
    id: `${svc}-t${slot}`,
    name: `${svc}.${slot}`,
    serviceId: `id-${svc}`,
    serviceName: svc,
    slot,
    nodeId,
    nodeHostname: `host-${nodeId}`,
    image: { reference: 'busybox' },
    desiredState,
    state: desiredState === 'running' ? 'running' : 'shutdown',
    containerId: `c-${svc}-${slot}`,
    ports: [],
  };
}

/** A node of the graph built from a host that was read. */
function graphNode(id: string, kind: GraphNode['kind'], host?: string): GraphNode {
  return {
    id,
    kind,
    ...(host !== undefined ? { host } : {}),
    label: id,
    networks: [],
    addresses: [],
    group: { kind: 'none', name: 'x' },
    riskFlags: [],
    quarantined: false,
    drifted: null,
    listening: [],
    loopbackConnections: 0,
    scan: { status: kind === 'container' ? 'scanned' : 'not-applicable' },
  };
}

const FRONT = { id: 'net-front', name: 'front' };
const BACK = { id: 'net-back', name: 'back' };

function input(extra: Partial<SwarmLayerInput> = {}): SwarmLayerInput {
  const engines: NodeEngine[] = [
    { nodeId: 'n1', hostname: 'host-n1', address: '10.0.0.1', host: 'mgr', state: 'mapped' },
    { nodeId: 'n2', hostname: 'host-n2', address: '10.0.0.2', host: 'box-b', state: 'mapped' },
    { nodeId: 'n3', hostname: 'host-n3', address: '10.0.0.3', state: 'no-profile', suggestion: 'tcp://10.0.0.3:2376' },
    { nodeId: 'n4', hostname: 'host-n4', address: '10.0.0.4', state: 'node-down' },
  ];
  return {
    manager: 'mgr',
    clusterId: 'c1',
    nodes: [node('n2'), node('n1'), node('n3'), node('n4', { state: 'down', reachable: false, stateMessage: 'heartbeat failure' })],
    services: [service('web', [FRONT]), service('api', [FRONT, BACK]), service('solo', [BACK])],
    tasks: [
      task('web', 1, 'n1'),
      task('web', 2, 'n2'),
      task('web', 3, 'n3'),
      task('api', 1, 'n2'),
      task('api', 2, 'n4'),
      task('solo', 1, 'n2'),
      // Shut down on node 1: no longer where the service is.
      task('solo', 0, 'n1', 'shutdown'),
    ],
    engines,
    graph: [
      graphNode('h:mgr', 'host', 'mgr'),
      graphNode('c:mgr/c-web-1', 'container', 'mgr'),
      graphNode('c:mgr/other', 'container', 'mgr'),
      graphNode('s:mgr/id-web', 'swarm-service', 'mgr'),
      graphNode('h:box-b', 'host', 'box-b'),
      graphNode('c:box-b/c-web-2', 'container', 'box-b'),
      graphNode('c:box-b/c-api-1', 'container', 'box-b'),
      graphNode('x:1.2.3.4', 'external'),
    ],
    hostErrors: new Map(),
    ...extra,
  };
}

describe('buildSwarmLayer', () => {
  it('groups each read node’s host, stands in for nodes not read with what the manager lists', () => {
    const given = input();
    const { nodes, swarm } = buildSwarmLayer(given);
    assert.deepEqual(
      swarm.nodes.map((g) => [g.hostname, g.reach, g.tasks]),
      [
        ['host-n1', 'read', 1],
        ['host-n2', 'read', 3],
        ['host-n3', 'no-profile', 1],
        ['host-n4', 'node-down', 1],
      ],
    );
    const [n1, n2, n3, n4] = swarm.nodes;
    assert.deepEqual(n1?.members, ['c:mgr/c-web-1', 'c:mgr/other', 'h:mgr']);
    assert.equal(n1?.host, 'mgr');
    assert.equal(n1?.leader, true);
    assert.deepEqual(n2?.members, ['c:box-b/c-api-1', 'c:box-b/c-web-2', 'h:box-b']);
    assert.deepEqual(n3?.members, ['n:mgr/n3', 't:mgr/web-t3']);
    assert.match(n3?.reason ?? '', /no saved host profile/);
    assert.deepEqual(n4?.members, ['n:mgr/n4', 't:mgr/api-t2']);
    assert.match(n4?.reason ?? '', /cannot reach it \(down: heartbeat failure\)/);

    const byId = new Map(nodes.map((n) => [n.id, n]));
    // The host's own containers sit in its node; services (cluster-wide VIPs) and externals in none.
    assert.equal(byId.get('c:mgr/other')?.swarmNode, 'n1');
    assert.equal(byId.get('h:box-b')?.swarmNode, 'n2');
    assert.equal(byId.get('s:mgr/id-web')?.swarmNode, undefined);
    assert.equal(byId.get('x:1.2.3.4')?.swarmNode, undefined);
    // A task on a node that was down: the manager's word for it, not a reading.
    const standIn = byId.get('t:mgr/api-t2');
    assert.equal(standIn?.kind, 'container');
    assert.equal(standIn?.swarmNode, 'n4');
    assert.equal(standIn?.label, 'api.2');
    assert.equal(standIn?.scan.status, 'skipped');
    assert.deepEqual(
      standIn?.networks.map((n) => n.name),
      ['front', 'back'],
    );
    assert.equal(byId.get('n:mgr/n4')?.label, 'host-n4');
    // The input graph is not changed.
    assert.ok(given.graph.every((n) => n.swarmNode === undefined));
    assert.deepEqual(
      nodes.map((n) => n.id),
      [...nodes.map((n) => n.id)].sort((a, b) => a.localeCompare(b)),
    );
  });

  it('links the nodes that hold a task on each overlay network, one link per network', () => {
    const { swarm } = buildSwarmLayer(input());
    assert.deepEqual(
      swarm.overlays.map((o) => ({ id: o.id, name: o.name, nodes: o.nodes, services: o.services, tasks: o.tasks })),
      [
        // api on n2 and n4, solo on n2 (its shut-down task on n1 does not count).
        { id: 'o:mgr/net-back', name: 'back', nodes: ['n2', 'n4'], services: ['api', 'solo'], tasks: 3 },
        { id: 'o:mgr/net-front', name: 'front', nodes: ['n1', 'n2', 'n3', 'n4'], services: ['api', 'web'], tasks: 5 },
      ],
    );
  });

  it('says a node failed when its profile’s host could not be read, and stands in for it', () => {
    const { swarm, nodes } = buildSwarmLayer(input({ hostErrors: new Map([['box-b', 'connection refused']]), graph: [] }));
    const n2 = swarm.nodes.find((g) => g.nodeId === 'n2');
    assert.equal(n2?.reach, 'failed');
    assert.equal(n2?.host, 'box-b');
    assert.match(n2?.reason ?? '', /host box-b could not be read: connection refused/);
    assert.deepEqual(n2?.members, ['n:mgr/n2', 't:mgr/api-t1', 't:mgr/solo-t1', 't:mgr/web-t2']);
    assert.ok(nodes.every((n) => n.swarmNode !== undefined));
  });

  it('leaves tasks on nodes the manager does not list out of the links', () => {
    const { swarm } = buildSwarmLayer(input({ tasks: [task('web', 1, 'n1'), task('web', 9, 'gone')] }));
    assert.deepEqual(
      swarm.overlays.map((o) => o.nodes),
      [['n1']],
    );
  });
});

describe("the contract's cluster option", () => {
  it('takes a manager for a snapshot or a watch, alone', () => {
    const snapshot = networkChannels['network.snapshot'].request;
    assert.deepEqual(snapshot.parse({ cluster: 'mgr' }), { cluster: 'mgr', record: false });
    assert.equal(snapshot.safeParse({ cluster: 'mgr', host: 'mgr' }).success, false);
    assert.equal(snapshot.safeParse({ cluster: 'mgr', hosts: ['a'] }).success, false);
    assert.equal(snapshot.safeParse({ cluster: '' }).success, false);
    const watch = networkChannels['network.watch'].request;
    assert.equal(watch.safeParse({ cluster: 'mgr', intervalSeconds: 5 }).success, true);
    assert.equal(watch.safeParse({ cluster: 'mgr', host: 'x', intervalSeconds: 5 }).success, false);
  });
});
