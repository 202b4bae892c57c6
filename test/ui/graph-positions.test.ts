import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createDispatcher, type Dispatch } from '../../main/app/dispatch';
import { createHandlers } from '../../main/app/handlers';
import type { GraphPositionsLoaded } from '../../shared/domain/network';
import { BUSYBOX, removeContainers, runContainer } from '../helpers/docker';
import { waitFor } from '../helpers/wait';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

interface GraphHook {
  __drydockGraph?: {
    nodeIds(): string[];
    positionOf(id: string): { x: number; y: number } | undefined;
    storedStartOf(id: string): { x: number; y: number } | undefined;
  };
}

/** Opens Connections on the local host and waits until the graph holds `node` and its layout is at rest. */
async function openGraph(page: Page, node: string): Promise<void> {
  await page
    .locator('.dd-nav')
    .getByRole('button', { name: /Connections/ })
    .click();
  const graph = page.locator('[data-view="graph"]');
  await graph.getByLabel('Host').selectOption('local');
  await waitText(graph.getByTestId('graph-status'), / nodes, \d+ edges/, 120_000);
  await page.waitForFunction(
    (id) =>
      document.querySelector('[data-testid="graph-canvas"]')?.getAttribute('data-layout') === 'settled' &&
      ((window as unknown as GraphHook).__drydockGraph?.nodeIds().includes(id) ?? false),
    node,
    { timeout: 120_000, polling: 250 },
  );
}

describe('Connections view: the layout is stored in the case and a reload starts warm from it; the view fits the window', () => {
  let ui: UiHarness;
  let page: Page;
  let dispatch: Dispatch;
  let containerId = '';
  let caseId = '';

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    containerId = runContainer(['--name', `dd-positions-ui${process.pid}`, BUSYBOX, 'sleep', '600']);
    ui = await startUi({ viewport: { width: 1440, height: 900 } });
    page = ui.page;
    dispatch = createDispatcher(createHandlers(ui.core));
    caseId = ui.core.evidence.createCase({ name: 'Positions case', organisation: '', timeZone: 'UTC', description: '' }).id;
    ui.core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    await ui.core.hosts.connect('local');
    // The case is created behind the page's back: the page reads it afresh.
    await page.reload();
  });

  after(async () => {
    await ui?.close();
    if (containerId) removeContainers([containerId]);
  });

  it('stores where the layout came to rest, fits 1440 × 900 with no page scroll, and starts warm after a reload', async () => {
    const node = `c:local/${containerId}`;
    await openGraph(page, node);
    const canvas = page.getByTestId('graph-canvas');
    assert.equal(await canvas.getAttribute('data-start'), 'cold', 'nothing was stored for the case yet');

    // At rest, the view stored every node's place in the current case, through the contract.
    const stored = await waitFor(
      async () => {
        const result = await dispatch('network.graph-positions.load', { caseRef: caseId });
        if (!result.ok) return false;
        return (result.value as GraphPositionsLoaded).positions.find((p) => p.id === node) ?? false;
      },
      { what: `the position of ${node} stored in the case`, timeoutMs: 30_000 },
    );
    const drawn = await page.evaluate((id) => (window as unknown as GraphHook).__drydockGraph?.positionOf(id), node);
    assert.deepEqual(drawn && { x: drawn.x, y: drawn.y }, { x: stored.x, y: stored.y }, 'the stored place is where the node rests');

    // The whole view in a 1440 × 900 window: no scroll bar, the canvas ends inside the window.
    const fit = await page.evaluate(() => {
      const main = document.querySelector('.dd-main');
      const stage = document.querySelector('[data-view="graph"] .dd-graph-stage')?.getBoundingClientRect();
      return {
        mainOverflow: main ? main.scrollHeight - main.clientHeight : -1,
        pageOverflow: document.documentElement.scrollHeight - window.innerHeight,
        stageBottom: stage?.bottom ?? Infinity,
        stageHeight: stage?.height ?? 0,
      };
    });
    assert.ok(fit.mainOverflow <= 0, `the view scrolls by ${fit.mainOverflow} px`);
    assert.ok(fit.pageOverflow <= 0, `the page scrolls by ${fit.pageOverflow} px`);
    assert.ok(fit.stageBottom <= 900, `the canvas ends at ${fit.stageBottom} px, below the window`);
    assert.ok(fit.stageHeight >= 500, `the canvas is ${fit.stageHeight} px tall: it should take the height left`);
    await ui.screenshot('graph-fit-1440x900');

    // A reload is a new session: nothing kept in memory, the case's stored places are the start.
    await page.reload();
    await openGraph(page, node);
    assert.equal(await canvas.getAttribute('data-start'), 'warm', 'the layout started from the positions stored for the case');
    const start = await page.evaluate((id) => (window as unknown as GraphHook).__drydockGraph?.storedStartOf(id), node);
    assert.ok(start, `${node} started from a stored position`);
    // Positions travel to the layout as 32-bit floats.
    assert.ok(
      Math.abs(start.x - stored.x) < 1e-3 && Math.abs(start.y - stored.y) < 1e-3,
      `started at ${JSON.stringify(start)}, stored ${JSON.stringify(stored)}`,
    );
    assert.deepEqual(
      ui.pageErrors.filter((e) => !/frame-ancestors.*ignored/i.test(e)),
      [],
      'no console error, CSP violation or failed request',
    );
  });
});
