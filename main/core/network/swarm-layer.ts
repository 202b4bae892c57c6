// A connection graph taken of a Swarm cluster: each Swarm node becomes a group (its host's
// containers, or, for a node that was not read, what the manager lists of it and its tasks), and
// each overlay network an edge between the nodes that have a task on it. Pure: listings in, layer
// out, so the grouping is tested without an engine. Every text came from the manager: nothing here
// interprets it.
import type { ClusterNode, ClusterService, ClusterTask } from '../../../shared/domain/cluster';
import type { GraphNode, OverlayLink, SwarmGraphLayer, SwarmNodeGroup, SwarmNodeReach } from '../../../shared/domain/network';
import type { NodeEngine } from '../../../shared/domain/replicas';

/** What the manager listed (nodes, services, tasks) and how each node is reached (mapNodeEngines). */
export interface SwarmListings {
  /** The manager host profile the listings came from. */
  manager: string;
  clusterId: string;
  nodes: readonly ClusterNode[];
  services: readonly ClusterService[];
  tasks: readonly ClusterTask[];
  /** One per node (any order): the saved profile whose engine answers as it, or why none does. */
  engines: readonly NodeEngine[];
}

export interface SwarmLayerInput extends SwarmListings {
  /** The graph built from the hosts that were read. */
  graph: readonly GraphNode[];
  /** Hosts that were asked for but could not be read, with why. */
  hostErrors: ReadonlyMap<string, string>;
}

/** Tasks the manager wants running: where it means the service to be. */
function liveTasks(tasks: readonly ClusterTask[]): ClusterTask[] {
  return tasks.filter((t) => t.desiredState === 'running' && t.nodeId !== '');
}

function reachOf(
  node: ClusterNode,
  engine: NodeEngine | undefined,
  hostErrors: ReadonlyMap<string, string>,
): { reach: SwarmNodeReach; reason?: string } {
  if (engine?.state === 'mapped' && engine.host !== undefined) {
    const error = hostErrors.get(engine.host);
    return error === undefined ? { reach: 'read' } : { reach: 'failed', reason: `host ${engine.host} could not be read: ${error}` };
  }
  if (engine?.state === 'node-down' || !node.reachable)
    return {
      reach: 'node-down',
      reason: `the manager cannot reach it (${node.state}${node.stateMessage ? `: ${node.stateMessage}` : ''}); shown as the manager lists it`,
    };
  return { reach: 'no-profile', reason: 'no saved host profile answers as this node; shown as the manager lists it' };
}

/** The stand-in for a node whose engine was not read: its hostname and address, as the manager knows them. */
function nodeStandIn(manager: string, node: ClusterNode, reason: string): GraphNode {
  return {
    id: `n:${manager}/${node.id}`,
    kind: 'host',
    label: node.hostname || node.id,
    networks: [],
    addresses: /^[0-9a-fA-F.:]+$/.test(node.address) ? [node.address] : [],
    group: { kind: 'host', name: node.hostname || node.id },
    riskFlags: [],
    quarantined: false,
    drifted: null,
    listening: [],
    loopbackConnections: 0,
    scan: { status: 'skipped', reason },
    swarmNode: node.id,
  };
}

/** A task on a node that was not read, as the manager lists it: no sockets, no inventory. */
function taskStandIn(manager: string, task: ClusterTask, service: ClusterService | undefined, reason: string): GraphNode {
  const serviceName = task.serviceName || service?.name || task.serviceId;
  return {
    id: `t:${manager}/${task.id}`,
    kind: 'container',
    label: task.name || task.id,
    ...(task.containerId ? { containerId: task.containerId } : {}),
    image: task.image.reference,
    state: task.state,
    networks: (service?.networks ?? []).map((n) => ({ name: n.name || n.id })),
    addresses: [],
    swarm: { serviceName, serviceId: task.serviceId },
    group: { kind: 'swarm', name: serviceName },
    riskFlags: [],
    quarantined: false,
    drifted: null,
    listening: [],
    loopbackConnections: 0,
    scan: { status: 'skipped', reason },
    swarmNode: task.nodeId,
  };
}

/**
 * Lays a Swarm cluster over a graph: returns the graph's nodes with `swarmNode` set on every
 * container and host node of a node's host, plus stand-ins (n:<manager>/<node id> for a node not
 * read, t:<manager>/<task id> for each of its tasks the manager wants running), sorted by id; and
 * the layer: one group per Swarm node (sorted by hostname) and one OverlayLink per network a
 * running-desired task's service is attached to (sorted by name). Never throws.
 */
export function buildSwarmLayer(input: SwarmLayerInput): { nodes: GraphNode[]; swarm: SwarmGraphLayer } {
  const { manager } = input;
  const engines = new Map(input.engines.map((e) => [e.nodeId, e]));
  const services = new Map(input.services.map((s) => [s.id, s]));
  const tasks = liveTasks(input.tasks);
  const tasksByNode = new Map<string, ClusterTask[]>();
  for (const t of tasks) {
    const list = tasksByNode.get(t.nodeId);
    if (list) list.push(t);
    else tasksByNode.set(t.nodeId, [t]);
  }

  const nodes = input.graph.map((n) => ({ ...n }));
  const byHost = new Map<string, GraphNode[]>();
  for (const n of nodes) {
    // Swarm services (VIPs) belong to the whole cluster, external endpoints to none.
    if (n.host === undefined || (n.kind !== 'container' && n.kind !== 'host')) continue;
    const list = byHost.get(n.host);
    if (list) list.push(n);
    else byHost.set(n.host, [n]);
  }

  const groups: SwarmNodeGroup[] = [];
  for (const node of input.nodes) {
    const engine = engines.get(node.id);
    const { reach, reason } = reachOf(node, engine, input.hostErrors);
    const members: string[] = [];
    const own = tasksByNode.get(node.id) ?? [];
    if (reach === 'read' && engine?.host !== undefined) {
      for (const n of byHost.get(engine.host) ?? []) {
        n.swarmNode = node.id;
        members.push(n.id);
      }
    } else {
      const why = reason ?? 'not read';
      const standIn = nodeStandIn(manager, node, why);
      nodes.push(standIn);
      members.push(standIn.id);
      for (const t of own) {
        const task = taskStandIn(manager, t, services.get(t.serviceId), `node ${node.hostname || node.id} not read: ${why}`);
        nodes.push(task);
        members.push(task.id);
      }
    }
    groups.push({
      nodeId: node.id,
      hostname: node.hostname,
      role: node.role,
      leader: node.manager?.leader ?? false,
      state: node.state,
      availability: node.availability,
      ...(node.stateMessage ? { stateMessage: node.stateMessage } : {}),
      address: node.address,
      ...(engine?.state === 'mapped' && engine.host !== undefined ? { host: engine.host } : {}),
      reach,
      ...(reason ? { reason } : {}),
      members: members.sort(),
      tasks: own.length,
    });
  }
  groups.sort((a, b) => a.hostname.localeCompare(b.hostname) || a.nodeId.localeCompare(b.nodeId));

  // Overlays: a service's networks are its tasks' networks; the nodes holding those tasks share them.
  const known = new Set(input.nodes.map((n) => n.id));
  const links = new Map<string, { name: string; nodes: Set<string>; services: Set<string>; tasks: number }>();
  for (const t of tasks) {
    if (!known.has(t.nodeId)) continue;
    const service = services.get(t.serviceId);
    for (const net of service?.networks ?? []) {
      const link = links.get(net.id) ?? { name: net.name, nodes: new Set<string>(), services: new Set<string>(), tasks: 0 };
      link.nodes.add(t.nodeId);
      link.services.add(service?.name || t.serviceName || t.serviceId);
      link.tasks++;
      links.set(net.id, link);
    }
  }
  const overlays: OverlayLink[] = [...links.entries()]
    .map(([networkId, l]) => ({
      id: `o:${manager}/${networkId}`,
      networkId,
      name: l.name,
      nodes: [...l.nodes].sort(),
      services: [...l.services].sort(),
      tasks: l.tasks,
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.networkId.localeCompare(b.networkId));

  nodes.sort((a, b) => a.id.localeCompare(b.id));
  return { nodes, swarm: { manager, clusterId: input.clusterId, nodes: groups, overlays } };
}
