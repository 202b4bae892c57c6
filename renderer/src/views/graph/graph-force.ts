import { forceLink, forceSimulation, forceX, forceY, type Simulation, type SimulationNodeDatum } from 'd3';
import { REGION_GROUP_PREFIX } from './graph-types';

// The force model of the connection graph, free of the DOM and of the canvas, so that the layout
// worker (graph-layout-worker.ts) runs it off the page's thread and the page runs the very same
// model where a worker cannot start. d3-force does the physics; what is ours is where nodes start
// and when the layout stops:
// - group-aware seeding: each group (compose project, network, host) gets a disc sized to its
//   members, the discs laid out on a spiral by size, members on a sunflower inside their disc at
//   about the spacing the forces settle at, so a cold layout starts close to rest;
// - rest is measured, not assumed: the layout stops when no node moved more than REST_PX in one
//   tick (d3's alphaMin alone would run about 300 ticks whatever the start);
// - repulsion is short-range (crowdForce below): d3's many-body and collision forces each build a
//   quadtree every tick, about 20 ms and 10 ms a tick for 2,000 nodes on a two-core machine, which
//   alone would spend the settling budget. Groups are held apart by their anchors, so nodes need
//   only push their near neighbours, and a grid of cells one cutoff wide finds those in linear
//   time (about 1 ms a tick). d3-force still runs the simulation, links and anchors.

/** The layout is at rest when no free node moved more than this (world units = CSS pixels at scale 1) in a tick. */
export const REST_PX = 0.5;
/** Distance between neighbours that the link, charge and collision forces settle at, roughly (world units). */
const SPACING = 30;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));
/** Up to this many nodes the layout cools at d3's usual pace. */
const SMALL_GRAPH = 300;
/** Gap between two groups' discs (world units). */
const GROUP_GAP = 24;
/** Gap around a group drawn as a region (its padded outline, its name above it, an overlay link to the next). */
const REGION_GAP = 150;

export interface ForceNode extends SimulationNodeDatum {
  radius: number;
  ax: number;
  ay: number;
}

/** What the engine needs of a graph: flat arrays, so the page can hand them to a worker without copying objects. */
export interface ForceInput {
  /** Node radius (world units), one per node. */
  radius: Float32Array;
  /** The node's group anchor (x, y), two per node. */
  anchor: Float32Array;
  /** Start positions (x, y), two per node. */
  positions: Float32Array;
  /** 1 = pinned where it starts (a node the examiner dragged). */
  pinned: Uint8Array;
  /** Edges as node index pairs, two per edge. */
  links: Uint32Array;
  /** Starting heat: COLD_ALPHA for a cold start, less when most nodes start where they rested before (warmAlpha). */
  alpha: number;
}

/** A cold start: the seeding is already near rest, so the layout starts at half d3's usual heat. */
export const COLD_ALPHA = 0.5;

/** The heat for a start where `known` of `count` nodes already have a place (kept or stored). */
export function warmAlpha(known: number, count: number): number {
  if (count === 0 || known === 0) return COLD_ALPHA;
  // Every node where it rested: a nudge. Some new: enough heat to pull them to their neighbours.
  if (known === count) return 0.01;
  return Math.min(COLD_ALPHA, 0.1 + ((count - known) / count) * 0.5);
}

export function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** Radius of the disc a group of `count` nodes fills at the layout's spacing (world units). */
function discRadius(count: number): number {
  return SPACING * Math.sqrt(count) * 0.62 + 6;
}

/**
 * Each group gets an anchor: groups largest first on an area-filling spiral, so a big group sits
 * in the middle and the discs of all of them touch without overlapping much. Deterministic: the
 * same groups give the same anchors (ties broken by name).
 */
export function groupAnchors(groups: readonly { group: string }[]): Map<string, { x: number; y: number }> {
  const counts = new Map<string, number>();
  for (const n of groups) counts.set(n.group, (counts.get(n.group) ?? 0) + 1);
  const ordered = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const anchors = new Map<string, { x: number; y: number }>();
  let area = 0;
  ordered.forEach(([group, count], i) => {
    const r = discRadius(count) + (group.startsWith(REGION_GROUP_PREFIX) ? REGION_GAP : GROUP_GAP) / 2;
    if (i === 0) {
      anchors.set(group, { x: 0, y: 0 });
    } else {
      // The disc's centre just outside the area the previous discs fill.
      const distance = Math.sqrt(area / Math.PI) + r;
      const angle = i * GOLDEN_ANGLE;
      anchors.set(group, { x: Math.cos(angle) * distance, y: Math.sin(angle) * distance });
    }
    area += Math.PI * r * r * 1.15;
  });
  return anchors;
}

/**
 * Start positions for nodes without one: a node with a placed neighbour starts next to it (a
 * refresh adds a container beside those it talks to); the others fill their group's disc on a
 * sunflower, in id order, so the same graph always starts the same way. `known` holds the
 * positions already there (kept from before or stored for the case); returns how many were seeded.
 */
export function seedPositions(
  nodes: readonly { id: string; group: string }[],
  links: Uint32Array,
  anchors: ReadonlyMap<string, { x: number; y: number }>,
  out: Float32Array,
  known: (index: number) => { x: number; y: number } | undefined,
): number {
  const placed = new Uint8Array(nodes.length);
  let knownCount = 0;
  nodes.forEach((_, i) => {
    const p = known(i);
    if (p && Number.isFinite(p.x) && Number.isFinite(p.y)) {
      out[2 * i] = p.x;
      out[2 * i + 1] = p.y;
      placed[i] = 1;
      knownCount++;
    }
  });
  if (knownCount === nodes.length) return 0;
  const neighbourOf = new Int32Array(nodes.length).fill(-1);
  if (knownCount > 0) {
    for (let e = 0; e < links.length; e += 2) {
      const a = links[e] ?? 0;
      const b = links[e + 1] ?? 0;
      if (placed[a] && !placed[b] && neighbourOf[b] === -1) neighbourOf[b] = a;
      if (placed[b] && !placed[a] && neighbourOf[a] === -1) neighbourOf[a] = b;
    }
  }
  const members = new Map<string, number[]>();
  nodes.forEach((n, i) => {
    if (placed[i]) return;
    const list = members.get(n.group);
    if (list) list.push(i);
    else members.set(n.group, [i]);
  });
  let seeded = 0;
  for (const [group, list] of members) {
    const anchor = anchors.get(group) ?? { x: 0, y: 0 };
    list.sort((a, b) => ((nodes[a]?.id ?? '') < (nodes[b]?.id ?? '') ? -1 : 1));
    list.forEach((i, j) => {
      const near = neighbourOf[i] ?? -1;
      const angle = near >= 0 ? ((hash(nodes[i]?.id ?? '') % 1000) / 1000) * Math.PI * 2 : j * GOLDEN_ANGLE;
      const distance = near >= 0 ? SPACING : SPACING * 0.62 * Math.sqrt(j + 0.5);
      const cx = near >= 0 ? (out[2 * near] ?? 0) : anchor.x;
      const cy = near >= 0 ? (out[2 * near + 1] ?? 0) : anchor.y;
      out[2 * i] = cx + Math.cos(angle) * distance;
      out[2 * i + 1] = cy + Math.sin(angle) * distance;
      seeded++;
    });
  }
  return seeded;
}

/** Nodes further apart than this do not push each other (world units). */
const CROWD_CUTOFF = 110;
/** Repulsion between near nodes, as d3's many-body strength (negative pushes apart). */
const CROWD_STRENGTH = -40;
/** Clearance kept between two discs (world units). */
const COLLIDE_PAD = 3;

/**
 * Short-range repulsion and collision in one pass, as a d3 force: nodes closer than `cutoff` push
 * apart as d3's many-body force pushes (strength / distance), and overlapping discs are separated
 * as d3's collide force separates them. Neighbours come from a grid of square cells `cutoff` wide,
 * rebuilt every tick in flat arrays (no allocation unless the graph grows).
 */
export function crowdForce(cutoff: number, strength: number): ((alpha: number) => void) & { initialize(nodes: ForceNode[]): void } {
  let nodes: ForceNode[] = [];
  let head = new Int32Array(0);
  let next = new Int32Array(0);
  const cutoff2 = cutoff * cutoff;
  const force = (alpha: number): void => {
    const count = nodes.length;
    if (count < 2) return;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const n of nodes) {
      const x = n.x ?? 0;
      const y = n.y ?? 0;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    // Cells at least `cutoff` wide; wider when the graph is spread so far that the grid would be huge.
    const span = Math.max(maxX - minX, maxY - minY, 1);
    const size = Math.max(cutoff, span / Math.sqrt(8 * count + 64));
    const cols = Math.floor((maxX - minX) / size) + 1;
    const rows = Math.floor((maxY - minY) / size) + 1;
    if (head.length < cols * rows) head = new Int32Array(cols * rows);
    if (next.length < count) next = new Int32Array(count);
    head.fill(-1, 0, cols * rows);
    for (let i = 0; i < count; i++) {
      const n = nodes[i] as ForceNode;
      const c = Math.floor(((n.x ?? 0) - minX) / size) + cols * Math.floor(((n.y ?? 0) - minY) / size);
      next[i] = head[c] ?? -1;
      head[c] = i;
    }
    const push = strength * alpha;
    for (let i = 0; i < count; i++) {
      const a = nodes[i] as ForceNode;
      const ax = a.x ?? 0;
      const ay = a.y ?? 0;
      const cx = Math.floor((ax - minX) / size);
      const cy = Math.floor((ay - minY) / size);
      for (let y = Math.max(0, cy - 1); y <= Math.min(rows - 1, cy + 1); y++) {
        for (let x = Math.max(0, cx - 1); x <= Math.min(cols - 1, cx + 1); x++) {
          for (let j = head[x + cols * y] ?? -1; j >= 0; j = next[j] ?? -1) {
            if (j <= i) continue;
            const b = nodes[j] as ForceNode;
            let dx = (b.x ?? 0) - ax;
            let dy = (b.y ?? 0) - ay;
            let d2 = dx * dx + dy * dy;
            if (d2 >= cutoff2) continue;
            if (d2 < 1e-6) {
              // Two nodes on the same spot: part them along a direction fixed by their indices.
              dx = Math.cos(i + j) * 1e-3;
              dy = Math.sin(i + j) * 1e-3;
              d2 = dx * dx + dy * dy;
            }
            // Many-body push (d3: distanceMin 1), shared equally.
            const w = push / Math.max(d2, 1);
            let fx = dx * w;
            let fy = dy * w;
            // Collision: overlapping discs (with clearance) move apart by half the overlap each.
            const r = a.radius + b.radius + 2 * COLLIDE_PAD;
            if (d2 < r * r) {
              const d = Math.sqrt(d2);
              const k = ((r - d) / d) * 0.5;
              fx -= dx * k;
              fy -= dy * k;
            }
            a.vx = (a.vx ?? 0) + fx;
            a.vy = (a.vy ?? 0) + fy;
            b.vx = (b.vx ?? 0) - fx;
            b.vy = (b.vy ?? 0) - fy;
          }
        }
      }
    }
  };
  return Object.assign(force, {
    initialize(list: ForceNode[]) {
      nodes = list;
    },
  });
}

/**
 * One graph's layout: d3-force over flat arrays. step() runs one tick and returns how far the
 * furthest free node moved; the owner stops when that falls under REST_PX.
 */
export class ForceEngine {
  readonly nodes: ForceNode[];
  private readonly simulation: Simulation<ForceNode, undefined>;
  private target = 0;
  /** The largest move of the last tick (world units). */
  lastMove = Infinity;
  ticks = 0;

  constructor(input: ForceInput) {
    const count = input.radius.length;
    this.nodes = [];
    for (let i = 0; i < count; i++) {
      const x = input.positions[2 * i] ?? 0;
      const y = input.positions[2 * i + 1] ?? 0;
      const pinned = input.pinned[i] === 1;
      this.nodes.push({
        index: i,
        x,
        y,
        vx: 0,
        vy: 0,
        fx: pinned ? x : null,
        fy: pinned ? y : null,
        radius: input.radius[i] ?? 7,
        ax: input.anchor[2 * i] ?? 0,
        ay: input.anchor[2 * i + 1] ?? 0,
      });
    }
    const links: { source: number; target: number }[] = [];
    for (let e = 0; e + 1 < input.links.length; e += 2) links.push({ source: input.links[e] ?? 0, target: input.links[e + 1] ?? 0 });
    // Tuned for a start near rest: a stronger velocity decay damps the oscillation d3's default
    // (0.4) lets run for a hundred ticks, and the quicker cooling ends what is left.
    this.simulation = forceSimulation<ForceNode>(this.nodes)
      .stop()
      .force('crowd', crowdForce(CROWD_CUTOFF, CROWD_STRENGTH))
      .force('link', forceLink<ForceNode, { source: number; target: number }>(links).distance(46).strength(0.25).iterations(1))
      .force('x', forceX<ForceNode>((n) => n.ax).strength(0.06))
      .force('y', forceY<ForceNode>((n) => n.ay).strength(0.06))
      .velocityDecay(0.55)
      // A small graph cools at d3's pace (it costs nothing); a large one faster, having started near rest.
      .alphaDecay(count > SMALL_GRAPH ? 0.08 : 0.0228)
      .alpha(input.alpha);
  }

  /** One tick; returns the largest distance a free node moved (world units). */
  step(): number {
    this.simulation.tick();
    this.ticks++;
    let max = 0;
    for (const n of this.nodes) {
      if (n.fx !== null && n.fx !== undefined) continue;
      const d = (n.vx ?? 0) * (n.vx ?? 0) + (n.vy ?? 0) * (n.vy ?? 0);
      if (d > max) max = d;
    }
    this.lastMove = Math.sqrt(max);
    return this.lastMove;
  }

  /** At rest: nothing moved more than REST_PX in the last tick and nobody holds a node. */
  atRest(): boolean {
    return this.target === 0 && (this.lastMove < REST_PX || this.simulation.alpha() < this.simulation.alphaMin());
  }

  /** Ticks until rest or until `budgetMs` has passed; returns the ticks run. */
  run(budgetMs: number, now: () => number): number {
    const start = now();
    let ticks = 0;
    do {
      this.step();
      ticks++;
    } while (!this.atRest() && now() - start < budgetMs);
    return ticks;
  }

  /** Holds a node at (x, y) (a drag) and keeps the layout warm round it. */
  pin(index: number, x: number, y: number): void {
    const n = this.nodes[index];
    if (!n) return;
    n.fx = x;
    n.fy = y;
  }

  /** Frees a pinned node. */
  release(index: number): void {
    const n = this.nodes[index];
    if (!n) return;
    n.fx = null;
    n.fy = null;
  }

  /** True while held warm (a drag). */
  held(): boolean {
    return this.target > 0;
  }

  /** While the examiner drags, the layout stays warm (alphaTarget); 0 lets it cool again. */
  hold(target: number): void {
    this.target = target;
    this.simulation.alphaTarget(target);
    this.lastMove = Infinity;
  }

  reheat(alpha: number): void {
    this.simulation.alpha(Math.max(this.simulation.alpha(), alpha));
    this.lastMove = Infinity;
  }

  /** Copies positions into out (x, y per node). */
  write(out: Float32Array): void {
    this.nodes.forEach((n, i) => {
      out[2 * i] = n.x ?? 0;
      out[2 * i + 1] = n.y ?? 0;
    });
  }
}
