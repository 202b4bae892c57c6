import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COLD_ALPHA, ForceEngine, groupAnchors, REST_PX, seedPositions, warmAlpha } from '../../../renderer/src/views/graph/graph-force';

/** A graph of `groups` groups of `size` nodes, each node linked to the next in its group and every fifth to another group. */
function graph(groups: number, size: number) {
  const nodes: { id: string; group: string; radius: number }[] = [];
  for (let g = 0; g < groups; g++) for (let i = 0; i < size; i++) nodes.push({ id: `n${g}-${i}`, group: `g${g}`, radius: 7 });
  const pairs: number[] = [];
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i + 1 < size; i++) pairs.push(g * size + i, g * size + i + 1);
    pairs.push(g * size, ((g + 1) % groups) * size + 2);
  }
  return { nodes, links: Uint32Array.from(pairs) };
}

function input(nodes: { group: string; radius: number }[], links: Uint32Array, positions: Float32Array, alpha: number) {
  const anchors = groupAnchors(nodes);
  const anchor = new Float32Array(nodes.length * 2);
  nodes.forEach((n, i) => {
    const a = anchors.get(n.group) ?? { x: 0, y: 0 };
    anchor[2 * i] = a.x;
    anchor[2 * i + 1] = a.y;
  });
  return {
    radius: Float32Array.from(nodes.map((n) => n.radius)),
    anchor,
    positions,
    pinned: new Uint8Array(nodes.length),
    links,
    alpha,
  };
}

describe('graph layout forces', () => {
  it('gives each group an anchor, the largest in the middle, the others apart from each other', () => {
    const nodes = [...Array(40).fill('big'), ...Array(10).fill('a'), ...Array(10).fill('b'), 'c'].map((group: string) => ({ group }));
    const anchors = groupAnchors(nodes);
    assert.deepEqual(anchors.get('big'), { x: 0, y: 0 });
    assert.deepEqual(groupAnchors(nodes), anchors, 'the same groups give the same anchors');
    const list = [...anchors.values()];
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i] ?? { x: 0, y: 0 };
        const b = list[j] ?? { x: 0, y: 0 };
        assert.ok(Math.hypot(a.x - b.x, a.y - b.y) > 40, `anchors ${i} and ${j} are apart`);
      }
  });

  it('seeds nodes round their group anchor or beside a placed neighbour, and keeps known positions', () => {
    const { nodes, links } = graph(3, 20);
    const anchors = groupAnchors(nodes);
    const out = new Float32Array(nodes.length * 2);
    // Node 0 is known; node 1 (linked to it) starts beside it; the rest of the groups fill their discs.
    const seeded = seedPositions(nodes, links, anchors, out, (i) => (i === 0 ? { x: 1000, y: 1000 } : undefined));
    assert.equal(seeded, nodes.length - 1);
    assert.deepEqual([out[0], out[1]], [1000, 1000]);
    assert.ok(Math.hypot((out[2] ?? 0) - 1000, (out[3] ?? 0) - 1000) <= 31, 'the neighbour of a placed node starts next to it');
    const g2 = anchors.get('g2') ?? { x: 0, y: 0 };
    for (let i = 45; i < 60; i++) {
      const d = Math.hypot((out[2 * i] ?? 0) - g2.x, (out[2 * i + 1] ?? 0) - g2.y);
      assert.ok(d < 100, `node ${i} starts inside its group's disc (${d.toFixed(0)} from the anchor)`);
    }
    const points = new Set<string>();
    for (let i = 0; i < nodes.length; i++) points.add(`${out[2 * i]},${out[2 * i + 1]}`);
    assert.equal(points.size, nodes.length, 'no two nodes start on the same spot');
  });

  it('comes to rest cold in far fewer ticks than d3 cooling, and a warm start from rest barely moves', () => {
    const { nodes, links } = graph(12, 40);
    const positions = new Float32Array(nodes.length * 2);
    seedPositions(nodes, links, groupAnchors(nodes), positions, () => undefined);
    const cold = new ForceEngine(input(nodes, links, positions, COLD_ALPHA));
    while (!cold.atRest() && cold.ticks < 400) cold.step();
    assert.ok(cold.atRest(), 'the cold layout comes to rest');
    assert.ok(cold.lastMove < REST_PX);
    assert.ok(cold.ticks < 150, `${cold.ticks} ticks (d3's own cooling runs 300)`);
    const rest = new Float32Array(nodes.length * 2);
    cold.write(rest);

    const warm = new ForceEngine(input(nodes, links, rest.slice(), warmAlpha(nodes.length, nodes.length)));
    while (!warm.atRest() && warm.ticks < 400) warm.step();
    assert.ok(warm.ticks <= 5, `a warm start comes to rest in ${warm.ticks} ticks`);
    const after = new Float32Array(nodes.length * 2);
    warm.write(after);
    let moved = 0;
    for (let i = 0; i < after.length; i++) moved = Math.max(moved, Math.abs((after[i] ?? 0) - (rest[i] ?? 0)));
    assert.ok(moved < 3, `no node moved more than ${moved.toFixed(2)} world units`);
  });

  it('keeps a pinned node where it is held, and stays warm while held', () => {
    const { nodes, links } = graph(2, 10);
    const positions = new Float32Array(nodes.length * 2);
    seedPositions(nodes, links, groupAnchors(nodes), positions, () => undefined);
    const engine = new ForceEngine(input(nodes, links, positions, COLD_ALPHA));
    engine.pin(3, 500, -500);
    engine.hold(0.2);
    for (let i = 0; i < 50; i++) engine.step();
    assert.equal(engine.atRest(), false, 'held warm, it never rests');
    const out = new Float32Array(nodes.length * 2);
    engine.write(out);
    assert.deepEqual([out[6], out[7]], [500, -500]);
    engine.hold(0);
    while (!engine.atRest() && engine.ticks < 600) engine.step();
    assert.ok(engine.atRest(), 'let go, it comes to rest');
  });

  it('starts warm in proportion to what is new', () => {
    assert.equal(warmAlpha(0, 100), COLD_ALPHA);
    assert.equal(warmAlpha(100, 100), 0.01);
    assert.ok(warmAlpha(90, 100) > 0.1 && warmAlpha(90, 100) < warmAlpha(50, 100));
  });
});
