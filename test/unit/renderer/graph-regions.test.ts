// A cluster graph on the canvas, without a browser: Swarm nodes as regions round the members still
// in view (names escaped), overlay links only between regions that are drawn, node groups kept
// further apart by the layout than plain groups, and a region's outline round its members.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SwarmGraphLayer } from '../../../shared/domain/network';
import { groupAnchors } from '../../../renderer/src/views/graph/graph-force';
import { swarmRegions } from '../../../renderer/src/views/graph/graph-model';
import { regionShapes } from '../../../renderer/src/views/graph/graph-paint';
import { REGION_GROUP_PREFIX, type CanvasNode, type SimNode } from '../../../renderer/src/views/graph/graph-types';

const SWARM: SwarmGraphLayer = {
  manager: 'mgr',
  clusterId: 'c1',
  nodes: [
    {
      nodeId: 'n1',
      hostname: 'alpha',
      role: 'manager',
      leader: true,
      state: 'ready',
      availability: 'active',
      address: '10.0.0.1',
      host: 'mgr',
      reach: 'read',
      members: ['c:mgr/a', 'h:mgr'],
      tasks: 1,
    },
    {
      nodeId: 'n2',
      hostname: 'evil\u001b[31m\u202e',
      role: 'worker',
      leader: false,
      state: 'down',
      availability: 'drain',
      address: '10.0.0.2',
      reach: 'node-down',
      reason: 'the manager cannot reach it',
      members: ['n:mgr/n2', 't:mgr/t1'],
      tasks: 1,
    },
    {
      nodeId: 'n3',
      hostname: 'gamma',
      role: 'worker',
      leader: false,
      state: 'ready',
      availability: 'active',
      address: '10.0.0.3',
      reach: 'no-profile',
      members: ['n:mgr/n3'],
      tasks: 0,
    },
  ],
  overlays: [
    { id: 'o:mgr/net1', networkId: 'net1', name: 'front', nodes: ['n1', 'n2'], services: ['web'], tasks: 2 },
    { id: 'o:mgr/net2', networkId: 'net2', name: 'back', nodes: ['n1', 'n3'], services: ['api'], tasks: 2 },
    { id: 'o:mgr/net3', networkId: 'net3', name: 'solo', nodes: ['n1'], services: ['one'], tasks: 1 },
  ],
};

function sim(id: string, x: number, y: number, radius = 7): SimNode {
  const data: CanvasNode = { id, label: id, color: '#fff', radius, group: 'g', rings: [], faded: false, prominent: false };
  return { id, x, y, data };
}

describe('cluster graph regions', () => {
  it('draws a region per Swarm node round its members in view, and links only drawn regions', () => {
    // n3's only member is filtered out of view: its region is empty, and the link to it is not drawn.
    const result = swarmRegions(SWARM, new Set(['c:mgr/a', 'h:mgr', 'n:mgr/n2', 't:mgr/t1']));
    assert.ok(result);
    assert.deepEqual(
      result.regions.map((r) => [r.id, r.members, r.unreachable]),
      [
        ['n1', ['c:mgr/a', 'h:mgr'], false],
        ['n2', ['n:mgr/n2', 't:mgr/t1'], true],
        ['n3', [], true],
      ],
    );
    assert.equal(result.regions[0]?.detail, 'manager (leader) · ready · read via mgr');
    assert.equal(result.regions[1]?.detail, 'worker · down · drain · unreachable: as the manager lists it');
    const label = result.regions[1]?.label ?? '';
    assert.ok(!label.includes('\u001b') && !label.includes('\u202e') && label.startsWith('evil'), 'control characters escaped');
    assert.deepEqual(
      result.links.map((l) => [l.label, l.regions]),
      [['front', ['n1', 'n2']]],
    );
    assert.equal(swarmRegions(undefined, new Set()), null);
  });

  it('outlines a region round every member disc', () => {
    const members = [sim('a', 0, 0), sim('b', 100, 40, 12)];
    const [shape] = regionShapes({
      regions: [{ data: { id: 'n1', label: 'n1', detail: '', unreachable: false, members: ['a', 'b'] }, members }],
      links: [],
    });
    assert.ok(shape && shape.hull.length >= 3);
    const xs = shape.hull.map((p) => p[0]);
    const ys = shape.hull.map((p) => p[1]);
    assert.ok(Math.min(...xs) < -7 && Math.max(...xs) > 112, 'wider than the discs');
    assert.ok(Math.min(...ys) < -7 && Math.max(...ys) > 52, 'taller than the discs');
    assert.deepEqual([shape.cx, shape.cy], [50, 20]);
  });

  it('keeps Swarm node groups further apart than plain groups of the same size', () => {
    const nodes = (prefix: string) => ['a', 'b', 'c'].flatMap((g) => [0, 1, 2, 3].map((i) => ({ group: `${prefix}${g}`, id: `${g}${i}` })));
    const spread = (anchors: Map<string, { x: number; y: number }>) => {
      const [first, second] = [...anchors.values()];
      return Math.hypot((first?.x ?? 0) - (second?.x ?? 0), (first?.y ?? 0) - (second?.y ?? 0));
    };
    assert.ok(spread(groupAnchors(nodes(REGION_GROUP_PREFIX))) > spread(groupAnchors(nodes('compose:'))) + 100);
  });
});
