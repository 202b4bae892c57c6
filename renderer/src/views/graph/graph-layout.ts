import { COLD_ALPHA, ForceEngine, groupAnchors, seedPositions, warmAlpha, type ForceInput } from './graph-force';
import type { LayoutFrame, LayoutRequest } from './graph-layout-worker';
import type { CanvasEdge, CanvasNode, SimEdge, SimNode, ViewTransform } from './graph-types';

// The page's side of the layout: the nodes and edges the canvas draws and hit-tests, kept by node
// id so a refresh does not move what was already there, and the force layout (graph-force.ts)
// running in a worker (graph-layout-worker.ts) that streams positions back. Where a worker cannot
// start (no Worker, blocked by a policy, failed to load) the same engine runs on the page, a few
// milliseconds per animation frame. New data starts warm: nodes keep their places (from before,
// or stored for the case), the rest are seeded by group next to them.

interface Kept {
  x: number;
  y: number;
  fx: number | null;
  fy: number | null;
}

/** Room below a node for its label, in world units at scale 1 (the fit leaves space for it). */
const LABEL_ROOM = 18;
/** Fit never zooms in further than this: a two-node graph should not fill the screen. */
export const FIT_MAX_SCALE = 3;
export const MIN_SCALE = 0.03;
export const MAX_SCALE = 8;
/** Heat while the examiner drags a node: the graph follows, and cools when it is let go. */
const DRAG_ALPHA = 0.2;
/** The page's share of a frame when the layout runs on the page (no worker). */
const INLINE_FRAME_MS = 6;
/**
 * Generations count across every layout of the page: a worker handed from one graph to the next
 * may still deliver a frame of the old graph, which must not pass for the new one's.
 */
let lastGeneration = 0;

/** Where layout workers come from (graph-layout-worker-start.ts): a worker given back is stopped and has no listeners. */
export interface LayoutWorkers {
  acquire(): Worker;
  release(worker: Worker): void;
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
  private readonly kept = new Map<string, Kept>();
  private linked = new Set<string>();
  nodes: SimNode[] = [];
  edges: SimEdge[] = [];
  byId = new Map<string, SimNode>();
  /** Positions stored for the case, used where a node has no place yet (warm start). */
  private stored: ReadonlyMap<string, { x: number; y: number }> = new Map();
  private worker: Worker | null | undefined;
  private inline: ForceEngine | null = null;
  private inlineFrame = 0;
  /** The input of the current generation: a worker that fails to load hands it to the page. */
  private input: ForceInput | null = null;
  private generation = 0;
  private moving = false;
  private latest: Float32Array | null = null;
  private destroyed = false;
  /** Ticks the last layout ran and where it ran, for the benchmark. */
  readonly stats = { ticks: 0, runsOn: 'none' as 'none' | 'worker' | 'page' };

  /** onTick when new positions arrived (draw them); onSettled when the layout came to rest. */
  constructor(
    private readonly onTick: () => void,
    private readonly onSettled: () => void,
    /** Layout workers (graph-layout-worker-start.ts); absent, the layout runs on the page. */
    private readonly workers?: LayoutWorkers,
  ) {
    // The worker loads while the data is fetched, not after it arrived.
    this.ensureWorker();
  }

  /**
   * Where the last layout started the nodes that took their place from the positions stored for
   * the case (a warm start), by id, world units; empty after a start with none of them.
   */
  storedStarts: ReadonlyMap<string, { x: number; y: number }> = new Map();

  /** Places to start from for nodes that have none yet: positions stored for the case. */
  setStored(positions: ReadonlyMap<string, { x: number; y: number }>): void {
    this.stored = positions;
  }

  /**
   * New data. Nodes keep their places by id (from before, kept, or stored); the rest are seeded by
   * group (graph-force.ts) and the layout runs from there. True when the layout was started.
   */
  setData(nodes: readonly CanvasNode[], edges: readonly CanvasEdge[]): boolean {
    const previous = this.byId;
    const byId = new Map<string, SimNode>();
    const index = new Map<string, number>();
    const sim: SimNode[] = nodes.map((data, i) => {
      const node: SimNode = previous.get(data.id) ?? { id: data.id, data };
      node.data = data;
      byId.set(data.id, node);
      index.set(data.id, i);
      return node;
    });
    const links: SimEdge[] = [];
    const pairs: number[] = [];
    for (const data of edges) {
      const source = byId.get(data.source);
      const target = byId.get(data.target);
      if (!source || !target || source === target) continue;
      links.push({ source, target, data });
      pairs.push(index.get(data.source) ?? 0, index.get(data.target) ?? 0);
    }
    let removed = 0;
    for (const id of previous.keys()) if (!byId.has(id)) removed++;
    const added = sim.filter((n) => !previous.has(n.id)).length;
    // Which node pairs are linked: a connection that appears between nodes already there pulls them together.
    const linked = new Set<string>();
    for (const l of links) linked.add(l.source.id < l.target.id ? `${l.source.id}\n${l.target.id}` : `${l.target.id}\n${l.source.id}`);
    let relinked = 0;
    for (const key of linked) if (!this.linked.has(key)) relinked++;
    for (const key of this.linked) if (!linked.has(key)) relinked++;
    this.linked = linked;
    this.nodes = sim;
    this.edges = links;
    this.byId = byId;
    if (!added && !removed && !relinked) return false;
    this.rememberAll(previous);

    // Start positions: kept from before, else stored for the case, else seeded by group.
    const fromStored = new Set<number>();
    const known = (i: number): { x: number; y: number } | undefined => {
      const n = sim[i];
      if (!n) return undefined;
      if (n.x !== undefined && n.y !== undefined) return { x: n.x, y: n.y };
      const kept = this.kept.get(n.id);
      if (kept) return kept;
      const stored = this.stored.get(n.id);
      if (stored) fromStored.add(i);
      return stored;
    };
    const anchors = groupAnchors(nodes);
    // A group already on screen keeps its place: its anchor is where its members are.
    const sums = new Map<string, { x: number; y: number; count: number }>();
    sim.forEach((n, i) => {
      const p = known(i);
      if (!p) return;
      const sum = sums.get(n.data.group) ?? { x: 0, y: 0, count: 0 };
      sum.x += p.x;
      sum.y += p.y;
      sum.count++;
      sums.set(n.data.group, sum);
    });
    for (const [group, sum] of sums) anchors.set(group, { x: sum.x / sum.count, y: sum.y / sum.count });
    const linkArray = Uint32Array.from(pairs);
    const positions = new Float32Array(sim.length * 2);
    const seeded = seedPositions(nodes, linkArray, anchors, positions, known);
    const anchorArray = new Float32Array(sim.length * 2);
    const radius = new Float32Array(sim.length);
    const pinned = new Uint8Array(sim.length);
    sim.forEach((n, i) => {
      const kept = this.kept.get(n.id);
      if (n.fx === undefined && kept) {
        n.fx = kept.fx;
        n.fy = kept.fy;
      }
      if (n.fx !== null && n.fx !== undefined && n.fy !== null && n.fy !== undefined) {
        positions[2 * i] = n.fx;
        positions[2 * i + 1] = n.fy;
        pinned[i] = 1;
      }
      n.x = positions[2 * i] ?? 0;
      n.y = positions[2 * i + 1] ?? 0;
      const a = anchors.get(n.data.group) ?? { x: 0, y: 0 };
      anchorArray[2 * i] = a.x;
      anchorArray[2 * i + 1] = a.y;
      radius[i] = n.data.radius;
    });
    const storedStarts = new Map<string, { x: number; y: number }>();
    for (const i of fromStored) {
      const n = sim[i];
      if (n && !pinned[i]) storedStarts.set(n.id, { x: positions[2 * i] ?? 0, y: positions[2 * i + 1] ?? 0 });
    }
    this.storedStarts = storedStarts;
    if (!sim.length) {
      this.stop();
      return false;
    }
    const alpha =
      previous.size === 0 && seeded === sim.length
        ? COLD_ALPHA
        : Math.max(
            warmAlpha(sim.length - seeded, sim.length),
            previous.size > 0 && relinked ? Math.min(COLD_ALPHA, 0.1 + relinked / Math.max(20, links.length)) : 0,
          );
    this.start({ radius, anchor: anchorArray, positions, pinned, links: linkArray, alpha });
    return true;
  }

  /** True while the layout still moves nodes. */
  running(): boolean {
    return this.moving;
  }

  /** Copies the newest positions from the layout into the nodes; false when there were none. */
  applyLatest(): boolean {
    const latest = this.latest;
    if (!latest) return false;
    this.latest = null;
    const count = Math.min(this.nodes.length, latest.length >> 1);
    for (let i = 0; i < count; i++) {
      const n = this.nodes[i] as SimNode;
      // A node the examiner holds stays under the pointer, whatever the last frame said.
      if (n.fx !== null && n.fx !== undefined && n.fy !== null && n.fy !== undefined) {
        n.x = n.fx;
        n.y = n.fy;
        continue;
      }
      n.x = latest[2 * i] ?? 0;
      n.y = latest[2 * i + 1] ?? 0;
    }
    return true;
  }

  /** The examiner took hold of a node: it follows the pointer and the graph stays warm round it. */
  dragStart(node: SimNode): void {
    node.fx = node.x ?? 0;
    node.fy = node.y ?? 0;
    this.send({ kind: 'pin', generation: this.generation, index: this.nodes.indexOf(node), x: node.fx, y: node.fy });
    this.send({ kind: 'hold', generation: this.generation, target: DRAG_ALPHA });
    this.setMoving();
  }

  dragTo(node: SimNode, x: number, y: number): void {
    node.fx = x;
    node.fy = y;
    node.x = x;
    node.y = y;
    this.send({ kind: 'pin', generation: this.generation, index: this.nodes.indexOf(node), x, y });
  }

  /** Let go: the node stays where the examiner put it (double-click frees it); the graph cools. */
  dragEnd(): void {
    this.send({ kind: 'hold', generation: this.generation, target: 0 });
    this.remember();
  }

  /** Frees a pinned node and lets the layout move it again. */
  release(node: SimNode): void {
    node.fx = null;
    node.fy = null;
    this.remember();
    this.send({ kind: 'release', generation: this.generation, index: this.nodes.indexOf(node), alpha: 0.1 });
    this.setMoving();
  }

  /** Runs the layout on the page, synchronously, to rest (benchmarks, screenshots). */
  settle(): void {
    if (!this.input) return;
    this.stopEngines();
    const engine = new ForceEngine(this.input);
    while (!engine.atRest()) engine.step();
    this.latest = new Float32Array(this.nodes.length * 2);
    engine.write(this.latest);
    this.stats.ticks = engine.ticks;
    this.applyLatest();
    this.moving = false;
    this.remember();
  }

  /** Stops the layout where it is. */
  stop(): void {
    this.stopEngines();
    this.moving = false;
  }

  destroy(): void {
    this.stop();
    this.destroyed = true;
    const worker = this.worker;
    this.worker = null;
    if (worker) {
      worker.removeEventListener('message', this.onMessage);
      worker.removeEventListener('error', this.onError);
      this.workers?.release(worker);
    }
  }

  /** Where every node is now, by id (world units): what the case stores for a warm start. */
  positions(): Map<string, { x: number; y: number }> {
    const out = new Map<string, { x: number; y: number }>();
    for (const n of this.nodes) if (n.x !== undefined && n.y !== undefined) out.set(n.id, { x: n.x, y: n.y });
    return out;
  }

  remember(): void {
    for (const n of this.nodes) {
      if (n.x === undefined || n.y === undefined) continue;
      this.kept.set(n.id, { x: n.x, y: n.y, fx: n.fx ?? null, fy: n.fy ?? null });
    }
  }

  /** Before new data replaces them: where the old nodes were (a node that comes back returns there). */
  private rememberAll(previous: ReadonlyMap<string, SimNode>): void {
    for (const n of previous.values()) {
      if (n.x === undefined || n.y === undefined) continue;
      this.kept.set(n.id, { x: n.x, y: n.y, fx: n.fx ?? null, fy: n.fy ?? null });
    }
    // Positions of nodes long gone are not worth keeping forever.
    if (this.kept.size > this.nodes.length * 4 + 1000) {
      for (const id of this.kept.keys()) if (!this.byId.has(id)) this.kept.delete(id);
    }
  }

  private setMoving(): void {
    this.moving = true;
  }

  private start(input: ForceInput): void {
    this.stopEngines();
    this.generation = ++lastGeneration;
    this.input = input;
    this.moving = true;
    this.stats.ticks = 0;
    const worker = this.ensureWorker();
    if (worker) {
      this.stats.runsOn = 'worker';
      worker.postMessage({ kind: 'start', generation: this.generation, input } satisfies LayoutRequest);
    } else this.startInline(input);
  }

  private readonly onMessage = (event: MessageEvent<LayoutFrame>): void => this.onFrame(event.data);

  // A worker that cannot load (a policy, a missing file): the page runs the layout itself.
  private readonly onError = (event: Event): void => {
    event.preventDefault();
    this.worker?.terminate();
    this.worker = null;
    if (this.moving && this.input && !this.destroyed) this.startInline(this.input);
  };

  private ensureWorker(): Worker | null {
    if (this.worker !== undefined) return this.worker;
    this.worker = null;
    if (!this.workers || typeof Worker === 'undefined') return null;
    try {
      const worker = this.workers.acquire();
      worker.addEventListener('message', this.onMessage);
      worker.addEventListener('error', this.onError);
      this.worker = worker;
    } catch {
      this.worker = null;
    }
    return this.worker;
  }

  private onFrame(frame: LayoutFrame): void {
    if (frame.generation !== this.generation || this.destroyed) return;
    this.latest = frame.positions;
    this.stats.ticks = frame.ticks;
    this.onTick();
    if (frame.atRest && this.moving) {
      this.applyLatest();
      this.moving = false;
      this.remember();
      this.onSettled();
    }
  }

  private send(request: LayoutRequest): void {
    if (this.destroyed) return;
    if (this.worker) {
      this.worker.postMessage(request);
      return;
    }
    const engine = this.inline;
    if (!engine && this.input && request.kind !== 'stop') {
      // The page's layout stopped at rest: it picks up from where the nodes are now.
      this.input.positions = new Float32Array(this.nodes.length * 2);
      this.nodes.forEach((n, i) => {
        this.input?.positions.set([n.x ?? 0, n.y ?? 0], 2 * i);
      });
      this.input.alpha = 0;
      this.startInline(this.input);
    }
    const live = this.inline;
    if (!live) return;
    if (request.kind === 'pin') live.pin(request.index, request.x, request.y);
    else if (request.kind === 'release') {
      live.release(request.index);
      live.reheat(request.alpha);
    } else if (request.kind === 'hold') live.hold(request.target);
  }

  private startInline(input: ForceInput): void {
    this.stats.runsOn = 'page';
    this.inline = new ForceEngine(input);
    const generation = this.generation;
    const step = () => {
      this.inlineFrame = 0;
      const engine = this.inline;
      if (!engine || generation !== this.generation || this.destroyed) return;
      engine.run(INLINE_FRAME_MS, () => performance.now());
      const positions = new Float32Array(this.nodes.length * 2);
      engine.write(positions);
      const atRest = engine.atRest();
      if (atRest) this.inline = null;
      else this.inlineFrame = requestAnimationFrame(step);
      this.onFrame({ generation, positions, ticks: engine.ticks, move: engine.lastMove, atRest });
    };
    this.inlineFrame = requestAnimationFrame(step);
  }

  private stopEngines(): void {
    this.worker?.postMessage({ kind: 'stop' } satisfies LayoutRequest);
    if (this.inlineFrame) cancelAnimationFrame(this.inlineFrame);
    this.inlineFrame = 0;
    this.inline = null;
    this.latest = null;
  }
}
