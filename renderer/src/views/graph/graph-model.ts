import type {
  GraphEdge,
  GraphNode,
  NetworkGraphSnapshot,
  SocketProtocol,
  SwarmGraphLayer,
  SwarmNodeGroup,
} from '../../../../shared/domain/network';
import { visibleText } from '../processes/visible-text';
import {
  REGION_GROUP_PREFIX,
  type CanvasEdge,
  type CanvasNode,
  type CanvasRegion,
  type CanvasRegionLink,
  type EdgeDash,
  type RingKind,
} from './graph-types';

// From a snapshot to what the canvas draws: filters, search, colours and sizes. Pure, so the
// view, the legend and the tests agree on what a colour or a ring means.

export interface GraphFilters {
  /** '' = every network. */
  network: string;
  protocol: 'all' | SocketProtocol;
  onlyExternal: boolean;
  onlyFlagged: boolean;
  showStopped: boolean;
}

export const DEFAULT_FILTERS: GraphFilters = { network: '', protocol: 'all', onlyExternal: false, onlyFlagged: false, showStopped: true };

/** Colour-blind-safe categorical palette (Tableau 10 and a few more), indexed by a hash of the group. */
const PALETTE = [
  '#4e79a7',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#76b7b2',
  '#ff9da7',
  '#9c755f',
  '#86bc66',
  '#a0cbe8',
  '#f1ce63',
  '#d4a6c8',
  '#8cd17d',
];
export const HOST_COLOR = '#e8edf3';
export const EXTERNAL_COLOR = '#e15759';
export const SERVICE_COLOR = '#f28e2b';
export const EDGE_COLOR = '#5f7390';
export const EXTERNAL_EDGE_COLOR = '#f28e2b';

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function groupKey(node: GraphNode): string {
  return `${node.group.kind}:${node.group.name}`;
}

/** Stable across refreshes and sessions: the colour depends only on the group's own name. */
export function groupColor(node: GraphNode): string {
  if (node.kind === 'host') return HOST_COLOR;
  if (node.kind === 'external') return EXTERNAL_COLOR;
  if (node.kind === 'swarm-service') return SERVICE_COLOR;
  if (node.group.kind === 'none') return '#8d9bad';
  return PALETTE[hash(groupKey(node)) % PALETTE.length] ?? '#8d9bad';
}

export function isRisky(node: GraphNode): boolean {
  return node.risk === 'critical' || node.risk === 'high';
}

export function isFlagged(node: GraphNode): boolean {
  return isRisky(node) || node.quarantined || node.drifted === true;
}

export function isRunning(node: GraphNode): boolean {
  return node.kind !== 'container' || node.state === 'running' || node.state === 'paused';
}

export function networksOf(snapshot: NetworkGraphSnapshot | null): string[] {
  const names = new Set<string>();
  for (const n of snapshot?.nodes ?? []) for (const net of n.networks) names.add(net.name);
  return [...names].sort();
}

export function displayLabel(node: GraphNode, max = 40): string {
  return visibleText(node.label, max);
}

/**
 * The part of the graph the filters let through. Network: its containers, the edges between them
 * and their edges to the host, services and external endpoints. Only flagged: flagged nodes, their
 * edges and their peers. Only external: edges that touch an external endpoint and their ends.
 */
export function filterGraph(snapshot: NetworkGraphSnapshot | null, filters: GraphFilters): { nodes: GraphNode[]; edges: GraphEdge[] } {
  if (!snapshot) return { nodes: [], edges: [] };
  const byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
  let nodes = snapshot.nodes.filter((n) => filters.showStopped || isRunning(n));
  let keep = new Set(nodes.map((n) => n.id));
  let edges = snapshot.edges.filter(
    (e) => keep.has(e.source) && keep.has(e.target) && (filters.protocol === 'all' || e.protocol === filters.protocol),
  );

  const closeOver = (seed: Set<string>, through: (e: GraphEdge) => boolean) => {
    edges = edges.filter((e) => (seed.has(e.source) || seed.has(e.target)) && through(e));
    const ids = new Set(seed);
    for (const e of edges) {
      ids.add(e.source);
      ids.add(e.target);
    }
    return ids;
  };

  if (filters.network) {
    const members = new Set(nodes.filter((n) => n.networks.some((net) => net.name === filters.network)).map((n) => n.id));
    keep = closeOver(members, (e) => {
      const other = members.has(e.source) ? byId.get(e.target) : byId.get(e.source);
      return members.has(e.source) && members.has(e.target) ? true : other?.kind !== 'container';
    });
    nodes = nodes.filter((n) => keep.has(n.id));
  }
  if (filters.onlyFlagged) {
    keep = closeOver(new Set(nodes.filter(isFlagged).map((n) => n.id)), () => true);
    nodes = nodes.filter((n) => keep.has(n.id));
  }
  if (filters.onlyExternal) {
    edges = edges.filter((e) => e.external);
    keep = new Set(edges.flatMap((e) => [e.source, e.target]));
    nodes = nodes.filter((n) => keep.has(n.id));
  }
  return { nodes, edges };
}

/** Node ids whose name, image, address, network or id contains the query (case-insensitive). */
export function searchGraph(nodes: readonly GraphNode[], query: string): Set<string> {
  const q = query.trim().toLowerCase();
  if (!q) return new Set();
  const out = new Set<string>();
  for (const n of nodes) {
    const haystack = [
      n.label,
      n.image ?? '',
      n.containerId ?? '',
      ...n.addresses,
      ...n.networks.map((x) => x.name),
      n.compose?.project ?? '',
      n.swarm?.serviceName ?? '',
    ];
    if (haystack.some((h) => h.toLowerCase().includes(q))) out.add(n.id);
  }
  return out;
}

function radiusOf(node: GraphNode, degree: number): number {
  if (node.kind === 'host') return 12;
  if (node.kind === 'swarm-service') return 9;
  if (node.kind === 'external') return 5 + Math.min(4, Math.log2(1 + degree));
  return 7 + Math.min(5, Math.log2(1 + degree));
}

function ringsOf(node: GraphNode): RingKind[] {
  const rings: RingKind[] = [];
  if (isRisky(node)) rings.push('risk');
  if (node.quarantined) rings.push('quarantined');
  if (node.drifted === true) rings.push('drifted');
  return rings;
}

function dashOf(edge: GraphEdge): EdgeDash {
  if (edge.state === 'seen-in-capture') return 'dotted';
  if (edge.state === 'connecting') return 'dashed';
  return 'solid';
}

/** Captured bytes thicken an edge, on a log scale (1 px … 6 px). */
export function edgeWidth(edge: GraphEdge): number {
  const bytes = edge.traffic ? edge.traffic.bytesToServer + edge.traffic.bytesToClient : 0;
  if (bytes <= 0) return 1.2;
  return Math.min(6, 1.2 + Math.log10(1 + bytes) * 0.7);
}

export function toCanvasData(nodes: readonly GraphNode[], edges: readonly GraphEdge[]): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const degree = new Map<string, number>();
  for (const e of edges) {
    degree.set(e.source, (degree.get(e.source) ?? 0) + 1);
    degree.set(e.target, (degree.get(e.target) ?? 0) + 1);
  }
  return {
    nodes: nodes.map((n) => {
      const rings = ringsOf(n);
      return {
        id: n.id,
        label: displayLabel(n, 32),
        color: groupColor(n),
        radius: radiusOf(n, degree.get(n.id) ?? 0),
        // In a cluster graph the layout gathers each Swarm node's members; colour still says compose project or service.
        group: n.swarmNode !== undefined ? `${REGION_GROUP_PREFIX}${n.swarmNode}` : groupKey(n),
        rings,
        faded: !isRunning(n),
        prominent: n.kind === 'host' || rings.length > 0,
      };
    }),
    edges: edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      color: e.external ? EXTERNAL_EDGE_COLOR : EDGE_COLOR,
      width: edgeWidth(e),
      dash: dashOf(e),
      alpha: e.state === 'closing' ? 0.45 : 0.85,
    })),
  };
}

/** Groups present in the graph with their colour, largest first (for the legend). */
export function legendGroups(nodes: readonly GraphNode[]): { key: string; kind: string; name: string; color: string; count: number }[] {
  const groups = new Map<string, { key: string; kind: string; name: string; color: string; count: number }>();
  for (const n of nodes) {
    if (n.kind !== 'container') continue;
    const key = groupKey(n);
    const g = groups.get(key) ?? { key, kind: n.group.kind, name: visibleText(n.group.name, 40), color: groupColor(n), count: 0 };
    g.count++;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/** Overlay links' colours: apart from the connection edges' slate and orange, and from each other. */
const OVERLAY_PALETTE = ['#c084fc', '#f472b6', '#38bdf8', '#facc15', '#34d399', '#fb923c'];

/** An overlay network's colour on the canvas and in the list, stable across refreshes (by its ID). */
export function overlayColor(networkId: string): string {
  return OVERLAY_PALETTE[hash(networkId) % OVERLAY_PALETTE.length] ?? '#c084fc';
}

/** How a Swarm node's group was read, in a few words (its outline's second line). */
export function reachText(group: SwarmNodeGroup): string {
  switch (group.reach) {
    case 'read':
      return `read via ${visibleText(group.host ?? '', 40)}`;
    case 'no-profile':
      return 'no profile reaches it';
    case 'node-down':
      return 'unreachable: as the manager lists it';
    case 'failed':
      return 'could not be read';
  }
}

/** A Swarm node's role and state, e.g. "manager (leader) · ready · drain". */
export function nodeStatusText(group: SwarmNodeGroup): string {
  const role = `${group.role}${group.leader ? ' (leader)' : ''}`;
  return [role, group.state, ...(group.availability !== 'active' ? [group.availability] : [])].join(' · ');
}

/**
 * A cluster graph's regions (one per Swarm node, around its members still in view) and overlay
 * links (networks whose tasks sit on two or more of those nodes); nothing for a plain graph.
 */
export function swarmRegions(
  swarm: SwarmGraphLayer | undefined,
  visible: ReadonlySet<string>,
): { regions: CanvasRegion[]; links: CanvasRegionLink[] } | null {
  if (!swarm) return null;
  const regions: CanvasRegion[] = swarm.nodes.map((g) => ({
    id: g.nodeId,
    label: visibleText(g.hostname || g.nodeId, 40),
    detail: `${nodeStatusText(g)} · ${reachText(g)}`,
    unreachable: g.reach !== 'read',
    members: g.members.filter((m) => visible.has(m)),
  }));
  const drawn = new Set(regions.filter((r) => r.members.length > 0).map((r) => r.id));
  const links: CanvasRegionLink[] = swarm.overlays
    .map((o) => ({
      id: o.id,
      label: visibleText(o.name || o.networkId.slice(0, 12), 40),
      regions: o.nodes.filter((n) => drawn.has(n)),
      color: overlayColor(o.networkId),
    }))
    .filter((l) => l.regions.length >= 2);
  return { regions, links };
}
