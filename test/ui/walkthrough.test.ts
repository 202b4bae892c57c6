import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { startScenario, type Scenario } from '../helpers/scenario';
import { nextEvent } from '../helpers/wait';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

// Every view as a newcomer first meets it, on the test scenario (a web server, a database, an app
// bridging both networks, a privileged backdoor with the Docker socket): each has a title, and
// before the user has done anything there it says what the view does. The screenshots
// (test/ui/screenshots/walk-*.png) are the ones looked at when the views change.

function view(page: Page, id: string): Locator {
  return page.locator(`[data-view="${id}"]`);
}

async function open(page: Page, label: RegExp, id: string, title: string): Promise<Locator> {
  await page.locator('.dd-nav').getByRole('button', { name: label }).click();
  const shown = view(page, id);
  await shown.getByRole('heading', { level: 1, name: title, exact: true }).waitFor();
  return shown;
}

/** Timestamps on screen are in the one UTC format (lib/format utc): "2025-01-31 14:05:09Z", never ISO with a T or milliseconds. */
function assertNoRawIso(text: string, where: string): void {
  const raw = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.exec(text);
  assert.equal(
    raw,
    null,
    `${where} shows a raw ISO timestamp instead of utc(): …${raw ? text.slice(Math.max(0, raw.index - 120), raw.index + 60) : ''}…`,
  );
}

/** The text of a view without what it shows verbatim (artifact previews in <pre>, the audit entries' hashed details): stored bytes are never reformatted. */
async function outsideVerbatim(locator: Locator): Promise<string> {
  return locator.evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    for (const verbatim of copy.querySelectorAll('pre, .dd-audit-details')) verbatim.remove();
    return copy.innerText || copy.textContent || '';
  });
}

describe('Walkthrough: every view on the scenario, as a newcomer sees it', () => {
  let ui: UiHarness;
  let page: Page;
  let scenario: Scenario;

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    scenario = startScenario({ suffix: `walk${process.pid}` });
    ui = await startUi();
    page = ui.page;
    const connected = nextEvent(ui.core, 'host.status', (s) => s.name === 'local' && s.state === 'connected', { what: 'local connected' });
    ui.core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    await ui.core.hosts.connect('local');
    await connected;
    await waitText(page.getByTestId('header-streams'), 'local');
  });

  after(async () => {
    await ui?.close();
    scenario?.teardown();
  });

  it('Hosts: the saved host, connected, with when in UTC', async () => {
    const hosts = await open(page, /Hosts/, 'hosts', 'Hosts');
    const row = hosts.locator('tr', { hasText: 'unix:///var/run/docker.sock' }).first();
    await waitText(row, 'connected');
    assert.match((await row.innerText()).replace(/\s+/g, ' '), /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z/, 'the Since column is a UTC time');
    await waitText(hosts.getByRole('form', { name: 'Add host' }), 'Engine URL');
    await ui.screenshot('walk-hosts');
  });

  it('Inventory: the backdoor first, its detail panel with reasons', async () => {
    const inventory = await open(page, /Inventory/, 'inventory', 'Inventory');
    const backdoor = inventory.locator('tr', { hasText: scenario.names.backdoor }).first();
    await backdoor.waitFor();
    await backdoor.click();
    const detail = inventory.getByTestId('container-detail');
    await waitText(detail, scenario.names.backdoor);
    await waitText(detail, 'docker-socket');
    await waitText(detail, 'whoever controls this container controls the host');
    assertNoRawIso(await outsideVerbatim(inventory), 'Inventory');
    await ui.screenshot('walk-inventory');
  });

  it('Processes: says what a snapshot reads before the first one', async () => {
    const processes = await open(page, /Processes/, 'processes', 'Processes');
    await waitText(processes.getByTestId('processes-empty'), 'nothing is executed inside the container');
    await ui.screenshot('walk-processes');
  });

  it('Capture: says what a capture does and what an empty duration means', async () => {
    const capture = await open(page, /Capture/, 'capture', 'Capture');
    await waitText(capture.getByTestId('capture-empty'), 'runs until you press Stop');
    await ui.screenshot('walk-capture');
  });

  it('Evidence: the ad-hoc case the first inventory listing opened, its artifact and audit log in UTC', async () => {
    const evidence = await open(page, /Evidence/, 'evidence', 'Evidence');
    await waitText(evidence, 'inventory-snapshot');
    assertNoRawIso(await outsideVerbatim(evidence), 'Evidence');
    await ui.screenshot('walk-evidence');
  });

  it('Connections: says what the graph shows and that Live starts helpers, before anything is read', async () => {
    const graph = await open(page, /Connections/, 'graph', 'Connections');
    await waitText(graph.getByTestId('graph-intro'), 'Shows who talks to whom');
    await waitText(graph.getByTestId('graph-status'), /\d+ nodes/);
    await waitText(graph.getByTestId('graph-recorded'), 'first look recorded in case local ');
    await graph.locator('[data-layout="settled"]').waitFor();
    await ui.screenshot('walk-connections');
  });

  it('Quarantine: a title and what quarantine does, with nothing quarantined', async () => {
    const quarantine = await open(page, /Quarantine/, 'quarantine', 'Quarantine');
    await waitText(quarantine.getByTestId('quarantine-empty'), 'No active quarantine on local.');
    await waitText(quarantine.getByTestId('quarantine-empty'), 'release puts it back as it was');
    await ui.screenshot('walk-quarantine');
  });

  it('Drift: says what a scan compares before the first one', async () => {
    const drift = await open(page, /Drift/, 'drift', 'Drift');
    await waitText(drift.getByTestId('drift-empty'), 'against its image');
    await ui.screenshot('walk-drift');
    assert.deepEqual(ui.pageErrors, []);
  });
});
