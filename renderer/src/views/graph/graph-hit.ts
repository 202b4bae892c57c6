import type { ViewTransform } from './graph-types';

// Hit-testing: which node or edge lies under a point on screen. Pure functions of positions and
// the view transform, so they are unit-tested without a canvas. Targets have a minimum size on
// screen: zoomed out, a 7-unit node is a few pixels across and a hairline edge is one, and
// neither should need a steady hand to click.

/** A node's hit disc is at least this radius on screen (CSS pixels), however far out the view is. */
export const NODE_HIT_MIN_PX = 10;
/** Slack around a node's drawn disc (CSS pixels). */
export const NODE_HIT_SLACK_PX = 4;
/** How far from an edge's line a click still hits it (CSS pixels). */
export const EDGE_HIT_PX = 7;

interface Placed {
  x?: number | undefined;
  y?: number | undefined;
}

export interface HitNode extends Placed {
  data: { radius: number };
}

export interface HitEdge {
  source: Placed;
  target: Placed;
}

export function toWorld(t: ViewTransform, sx: number, sy: number): [number, number] {
  return [(sx - t.x) / t.k, (sy - t.y) / t.k];
}

/** The node whose hit disc contains the screen point; the nearest centre wins where discs overlap. */
export function nodeAt<N extends HitNode>(nodes: readonly N[], t: ViewTransform, sx: number, sy: number): N | undefined {
  const [x, y] = toWorld(t, sx, sy);
  const minR = NODE_HIT_MIN_PX / t.k;
  const slack = NODE_HIT_SLACK_PX / t.k;
  let best: N | undefined;
  let bestD = Infinity;
  for (const n of nodes) {
    const dx = (n.x ?? 0) - x;
    const dy = (n.y ?? 0) - y;
    const d = dx * dx + dy * dy;
    const r = Math.max(n.data.radius + slack, minR);
    if (d <= r * r && d < bestD) {
      best = n;
      bestD = d;
    }
  }
  return best;
}

/** Squared distance from (x, y) to the segment a–b. */
export function segmentDistanceSq(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len = dx * dx + dy * dy;
  const s = len === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len));
  const px = ax + s * dx - x;
  const py = ay + s * dy - y;
  return px * px + py * py;
}

/** The edge nearest the screen point, within EDGE_HIT_PX on screen. */
export function edgeAt<E extends HitEdge>(edges: readonly E[], t: ViewTransform, sx: number, sy: number): E | undefined {
  const [x, y] = toWorld(t, sx, sy);
  const tolerance = EDGE_HIT_PX / t.k;
  let best: E | undefined;
  let bestD = tolerance * tolerance;
  for (const e of edges) {
    const d = segmentDistanceSq(x, y, e.source.x ?? 0, e.source.y ?? 0, e.target.x ?? 0, e.target.y ?? 0);
    if (d <= bestD) {
      best = e;
      bestD = d;
    }
  }
  return best;
}
