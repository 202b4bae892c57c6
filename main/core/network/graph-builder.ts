import type { ContainerSummary } from '../../../shared/domain/inventory';
import type {
  DirectionBasis,
  EdgeState,
  GraphEdge,
  GraphNode,
  ListeningSocket,
  NodeGroup,
  NodeScan,
  SocketEntry,
  SocketProtocol,
  SocketState,
} from '../../../shared/domain/network';
import { EndpointResolver, type HostTopology, type Resolution, type TopologyContainer } from './endpoint-resolver';
import { addressScope, canonicalIp } from './ip-address';

export interface HostGraphInput {
  topology: HostTopology;
  /** The inventory of the host (risk flags, compose/swarm labels); Drydock's own helpers already left out. */
  containers: ContainerSummary[];
  /** Per container node id: what its scan did. */
  scans: ReadonlyMap<string, NodeScan>;
  /** Per scanned namespace owner's node id: its socket entries. */
  sockets: ReadonlyMap<string, readonly SocketEntry[]>;
  /** Per container node id: whether a drift report shows changes (absent: unknown). */
  drift?: ReadonlyMap<string, boolean>;
}

const MAX_CLIENT_PORTS = 16;
/** Linux's default ephemeral range starts at 32768; below 1024 is privileged: a server port. */
const EPHEMERAL_FLOOR = 32768;

interface EdgeBuild {
  edge: GraphEdge;
  seen: Set<'source' | 'target'>;
}

function groupOf(summary: ContainerSummary): NodeGroup {
  if (summary.compose?.project) return { kind: 'compose', name: summary.compose.project };
  if (summary.swarm?.serviceName) return { kind: 'swarm', name: summary.swarm.serviceName };
  const networks = summary.networks.map((n) => n.network).sort();
  if (networks[0]) return { kind: 'network', name: networks[0] };
  return { kind: 'none', name: 'no network' };
}

/**
 * A node that is not a container (the host, a swarm service, an external endpoint): no networks of
 * its own, no risks, drift, sockets or scan. Fields in the order a container node has them.
 */
function plainNode(
  node: Pick<GraphNode, 'id' | 'kind' | 'label' | 'addresses' | 'group'> & Pick<Partial<GraphNode>, 'host' | 'swarm' | 'addressScope'>,
): GraphNode {
  return {
    id: node.id,
    kind: node.kind,
    ...(node.host !== undefined ? { host: node.host } : {}),
    label: node.label,
    networks: [],
    addresses: node.addresses,
    ...(node.swarm ? { swarm: node.swarm } : {}),
    group: node.group,
    riskFlags: [],
    quarantined: false,
    drifted: null,
    listening: [],
    loopbackConnections: 0,
    scan: { status: 'not-applicable' },
    ...(node.addressScope ? { addressScope: node.addressScope } : {}),
  };
}

function edgeStateOf(states: Partial<Record<SocketState, number>>): EdgeState {
  if (states.established) return 'established';
  if (states['syn-sent'] || states['syn-recv'] || states['new-syn-recv']) return 'connecting';
  return 'closing';
}

/**
 * Collects nodes and edges: one node per container, host, Swarm service and external address;
 * one edge per (client node, server node, protocol, server port), merging the two ends' view of
 * the same socket pair so a connection read from both namespaces is counted once.
 */
export class GraphAccumulator {
  readonly resolver: EndpointResolver;
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, EdgeBuild>();
  private readonly pairs = new Map<string, string>();

  constructor(inputs: readonly HostGraphInput[]) {
    this.resolver = new EndpointResolver(inputs.map((i) => i.topology));
    for (const input of inputs) this.addHost(input);
  }

  node(id: string): GraphNode | undefined {
    return this.nodes.get(id);
  }

  edge(id: string): GraphEdge | undefined {
    return this.edges.get(id)?.edge;
  }

  /** Ensures the node a resolution points at exists (external endpoints appear on first sight). */
  nodeFor(resolution: Resolution): string | undefined {
    if (resolution.kind === 'self' || resolution.kind === 'unspecified') return undefined;
    if (resolution.kind === 'external' && !this.nodes.has(resolution.nodeId)) {
      const scope = addressScope(resolution.ip);
      this.nodes.set(
        resolution.nodeId,
        plainNode({
          id: resolution.nodeId,
          kind: 'external',
          label: resolution.ip,
          addresses: [resolution.ip],
          group: { kind: 'external', name: 'external' },
          addressScope: scope === 'loopback' || scope === 'unspecified' ? 'unknown' : scope,
        }),
      );
    }
    return this.nodes.has(resolution.nodeId) ? resolution.nodeId : undefined;
  }

  /** The edge between two nodes for a server port, created when new. */
  edgeBetween(
    source: string,
    target: string,
    protocol: SocketProtocol,
    port: number,
    basis: DirectionBasis,
    via: GraphEdge['via'] | undefined,
    state: EdgeState,
  ): EdgeBuild {
    const id = `${source}|${target}|${protocol}|${port}`;
    let build = this.edges.get(id);
    if (!build) {
      const external = this.nodes.get(source)?.kind === 'external' || this.nodes.get(target)?.kind === 'external';
      build = {
        edge: {
          id,
          source,
          target,
          protocol,
          port,
          clientPorts: [],
          connections: 0,
          states: {},
          state,
          directionBasis: basis,
          seenBy: [],
          external,
          ...(via ? { via } : {}),
        },
        seen: new Set(),
      };
      this.edges.set(id, build);
    } else if (rank(basis) > rank(build.edge.directionBasis)) {
      build.edge.directionBasis = basis;
    }
    return build;
  }

  finish(): { nodes: GraphNode[]; edges: GraphEdge[] } {
    const edges = [...this.edges.values()].map(({ edge, seen }) => ({
      ...edge,
      seenBy: (['source', 'target'] as const).filter((s) => seen.has(s)),
    }));
    const nodes = [...this.nodes.values()];
    nodes.sort((a, b) => a.id.localeCompare(b.id));
    edges.sort((a, b) => a.id.localeCompare(b.id));
    return { nodes, edges };
  }

  private addHost(input: HostGraphInput): void {
    const { topology } = input;
    this.nodes.set(
      topology.hostNodeId,
      plainNode({
        id: topology.hostNodeId,
        kind: 'host',
        host: topology.host,
        label: topology.host,
        addresses: [...new Set(topology.hostAddresses.map((a) => canonicalIp(a)).filter((a): a is string => a !== null))],
        group: { kind: 'host', name: topology.host },
      }),
    );
    for (const service of topology.services) {
      this.nodes.set(
        service.nodeId,
        plainNode({
          id: service.nodeId,
          kind: 'swarm-service',
          host: topology.host,
          label: service.name,
          addresses: service.vips.map((v) => canonicalIp(v.ip) ?? v.ip),
          swarm: { serviceName: service.name, serviceId: service.id },
          group: { kind: 'swarm', name: service.name },
        }),
      );
    }
    const summaries = new Map(input.containers.map((c) => [c.id, c]));
    for (const t of topology.containers) {
      const summary = summaries.get(t.id);
      if (!summary) continue;
      const quarantined = summary.risks.some((r) => r.id === 'quarantined');
      const addresses = t.namespaceOwner
        ? []
        : [...new Set(t.networks.flatMap((n) => [canonicalIp(n.ipv4), canonicalIp(n.ipv6)]).filter((a): a is string => a !== null))];
      this.nodes.set(t.nodeId, {
        id: t.nodeId,
        kind: 'container',
        host: topology.host,
        label: summary.name,
        containerId: summary.id,
        image: summary.image,
        state: summary.status.startsWith('paused') ? 'paused' : summary.state,
        networks: summary.networks.map((n) => ({
          name: n.network,
          ...(n.ipv4 ? { ipv4: n.ipv4 } : {}),
          ...(n.ipv6 ? { ipv6: n.ipv6 } : {}),
        })),
        addresses,
        ...(summary.compose ? { compose: { ...summary.compose } } : {}),
        ...(summary.swarm
          ? {
              swarm: { serviceName: summary.swarm.serviceName, ...(summary.swarm.serviceId ? { serviceId: summary.swarm.serviceId } : {}) },
            }
          : {}),
        group: t.hostNetwork ? { kind: 'host', name: topology.host } : groupOf(summary),
        riskFlags: summary.risks.map((r) => r.id),
        ...(summary.topSeverity ? { risk: summary.topSeverity } : {}),
        quarantined,
        drifted: input.drift?.get(t.nodeId) ?? null,
        listening: [],
        loopbackConnections: 0,
        scan: input.scans.get(t.nodeId) ?? { status: 'skipped', reason: 'not scanned' },
      });
    }
    // Listeners first: the direction of every connection is decided from them.
    for (const [nodeId, entries] of input.sockets) this.addListeners(nodeId, entries);
    for (const [nodeId, entries] of input.sockets) {
      const from = this.resolver.container(nodeId);
      if (from) this.addConnections(from, entries);
    }
  }

  private addListeners(nodeId: string, entries: readonly SocketEntry[]): void {
    const node = this.nodes.get(nodeId);
    const from = this.resolver.container(nodeId);
    if (!node || !from) return;
    const seen = new Set<string>();
    for (const e of entries) {
      if (!e.listening) continue;
      const key = `${e.protocol}|${e.local.ip}|${e.local.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const loopbackOnly = addressScope(e.local.ip) === 'loopback';
      const published = loopbackOnly
        ? []
        : from.ports
            .filter((p) => p.containerPort === e.local.port && p.protocol === e.protocol && p.hostPort !== undefined)
            .map((p) => ({ ...(p.hostIp ? { hostIp: p.hostIp } : {}), hostPort: p.hostPort ?? 0 }));
      const listener: ListeningSocket = { protocol: e.protocol, ip: e.local.ip, port: e.local.port, loopbackOnly, published };
      node.listening.push(listener);
    }
    node.listening.sort((a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port || a.ip.localeCompare(b.ip));
  }

  private listensOn(nodeId: string, protocol: SocketProtocol, port: number): boolean {
    return this.nodes.get(nodeId)?.listening.some((l) => l.protocol === protocol && l.port === port && !l.loopbackOnly) ?? false;
  }

  private scanned(nodeId: string): boolean {
    return this.nodes.get(nodeId)?.scan.status === 'scanned';
  }

  private addConnections(from: TopologyContainer, entries: readonly SocketEntry[]): void {
    const self = from.nodeId;
    const node = this.nodes.get(self);
    if (!node) return;
    for (const e of entries) {
      if (e.listening || e.remote.port === 0) continue;
      const remote = this.resolver.resolve(e.remote.ip, e.remote.port, e.protocol, from);
      if (remote.kind === 'unspecified') continue;
      if (remote.kind === 'self') {
        node.loopbackConnections++;
        continue;
      }
      const other = this.nodeFor(remote);
      if (!other) continue;
      let localIsServer: boolean;
      let basis: DirectionBasis;
      if (this.listensOn(self, e.protocol, e.local.port)) {
        localIsServer = true;
        basis = 'listener';
      } else if (this.scanned(other) && remote.kind === 'container' && !remote.via && this.listensOn(other, e.protocol, e.remote.port)) {
        localIsServer = false;
        basis = 'listener';
      } else if (e.protocol === 'tcp' && e.state !== 'listen') {
        // An accepted TCP socket shares its listener's port; this one's local port has no listener, so this side connected.
        localIsServer = false;
        basis = this.scanned(self) ? 'listener' : 'ephemeral-port';
      } else {
        localIsServer = e.local.port < e.remote.port && e.remote.port >= EPHEMERAL_FLOOR;
        basis = 'ephemeral-port';
      }
      const client = localIsServer
        ? { node: other, ip: e.remote.ip, port: e.remote.port }
        : { node: self, ip: e.local.ip, port: e.local.port };
      const server = localIsServer
        ? { node: self, ip: e.local.ip, port: e.local.port }
        : { node: other, ip: e.remote.ip, port: e.remote.port };
      const via = localIsServer ? undefined : 'via' in remote ? remote.via : undefined;
      const build = this.edgeBetween(client.node, server.node, e.protocol, server.port, basis, via, 'established');
      build.seen.add(localIsServer ? 'target' : 'source');
      // The same socket pair read from the other end is the same connection.
      const pair = `${e.protocol}|${client.ip}|${client.port}|${server.ip}|${server.port}`;
      const known = this.pairs.get(pair);
      if (known === build.edge.id) continue;
      this.pairs.set(pair, build.edge.id);
      const edge = build.edge;
      edge.connections++;
      edge.states[e.state] = (edge.states[e.state] ?? 0) + 1;
      edge.state = edgeStateOf(edge.states);
      if (edge.clientPorts.length < MAX_CLIENT_PORTS && !edge.clientPorts.includes(client.port)) edge.clientPorts.push(client.port);
    }
  }
}

function rank(basis: DirectionBasis): number {
  return basis === 'listener' ? 3 : basis === 'capture' ? 2 : basis === 'ephemeral-port' ? 1 : 0;
}

export function buildGraph(inputs: readonly HostGraphInput[]): GraphAccumulator {
  return new GraphAccumulator(inputs);
}
