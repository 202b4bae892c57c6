import {
  drag,
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  pointer,
  select,
  zoom,
  zoomIdentity,
  type D3DragEvent,
  type ForceLink,
  type ForceX,
  type ForceY,
  type Simulation,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
  type ZoomBehavior,
  type ZoomTransform,
} from 'd3';

// The connection graph drawn on a canvas: d3-force lays it out, d3-zoom pans and zooms, d3-drag
// moves nodes, and hit-testing maps a click back to a node or an edge. SVG cannot keep 2,000 nodes
// and 5,000 edges smooth; here every frame is a handful of batched paths. Framework-free, so the
// view and the benchmark page draw with exactly the same code.

export type RingKind = 'risk' | 'quarantined' | 'drifted';

export interface CanvasNode {
  id: string;
  /** Already made visible (control and bidi characters escaped) and cut to length. */
  label: string;
  color: string;
  radius: number;
  group: string;
  rings: RingKind[];
  /** Drawn faded (a container that is not running). */
  faded: boolean;
  /** Label always drawn (hosts, flagged nodes). */
  prominent: boolean;
}

export type EdgeDash = 'solid' | 'dashed' | 'dotted';

export interface CanvasEdge {
  id: string;
  source: string;
  target: string;
  color: string;
  width: number;
  dash: EdgeDash;
  alpha: number;
}

export type Selection = { kind: 'node'; id: string } | { kind: 'edge'; id: string } | null;

export interface GraphCanvasOptions {
  onSelect?: (selection: Selection) => void;
  onHover?: (id: string | null) => void;
  /** Background, to match the page. */
  background?: string;
}

interface SimNode extends SimulationNodeDatum {
  id: string;
  data: CanvasNode;
}

interface SimEdge extends SimulationLinkDatum<SimNode> {
  source: SimNode;
  target: SimNode;
  data: CanvasEdge;
}

interface Kept {
  x: number;
  y: number;
  vx: number;
  vy: number;
  fx: number | null;
  fy: number | null;
}

const RING_STYLE: Record<RingKind, { color: string; width: number; gap: number; dash: number[] }> = {
  risk: { color: '#ff2e63', width: 2.5, gap: 2.5, dash: [] },
  quarantined: { color: '#f0a030', width: 2, gap: 5.5, dash: [3, 2] },
  drifted: { color: '#b07cff', width: 2, gap: 8.5, dash: [] },
};

const DASH: Record<EdgeDash, number[]> = { solid: [], dashed: [6, 4], dotted: [1.5, 3] };
const MAX_LABELS = 400;
/** Edges in view above which a frame drawn during a pan or zoom leaves out arrowheads, widths and most labels. */
const DETAIL_EDGE_LIMIT = 1200;
/** The full-detail frame follows this long after the last zoom or pan step. */
const SETTLE_MS = 180;

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export class GraphCanvas {
  private readonly ctx: CanvasRenderingContext2D;
  /** A transparent canvas over the graph for the hovered node: pointing does not redraw the graph. */
  private readonly overlay: HTMLCanvasElement;
  private readonly overlayCtx: CanvasRenderingContext2D | null;
  private overlayFrame = 0;
  private readonly simulation: Simulation<SimNode, SimEdge>;
  private readonly linkForce: ForceLink<SimNode, SimEdge> = forceLink<SimNode, SimEdge>().distance(46).strength(0.25);
  private readonly xForce: ForceX<SimNode> = forceX<SimNode>(0).strength(0.06);
  private readonly yForce: ForceY<SimNode> = forceY<SimNode>(0).strength(0.06);
  private readonly zoomBehavior: ZoomBehavior<HTMLCanvasElement, unknown>;
  private readonly kept = new Map<string, Kept>();
  private readonly resize: ResizeObserver | undefined;
  private nodes: SimNode[] = [];
  private edges: SimEdge[] = [];
  private byId = new Map<string, SimNode>();
  private transform: ZoomTransform = zoomIdentity;
  private width = 0;
  private height = 0;
  private dpr = 1;
  private frame = 0;
  private selection: Selection = null;
  private hovered: string | null = null;
  private highlighted: ReadonlySet<string> = new Set();
  private destroyed = false;
  private fitted = false;
  private interacting = false;
  private lastEdgesInView = 0;
  private scratch: HTMLCanvasElement | null = null;
  private scratchAt: ZoomTransform | null = null;
  private scratchMargin = { x: 0, y: 0 };
  /** Cleared by anything but a pan or zoom: the scratch picture no longer shows the graph. */
  private scratchValid = false;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Frames drawn and time spent drawing, for the benchmark. */
  readonly stats = { frames: 0, scenes: 0, drawMs: 0, edgesMs: 0, nodesMs: 0, labelsMs: 0 };

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly options: GraphCanvasOptions = {},
  ) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('2D canvas is not available');
    this.ctx = ctx;
    this.overlay = document.createElement('canvas');
    this.overlay.setAttribute('aria-hidden', 'true');
    Object.assign(this.overlay.style, { position: 'absolute', left: '0', top: '0', pointerEvents: 'none' });
    canvas.insertAdjacentElement('afterend', this.overlay);
    this.overlayCtx = this.overlay.getContext('2d');
    this.simulation = forceSimulation<SimNode, SimEdge>()
      .force('charge', forceManyBody<SimNode>().strength(-40).theta(0.9).distanceMax(500))
      .force('link', this.linkForce)
      .force('collide', forceCollide<SimNode>((n) => n.data.radius + 3).iterations(1))
      .force('x', this.xForce)
      .force('y', this.yForce)
      .alphaDecay(0.035)
      .on('tick', () => {
        this.remember();
        this.requestDraw();
      });
    this.simulation.stop();

    this.zoomBehavior = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([0.03, 8])
      .on('zoom', (event: { transform: ZoomTransform }) => {
        this.transform = event.transform;
        this.interacting = true;
        clearTimeout(this.settleTimer);
        this.settleTimer = setTimeout(() => {
          this.interacting = false;
          this.requestDraw();
        }, SETTLE_MS);
        this.requestDraw(false);
      });
    const dragBehavior = drag<HTMLCanvasElement, unknown, SimNode | undefined>()
      .container(() => this.canvas)
      .subject((event: { x: number; y: number }) => this.nodeAt(event.x, event.y))
      .on('start', (event: D3DragEvent<HTMLCanvasElement, unknown, SimNode>) => {
        if (!event.active) this.simulation.alphaTarget(0.2).restart();
        event.subject.fx = event.subject.x ?? 0;
        event.subject.fy = event.subject.y ?? 0;
      })
      .on('drag', (event: D3DragEvent<HTMLCanvasElement, unknown, SimNode>) => {
        const [x, y] = this.transform.invert(pointer(event.sourceEvent, this.canvas));
        event.subject.fx = x;
        event.subject.fy = y;
      })
      .on('end', (event: D3DragEvent<HTMLCanvasElement, unknown, SimNode>) => {
        if (!event.active) this.simulation.alphaTarget(0);
        // A dragged node stays where the examiner put it (double-click frees it).
        this.remember();
      });
    // Drag first: when it has a subject it stops the event before zoom would pan.
    select(this.canvas).call(dragBehavior).call(this.zoomBehavior).on('dblclick.zoom', null);
    canvas.addEventListener('click', this.onClick);
    canvas.addEventListener('dblclick', this.onDoubleClick);
    canvas.addEventListener('mousemove', this.onMove);
    canvas.addEventListener('mouseleave', this.onLeave);
    if (typeof ResizeObserver !== 'undefined' && canvas.parentElement) {
      this.resize = new ResizeObserver(() => this.fitToParent());
      this.resize.observe(canvas.parentElement);
    }
    this.fitToParent();
  }

  /**
   * New data. Positions are kept by node id, so a refresh does not move what was already there;
   * a new node starts next to a neighbour (or its group's anchor) and the layout warms up gently.
   */
  setData(nodes: readonly CanvasNode[], edges: readonly CanvasEdge[]): void {
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
    const anchors = this.groupAnchors(nodes);
    let added = 0;
    for (const node of sim) {
      if (node.x !== undefined) continue;
      const kept = this.kept.get(node.id);
      if (kept) {
        Object.assign(node, kept);
        continue;
      }
      added++;
      const neighbour = links.find((l) => (l.source === node && l.target.x !== undefined) || (l.target === node && l.source.x !== undefined));
      const near = neighbour ? (neighbour.source === node ? neighbour.target : neighbour.source) : undefined;
      const anchor = anchors.get(node.data.group) ?? { x: 0, y: 0 };
      const jitter = (hash(node.id) % 1000) / 1000;
      const angle = jitter * Math.PI * 2;
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
    if (previous.size === 0) this.simulation.alpha(1).restart();
    else if (added || removed) this.simulation.alpha(Math.min(0.3, 0.05 + (added + removed) / Math.max(20, sim.length))).restart();
    if (this.selection?.kind === 'node' && !byId.has(this.selection.id)) this.select(null);
    this.requestDraw();
  }

  setHighlighted(ids: ReadonlySet<string>): void {
    this.highlighted = ids;
    this.requestDraw();
  }

  select(selection: Selection, notify = true): void {
    this.selection = selection;
    if (notify) this.options.onSelect?.(selection);
    this.requestDraw();
  }

  /** Centres the view on a node. */
  focus(id: string, scale = Math.min(2, Math.max(this.transform.k, 1.2))): void {
    const node = this.byId.get(id);
    if (!node || node.x === undefined || node.y === undefined) return;
    this.transformTo({ x: this.width / 2 - node.x * scale, y: this.height / 2 - node.y * scale, k: scale });
  }

  /** Fits every node into view. */
  fit(padding = 40): void {
    if (!this.nodes.length || !this.width) return;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const n of this.nodes) {
      minX = Math.min(minX, n.x ?? 0);
      minY = Math.min(minY, n.y ?? 0);
      maxX = Math.max(maxX, n.x ?? 0);
      maxY = Math.max(maxY, n.y ?? 0);
    }
    const k = Math.min(1.6, Math.max(0.03, Math.min((this.width - padding * 2) / Math.max(1, maxX - minX), (this.height - padding * 2) / Math.max(1, maxY - minY))));
    this.transformTo({ x: this.width / 2 - ((minX + maxX) / 2) * k, y: this.height / 2 - ((minY + maxY) / 2) * k, k });
  }

  /** Fits once, after the first layout has settled a little (later refreshes keep the examiner's view). */
  fitOnce(): void {
    if (this.fitted || !this.nodes.length) return;
    this.fitted = true;
    this.fit();
  }

  transformTo(t: { x: number; y: number; k: number }): void {
    select(this.canvas).call(this.zoomBehavior.transform, zoomIdentity.translate(t.x, t.y).scale(t.k));
  }

  currentTransform(): { x: number; y: number; k: number } {
    return { x: this.transform.x, y: this.transform.y, k: this.transform.k };
  }

  /** Runs the layout synchronously to rest (benchmarks, screenshots). */
  settle(ticks = 300): void {
    this.simulation.stop();
    this.simulation.alpha(1);
    for (let i = 0; i < ticks; i++) this.simulation.tick();
    this.remember();
    this.requestDraw();
  }

  stopLayout(): void {
    this.simulation.stop();
  }

  /** Draws now (the benchmark measures this). */
  drawNow(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.draw();
  }

  positionOf(id: string): { x: number; y: number } | undefined {
    const n = this.byId.get(id);
    return n && n.x !== undefined && n.y !== undefined ? { x: n.x, y: n.y } : undefined;
  }

  /** Where a node is on screen (CSS pixels relative to the canvas). */
  screenPositionOf(id: string): { x: number; y: number } | undefined {
    const p = this.positionOf(id);
    if (!p) return undefined;
    const [x, y] = this.transform.apply([p.x, p.y]);
    return { x, y };
  }

  destroy(): void {
    this.destroyed = true;
    this.simulation.stop();
    clearTimeout(this.settleTimer);
    this.resize?.disconnect();
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.overlayFrame) cancelAnimationFrame(this.overlayFrame);
    this.overlay.remove();
    this.canvas.removeEventListener('click', this.onClick);
    this.canvas.removeEventListener('dblclick', this.onDoubleClick);
    this.canvas.removeEventListener('mousemove', this.onMove);
    this.canvas.removeEventListener('mouseleave', this.onLeave);
    select(this.canvas).on('.zoom', null).on('.drag', null);
  }

  requestDraw(contentChanged = true): void {
    if (contentChanged) this.scratchValid = false;
    if (this.frame || this.destroyed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private readonly onClick = (event: MouseEvent): void => {
    if (event.defaultPrevented) return;
    const node = this.nodeAt(event.offsetX, event.offsetY);
    if (node) return this.select({ kind: 'node', id: node.id });
    const edge = this.edgeAt(event.offsetX, event.offsetY);
    this.select(edge ? { kind: 'edge', id: edge.data.id } : null);
  };

  private readonly onDoubleClick = (event: MouseEvent): void => {
    const node = this.nodeAt(event.offsetX, event.offsetY);
    if (!node) return;
    node.fx = null;
    node.fy = null;
    this.remember();
    this.simulation.alpha(0.1).restart();
  };

  private readonly onMove = (event: MouseEvent): void => {
    const id = this.nodeAt(event.offsetX, event.offsetY)?.id ?? null;
    if (id === this.hovered) return;
    this.hovered = id;
    this.canvas.style.cursor = id ? 'pointer' : 'grab';
    this.options.onHover?.(id);
    this.requestOverlay();
  };

  private readonly onLeave = (): void => {
    if (this.hovered === null) return;
    this.hovered = null;
    this.options.onHover?.(null);
    this.requestOverlay();
  };

  private requestOverlay(): void {
    if (this.overlayFrame || this.destroyed) return;
    this.overlayFrame = requestAnimationFrame(() => {
      this.overlayFrame = 0;
      this.drawOverlay();
    });
  }

  /** The hovered node's ring, label and connections, over the graph. */
  private drawOverlay(): void {
    const ctx = this.overlayCtx;
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    const n = this.hovered ? this.byId.get(this.hovered) : undefined;
    if (!n || (this.selection?.kind === 'node' && this.selection.id === n.id)) return;
    const t = this.transform;
    ctx.setTransform(this.dpr * t.k, 0, 0, this.dpr * t.k, this.dpr * t.x, this.dpr * t.y);
    ctx.strokeStyle = '#9fc3ff';
    ctx.lineWidth = 1.5 / t.k;
    ctx.beginPath();
    let shown = 0;
    for (const e of this.edges) {
      if (e.source !== n && e.target !== n) continue;
      if (++shown > 2000) break;
      ctx.moveTo(e.source.x ?? 0, e.source.y ?? 0);
      ctx.lineTo(e.target.x ?? 0, e.target.y ?? 0);
    }
    ctx.stroke();
    ctx.lineWidth = 2 / t.k;
    ctx.beginPath();
    ctx.arc(n.x ?? 0, n.y ?? 0, n.data.radius + 13, 0, Math.PI * 2);
    ctx.stroke();
    ctx.font = `${11 / t.k}px 'DejaVu Sans', system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.lineWidth = 3 / t.k;
    ctx.strokeStyle = '#0b0f14';
    ctx.fillStyle = '#ffffff';
    const y = (n.y ?? 0) + n.data.radius + 4 / t.k + (n.data.rings.length ? 8 : 0);
    ctx.strokeText(n.data.label, n.x ?? 0, y);
    ctx.fillText(n.data.label, n.x ?? 0, y);
  }

  private remember(): void {
    for (const n of this.nodes) {
      if (n.x === undefined || n.y === undefined) continue;
      this.kept.set(n.id, { x: n.x, y: n.y, vx: n.vx ?? 0, vy: n.vy ?? 0, fx: n.fx ?? null, fy: n.fy ?? null });
    }
    // Positions of nodes long gone are not worth keeping forever.
    if (this.kept.size > this.nodes.length * 4 + 1000) {
      for (const id of this.kept.keys()) if (!this.byId.has(id)) this.kept.delete(id);
    }
  }

  /** Each group gets an anchor on a circle sized to the graph, so groups form clusters. */
  private groupAnchors(nodes: readonly CanvasNode[]): Map<string, { x: number; y: number }> {
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

  private fitToParent(): void {
    const parent = this.canvas.parentElement;
    const width = parent?.clientWidth || this.canvas.clientWidth || 800;
    const height = parent?.clientHeight || this.canvas.clientHeight || 600;
    const dpr = (typeof window !== 'undefined' && window.devicePixelRatio) || 1;
    if (width === this.width && height === this.height && dpr === this.dpr) return;
    this.width = width;
    this.height = height;
    this.dpr = dpr;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.overlay.width = this.canvas.width;
    this.overlay.height = this.canvas.height;
    this.overlay.style.width = `${width}px`;
    this.overlay.style.height = `${height}px`;
    this.requestDraw();
  }

  /** Screen → world, and the nearest node whose disc (plus a few pixels) contains the point. */
  private nodeAt(sx: number, sy: number): SimNode | undefined {
    const [x, y] = this.transform.invert([sx, sy]);
    const slack = 4 / this.transform.k;
    let best: SimNode | undefined;
    let bestD = Infinity;
    for (const n of this.nodes) {
      const dx = (n.x ?? 0) - x;
      const dy = (n.y ?? 0) - y;
      const d = dx * dx + dy * dy;
      const r = n.data.radius + slack;
      if (d <= r * r && d < bestD) {
        best = n;
        bestD = d;
      }
    }
    return best;
  }

  private edgeAt(sx: number, sy: number): SimEdge | undefined {
    const [x, y] = this.transform.invert([sx, sy]);
    const tolerance = 5 / this.transform.k;
    let best: SimEdge | undefined;
    let bestD = tolerance * tolerance;
    for (const e of this.edges) {
      const ax = e.source.x ?? 0;
      const ay = e.source.y ?? 0;
      const bx = e.target.x ?? 0;
      const by = e.target.y ?? 0;
      const dx = bx - ax;
      const dy = by - ay;
      const len = dx * dx + dy * dy || 1;
      const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len));
      const px = ax + t * dx - x;
      const py = ay + t * dy - y;
      const d = px * px + py * py;
      if (d < bestD) {
        best = e;
        bestD = d;
      }
    }
    return best;
  }

  private draw(): void {
    const started = performance.now();
    // Level of detail while the view moves over a dense graph: the scene is drawn at half
    // resolution, with a margin around the viewport, into a scratch canvas with every edge a
    // hairline and no arrowheads; further steps of the same gesture reuse that picture, moved and
    // scaled, until it no longer covers the view or is scaled too far. The full frame follows
    // when the view stops.
    const light = this.interacting && this.lastEdgesInView > DETAIL_EDGE_LIMIT;
    if (!light) {
      this.scratchValid = false;
      this.drawScene(this.ctx, this.dpr, false, 0, 0);
    } else if (!this.blitScratch()) {
      this.renderScratch();
      this.blitScratch();
    }
    if (this.hovered) this.drawOverlay();
    this.stats.frames++;
    this.stats.drawMs += performance.now() - started;
  }

  /** Draws the scratch picture under the current transform; false when it would not do. */
  private blitScratch(): boolean {
    const scratch = this.scratch;
    const at = this.scratchAt;
    if (!scratch || !at || !this.scratchValid) return false;
    const t = this.transform;
    const scale = t.k / at.k;
    if (scale < 0.7 || scale > 1.45) return false;
    const ratio = this.dpr / 2;
    const dx = this.dpr * (t.x - scale * (at.x + this.scratchMargin.x));
    const dy = this.dpr * (t.y - scale * (at.y + this.scratchMargin.y));
    const dw = (scratch.width * this.dpr * scale) / ratio;
    const dh = (scratch.height * this.dpr * scale) / ratio;
    if (dx > 0 || dy > 0 || dx + dw < this.canvas.width || dy + dh < this.canvas.height) return false;
    this.ctx.setTransform(1, 0, 0, 1, 0, 0);
    // Nearest-neighbour: filtering a full-screen upscale costs more than the picture is worth while it moves.
    this.ctx.imageSmoothingEnabled = false;
    this.ctx.drawImage(scratch, dx, dy, dw, dh);
    return true;
  }

  private renderScratch(): void {
    const mx = Math.round(this.width / 4);
    const my = Math.round(this.height / 4);
    const ratio = this.dpr / 2;
    const width = Math.max(1, Math.round((this.width + 2 * mx) * ratio));
    const height = Math.max(1, Math.round((this.height + 2 * my) * ratio));
    if (!this.scratch || this.scratch.width !== width || this.scratch.height !== height) {
      this.scratch = document.createElement('canvas');
      this.scratch.width = width;
      this.scratch.height = height;
    }
    const ctx = this.scratch.getContext('2d', { alpha: false });
    if (!ctx) return;
    this.scratchMargin = { x: mx, y: my };
    this.scratchAt = this.transform;
    this.drawScene(ctx, ratio, true, mx, my);
    this.scratchValid = true;
  }

  /**
   * One frame. Shapes are filled and stroked one by one (or in small batches): the rasteriser is
   * far slower on one path of thousands of sub-paths than on thousands of small paths, except for
   * hairlines, which stay batched per style.
   */
  private drawScene(ctx: CanvasRenderingContext2D, ratio: number, light: boolean, mx: number, my: number): void {
    const started = performance.now();
    this.stats.scenes++;
    const t = this.transform;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = this.options.background ?? '#0b0f14';
    ctx.fillRect(0, 0, this.width + 2 * mx, this.height + 2 * my);
    if (this.nodes.length === 0) {
      this.lastEdgesInView = 0;
      return;
    }
    ctx.setTransform(ratio * t.k, 0, 0, ratio * t.k, ratio * (t.x + mx), ratio * (t.y + my));
    // The world rectangle drawn (the screen and any margin around it): what lies outside is not drawn.
    const [x0, y0] = t.invert([-mx - 20, -my - 20]);
    const [x1, y1] = t.invert([this.width + mx + 20, this.height + my + 20]);
    const inView = (x: number, y: number, r = 0) => x + r >= x0 && x - r <= x1 && y + r >= y0 && y - r <= y1;
    const selectedEdge = this.selection?.kind === 'edge' ? this.selection.id : null;
    const selectedNode = this.selection?.kind === 'node' ? this.selection.id : null;
    const focusNode = selectedNode;
    const dimOthers = this.highlighted.size > 0;

    // Edges, batched by style: (colour, width, dash, alpha).
    const batches = new Map<string, SimEdge[]>();
    const front: SimEdge[] = [];
    let edgesInView = 0;
    for (const e of this.edges) {
      const ax = e.source.x ?? 0;
      const ay = e.source.y ?? 0;
      const bx = e.target.x ?? 0;
      const by = e.target.y ?? 0;
      if (Math.max(ax, bx) < x0 || Math.min(ax, bx) > x1 || Math.max(ay, by) < y0 || Math.min(ay, by) > y1) continue;
      edgesInView++;
      if (e.data.id === selectedEdge || (focusNode && (e.source.id === focusNode || e.target.id === focusNode))) {
        front.push(e);
        continue;
      }
      const dim = dimOthers && !(this.highlighted.has(e.source.id) || this.highlighted.has(e.target.id));
      const width = light ? 1 : e.data.width;
      const dash = light ? 'solid' : e.data.dash;
      const key = `${e.data.color}|${width}|${dash}|${dim ? e.data.alpha * 0.25 : e.data.alpha}`;
      const list = batches.get(key);
      if (list) list.push(e);
      else batches.set(key, [e]);
    }
    this.lastEdgesInView = edgesInView;
    const arrows = !light && t.k >= 0.5 && edgesInView <= 4000;
    for (const [key, list] of batches) {
      const [color = '#888', width = '1', dash = 'solid', alpha = '1'] = key.split('|');
      this.strokeEdges(ctx, ratio, list, color, Number(width), dash as EdgeDash, Number(alpha), arrows);
    }
    for (const e of front) this.strokeEdges(ctx, ratio, [e], e.data.id === selectedEdge ? '#ffffff' : '#9fc3ff', Math.max(2, e.data.width + 1), e.data.dash, 1, true);
    const edgesDone = performance.now();
    this.stats.edgesMs += edgesDone - started;

    // Nodes, grouped by fill colour and fading (fewer state changes), each its own small path.
    const fills = new Map<string, SimNode[]>();
    const visible: SimNode[] = [];
    for (const n of this.nodes) {
      if (!inView(n.x ?? 0, n.y ?? 0, n.data.radius + 10)) continue;
      visible.push(n);
      const faded = n.data.faded || (dimOthers && !this.highlighted.has(n.id));
      const key = `${n.data.color}|${faded ? 0.3 : 1}`;
      const list = fills.get(key);
      if (list) list.push(n);
      else fills.set(key, [n]);
    }
    // Far out, a node under about three pixels across is a square: the same to the eye, cheaper to draw.
    const squareBelow = 1.6 / (t.k * ratio);
    for (const [key, list] of fills) {
      const [color = '#888', alpha = '1'] = key.split('|');
      ctx.globalAlpha = Number(alpha);
      ctx.fillStyle = color;
      for (const n of list) {
        const r = n.data.radius;
        if (r < squareBelow) {
          ctx.fillRect((n.x ?? 0) - r, (n.y ?? 0) - r, r * 2, r * 2);
          continue;
        }
        ctx.beginPath();
        ctx.arc(n.x ?? 0, n.y ?? 0, r, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;
    // Rings on top: risk, quarantine, drift.
    for (const kind of ['risk', 'quarantined', 'drifted'] as const) {
      const style = RING_STYLE[kind];
      ctx.strokeStyle = style.color;
      ctx.lineWidth = style.width;
      ctx.setLineDash(style.dash);
      for (const n of visible) {
        if (!n.data.rings.includes(kind)) continue;
        ctx.beginPath();
        ctx.arc(n.x ?? 0, n.y ?? 0, n.data.radius + style.gap, 0, Math.PI * 2);
        ctx.stroke();
      }
    }
    ctx.setLineDash([]);
    if (this.highlighted.size) {
      ctx.strokeStyle = '#3ee0ff';
      ctx.lineWidth = 2 / t.k;
      for (const n of visible) {
        if (!this.highlighted.has(n.id)) continue;
        ctx.beginPath();
        ctx.arc(n.x ?? 0, n.y ?? 0, n.data.radius + 11, 0, Math.PI * 2);
        ctx.stroke();
      }
    }
    const chosen = selectedNode ? this.byId.get(selectedNode) : undefined;
    if (chosen) {
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2 / t.k;
      ctx.beginPath();
      ctx.arc(chosen.x ?? 0, chosen.y ?? 0, chosen.data.radius + 13, 0, Math.PI * 2);
      ctx.stroke();
    }
    const nodesDone = performance.now();
    this.stats.nodesMs += nodesDone - edgesDone;

    // Labels in screen-constant size: marked nodes and, zoomed in on few, all of them.
    const fontPx = 11 / t.k;
    ctx.font = `${fontPx}px 'DejaVu Sans', system-ui, sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.lineWidth = 3 / t.k;
    ctx.strokeStyle = '#0b0f14';
    let labels = 0;
    const showAll = !light && t.k >= 1 && visible.length <= 600;
    for (const n of visible) {
      const marked = this.highlighted.has(n.id) || n.id === focusNode || n.id === selectedNode;
      if (!(marked || showAll || (n.data.prominent && !light))) continue;
      if (++labels > MAX_LABELS) break;
      const y = (n.y ?? 0) + n.data.radius + 4 / t.k + (n.data.rings.length ? 8 : 0);
      ctx.fillStyle = n.data.faded ? '#8d9bad' : '#d6dee8';
      ctx.strokeText(n.data.label, n.x ?? 0, y);
      ctx.fillText(n.data.label, n.x ?? 0, y);
    }
    this.stats.labelsMs += performance.now() - nodesDone;
  }

  private strokeEdges(ctx: CanvasRenderingContext2D, ratio: number, list: readonly SimEdge[], color: string, width: number, dash: EdgeDash, alpha: number, arrows: boolean): void {
    const k = this.transform.k;
    ctx.globalAlpha = alpha;
    ctx.strokeStyle = color;
    ctx.setLineDash(DASH[dash].map((d) => d / k));
    if (width <= 1.5) {
      // One device pixel: the rasteriser draws these as hairlines, cheap even batched in one path.
      ctx.lineWidth = 1 / ratio / k;
      ctx.beginPath();
      for (const e of list) {
        ctx.moveTo(e.source.x ?? 0, e.source.y ?? 0);
        ctx.lineTo(e.target.x ?? 0, e.target.y ?? 0);
      }
      ctx.stroke();
    } else {
      // Wider strokes are outlined; one path each keeps the rasteriser on small shapes.
      ctx.lineWidth = width / k;
      for (const e of list) {
        ctx.beginPath();
        ctx.moveTo(e.source.x ?? 0, e.source.y ?? 0);
        ctx.lineTo(e.target.x ?? 0, e.target.y ?? 0);
        ctx.stroke();
      }
    }
    ctx.setLineDash([]);
    if (arrows) {
      // Arrowheads at the server end, pointing at the listener.
      ctx.fillStyle = color;
      const size = (3 + Math.min(width, 3)) / k;
      for (const e of list) {
        const sx = e.source.x ?? 0;
        const sy = e.source.y ?? 0;
        const tx = e.target.x ?? 0;
        const ty = e.target.y ?? 0;
        const dx = tx - sx;
        const dy = ty - sy;
        const len = Math.hypot(dx, dy);
        if (len < e.target.data.radius + size * 2) continue;
        const ux = dx / len;
        const uy = dy / len;
        const px = tx - ux * (e.target.data.radius + 2);
        const py = ty - uy * (e.target.data.radius + 2);
        ctx.beginPath();
        ctx.moveTo(px, py);
        ctx.lineTo(px - ux * size * 2 - uy * size, py - uy * size * 2 + ux * size);
        ctx.lineTo(px - ux * size * 2 + uy * size, py - uy * size * 2 - ux * size);
        ctx.closePath();
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;
  }
}
