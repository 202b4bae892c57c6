import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EDGE_HIT_PX, edgeAt, NODE_HIT_MIN_PX, nodeAt, segmentDistanceSq } from '../../../renderer/src/views/graph/graph-hit';
import { FIT_MAX_SCALE, fitTransform } from '../../../renderer/src/views/graph/graph-layout';

const node = (id: string, x: number, y: number, radius = 7) => ({ id, x, y, data: { radius } });
const edge = (id: string, a: { x: number; y: number }, b: { x: number; y: number }) => ({ id, source: a, target: b });
const IDENTITY = { x: 0, y: 0, k: 1 };

describe('graph hit-testing', () => {
  it('finds the node under the point, the nearest centre where hit discs overlap', () => {
    const nodes = [node('a', 0, 0), node('b', 14, 0)];
    assert.equal(nodeAt(nodes, IDENTITY, 2, 0)?.id, 'a');
    assert.equal(nodeAt(nodes, IDENTITY, 12, 1)?.id, 'b');
    assert.equal(nodeAt(nodes, IDENTITY, 7, 40), undefined);
  });

  it('keeps a node at least NODE_HIT_MIN_PX across on screen when zoomed far out', () => {
    // At k = 0.1 a 7-unit node is 0.7 px on screen; a click 8 px away still hits it.
    const far = { x: 100, y: 100, k: 0.1 };
    const nodes = [node('a', 0, 0)];
    assert.equal(nodeAt(nodes, far, 100 + NODE_HIT_MIN_PX - 2, 100)?.id, 'a');
    assert.equal(nodeAt(nodes, far, 100 + NODE_HIT_MIN_PX + 2, 100), undefined);
  });

  it('maps the screen point through the transform', () => {
    const t = { x: 50, y: -20, k: 2 };
    const nodes = [node('a', 10, 10, 3)];
    // World (10, 10) is screen (70, 0).
    assert.equal(nodeAt(nodes, t, 70, 0)?.id, 'a');
    assert.equal(nodeAt(nodes, IDENTITY, 70, 0), undefined);
  });

  it('hits an edge within EDGE_HIT_PX of its line on screen, whatever the zoom, and not past its ends', () => {
    const a = { x: 0, y: 0 };
    const b = { x: 100, y: 0 };
    const edges = [edge('e', a, b)];
    assert.equal(edgeAt(edges, IDENTITY, 50, EDGE_HIT_PX - 1)?.id, 'e');
    assert.equal(edgeAt(edges, IDENTITY, 50, EDGE_HIT_PX + 1), undefined);
    assert.equal(edgeAt(edges, IDENTITY, 100 + EDGE_HIT_PX + 1, 0), undefined);
    const far = { x: 0, y: 0, k: 0.05 };
    assert.equal(edgeAt(edges, far, 2.5, EDGE_HIT_PX - 1)?.id, 'e');
  });

  it('picks the nearest of two edges', () => {
    const edges = [edge('low', { x: 0, y: 0 }, { x: 100, y: 0 }), edge('high', { x: 0, y: 6 }, { x: 100, y: 6 })];
    assert.equal(edgeAt(edges, IDENTITY, 50, 1)?.id, 'low');
    assert.equal(edgeAt(edges, IDENTITY, 50, 5)?.id, 'high');
  });

  it('measures the distance to a degenerate segment as to its point', () => {
    assert.equal(segmentDistanceSq(3, 4, 0, 0, 0, 0), 25);
  });
});

describe('graph fit', () => {
  it('zooms in on a small graph until it fills the view (up to the cap)', () => {
    const nodes = [node('a', -20, 0), node('b', 20, 0)];
    const t = fitTransform(nodes, 800, 600);
    assert.ok(t);
    assert.equal(t.k, FIT_MAX_SCALE);
  });

  it('puts every node and its disc inside the view, centred', () => {
    const nodes = [node('a', -500, -100), node('b', 700, 300, 12), node('c', 0, 0)];
    const t = fitTransform(nodes, 800, 600, 40);
    assert.ok(t);
    for (const n of nodes) {
      const sx = n.x * t.k + t.x;
      const sy = n.y * t.k + t.y;
      assert.ok(sx - n.data.radius * t.k >= 40 - 1e-9 && sx + n.data.radius * t.k <= 760 + 1e-9, `x of ${n.id}: ${sx}`);
      assert.ok(sy >= 40 && sy <= 560, `y of ${n.id}: ${sy}`);
    }
    // The wider extent fills the width.
    const left = (-500 - 7) * t.k + t.x;
    const right = (700 + 12) * t.k + t.x;
    assert.ok(Math.abs(left - 40) < 1e-6 && Math.abs(right - 760) < 1e-6);
  });

  it('gives nothing for an empty graph or a view without size', () => {
    assert.equal(fitTransform([], 800, 600), undefined);
    assert.equal(fitTransform([node('a', 0, 0)], 0, 0), undefined);
  });
});
