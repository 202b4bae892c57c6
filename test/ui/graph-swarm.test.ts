// The Connections view of a Swarm cluster, through the bridge in Chromium, on a real three-node
// Swarm (test/helpers/swarm.ts): the manager and node 2 saved as host profiles, node 3 not (then
// lost). Each node is drawn as an outlined group with its tasks inside, the two overlay networks as
// edges between the nodes that hold their tasks, and node 3 as what the manager knows of it.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { BUSYBOX, docker } from '../helpers/docker';
import { startSwarm, type Swarm } from '../helpers/swarm';
import { waitFor } from '../helpers/wait';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

const WEB = 'dd-gs-web';
const API = 'dd-gs-api';
const FRONT = 'dd-gs-front';
const BACK = 'dd-gs-back';

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

interface GraphHook {
  __drydockGraph?: {
    nodeIds(): string[];
    screenPositionOf(id: string): { x: number; y: number } | undefined;
    regionBoxOf(id: string): Box | undefined;
  };
}

/** Once the layout is at rest with `ids` drawn: where each node is and each region's outline (canvas CSS pixels). */
async function settledDrawing(
  page: Page,
  ids: string[],
  regions: string[],
): Promise<{ nodes: Record<string, { x: number; y: number }>; regions: Record<string, Box> }> {
  const found = await page.waitForFunction(
    ({ ids, regions }) => {
      const canvas = document.querySelector('[data-testid="graph-canvas"]');
      const hook = (window as unknown as GraphHook).__drydockGraph;
      if (canvas?.getAttribute('data-layout') !== 'settled' || !hook) return false;
      const nodes: Record<string, { x: number; y: number }> = {};
      for (const id of ids) {
        const p = hook.screenPositionOf(id);
        if (!p) return false;
        nodes[id] = p;
      }
      const boxes: Record<string, Box> = {};
      for (const id of regions) {
        const b = hook.regionBoxOf(id);
        if (!b) return false;
        boxes[id] = b;
      }
      return { nodes, regions: boxes };
    },
    { ids, regions },
    { timeout: 60_000, polling: 'raf' },
  );
  return (await found.jsonValue()) as { nodes: Record<string, { x: number; y: number }>; regions: Record<string, Box> };
}

function inside(p: { x: number; y: number }, b: Box): boolean {
  return p.x > b.left && p.x < b.right && p.y > b.top && p.y < b.bottom;
}

describe('Connections view: a Swarm cluster as node groups and overlay edges', () => {
  let swarm: Swarm;
  let ui: UiHarness;

  function runningTask(service: string, nodeIndex: number): { taskId: string; containerId: string } {
    const node = swarm.nodes[nodeIndex]!;
    const taskId = docker(
      ['service', 'ps', service, '--filter', 'desired-state=running', '--filter', `node=${node.nodeId}`, '-q', '--no-trunc'],
      { host: swarm.manager.host },
    ).split('\n')[0]!;
    const containerId = docker(['ps', '-q', '--no-trunc', '--filter', `label=com.docker.swarm.task.id=${taskId}`], { host: node.host });
    return { taskId, containerId };
  }

  function runningCount(service: string): number {
    return docker(['service', 'ps', service, '--filter', 'desired-state=running', '--format', '{{.CurrentState}}'], {
      host: swarm.manager.host,
    })
      .split('\n')
      .filter((l) => l.startsWith('Running')).length;
  }

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    swarm = await startSwarm({ nodes: 3, images: [BUSYBOX] });
    const manager = swarm.manager.host;
    docker(['network', 'create', '-d', 'overlay', FRONT], { host: manager });
    docker(['network', 'create', '-d', 'overlay', BACK], { host: manager });
    const common = ['--replicas-max-per-node', '1', '--restart-condition', 'none', '--stop-grace-period', '1s', '--no-resolve-image'];
    // web on every node (front), api on nodes 1 and 2 only (front and back).
    docker(['service', 'create', '-d', '--name', WEB, '--replicas', '3', '--network', FRONT, ...common, BUSYBOX, 'sleep', '3600'], {
      host: manager,
    });
    docker(
      [
        'service',
        'create',
        '-d',
        '--name',
        API,
        '--replicas',
        '2',
        '--network',
        FRONT,
        '--network',
        BACK,
        '--constraint',
        `node.hostname!=${swarm.nodes[2]!.hostname}`,
        ...common,
        BUSYBOX,
        'sleep',
        '3600',
      ],
      { host: manager },
    );
    await waitFor(() => runningCount(WEB) === 3 && runningCount(API) === 2, {
      what: 'web on three nodes, api on two',
      timeoutMs: 180_000,
      intervalMs: 500,
    });
    ui = await startUi({ viewport: { width: 1600, height: 1000 } });
    ui.core.hosts.add({ name: 'mgr', url: manager });
    ui.core.hosts.add({ name: 'box-b', url: swarm.nodes[1]!.host });
    ui.core.evidence.createCase({ name: 'UI swarm graph case' });
  });

  after(async () => {
    await ui?.close();
    await swarm?.teardown();
  });

  it('draws each node as a group with its tasks inside and the overlays between the nodes', async () => {
    const { page } = ui;
    await page.reload();
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Connections/ })
      .click();
    const graph = page.locator('[data-view="graph"]');
    await graph.getByLabel('Host').selectOption('mgr');
    await graph.getByLabel('Swarm cluster').check();
    const panel = graph.getByTestId('graph-swarm');
    await waitText(graph.getByTestId('graph-status'), /^3 Swarm nodes, 2 overlays · /, 240_000);

    // The nodes: two read through their profiles, the third (no profile) as the manager lists it.
    const list = panel.getByRole('list', { name: 'Swarm nodes' });
    assert.equal(await list.locator('li').count(), 3);
    const [n1, n2, n3] = swarm.nodes.map((n) => list.locator(`li[data-swarm-node="${n.nodeId}"]`));
    assert.equal(await n1!.getAttribute('data-reach'), 'read');
    assert.equal(await n2!.getAttribute('data-reach'), 'read');
    assert.equal(await n3!.getAttribute('data-reach'), 'no-profile');
    await waitText(n1!, new RegExp(`${swarm.nodes[0]!.hostname} manager \\(leader\\) · ready · read via mgr · 2 tasks`));
    await waitText(n2!, new RegExp(`${swarm.nodes[1]!.hostname} worker · ready · read via box-b · 2 tasks`));
    await waitText(n3!, new RegExp(`${swarm.nodes[2]!.hostname} worker · ready · no profile reaches it · 1 task$`));

    // The overlays: front between all three nodes, back between the two holding api.
    const overlays = panel.getByRole('list', { name: 'Overlay networks' });
    const ids = (indexes: number[]) =>
      indexes
        .map((i) => swarm.nodes[i]!.nodeId)
        .sort()
        .join(' ');
    assert.equal(await overlays.locator(`li[data-overlay-name="${FRONT}"]`).getAttribute('data-nodes'), ids([0, 1, 2]));
    assert.equal(await overlays.locator(`li[data-overlay-name="${BACK}"]`).getAttribute('data-nodes'), ids([0, 1]));
    await waitText(overlays.locator(`li[data-overlay-name="${BACK}"]`), /between .* · 2 tasks of dd-gs-api/);

    // On the canvas: each task inside its own node's outline, and not inside another's.
    const onMgr = runningTask(WEB, 0);
    const onB = runningTask(API, 1);
    const onC = runningTask(WEB, 2);
    const mgrTask = `c:mgr/${onMgr.containerId}`;
    const bTask = `c:box-b/${onB.containerId}`;
    const cTask = `t:mgr/${onC.taskId}`;
    const [r1, r2, r3] = swarm.nodes.map((n) => n.nodeId) as [string, string, string];
    const drawn = await settledDrawing(page, [mgrTask, bTask, cTask, 'h:mgr', `n:mgr/${r3}`], [r1, r2, r3]);
    assert.ok(inside(drawn.nodes[mgrTask]!, drawn.regions[r1]!), 'the manager’s task inside the manager’s group');
    assert.ok(inside(drawn.nodes[bTask]!, drawn.regions[r2]!), 'node 2’s task inside node 2’s group');
    assert.ok(inside(drawn.nodes[cTask]!, drawn.regions[r3]!), 'node 3’s task (as the manager lists it) inside node 3’s group');
    assert.ok(!inside(drawn.nodes[bTask]!, drawn.regions[r3]!), 'node 2’s task not inside node 3’s group');
    await ui.screenshot('graph-swarm');

    // Node 3 lost: after a refresh it is shown as the manager still knows it, down.
    await swarm.killNode(3);
    await waitFor(
      () => docker(['node', 'inspect', swarm.nodes[2]!.nodeId, '--format', '{{.Status.State}}'], { host: swarm.manager.host }) === 'down',
      {
        what: 'the manager sees node 3 down',
        timeoutMs: 120_000,
        intervalMs: 1000,
      },
    );
    await graph.getByRole('button', { name: 'Refresh' }).click();
    await waitFor(async () => (await n3!.getAttribute('data-reach')) === 'node-down', { what: 'node 3 shown down', timeoutMs: 120_000 });
    await waitText(n3!, /worker · down · unreachable: as the manager lists it/);
    await settledDrawing(page, [`n:mgr/${r3}`], [r3]);
    await ui.screenshot('graph-swarm-node-down');

    // Live: the watch refreshes the same cluster ('network.watch' with cluster), node 3 still down.
    await graph.getByLabel(/Live/).check();
    await waitText(graph.getByTestId('graph-status'), /^3 Swarm nodes, 2 overlays · .* · live$/, 120_000);
    assert.equal(await n3!.getAttribute('data-reach'), 'node-down');
    assert.equal(await n2!.getAttribute('data-reach'), 'read');
    await graph.getByLabel(/Live/).uncheck();
    assert.deepEqual(ui.pageErrors, []);
  });
});
