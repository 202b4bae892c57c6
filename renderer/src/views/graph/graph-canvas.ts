import { drag, pointer, select, zoom, zoomIdentity, type D3DragEvent, type ZoomBehavior, type ZoomTransform } from 'd3';
import { edgeAt, nodeAt } from './graph-hit';
import { fitTransform, GraphLayout, MAX_SCALE, MIN_SCALE } from './graph-layout';
import { layoutWorkers } from './graph-layout-worker-start';
import {
  movingPlan,
  paintHover,
  paintMarks,
  paintMoving,
  paintScene,
  regionShapes,
  type MovingPlan,
  type RegionLayer,
  type Scene,
} from './graph-paint';
import type { CanvasEdge, CanvasNode, CanvasRegion, CanvasRegionLink, Selection, SimNode } from './graph-types';

// The connection graph drawn on a canvas: the layout (graph-layout.ts, in a worker) places nodes,
// d3-zoom pans and zooms, d3-drag moves nodes, hit-testing (graph-hit.ts) maps a click back to a
// node or an edge, and painting (graph-paint.ts) draws a frame. SVG cannot keep 2,000 nodes and
// 5,000 edges smooth; here every frame is a handful of batched paths, and only what changed is
// drawn: at rest the graph is painted once into an offscreen picture, and a hover, a selection or
// a search highlight is that picture copied plus the marked items drawn over it. While the layout
// runs, a dense graph is drawn the cheap way (hairlines, no arrowheads), at most once a frame.
// Framework-free, so the view and the benchmark page draw with exactly the same code.

export type { CanvasEdge, CanvasNode, CanvasRegion, CanvasRegionLink, EdgeDash, RingKind, Selection } from './graph-types';

export interface GraphCanvasOptions {
  onSelect?: (selection: Selection) => void;
  onHover?: (id: string | null) => void;
  /** The layout came to rest (after new data or a drag); the UI tests wait on it. */
  onSettled?: () => void;
  /** Background, to match the page. */
  background?: string;
}

/** Edges in view above which a frame drawn during a pan or zoom leaves out arrowheads, widths and most labels. */
const DETAIL_EDGE_LIMIT = 1200;
/** The full-detail frame follows this long after the last zoom or pan step. */
const SETTLE_MS = 180;

export class GraphCanvas {
  private readonly ctx: CanvasRenderingContext2D;
  /** A transparent canvas over the graph for the hovered node: pointing does not redraw the graph. */
  private readonly overlay: HTMLCanvasElement;
  private readonly overlayCtx: CanvasRenderingContext2D | null;
  private overlayFrame = 0;
  private readonly layout: GraphLayout;
  private readonly zoomBehavior: ZoomBehavior<HTMLCanvasElement, unknown>;
  private readonly resize: ResizeObserver | undefined;
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
  /** The layout has come to rest with nodes at least once (and was fitted then). */
  private settledOnce = false;
  /** The examiner panned or zoomed: automatic fitting leaves the view alone from then on. */
  private userMoved = false;
  private interacting = false;
  private lastEdgesInView = 0;
  private scratch: HTMLCanvasElement | null = null;
  private scratchAt: ZoomTransform | null = null;
  private scratchMargin = { x: 0, y: 0 };
  /** Cleared by anything but a pan or zoom: the scratch picture no longer shows the graph. */
  private scratchValid = false;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The graph at rest, without marks, as last painted at full detail (device pixels). */
  private still: HTMLCanvasElement | null = null;
  private stillAt: ZoomTransform | null = null;
  /** Cleared when nodes move or the data changes: the still picture no longer shows the graph. */
  private stillValid = false;
  /** The graph grouped for frames drawn while nodes move, rebuilt when the data changes. */
  private plan: MovingPlan | null = null;
  /** Regions drawn under the graph (a cluster graph's Swarm nodes) and the links between them. */
  private regions: { regions: readonly CanvasRegion[]; links: readonly CanvasRegionLink[] } | null = null;
  /** The regions with their members resolved against the layout's nodes, rebuilt when either changes. */
  private regionLayer: { nodes: readonly SimNode[]; layer: RegionLayer } | null = null;
  /** Frames drawn and time spent drawing, for the benchmark. */
  readonly stats = { frames: 0, scenes: 0, drawMs: 0, edgesMs: 0, nodesMs: 0, labelsMs: 0, stillPaints: 0 };

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
    this.layout = new GraphLayout(
      () => this.requestDraw(),
      () => this.onLayoutSettled(),
      layoutWorkers,
    );

    this.zoomBehavior = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([MIN_SCALE, MAX_SCALE])
      .on('zoom', (event: { transform: ZoomTransform; sourceEvent: unknown }) => {
        this.transform = event.transform;
        if (event.sourceEvent) this.userMoved = true;
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
      .subject((event: { x: number; y: number }) => nodeAt(this.layout.nodes, this.transform, event.x, event.y))
      .on('start', (event: D3DragEvent<HTMLCanvasElement, unknown, SimNode>) => {
        this.layout.dragStart(event.subject);
        this.markLayout('moving');
      })
      .on('drag', (event: D3DragEvent<HTMLCanvasElement, unknown, SimNode>) => {
        const [x, y] = this.transform.invert(pointer(event.sourceEvent, this.canvas));
        this.layout.dragTo(event.subject, x, y);
        this.requestDraw();
      })
      .on('end', () => {
        // A dragged node stays where the examiner put it (double-click frees it).
        this.layout.dragEnd();
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
    const restarted = this.layout.setData(nodes, edges);
    this.stillValid = false;
    // Until a frame has counted them, assume every edge is in view (the cheap picture while it moves).
    if (restarted) this.lastEdgesInView = Math.max(this.lastEdgesInView, edges.length);
    if (this.selection?.kind === 'node' && !this.layout.byId.has(this.selection.id)) this.select(null);
    this.requestDraw();
    // data-start says whether the last layout started from positions stored for the case (the UI tests read it).
    if (restarted) this.canvas.dataset.start = this.layout.storedStarts.size > 0 ? 'warm' : 'cold';
    if (restarted) this.markLayout('moving');
    // Nothing moves: the layout is as settled as it will get.
    else if (!this.layout.running()) this.onLayoutSettled();
  }

  /**
   * Regions to draw under the graph around their member nodes (by node id), and labelled links
   * between them; null for none. Painting only: the layout keeps them apart through the nodes'
   * group keys (REGION_GROUP_PREFIX).
   */
  setRegions(regions: readonly CanvasRegion[] | null, links: readonly CanvasRegionLink[] = []): void {
    this.regions = regions && regions.length ? { regions, links } : null;
    this.regionLayer = null;
    this.requestDraw();
  }

  /** Where a region is drawn on screen (CSS pixels relative to the canvas): its outline's bounding box; undefined when not drawn. */
  regionBoxOf(id: string): { left: number; top: number; right: number; bottom: number } | undefined {
    const layer = this.resolvedRegions();
    const shape = layer ? regionShapes(layer).find((r) => r.data.id === id) : undefined;
    if (!shape || !shape.hull.length) return undefined;
    const xs = shape.hull.map((p) => p[0] * this.transform.k + this.transform.x);
    const ys = shape.hull.map((p) => p[1] * this.transform.k + this.transform.y);
    return { left: Math.min(...xs), top: Math.min(...ys), right: Math.max(...xs), bottom: Math.max(...ys) };
  }

  /**
   * Where nodes start when they have no place yet: positions stored for the case (a warm start),
   * by node id, world units. Takes effect at the next setData.
   */
  setStoredPositions(positions: ReadonlyMap<string, { x: number; y: number }>): void {
    this.layout.setStored(positions);
  }

  /** Where the last layout started a node that took its place from the stored positions (world units); undefined for any other. */
  storedStartOf(id: string): { x: number; y: number } | undefined {
    return this.layout.storedStarts.get(id);
  }

  /** Where every node is now, by id (world units): what the case stores for the next warm start. */
  positions(): Map<string, { x: number; y: number }> {
    return this.layout.positions();
  }

  /** True while the layout still moves nodes. */
  layoutRunning(): boolean {
    return this.layout.running();
  }

  /** Ticks the last layout ran, and whether it ran in a worker or on the page (for the benchmark). */
  layoutStats(): { ticks: number; runsOn: 'none' | 'worker' | 'page' } {
    return { ...this.layout.stats };
  }

  setHighlighted(ids: ReadonlySet<string>): void {
    this.highlighted = ids;
    // Marks are drawn over the still picture: it stays valid (a pan's scratch picture holds them, and does not).
    this.scratchValid = false;
    this.requestDraw(false);
  }

  select(selection: Selection, notify = true): void {
    this.selection = selection;
    if (notify) this.options.onSelect?.(selection);
    this.scratchValid = false;
    this.requestDraw(false);
  }

  /** Centres the view on a node. */
  focus(id: string, scale = Math.min(2, Math.max(this.transform.k, 1.2))): void {
    const node = this.layout.byId.get(id);
    if (!node || node.x === undefined || node.y === undefined) return;
    this.transformTo({ x: this.width / 2 - node.x * scale, y: this.height / 2 - node.y * scale, k: scale });
  }

  /** Zooms to the data: every node, with its label (and its region's outline and name), as large as the view allows. */
  fit(padding = this.regions ? 100 : 40): void {
    const t = fitTransform(this.layout.nodes, this.width, this.height, padding);
    if (t) this.transformTo(t);
  }

  /** Fits once, after the first layout has spread a little (later refreshes keep the examiner's view). */
  fitOnce(): void {
    if (this.fitted || !this.layout.nodes.length) return;
    this.fitted = true;
    this.fit();
  }

  transformTo(t: { x: number; y: number; k: number }): void {
    select(this.canvas).call(this.zoomBehavior.transform, zoomIdentity.translate(t.x, t.y).scale(t.k));
  }

  currentTransform(): { x: number; y: number; k: number } {
    return { x: this.transform.x, y: this.transform.y, k: this.transform.k };
  }

  /** Runs the layout synchronously to rest on the page (benchmarks, screenshots). */
  settle(): void {
    this.layout.settle();
    this.requestDraw();
    this.onLayoutSettled();
  }

  stopLayout(): void {
    this.layout.stop();
  }

  /** Draws now (the benchmark measures this). */
  drawNow(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.draw();
  }

  positionOf(id: string): { x: number; y: number } | undefined {
    const n = this.layout.byId.get(id);
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
    this.layout.destroy();
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

  /** A frame at the next animation frame; contentChanged = false when only marks or the view changed. */
  requestDraw(contentChanged = true): void {
    if (contentChanged) {
      this.scratchValid = false;
      this.stillValid = false;
    }
    if (this.frame || this.destroyed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private onLayoutSettled(): void {
    if (this.destroyed) return;
    // The first layout at rest is what the examiner should see whole, unless they already moved the view.
    if (!this.settledOnce && !this.userMoved && this.layout.nodes.length) {
      this.settledOnce = true;
      this.fit();
    }
    this.markLayout('settled');
    this.options.onSettled?.();
  }

  /** data-layout on the canvas says whether nodes still move: the UI tests wait for 'settled' before they click one. */
  private markLayout(state: 'moving' | 'settled'): void {
    this.canvas.dataset.layout = state;
  }

  private scene(): Scene {
    return {
      nodes: this.layout.nodes,
      edges: this.layout.edges,
      byId: this.layout.byId,
      transform: this.transform,
      width: this.width,
      height: this.height,
      selection: this.selection,
      highlighted: this.highlighted,
      background: this.options.background,
      regions: this.resolvedRegions(),
    };
  }

  private resolvedRegions(): RegionLayer | undefined {
    if (!this.regions) return undefined;
    if (this.regionLayer?.nodes !== this.layout.nodes) {
      const byId = this.layout.byId;
      const layer: RegionLayer = {
        regions: this.regions.regions.map((data) => ({
          data,
          members: data.members.map((id) => byId.get(id)).filter((n): n is SimNode => n !== undefined),
        })),
        links: this.regions.links,
      };
      this.regionLayer = { nodes: this.layout.nodes, layer };
    }
    return this.regionLayer.layer;
  }

  private readonly onClick = (event: MouseEvent): void => {
    if (event.defaultPrevented) return;
    const node = nodeAt(this.layout.nodes, this.transform, event.offsetX, event.offsetY);
    if (node) return this.select({ kind: 'node', id: node.id });
    const edge = edgeAt(this.layout.edges, this.transform, event.offsetX, event.offsetY);
    this.select(edge ? { kind: 'edge', id: edge.data.id } : null);
  };

  private readonly onDoubleClick = (event: MouseEvent): void => {
    const node = nodeAt(this.layout.nodes, this.transform, event.offsetX, event.offsetY);
    if (!node) return;
    this.layout.release(node);
    this.markLayout('moving');
  };

  private readonly onMove = (event: MouseEvent): void => {
    const id = nodeAt(this.layout.nodes, this.transform, event.offsetX, event.offsetY)?.id ?? null;
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

  private drawOverlay(): void {
    if (this.overlayCtx) paintHover(this.overlayCtx, this.scene(), this.hovered, this.dpr, this.overlay.width, this.overlay.height);
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

  private draw(): void {
    const started = performance.now();
    // The newest positions from the layout (at most one set per frame, however many arrived).
    if (this.layout.applyLatest()) {
      this.scratchValid = false;
      this.stillValid = false;
    }
    const dense = this.lastEdgesInView > DETAIL_EDGE_LIMIT;
    const moving = this.layout.running();
    if (this.interacting && dense) {
      // Level of detail while the view moves over a dense graph: the scene is drawn at half
      // resolution, with a margin around the viewport, into a scratch canvas with every edge a
      // hairline and no arrowheads; further steps of the same gesture reuse that picture, moved and
      // scaled, until it no longer covers the view or is scaled too far. The full frame follows
      // when the view stops.
      if (!this.blitScratch()) {
        this.renderScratch();
        this.blitScratch();
      }
    } else if (moving && dense) {
      // Nodes move every frame: nothing to reuse. A dense graph is drawn the cheap way until it
      // comes to rest: at half resolution from the plan grouped once per data (hairlines, small
      // nodes as squares, no arrowheads or labels), scaled up, and the marks drawn over it.
      this.renderMoving();
      if (!this.blitScratch()) this.lastEdgesInView = paintScene(this.ctx, this.scene(), this.dpr, true, 0, 0, this.stats);
      else paintMarks(this.ctx, this.scene(), this.dpr, this.stats);
      this.scratchValid = false;
    } else if (moving || this.interacting) {
      // A sparse graph: every frame in full.
      this.scratchValid = false;
      this.lastEdgesInView = paintScene(this.ctx, this.scene(), this.dpr, false, 0, 0, this.stats);
    } else {
      // At rest: the full-detail picture is painted once and reused; marks go over it.
      this.scratchValid = false;
      if (!this.stillFits()) this.renderStill();
      if (this.still) {
        this.ctx.setTransform(1, 0, 0, 1, 0, 0);
        this.ctx.drawImage(this.still, 0, 0);
      }
      paintMarks(this.ctx, this.scene(), this.dpr, this.stats);
    }
    if (this.hovered) this.drawOverlay();
    this.stats.frames++;
    this.stats.drawMs += performance.now() - started;
  }

  private stillFits(): boolean {
    const at = this.stillAt;
    const t = this.transform;
    return (
      this.stillValid &&
      this.still !== null &&
      at !== null &&
      at.x === t.x &&
      at.y === t.y &&
      at.k === t.k &&
      this.still.width === this.canvas.width &&
      this.still.height === this.canvas.height
    );
  }

  /** Paints the graph at full detail without marks (selection, search, hover) into the still picture. */
  private renderStill(): void {
    if (!this.still || this.still.width !== this.canvas.width || this.still.height !== this.canvas.height) {
      this.still = document.createElement('canvas');
      this.still.width = this.canvas.width;
      this.still.height = this.canvas.height;
    }
    const ctx = this.still.getContext('2d', { alpha: false });
    if (!ctx) return;
    const plain: Scene = { ...this.scene(), selection: null, highlighted: new Set() };
    this.lastEdgesInView = paintScene(ctx, plain, this.dpr, false, 0, 0, this.stats);
    this.stillAt = this.transform;
    this.stillValid = true;
    this.stats.stillPaints++;
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

  /** Paints a frame of the moving graph at half resolution into the scratch canvas (no margin). */
  private renderMoving(): void {
    const ratio = this.dpr / 2;
    const width = Math.max(1, Math.ceil(this.width * ratio));
    const height = Math.max(1, Math.ceil(this.height * ratio));
    if (!this.scratch || this.scratch.width !== width || this.scratch.height !== height) {
      this.scratch = document.createElement('canvas');
      this.scratch.width = width;
      this.scratch.height = height;
    }
    const ctx = this.scratch.getContext('2d', { alpha: false });
    if (!ctx) return;
    if (!this.plan || this.plan.nodes !== this.layout.nodes || this.plan.edges !== this.layout.edges)
      this.plan = movingPlan(this.layout.nodes, this.layout.edges, this.options.background);
    this.scratchMargin = { x: 0, y: 0 };
    this.scratchAt = this.transform;
    this.lastEdgesInView = paintMoving(
      ctx,
      this.plan,
      { transform: this.transform, width: this.width, height: this.height, background: this.options.background },
      ratio,
      this.stats,
    );
    this.scratchValid = true;
  }

  /** Paints the light picture at half resolution; with a margin round the view when a pan or zoom will reuse it. */
  private renderScratch(margin = true): void {
    const mx = margin ? Math.round(this.width / 4) : 0;
    const my = margin ? Math.round(this.height / 4) : 0;
    const ratio = this.dpr / 2;
    const width = Math.max(1, Math.ceil((this.width + 2 * mx) * ratio));
    const height = Math.max(1, Math.ceil((this.height + 2 * my) * ratio));
    if (!this.scratch || this.scratch.width !== width || this.scratch.height !== height) {
      this.scratch = document.createElement('canvas');
      this.scratch.width = width;
      this.scratch.height = height;
    }
    const ctx = this.scratch.getContext('2d', { alpha: false });
    if (!ctx) return;
    this.scratchMargin = { x: mx, y: my };
    this.scratchAt = this.transform;
    this.lastEdgesInView = paintScene(ctx, this.scene(), ratio, true, mx, my, this.stats);
    this.scratchValid = true;
  }
}
