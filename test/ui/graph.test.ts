import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { docker } from '../helpers/docker';
import { startScenario, type Scenario } from '../helpers/scenario';
import { screenshotDir, startUi, type UiHarness } from './harness';

async function waitText(locator: Locator, text: string | RegExp, timeout = 30_000): Promise<string> {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout: 1000 }).catch(() => '')) ?? '';
    if (typeof text === 'string' ? last.includes(text) : text.test(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.fail(`Timed out waiting for ${String(text)} in ${locator.toString()}; last text: ${last.slice(0, 400)}`);
}

interface GraphHook {
  __drydockGraph?: { screenPositionOf(id: string): { x: number; y: number } | undefined };
}

/** Where the graph drew a node (page CSS pixels), through the hook the view exposes for tests: the canvas has no DOM per node. */
async function nodePosition(page: Page, id: string): Promise<{ x: number; y: number }> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const found = await page.evaluate((nodeId) => (window as unknown as GraphHook).__drydockGraph?.screenPositionOf(nodeId), id);
    if (found) {
      const box = await page.getByTestId('graph-canvas').boundingBox();
      assert.ok(box);
      return { x: box.x + found.x, y: box.y + found.y };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`node ${id} never drawn`);
}

describe('Connections view: the live graph of the scenario', () => {
  let ui: UiHarness;
  let page: Page;
  let scenario: Scenario;

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    scenario = startScenario({ suffix: `ui${process.pid}` });
    docker(['exec', '-d', scenario.ids.app, 'sh', '-c', `sleep 600 | nc ${scenario.names.web} 8080`]);
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
    scenario?.teardown();
  });

  it('draws the scenario, shows the app → web connection in the detail panel, and saves a screenshot', async () => {
    await page.locator('.dd-nav').getByRole('button', { name: /Connections/ }).click();
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

    // Clicking the web server on the canvas selects it: its listener and the incoming edge. The
    // force layout may still be settling, so the position is read again if a click lands beside it.
    for (let attempt = 0; ; attempt++) {
      const web = await nodePosition(page, `c:local/${scenario.ids.web}`);
      await page.mouse.click(web.x, web.y);
      const shown = await waitText(detail, scenario.names.web, 3000).then(() => true, () => false);
      if (shown) break;
      assert.ok(attempt < 10, 'a click on the web node selects it');
      await page.waitForTimeout(500);
    }
    await waitText(detail.getByTestId('graph-listening'), '8080');
    await waitText(detail.getByTestId('graph-node-edges'), `← ${scenario.names.app}`);

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
    // Let the layout come to rest, fit it, then keep the app selected for the picture.
    await page.waitForTimeout(2500);
    await graph.getByRole('button', { name: 'Fit' }).click();
    await page.waitForTimeout(500);
    const app = await nodePosition(page, `c:local/${scenario.ids.app}`);
    await page.mouse.click(app.x, app.y);
    await waitText(detail, scenario.names.app);
    await page.mouse.move(5, 5);
    const file = await ui.screenshot('graph');
    assert.ok(file.endsWith('graph.png'));
    assert.deepEqual(
      ui.pageErrors.filter((e) => !/frame-ancestors.*ignored/i.test(e)),
      [],
      'no console error, CSP violation or failed request',
    );
  });
});
