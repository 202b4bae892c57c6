import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { GraphLayout } from '../../../renderer/src/views/graph/graph-layout';
import { blendOver, movingPlan } from '../../../renderer/src/views/graph/graph-paint';
import type { CanvasEdge, CanvasNode } from '../../../renderer/src/views/graph/graph-types';

// What a frame of a moving graph draws, grouped once per data, and a warm start from the
// positions stored for a case. GraphLayout runs its engine on the page here (no worker in Node),
// one step per animation frame: the frames are timers.
const g = globalThis as { requestAnimationFrame?: (cb: (t: number) => void) => unknown; cancelAnimationFrame?: (id: unknown) => void };
const raf = g.requestAnimationFrame;
const caf = g.cancelAnimationFrame;
g.requestAnimationFrame ??= (cb) => setTimeout(() => cb(performance.now()), 1);
g.cancelAnimationFrame ??= (id) => clearTimeout(id as ReturnType<typeof setTimeout>);
after(() => {
  g.requestAnimationFrame = raf;
  g.cancelAnimationFrame = caf;
});

const node = (id: string, group: string, color = '#4e79a7', faded = false): CanvasNode => ({
  id,
  label: id,
  color,
  radius: 7,
  group,
  rings: id === 'b' ? ['risk'] : [],
  faded,
  prominent: false,
});
const edge = (id: string, source: string, target: string, color = '#5f7390', alpha = 0.6): CanvasEdge => ({
  id,
  source,
  target,
  color,
  width: 1,
  dash: 'solid',
  alpha,
});

describe('moving frames and warm starts', () => {
  it('blends a translucent colour over the background into the opaque colour it shows', () => {
    assert.equal(blendOver('#ffffff', 0.5, '#000000'), '#808080');
    assert.equal(blendOver('#fff', 1, '#000'), '#ffffff');
    assert.equal(blendOver('#5f7390', 0, '#0b0f14'), '#0b0f14');
    assert.equal(blendOver('rgb(1, 2, 3)', 0.5, '#000000'), undefined, 'another notation is left to the canvas');
  });

  it('groups edges by their opaque colour and nodes by colour and fading, once, with the ringed nodes apart', () => {
    const layout = new GraphLayout(
      () => undefined,
      () => undefined,
    );
    layout.setData(
      [node('a', 'g1'), node('b', 'g1'), node('c', 'g2', '#f28e2b'), node('d', 'g2', '#f28e2b', true)],
      [edge('e1', 'a', 'b'), edge('e2', 'b', 'c'), edge('e3', 'c', 'd', '#f28e2b', 1), edge('e4', 'a', 'c', 'rgb(1,2,3)')],
    );
    const plan = movingPlan(layout.nodes, layout.edges, '#000000');
    layout.destroy();
    const edges = plan.edgeBatches.map((b) => [b.color, b.alpha, b.list.map((e) => e.data.id)]).sort();
    assert.deepEqual(edges, [
      ['#394556', 1, ['e1', 'e2']],
      ['#f28e2b', 1, ['e3']],
      ['rgb(1,2,3)', 0.6, ['e4']],
    ]);
    const nodes = plan.nodeBatches.map((b) => [b.color, b.alpha, b.list.map((n) => n.id)]).sort();
    assert.deepEqual(nodes, [
      ['#4e79a7', 1, ['a', 'b']],
      ['#f28e2b', 0.3, ['d']],
      ['#f28e2b', 1, ['c']],
    ]);
    assert.deepEqual(
      plan.ringed.map((n) => n.id),
      ['b'],
    );
  });

  it('starts nodes from the positions stored for the case, and seeds only the others', async () => {
    let settled!: () => void;
    const done = new Promise<void>((resolve) => (settled = resolve));
    const layout = new GraphLayout(
      () => undefined,
      () => settled(),
    );
    layout.setStored(
      new Map([
        ['a', { x: 100.5, y: -20.25 }],
        ['b', { x: 140, y: -20 }],
      ]),
    );
    layout.setData([node('a', 'g1'), node('b', 'g1'), node('c', 'g1')], [edge('e1', 'a', 'b'), edge('e2', 'b', 'c')]);
    assert.deepEqual(layout.storedStarts.get('a'), { x: 100.5, y: -20.25 });
    assert.deepEqual(layout.storedStarts.get('b'), { x: 140, y: -20 });
    assert.equal(layout.storedStarts.has('c'), false, 'a node with no stored place is seeded');
    await done;
    layout.destroy();
    // A layout with nothing stored starts cold.
    const cold = new GraphLayout(
      () => undefined,
      () => undefined,
    );
    cold.setData([node('a', 'g1')], []);
    assert.equal(cold.storedStarts.size, 0);
    cold.destroy();
  });
});
