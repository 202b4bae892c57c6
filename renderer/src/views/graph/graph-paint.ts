import { polygonHull } from 'd3';
import type { CanvasRegion, CanvasRegionLink, EdgeDash, RingKind, Selection, SimEdge, SimNode, ViewTransform } from './graph-types';

// Painting: one frame of the graph on a 2D context. Shapes are filled and stroked one by one (or
// in small batches): the rasteriser is far slower on one path of thousands of sub-paths than on
// thousands of small paths, except for hairlines, which stay batched per style.

const RING_STYLE: Record<RingKind, { color: string; width: number; gap: number; dash: number[] }> = {
  risk: { color: '#ff2e63', width: 2.5, gap: 2.5, dash: [] },
  quarantined: { color: '#f0a030', width: 2, gap: 5.5, dash: [3, 2] },
  drifted: { color: '#b07cff', width: 2, gap: 8.5, dash: [] },
};

const DASH: Record<EdgeDash, number[]> = { solid: [], dashed: [6, 4], dotted: [1.5, 3] };
const MAX_LABELS = 400;
const LABEL_FONT = "'DejaVu Sans', system-ui, sans-serif";
const BACKGROUND = '#0b0f14';

export interface Scene {
  nodes: readonly SimNode[];
  edges: readonly SimEdge[];
  byId: ReadonlyMap<string, SimNode>;
  transform: ViewTransform;
  /** The view, CSS pixels. */
  width: number;
  height: number;
  selection: Selection;
  highlighted: ReadonlySet<string>;
  background?: string | undefined;
  /** Regions under the graph (a cluster graph's Swarm nodes) and the links between them; absent for a plain graph. */
  regions?: RegionLayer | undefined;
}

export interface RegionLayer {
  regions: { data: CanvasRegion; members: readonly SimNode[] }[];
  links: readonly CanvasRegionLink[];
}

/** Where a region is drawn this frame (world units). */
export interface RegionShape {
  data: CanvasRegion;
  /** Hull of its members' discs, padded; empty when it has no member placed yet. */
  hull: [number, number][];
  cx: number;
  cy: number;
  minY: number;
}

/** Space between a region's outline and its members' discs (world units). */
const REGION_PAD = 22;
const HULL_STEPS = 10;
const REGION_STYLE = {
  reached: { fill: 'rgba(78, 121, 167, 0.12)', stroke: '#6f93bd', text: '#a9c4e4' },
  unreachable: { fill: 'rgba(225, 87, 89, 0.10)', stroke: '#e15759', text: '#f3a6a7' },
};
/** Where along its line a link's name may go (fractions of the line), best first. */
const LABEL_STOPS = [0.5, 0.35, 0.65, 0.2, 0.8];
/** Parallel overlay lines between the same regions sit this far apart (world units). */
const LINK_SPREAD = 14;

/** Where each region is drawn, from its members' current positions: padded convex hull, centre and top. */
export function regionShapes(layer: RegionLayer): RegionShape[] {
  return layer.regions.map(({ data, members }) => {
    const points: [number, number][] = [];
    let sx = 0;
    let sy = 0;
    let placed = 0;
    for (const n of members) {
      if (n.x === undefined || n.y === undefined) continue;
      sx += n.x;
      sy += n.y;
      placed++;
      const r = n.data.radius + REGION_PAD;
      for (let i = 0; i < HULL_STEPS; i++) {
        const a = (i / HULL_STEPS) * Math.PI * 2;
        points.push([n.x + Math.cos(a) * r, n.y + Math.sin(a) * r]);
      }
    }
    const hull = points.length >= 3 ? (polygonHull(points) ?? []) : [];
    const minY = hull.reduce((m, p) => Math.min(m, p[1]), Infinity);
    return { data, hull, cx: placed ? sx / placed : 0, cy: placed ? sy / placed : 0, minY: Number.isFinite(minY) ? minY : 0 };
  });
}

/** The segments an overlay link is drawn as: consecutive regions, closed into a ring from three on. */
function linkSegments(link: CanvasRegionLink, byId: ReadonlyMap<string, RegionShape>): [RegionShape, RegionShape][] {
  const shapes = link.regions.map((id) => byId.get(id)).filter((r): r is RegionShape => r !== undefined && r.hull.length > 0);
  const segments: [RegionShape, RegionShape][] = [];
  for (let i = 0; i + 1 < shapes.length; i++) segments.push([shapes[i] as RegionShape, shapes[i + 1] as RegionShape]);
  if (shapes.length >= 3) segments.push([shapes[shapes.length - 1] as RegionShape, shapes[0] as RegionShape]);
  return segments;
}

/** Where the segment (x0, y0) → (x1, y1), starting inside the convex `hull`, leaves it: a fraction of its length (0 when it never does). */
function exitAt(hull: readonly [number, number][], x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  let best = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const [px, py] = hull[i] as [number, number];
    const [qx, qy] = hull[(i + 1) % hull.length] as [number, number];
    const ex = qx - px;
    const ey = qy - py;
    const denominator = dx * ey - dy * ex;
    if (denominator === 0) continue;
    const t = ((px - x0) * ey - (py - y0) * ex) / denominator;
    const u = ((px - x0) * dy - (py - y0) * dx) / denominator;
    if (t > 0 && u >= 0 && u <= 1 && t < best) best = t;
  }
  return Number.isFinite(best) ? best : 0;
}

/** Below this gap between two outlines (world units) a link is drawn centre to centre: a stub would not show. */
const MIN_LINK_GAP = 40;

/**
 * The line between two regions' centres, moved sideways by `offset` (parallel links apart), cut
 * to the stretch between their outlines; the whole line when the outlines (nearly) touch along it.
 */
function offsetSegment(a: RegionShape, b: RegionShape, offset: number): [number, number, number, number] {
  const dx = b.cx - a.cx;
  const dy = b.cy - a.cy;
  const length = Math.hypot(dx, dy) || 1;
  // Sideways by the pair's order, not the segment's: a ring drawn the other way round stays on its own side.
  const side = a.data.id < b.data.id ? offset : -offset;
  const ox = (-dy / length) * side;
  const oy = (dx / length) * side;
  const [x0, y0, x1, y1] = [a.cx + ox, a.cy + oy, b.cx + ox, b.cy + oy];
  const from = exitAt(a.hull, x0, y0, x1, y1);
  const to = 1 - exitAt(b.hull, x1, y1, x0, y0);
  if ((to - from) * Math.hypot(x1 - x0, y1 - y0) < MIN_LINK_GAP) return [x0, y0, x1, y1];
  return [x0 + (x1 - x0) * from, y0 + (y1 - y0) * from, x0 + (x1 - x0) * to, y0 + (y1 - y0) * to];
}

/** Regions' outlines and fills, then the overlay links between their centres: under the edges and nodes. */
function paintRegionsUnder(
  ctx: CanvasRenderingContext2D,
  shapes: readonly RegionShape[],
  links: readonly CanvasRegionLink[],
  k: number,
): void {
  for (const shape of shapes) {
    if (!shape.hull.length) continue;
    const style = shape.data.unreachable ? REGION_STYLE.unreachable : REGION_STYLE.reached;
    ctx.beginPath();
    shape.hull.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.closePath();
    ctx.fillStyle = style.fill;
    ctx.fill();
    ctx.strokeStyle = style.stroke;
    ctx.lineWidth = 1.5 / k;
    ctx.setLineDash(shape.data.unreachable ? [7 / k, 5 / k] : []);
    ctx.stroke();
  }
  const byId = new Map(shapes.map((r) => [r.data.id, r]));
  ctx.globalAlpha = 0.8;
  ctx.lineWidth = 3 / k;
  ctx.setLineDash([12 / k, 6 / k]);
  links.forEach((link, i) => {
    const offset = (i - (links.length - 1) / 2) * LINK_SPREAD;
    ctx.strokeStyle = link.color;
    ctx.beginPath();
    for (const [a, b] of linkSegments(link, byId)) {
      const [x0, y0, x1, y1] = offsetSegment(a, b, offset);
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
    }
    ctx.stroke();
  });
  ctx.globalAlpha = 1;
  ctx.setLineDash([]);
}

/** Regions' names over their tops and overlay links' names at the middle of their first segment, screen-constant size. */
function paintRegionLabels(
  ctx: CanvasRenderingContext2D,
  shapes: readonly RegionShape[],
  links: readonly CanvasRegionLink[],
  k: number,
): void {
  ctx.textAlign = 'center';
  ctx.lineWidth = 3 / k;
  ctx.strokeStyle = BACKGROUND;
  // Boxes already taken by a name (world units): a link's name goes where it covers none of them.
  const taken: { x0: number; y0: number; x1: number; y1: number }[] = [];
  const box = (text: string, x: number, y: number, height: number, baseline: 'bottom' | 'middle') => {
    const half = ctx.measureText(text).width / 2 + 2 / k;
    const top = baseline === 'bottom' ? y - height : y - height / 2;
    return { x0: x - half, y0: top, x1: x + half, y1: top + height };
  };
  for (const shape of shapes) {
    if (!shape.hull.length) continue;
    const style = shape.data.unreachable ? REGION_STYLE.unreachable : REGION_STYLE.reached;
    ctx.fillStyle = style.text;
    ctx.textBaseline = 'bottom';
    ctx.font = `bold ${12 / k}px ${LABEL_FONT}`;
    const top = shape.minY - 16 / k;
    ctx.strokeText(shape.data.label, shape.cx, top);
    ctx.fillText(shape.data.label, shape.cx, top);
    taken.push(box(shape.data.label, shape.cx, top, 14 / k, 'bottom'));
    ctx.font = `${10 / k}px ${LABEL_FONT}`;
    ctx.strokeText(shape.data.detail, shape.cx, shape.minY - 3 / k);
    ctx.fillText(shape.data.detail, shape.cx, shape.minY - 3 / k);
    taken.push(box(shape.data.detail, shape.cx, shape.minY - 3 / k, 12 / k, 'bottom'));
  }
  const byId = new Map(shapes.map((r) => [r.data.id, r]));
  ctx.font = `${11 / k}px ${LABEL_FONT}`;
  ctx.textBaseline = 'middle';
  const free = (b: { x0: number; y0: number; x1: number; y1: number }) =>
    taken.every((t) => b.x1 < t.x0 || b.x0 > t.x1 || b.y1 < t.y0 || b.y0 > t.y1);
  links.forEach((link, i) => {
    ctx.fillStyle = link.color;
    const [first] = linkSegments(link, byId);
    if (!first) return;
    const [x0, y0, x1, y1] = offsetSegment(first[0], first[1], (i - (links.length - 1) / 2) * LINK_SPREAD);
    const length = Math.hypot(x1 - x0, y1 - y0) || 1;
    // Beside the line (parallel links' names on alternate sides), at the first place along it clear of other names.
    const side = (i % 2 ? 10 : -10) / k;
    let chosen: { x: number; y: number } | undefined;
    for (const along of LABEL_STOPS) {
      const x = x0 + (x1 - x0) * along + (-(y1 - y0) / length) * side;
      const y = y0 + (y1 - y0) * along + ((x1 - x0) / length) * side;
      chosen ??= { x, y };
      if (!free(box(link.label, x, y, 13 / k, 'middle'))) continue;
      chosen = { x, y };
      break;
    }
    if (!chosen) return;
    taken.push(box(link.label, chosen.x, chosen.y, 13 / k, 'middle'));
    ctx.strokeText(link.label, chosen.x, chosen.y);
    ctx.fillText(link.label, chosen.x, chosen.y);
  });
}

export interface PaintStats {
  scenes: number;
  edgesMs: number;
  nodesMs: number;
  labelsMs: number;
}

function invert(t: ViewTransform, sx: number, sy: number): [number, number] {
  return [(sx - t.x) / t.k, (sy - t.y) / t.k];
}

function labelY(n: SimNode, k: number): number {
  return (n.y ?? 0) + n.data.radius + 4 / k + (n.data.rings.length ? 8 : 0);
}

/**
 * Draws one frame at `ratio` device pixels per CSS pixel, with a margin (mx, my) around the view;
 * `light` draws every edge as a hairline without arrowheads (while a dense view moves). Returns the
 * number of edges in view.
 */
export function paintScene(
  ctx: CanvasRenderingContext2D,
  scene: Scene,
  ratio: number,
  light: boolean,
  mx: number,
  my: number,
  stats: PaintStats,
): number {
  const started = performance.now();
  stats.scenes++;
  const t = scene.transform;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.fillStyle = scene.background ?? BACKGROUND;
  ctx.fillRect(0, 0, scene.width + 2 * mx, scene.height + 2 * my);
  if (scene.nodes.length === 0) return 0;
  ctx.setTransform(ratio * t.k, 0, 0, ratio * t.k, ratio * (t.x + mx), ratio * (t.y + my));
  // The world rectangle drawn (the screen and any margin around it): what lies outside is not drawn.
  const [x0, y0] = invert(t, -mx - 20, -my - 20);
  const [x1, y1] = invert(t, scene.width + mx + 20, scene.height + my + 20);
  const inView = (x: number, y: number, r = 0) => x + r >= x0 && x - r <= x1 && y + r >= y0 && y - r <= y1;
  const selectedEdge = scene.selection?.kind === 'edge' ? scene.selection.id : null;
  const selectedNode = scene.selection?.kind === 'node' ? scene.selection.id : null;
  const highlighted = scene.highlighted;
  const dimOthers = highlighted.size > 0;
  const shapes = scene.regions ? regionShapes(scene.regions) : null;
  if (shapes && scene.regions) paintRegionsUnder(ctx, shapes, scene.regions.links, t.k);

  // Edges, batched by style: (colour, width, dash, alpha).
  const batches = new Map<string, SimEdge[]>();
  const front: SimEdge[] = [];
  let edgesInView = 0;
  for (const e of scene.edges) {
    const ax = e.source.x ?? 0;
    const ay = e.source.y ?? 0;
    const bx = e.target.x ?? 0;
    const by = e.target.y ?? 0;
    if (Math.max(ax, bx) < x0 || Math.min(ax, bx) > x1 || Math.max(ay, by) < y0 || Math.min(ay, by) > y1) continue;
    edgesInView++;
    if (e.data.id === selectedEdge || (selectedNode && (e.source.id === selectedNode || e.target.id === selectedNode))) {
      front.push(e);
      continue;
    }
    const dim = dimOthers && !(highlighted.has(e.source.id) || highlighted.has(e.target.id));
    const width = light ? 1 : e.data.width;
    const dash = light ? 'solid' : e.data.dash;
    const key = `${e.data.color}|${width}|${dash}|${dim ? e.data.alpha * 0.25 : e.data.alpha}`;
    const list = batches.get(key);
    if (list) list.push(e);
    else batches.set(key, [e]);
  }
  const arrows = !light && t.k >= 0.5 && edgesInView <= 4000;
  strokeEdgeBatches(ctx, t.k, ratio, batches, front, selectedEdge, arrows);
  const edgesDone = performance.now();
  stats.edgesMs += edgesDone - started;

  // Nodes, grouped by fill colour and fading (fewer state changes), each its own small path.
  const fills = new Map<string, SimNode[]>();
  const visible: SimNode[] = [];
  for (const n of scene.nodes) {
    if (!inView(n.x ?? 0, n.y ?? 0, n.data.radius + 10)) continue;
    visible.push(n);
    const faded = n.data.faded || (dimOthers && !highlighted.has(n.id));
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
  if (highlighted.size) {
    ctx.strokeStyle = '#3ee0ff';
    ctx.lineWidth = 2 / t.k;
    for (const n of visible) {
      if (!highlighted.has(n.id)) continue;
      ctx.beginPath();
      ctx.arc(n.x ?? 0, n.y ?? 0, n.data.radius + 11, 0, Math.PI * 2);
      ctx.stroke();
    }
  }
  const chosen = selectedNode ? scene.byId.get(selectedNode) : undefined;
  if (chosen) {
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 2 / t.k;
    ctx.beginPath();
    ctx.arc(chosen.x ?? 0, chosen.y ?? 0, chosen.data.radius + 13, 0, Math.PI * 2);
    ctx.stroke();
  }
  const nodesDone = performance.now();
  stats.nodesMs += nodesDone - edgesDone;

  // Labels in screen-constant size: marked nodes and, zoomed in on few, all of them.
  ctx.font = `${11 / t.k}px ${LABEL_FONT}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.lineWidth = 3 / t.k;
  ctx.strokeStyle = BACKGROUND;
  let labels = 0;
  const showAll = !light && t.k >= 1 && visible.length <= 600;
  for (const n of visible) {
    const marked = highlighted.has(n.id) || n.id === selectedNode;
    if (!(marked || showAll || (n.data.prominent && !light))) continue;
    if (++labels > MAX_LABELS) break;
    const y = labelY(n, t.k);
    ctx.fillStyle = n.data.faded ? '#8d9bad' : '#d6dee8';
    ctx.strokeText(n.data.label, n.x ?? 0, y);
    ctx.fillText(n.data.label, n.x ?? 0, y);
  }
  if (shapes && scene.regions) paintRegionLabels(ctx, shapes, scene.regions.links, t.k);
  stats.labelsMs += performance.now() - nodesDone;
  return edgesInView;
}

/**
 * Strokes each batch of edges sharing a style (key 'color|width|dash|alpha'), then the highlighted
 * ones (`front`) on top, the selected one white.
 */
function strokeEdgeBatches(
  ctx: CanvasRenderingContext2D,
  k: number,
  ratio: number,
  batches: ReadonlyMap<string, SimEdge[]>,
  front: readonly SimEdge[],
  selectedEdge: string | null | undefined,
  arrows: boolean,
): void {
  for (const [key, list] of batches) {
    const [color = '#888', width = '1', dash = 'solid', alpha = '1'] = key.split('|');
    strokeEdges(ctx, k, ratio, list, color, Number(width), dash as EdgeDash, Number(alpha), arrows);
  }
  for (const e of front)
    strokeEdges(
      ctx,
      k,
      ratio,
      [e],
      e.data.id === selectedEdge ? '#ffffff' : '#9fc3ff',
      Math.max(2, e.data.width + 1),
      e.data.dash,
      1,
      true,
    );
}

function strokeEdges(
  ctx: CanvasRenderingContext2D,
  k: number,
  ratio: number,
  list: readonly SimEdge[],
  color: string,
  width: number,
  dash: EdgeDash,
  alpha: number,
  arrows: boolean,
): void {
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

/**
 * What a frame of a graph whose nodes move draws, grouped once per data rather than every frame:
 * edges by colour (an edge's alpha blended into its colour over the background: the rasteriser
 * draws an opaque hairline in about half the time of a translucent one, and the two differ only
 * where edges cross), nodes by colour and fading, with the disc pictures they are stamped from,
 * and the nodes that carry rings. Positions are read from the nodes at paint time, so the plan
 * stays valid for as long as the node and edge arrays do.
 */
export interface MovingPlan {
  nodes: readonly SimNode[];
  edges: readonly SimEdge[];
  edgeBatches: { color: string; alpha: number; list: SimEdge[] }[];
  nodeBatches: NodeBatch[];
  ringed: SimNode[];
}

interface NodeBatch {
  color: string;
  alpha: number;
  list: SimNode[];
  /** Pictures of one disc of this batch, by its radius in device pixels × 2 (rounded). */
  sprites: Map<number, HTMLCanvasElement>;
}

/** A colour '#rgb' or '#rrggbb' drawn at `alpha` over `background`, as an opaque '#rrggbb'; undefined for any other notation. */
export function blendOver(color: string, alpha: number, background: string): string | undefined {
  const parse = (hex: string): number[] | undefined => {
    const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex);
    if (!m?.[1]) return undefined;
    const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  };
  const fg = parse(color);
  const bg = parse(background);
  if (!fg || !bg) return undefined;
  const a = Math.min(1, Math.max(0, alpha));
  return `#${fg
    .map((c, i) =>
      Math.round(c * a + (bg[i] ?? 0) * (1 - a))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** Groups the graph's nodes and edges by how a moving frame draws them (see MovingPlan). */
export function movingPlan(nodes: readonly SimNode[], edges: readonly SimEdge[], background = BACKGROUND): MovingPlan {
  const edgeBatches = new Map<string, { color: string; alpha: number; list: SimEdge[] }>();
  for (const e of edges) {
    const opaque = blendOver(e.data.color, e.data.alpha, background);
    const color = opaque ?? e.data.color;
    const alpha = opaque ? 1 : e.data.alpha;
    const key = `${color}|${alpha}`;
    const batch = edgeBatches.get(key);
    if (batch) batch.list.push(e);
    else edgeBatches.set(key, { color, alpha, list: [e] });
  }
  const nodeBatches = new Map<string, NodeBatch>();
  const ringed: SimNode[] = [];
  for (const n of nodes) {
    const alpha = n.data.faded ? 0.3 : 1;
    const key = `${n.data.color}|${alpha}`;
    const batch = nodeBatches.get(key);
    if (batch) batch.list.push(n);
    else nodeBatches.set(key, { color: n.data.color, alpha, list: [n], sprites: new Map() });
    if (n.data.rings.length) ringed.push(n);
  }
  return { nodes, edges, edgeBatches: [...edgeBatches.values()], nodeBatches: [...nodeBatches.values()], ringed };
}

/** Sprites kept per batch at most (one per disc size on screen; a zoom makes new ones). */
const MAX_SPRITES = 48;

function spriteFor(batch: NodeBatch, halfPixels: number): HTMLCanvasElement | undefined {
  let sprite = batch.sprites.get(halfPixels);
  if (sprite) return sprite;
  if (batch.sprites.size >= MAX_SPRITES) batch.sprites.clear();
  const r = halfPixels / 2;
  sprite = document.createElement('canvas');
  sprite.width = sprite.height = Math.ceil(2 * r) + 2;
  const ctx = sprite.getContext('2d');
  if (!ctx) return undefined;
  ctx.globalAlpha = batch.alpha;
  ctx.fillStyle = batch.color;
  ctx.beginPath();
  ctx.arc(sprite.width / 2, sprite.height / 2, r, 0, Math.PI * 2);
  ctx.fill();
  batch.sprites.set(halfPixels, sprite);
  return sprite;
}

/**
 * A frame of a graph whose nodes move (the layout runs, a node is dragged): every edge an opaque
 * hairline, no arrowheads and no labels; nodes stamped from a picture of their disc (a copy costs
 * the rasteriser a fraction of drawing the disc), and those under a few device pixels across
 * drawn as squares (the same to the eye at that size); nothing allocated per edge or node. Marks
 * (selection, search) are drawn over it by paintMarks. `ratio` is device pixels per CSS pixel.
 * Returns the number of edges in view.
 */
export function paintMoving(
  ctx: CanvasRenderingContext2D,
  plan: MovingPlan,
  view: { transform: ViewTransform; width: number; height: number; background?: string | undefined },
  ratio: number,
  stats: PaintStats,
): number {
  const started = performance.now();
  stats.scenes++;
  const t = view.transform;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.globalAlpha = 1;
  ctx.fillStyle = view.background ?? BACKGROUND;
  ctx.fillRect(0, 0, view.width, view.height);
  if (!plan.nodes.length) return 0;
  const scale = ratio * t.k;
  ctx.setTransform(scale, 0, 0, scale, ratio * t.x, ratio * t.y);
  const [x0, y0] = invert(t, -20, -20);
  const [x1, y1] = invert(t, view.width + 20, view.height + 20);
  let edgesInView = 0;
  ctx.lineWidth = 1 / scale;
  ctx.setLineDash([]);
  for (const batch of plan.edgeBatches) {
    ctx.globalAlpha = batch.alpha;
    ctx.strokeStyle = batch.color;
    ctx.beginPath();
    for (const e of batch.list) {
      const ax = e.source.x ?? 0;
      const ay = e.source.y ?? 0;
      const bx = e.target.x ?? 0;
      const by = e.target.y ?? 0;
      if ((ax < x0 && bx < x0) || (ax > x1 && bx > x1) || (ay < y0 && by < y0) || (ay > y1 && by > y1)) continue;
      edgesInView++;
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
    }
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  const edgesDone = performance.now();
  stats.edgesMs += edgesDone - started;
  // Nodes in device pixels, the transform applied here: sprites land on whole pixels.
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  const ox = ratio * t.x;
  const oy = ratio * t.y;
  for (const batch of plan.nodeBatches) {
    ctx.fillStyle = batch.color;
    ctx.globalAlpha = batch.alpha;
    for (const n of batch.list) {
      const x = n.x ?? 0;
      const y = n.y ?? 0;
      const r = n.data.radius;
      if (x + r < x0 || x - r > x1 || y + r < y0 || y - r > y1) continue;
      const dr = r * scale;
      const dx = x * scale + ox;
      const dy = y * scale + oy;
      if (dr < 1.25) {
        ctx.fillRect(dx - dr, dy - dr, 2 * dr, 2 * dr);
        continue;
      }
      const sprite = spriteFor(batch, Math.round(dr * 2));
      if (!sprite) continue;
      ctx.globalAlpha = 1;
      ctx.drawImage(sprite, Math.round(dx - sprite.width / 2), Math.round(dy - sprite.height / 2));
      ctx.globalAlpha = batch.alpha;
    }
  }
  ctx.globalAlpha = 1;
  ctx.setTransform(scale, 0, 0, scale, ratio * t.x, ratio * t.y);
  for (const kind of ['risk', 'quarantined', 'drifted'] as const) {
    const style = RING_STYLE[kind];
    ctx.strokeStyle = style.color;
    ctx.lineWidth = style.width;
    ctx.beginPath();
    let traced = false;
    for (const n of plan.ringed) {
      if (!n.data.rings.includes(kind)) continue;
      const x = n.x ?? 0;
      const y = n.y ?? 0;
      const r = n.data.radius + style.gap;
      if (x + r < x0 || x - r > x1 || y + r < y0 || y - r > y1) continue;
      traced = true;
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, Math.PI * 2);
    }
    if (traced) ctx.stroke();
  }
  stats.nodesMs += performance.now() - edgesDone;
  return edgesInView;
}

/** The hovered node's ring, label and connections, on a transparent overlay (cleared first). */
export function paintHover(
  ctx: CanvasRenderingContext2D,
  scene: Scene,
  hovered: string | null,
  dpr: number,
  deviceWidth: number,
  deviceHeight: number,
): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, deviceWidth, deviceHeight);
  const n = hovered ? scene.byId.get(hovered) : undefined;
  if (!n || (scene.selection?.kind === 'node' && scene.selection.id === n.id)) return;
  const t = scene.transform;
  ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
  ctx.strokeStyle = '#9fc3ff';
  ctx.lineWidth = 1.5 / t.k;
  ctx.beginPath();
  let shown = 0;
  for (const e of scene.edges) {
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
  ctx.font = `${11 / t.k}px ${LABEL_FONT}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.lineWidth = 3 / t.k;
  ctx.strokeStyle = BACKGROUND;
  ctx.fillStyle = '#ffffff';
  const y = labelY(n, t.k);
  ctx.strokeText(n.data.label, n.x ?? 0, y);
  ctx.fillText(n.data.label, n.x ?? 0, y);
}

/** How much of the picture a search highlight veils (the rest of the graph recedes, as dimmed). */
const VEIL_ALPHA = 0.72;

/**
 * The marks drawn over the still picture of the graph (graph-canvas.ts paints the graph at rest
 * once and copies it): a search highlight veils everything in the background colour and draws the
 * matches and their edges again on top; a selection draws its edges in front with arrowheads, the
 * nodes at their ends over them, and a ring and the label on the selected node. Costs what is
 * marked, not what is drawn.
 */
export function paintMarks(ctx: CanvasRenderingContext2D, scene: Scene, ratio: number, stats: PaintStats): void {
  const highlighted = scene.highlighted;
  const selectedEdge = scene.selection?.kind === 'edge' ? scene.selection.id : null;
  const selectedNode = scene.selection?.kind === 'node' ? scene.selection.id : null;
  if (!highlighted.size && !selectedEdge && !selectedNode) return;
  const started = performance.now();
  const t = scene.transform;
  if (highlighted.size) {
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.globalAlpha = VEIL_ALPHA;
    ctx.fillStyle = scene.background ?? BACKGROUND;
    ctx.fillRect(0, 0, scene.width, scene.height);
    ctx.globalAlpha = 1;
  }
  ctx.setTransform(ratio * t.k, 0, 0, ratio * t.k, ratio * t.x, ratio * t.y);
  const [x0, y0] = invert(t, -20, -20);
  const [x1, y1] = invert(t, scene.width + 20, scene.height + 20);
  const edgeInView = (e: SimEdge) => {
    const ax = e.source.x ?? 0;
    const ay = e.source.y ?? 0;
    const bx = e.target.x ?? 0;
    const by = e.target.y ?? 0;
    return !(Math.max(ax, bx) < x0 || Math.min(ax, bx) > x1 || Math.max(ay, by) < y0 || Math.min(ay, by) > y1);
  };
  const arrows = t.k >= 0.5;
  const lit = new Set<SimNode>();
  const front: SimEdge[] = [];
  const batches = new Map<string, SimEdge[]>();
  for (const e of scene.edges) {
    const selected =
      e.data.id === selectedEdge || (selectedNode !== null && (e.source.id === selectedNode || e.target.id === selectedNode));
    const marked = highlighted.size > 0 && (highlighted.has(e.source.id) || highlighted.has(e.target.id));
    if (!(selected || marked) || !edgeInView(e)) continue;
    if (selected) {
      front.push(e);
      lit.add(e.source);
      lit.add(e.target);
      continue;
    }
    const key = `${e.data.color}|${e.data.width}|${e.data.dash}|${e.data.alpha}`;
    const list = batches.get(key);
    if (list) list.push(e);
    else batches.set(key, [e]);
  }
  strokeEdgeBatches(ctx, t.k, ratio, batches, front, selectedEdge, arrows);
  const edgesDone = performance.now();
  stats.edgesMs += edgesDone - started;

  if (highlighted.size)
    for (const id of highlighted) {
      const n = scene.byId.get(id);
      if (n) lit.add(n);
    }
  const chosen = selectedNode ? scene.byId.get(selectedNode) : undefined;
  if (chosen) lit.add(chosen);
  const visible = [...lit].filter((n) => {
    const x = n.x ?? 0;
    const y = n.y ?? 0;
    const r = n.data.radius + 14;
    return x + r >= x0 && x - r <= x1 && y + r >= y0 && y - r <= y1;
  });
  for (const n of visible) {
    ctx.globalAlpha = n.data.faded ? 0.3 : 1;
    ctx.fillStyle = n.data.color;
    ctx.beginPath();
    ctx.arc(n.x ?? 0, n.y ?? 0, n.data.radius, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
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
  ctx.strokeStyle = '#3ee0ff';
  ctx.lineWidth = 2 / t.k;
  for (const n of visible) {
    if (!highlighted.has(n.id)) continue;
    ctx.beginPath();
    ctx.arc(n.x ?? 0, n.y ?? 0, n.data.radius + 11, 0, Math.PI * 2);
    ctx.stroke();
  }
  if (chosen) {
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = 2 / t.k;
    ctx.beginPath();
    ctx.arc(chosen.x ?? 0, chosen.y ?? 0, chosen.data.radius + 13, 0, Math.PI * 2);
    ctx.stroke();
  }
  const nodesDone = performance.now();
  stats.nodesMs += nodesDone - edgesDone;

  ctx.font = `${11 / t.k}px ${LABEL_FONT}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.lineWidth = 3 / t.k;
  ctx.strokeStyle = BACKGROUND;
  let labels = 0;
  const showAll = t.k >= 1 && visible.length <= 600;
  for (const n of visible) {
    if (!(highlighted.has(n.id) || n.id === selectedNode || showAll || n.data.prominent)) continue;
    if (++labels > MAX_LABELS) break;
    const y = labelY(n, t.k);
    ctx.fillStyle = n.data.faded ? '#8d9bad' : '#d6dee8';
    ctx.strokeText(n.data.label, n.x ?? 0, y);
    ctx.fillText(n.data.label, n.x ?? 0, y);
  }
  stats.labelsMs += performance.now() - nodesDone;
}
