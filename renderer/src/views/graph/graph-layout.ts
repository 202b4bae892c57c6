import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  type ForceLink,
  type ForceX,
  type ForceY,
  type Simulation,
} from 'd3';
import type { CanvasEdge, CanvasNode, SimEdge, SimNode, ViewTransform } from './graph-types';

// The layout: d3-force places the nodes, groups cluster round anchors on a circle, and positions
// are kept by node id so a refresh does not move what was already there.

interface Kept {
  x: number;
  y: number;
  vx: number;
  vy: number;
  fx: number | null;
  fy: number | null;
}

/** Room below a node for its label, in world units at scale 1 (the fit leaves space for it). */
const LABEL_ROOM = 18;
/** Fit never zooms in further than this: a two-node graph should not fill the screen. */
export const FIT_MAX_SCALE = 3;
export const MIN_SCALE = 0.03;
export const MAX_SCALE = 8;

export function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** Each group gets an anchor on a circle sized to the graph, so groups form clusters. */
export function groupAnchors(nodes: readonly CanvasNode[]): Map<string, { x: number; y: number }> {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.group, (counts.get(n.group) ?? 0) + 1);
  const groups = [...counts.keys()].sort();
  const anchors = new Map<string, { x: number; y: number }>();
  if (groups.length <= 1) {
    for (const g of groups) anchors.set(g, { x: 0, y: 0 });
    return anchors;
  }
  const radius = 60 + Math.sqrt(nodes.length) * 18;
  groups.forEach((g, i) => {
    const angle = (i / groups.length) * Math.PI * 2;
    anchors.set(g, { x: Math.cos(angle) * radius, y: Math.sin(angle) * radius });
  });
  return anchors;
}

/**
 * The transform that shows every node, its disc and its label, inside a width × height view with
 * padding on each side, zoomed in as far as that allows (up to FIT_MAX_SCALE).
 */
export function fitTransform(
  nodes: readonly { x?: number | undefined; y?: number | undefined; data: { radius: number } }[],
  width: number,
  height: number,
  padding = 40,
): ViewTransform | undefined {
  if (!nodes.length || width <= 0 || height <= 0) return undefined;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of nodes) {
    const x = n.x ?? 0;
    const y = n.y ?? 0;
    const r = n.data.radius;
    minX = Math.min(minX, x - r);
    minY = Math.min(minY, y - r);
    maxX = Math.max(maxX, x + r);
    maxY = Math.max(maxY, y + r + LABEL_ROOM);
  }
  const availW = Math.max(1, width - padding * 2);
  const availH = Math.max(1, height - padding * 2);
  const k = Math.min(FIT_MAX_SCALE, Math.max(MIN_SCALE, Math.min(availW / Math.max(1, maxX - minX), availH / Math.max(1, maxY - minY))));
  return { x: width / 2 - ((minX + maxX) / 2) * k, y: height / 2 - ((minY + maxY) / 2) * k, k };
}

export class GraphLayout {
  readonly simulation: Simulation<SimNode, SimEdge>;
  private readonly linkForce: ForceLink<SimNode, SimEdge> = forceLink<SimNode, SimEdge>().distance(46).strength(0.25);
  private readonly xForce: ForceX<SimNode> = forceX<SimNode>(0).strength(0.06);
  private readonly yForce: ForceY<SimNode> = forceY<SimNode>(0).strength(0.06);
  private readonly kept = new Map<string, Kept>();
  nodes: SimNode[] = [];
  edges: SimEdge[] = [];
  byId = new Map<string, SimNode>();

  /** onTick after every step of the layout; onSettled when it comes to rest. */
  constructor(onTick: () => void, onSettled: () => void) {
    this.simulation = forceSimulation<SimNode, SimEdge>()
      .force('charge', forceManyBody<SimNode>().strength(-40).theta(0.9).distanceMax(500))
      .force('link', this.linkForce)
      .force('collide', forceCollide<SimNode>((n) => n.data.radius + 3).iterations(1))
      .force('x', this.xForce)
      .force('y', this.yForce)
      .alphaDecay(0.035)
      .on('tick', () => {
        this.remember();
        onTick();
      })
      .on('end', onSettled);
    this.simulation.stop();
  }

  /**
   * New data. A new node starts next to a neighbour (or its group's anchor) and the layout warms
   * up gently; true when the layout was restarted.
   */
  setData(nodes: readonly CanvasNode[], edges: readonly CanvasEdge[]): boolean {
    const previous = new Set(this.byId.keys());
    const byId = new Map<string, SimNode>();
    const sim: SimNode[] = nodes.map((data) => {
      const existing = this.byId.get(data.id);
      const node: SimNode = existing ?? { id: data.id, data };
      node.data = data;
      byId.set(data.id, node);
      return node;
    });
    const links: SimEdge[] = [];
    for (const data of edges) {
      const source = byId.get(data.source);
      const target = byId.get(data.target);
      if (source && target && source !== target) links.push({ source, target, data });
    }
    const anchors = groupAnchors(nodes);
    let added = 0;
    for (const node of sim) {
      if (node.x !== undefined) continue;
      const kept = this.kept.get(node.id);
      if (kept) {
        Object.assign(node, kept);
        continue;
      }
      added++;
      const neighbour = links.find(
        (l) => (l.source === node && l.target.x !== undefined) || (l.target === node && l.source.x !== undefined),
      );
      const near = neighbour ? (neighbour.source === node ? neighbour.target : neighbour.source) : undefined;
      const anchor = anchors.get(node.data.group) ?? { x: 0, y: 0 };
      const angle = ((hash(node.id) % 1000) / 1000) * Math.PI * 2;
      node.x = (near?.x ?? anchor.x) + Math.cos(angle) * 30;
      node.y = (near?.y ?? anchor.y) + Math.sin(angle) * 30;
    }
    const removed = [...previous].filter((id) => !byId.has(id)).length;
    this.nodes = sim;
    this.edges = links;
    this.byId = byId;
    // A big graph cools faster: a layout that runs for many seconds costs every frame meanwhile.
    this.simulation.alphaDecay(sim.length > 1000 ? 0.06 : 0.035);
    this.simulation.nodes(sim);
    this.linkForce.links(links);
    this.xForce.x((n) => anchors.get(n.data.group)?.x ?? 0);
    this.yForce.y((n) => anchors.get(n.data.group)?.y ?? 0);
    if (previous.size === 0 && sim.length) {
      this.simulation.alpha(1).restart();
      return true;
    }
    if (added || removed) {
      this.simulation.alpha(Math.min(0.3, 0.05 + (added + removed) / Math.max(20, sim.length))).restart();
      return true;
    }
    return false;
  }

  /** True while the layout still moves nodes. */
  running(): boolean {
    return this.simulation.alpha() >= this.simulation.alphaMin();
  }

  /** Frees a pinned node and lets the layout move it again. */
  release(node: SimNode): void {
    node.fx = null;
    node.fy = null;
    this.remember();
    this.simulation.alpha(0.1).restart();
  }

  /** Runs the layout synchronously to rest (benchmarks, screenshots). */
  settle(ticks: number): void {
    this.simulation.stop();
    this.simulation.alpha(1);
    for (let i = 0; i < ticks; i++) this.simulation.tick();
    this.remember();
  }

  remember(): void {
    for (const n of this.nodes) {
      if (n.x === undefined || n.y === undefined) continue;
      this.kept.set(n.id, { x: n.x, y: n.y, vx: n.vx ?? 0, vy: n.vy ?? 0, fx: n.fx ?? null, fy: n.fy ?? null });
    }
    // Positions of nodes long gone are not worth keeping forever.
    if (this.kept.size > this.nodes.length * 4 + 1000) {
      for (const id of this.kept.keys()) if (!this.byId.has(id)) this.kept.delete(id);
    }
  }
}
