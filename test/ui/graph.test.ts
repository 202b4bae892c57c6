import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { BUSYBOX, docker, removeContainers, runContainer } from '../helpers/docker';
import { recordEvents, waitFor } from '../helpers/wait';
import { startScenario, type Scenario } from '../helpers/scenario';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

interface GraphHook {
  __drydockGraph?: { screenPositionOf(id: string): { x: number; y: number } | undefined };
}

/**
 * Where the graph drew a node (page CSS pixels), once the layout has come to rest: the canvas has
 * no DOM per node, so the view exposes a hook for tests, and data-layout="settled" on the canvas
 * says nodes no longer move. A click at this position lands on the node.
 */
async function settledNodePosition(page: Page, id: string): Promise<{ x: number; y: number }> {
  const canvas = page.getByTestId('graph-canvas');
  const found = await page.waitForFunction(
    (nodeId) => {
      const settled = document.querySelector('[data-testid="graph-canvas"]')?.getAttribute('data-layout') === 'settled';
      return settled ? ((window as unknown as GraphHook).__drydockGraph?.screenPositionOf(nodeId) ?? false) : false;
    },
    id,
    { timeout: 30_000, polling: 'raf' },
  );
  const position = (await found.jsonValue()) as { x: number; y: number };
  // The stage can reach below the window: bring the node itself into view before anyone clicks it.
  await canvas.evaluate((element, p) => {
    const marker = document.createElement('div');
    Object.assign(marker.style, { position: 'absolute', left: `${p.x}px`, top: `${p.y}px`, width: '1px', height: '1px' });
    element.parentElement?.appendChild(marker);
    marker.scrollIntoView({ block: 'center', inline: 'center' });
    marker.remove();
  }, position);
  const box = await canvas.boundingBox();
  assert.ok(box, 'the graph canvas is on the page');
  return { x: box.x + position.x, y: box.y + position.y };
}

describe('Connections view: the live graph of the scenario', () => {
  let ui: UiHarness;
  let page: Page;
  let scenario: Scenario;
  /** A second client of the web server on the front network: the edge list has two edges to move through. */
  const clientName = `dd-client-ui${process.pid}`;
  let clientId = '';

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    scenario = startScenario({ suffix: `ui${process.pid}` });
    docker(['exec', '-d', scenario.ids.app, 'sh', '-c', `sleep 600 | nc ${scenario.names.web} 8080`]);
    clientId = runContainer([
      '--name',
      clientName,
      '--network',
      scenario.networks.front,
      BUSYBOX,
      'sh',
      '-c',
      `sleep 600 | nc ${scenario.names.web} 8080`,
    ]);
    ui = await startUi();
    page = ui.page;
    ui.core.evidence.createCase({ name: 'Graph case', organisation: '', timeZone: 'UTC', description: '' });
    ui.core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    await ui.core.hosts.connect('local');
  });

  after(async () => {
    // Released through the core so the quarantine network goes too, whatever the test reached.
    await ui?.core.quarantine.release({ host: 'local', container: scenario.ids.db }).catch(() => undefined);
    await ui?.close();
    if (clientId) removeContainers([clientId]);
    scenario?.teardown();
  });

  it('draws the scenario, shows the app → web connection in the detail panel, and saves a screenshot', async () => {
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Connections/ })
      .click();
    const graph = page.locator('[data-view="graph"]');
    await graph.getByLabel('Host').selectOption('local');
    // Live is off on first open (every refresh starts helpers on the host): the test asks for it.
    await graph.getByRole('checkbox', { name: /Live/ }).check();
    await waitText(graph.getByTestId('graph-status'), / nodes, \d+ edges .* live/, 120_000);

    const search = graph.getByLabel('Search the graph');
    await search.fill(scenario.names.app);
    await search.press('Enter');
    const detail = graph.getByTestId('graph-detail');
    await waitText(detail, scenario.names.app);
    const edges = detail.getByTestId('graph-node-edges');
    // On a busy host the first refreshes read a bounded number of namespaces each: the edge comes when both are read.
    await waitText(edges, `→ ${scenario.names.web}`, 180_000);
    await waitText(edges, 'tcp/8080');
    await search.fill('');

    // Clicking the web server on the canvas selects it: its listener and the incoming edge. Only the
    // scenario's front network is shown, so containers other tests start on this engine neither
    // add nodes nor set the layout moving again; the click waits for the layout to settle.
    await graph.getByLabel('Network filter').selectOption(scenario.networks.front);
    const web = await settledNodePosition(page, `c:local/${scenario.ids.web}`);
    await page.mouse.click(web.x, web.y);
    // The heading, not the panel: the app's panel already names the web server in its connections.
    await waitText(detail.getByRole('heading', { level: 2 }), scenario.names.web, 5000);
    await waitText(detail.getByTestId('graph-listening'), '8080');
    await waitText(detail.getByTestId('graph-node-edges'), `← ${scenario.names.app}`);

    await graph.getByLabel('Network filter').selectOption('');

    // The backdoor stands out: flagged, and kept by "only flagged".
    await graph.getByLabel('Only flagged').check();
    await search.fill(scenario.names.backdoor);
    await search.press('Enter');
    await waitText(detail, scenario.names.backdoor);
    await graph.getByLabel('Only flagged').uncheck();

    // Quarantine the database from its detail panel: the dialog applies isolation, the graph marks it.
    await search.fill(scenario.names.db);
    await search.press('Enter');
    await waitText(detail, scenario.names.db);
    await detail.getByRole('button', { name: 'Quarantine…' }).click();
    const dialog = page.getByTestId('quarantine-dialog');
    await waitText(dialog.getByTestId('quarantine-plan'), `Disconnect it from ${scenario.networks.back}`);
    await dialog.getByTestId('quarantine-apply').click();
    await dialog.locator('[data-testid="quarantine-record"][data-state="quarantined"]').waitFor({ timeout: 60_000 });
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    await detail.getByTestId('graph-quarantine-banner').waitFor({ timeout: 60_000 });
    await search.fill('');
    // The picture: the app selected (by search, Enter), then the whole graph fitted.
    await search.fill(scenario.names.app);
    await search.press('Enter');
    await waitText(detail.getByRole('heading', { level: 2 }), scenario.names.app);
    await search.fill('');
    await graph.getByRole('button', { name: 'Fit' }).click();
    await page.mouse.move(5, 5);
    const file = await ui.screenshot('graph');
    assert.ok(statSync(file).size > 0, 'the screenshot is written');
    assert.deepEqual(
      ui.pageErrors.filter((e) => !/frame-ancestors.*ignored/i.test(e)),
      [],
      'no console error, CSP violation or failed request',
    );
  });

  it("lists every edge of the scenario's front network in the edge list, and Up and Down move the selection", async () => {
    const graph = page.locator('[data-view="graph"]');
    const detail = graph.getByTestId('graph-detail');
    const changes = recordEvents(ui.core, 'network.changed');
    try {
      await graph.getByLabel('Network filter').selectOption(scenario.networks.front);
      const list = graph.getByTestId('graph-edge-list');
      const name = new Map([
        [`c:local/${scenario.ids.app}`, scenario.names.app],
        [`c:local/${scenario.ids.web}`, scenario.names.web],
        [`c:local/${clientId}`, clientName],
      ]);
      // What the core found: every edge between the containers on the front network, read from both ends.
      const found = await changes.next(
        (c) => c.snapshot.edges.filter((e) => name.has(e.source) && name.has(e.target) && e.seenBy.length === 2).length === 2,
        { what: 'a refresh with both clients of the web server read from both ends', timeoutMs: 180_000 },
      );
      const expected = found.snapshot.edges
        .filter((e) => name.has(e.source) && name.has(e.target))
        .map((e) => `${name.get(e.source)} → ${name.get(e.target)} ${e.protocol}/${e.port}`)
        .sort();
      assert.deepEqual(
        expected,
        [`${scenario.names.app} → ${scenario.names.web} tcp/8080`, `${clientName} → ${scenario.names.web} tcp/8080`].sort(),
      );
      let listed: string[] = [];
      await waitFor(
        async () => {
          listed = (await list.getByRole('option').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim()).sort();
          return listed.length === expected.length && listed.every((t, i) => t === expected[i]);
        },
        { what: 'the edge list to list both edges and nothing else' },
      ).catch((err: unknown) => assert.fail(`${err instanceof Error ? err.message : String(err)}; listed: ${JSON.stringify(listed)}`));
      await waitText(graph.locator('.dd-graph-edges summary'), `(${expected.length})`);

      // The keyboard: Home selects the first edge, Down the next, Up the one before; the detail follows.
      const selected = list.locator('[role="option"][aria-selected="true"]');
      const heading = detail.getByRole('heading', { level: 2 });
      const select = async (key: string, index: number) => {
        await list.press(key);
        await list.locator(`[role="option"][data-index="${index}"][aria-selected="true"]`).waitFor({ timeout: 5000 });
        assert.equal(await selected.count(), 1, `one edge selected after ${key}`);
        const text = ((await selected.textContent()) ?? '').replace(/\s+/g, ' ').trim();
        const [from, to] = text.replace(/ tcp\/8080$/, '').split(' → ');
        await waitText(heading, `${from} → ${to}`, 5000);
        return text;
      };
      await list.focus();
      const first = await select('Home', 0);
      const second = await select('ArrowDown', 1);
      assert.notEqual(second, first, 'Down moved to the other edge');
      assert.equal(await select('ArrowDown', 1), second, 'Down stays on the last edge');
      assert.equal(await select('ArrowUp', 0), first, 'Up moves back to the first edge');
      assert.deepEqual([first, second].sort(), expected, 'the keyboard reaches every edge');
    } finally {
      changes.stop();
      await graph.getByLabel('Network filter').selectOption('');
    }
  });
});
