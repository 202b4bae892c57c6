import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { BUSYBOX, docker, removeContainers, runContainer, TEST_LABEL } from '../helpers/docker';
import { screenshotDir, startUi, type UiHarness } from './harness';

// The views as a newcomer meets them: Processes and Capture say what they do, "Processes…" runs
// the snapshot, Enter submits, and a capture's summary has one row per conversation with its
// endpoints named by container.

const SUFFIX = randomBytes(3).toString('hex');
const NET = `dd-views-${SUFFIX}`;
const WEB = `dd-views-web-${SUFFIX}`;
const POLLER = `dd-views-poller-${SUFFIX}`;

function view(page: Page, id: string): Locator {
  return page.locator(`[data-view="${id}"]`);
}

async function nav(page: Page, label: RegExp): Promise<void> {
  await page.locator('.dd-nav').getByRole('button', { name: label }).click();
}

describe('Processes and Capture views', () => {
  let ui: UiHarness;
  let page: Page;
  const ids: string[] = [];

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    docker(['network', 'create', '--label', TEST_LABEL, NET]);
    ids.push(runContainer(['--name', WEB, '--network', NET, 'drydock-fixture/web:1']));
    // A new connection (a new client port) every 200 ms: many flows, one conversation.
    ids.push(
      runContainer([
        '--name',
        POLLER,
        '--network',
        NET,
        BUSYBOX,
        'sh',
        '-c',
        `while true; do wget -q -O /dev/null http://${WEB}:8080/ ; sleep 0.2; done`,
      ]),
    );
    ui = await startUi();
    page = ui.page;
    ui.core.evidence.createCase({ name: 'Views case', organisation: '', timeZone: 'UTC', description: '' });
    ui.core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    await ui.core.hosts.connect('local');
  });

  after(async () => {
    await ui?.close();
    removeContainers(ids);
    try {
      docker(['network', 'rm', NET]);
    } catch {
      // not created
    }
  });

  it('explains Processes before its first snapshot, and "Processes…" from the inventory takes the snapshot', async () => {
    await nav(page, /Processes/);
    const processes = view(page, 'processes');
    await processes.getByRole('heading', { name: 'Processes' }).waitFor();
    await processes.getByTestId('processes-empty').waitFor();
    await ui.screenshot('processes-empty');

    await nav(page, /Inventory/);
    const inventory = view(page, 'inventory');
    await inventory.locator(`tr.dd-inv-row[data-name="${WEB}"]`).click({ timeout: 60_000 });
    const detail = inventory.getByTestId('container-detail');
    await detail.getByRole('button', { name: 'Processes…' }).click();
    // No click on Snapshot: the tree arrives by itself.
    await processes.locator('.dd-proc-meta', { hasText: WEB }).waitFor({ timeout: 30_000 });
    assert.match((await processes.locator('.dd-proc-meta').textContent()) ?? '', /httpd|processes/);
    assert.equal(await processes.getByTestId('processes-empty').count(), 0);
    await ui.screenshot('processes');
  });

  it('takes another process snapshot on Enter in the container field', async () => {
    const processes = view(page, 'processes');
    const meta = processes.locator('.dd-proc-meta');
    const first = (await meta.textContent()) ?? '';
    const artifact = /artifact (\S+)/.exec(first)?.[1];
    assert.ok(artifact, `the first snapshot was stored: ${first}`);
    const field = processes.getByPlaceholder('name or ID');
    await field.fill(POLLER);
    await field.press('Enter');
    await processes.locator('.dd-proc-meta', { hasText: POLLER }).waitFor({ timeout: 30_000 });
  });

  it('explains Capture, starts it on Enter, shows progress against the duration, and sums up one row per conversation', async () => {
    await nav(page, /Capture/);
    const capture = view(page, 'capture');
    await capture.getByRole('heading', { name: 'Capture' }).waitFor();
    const empty = capture.getByTestId('capture-empty');
    await empty.waitFor();
    assert.match((await empty.textContent()) ?? '', /runs until you press Stop/);
    await ui.screenshot('capture-empty');

    await capture.getByPlaceholder('name or ID').fill(WEB);
    const duration = capture.getByLabel('Duration s');
    await duration.fill('4');
    await duration.press('Enter');
    const progress = capture.getByTestId('cap-progress');
    await progress.locator('progress').waitFor({ timeout: 60_000 });
    assert.match((await progress.textContent()) ?? '', /of 4 s/);
    await ui.screenshot('capture-running');

    const rows = capture.getByTestId('cap-conversation');
    await rows.first().waitFor({ timeout: 60_000 });
    const poller = rows.filter({ hasText: POLLER });
    assert.equal(await poller.count(), 1, 'the poller\u2019s connections are one conversation');
    const text = (await poller.textContent()) ?? '';
    assert.ok(text.includes(WEB), `the server is named: ${text}`);
    const connections = Number(/(\d+) · ports/.exec(text)?.[1] ?? '0');
    assert.ok(connections >= 3, `several connections folded into the row: ${text}`);
    await ui.screenshot('capture');
  });

  it('marks the "Verified OK" banner out of date when the case changes after it', async () => {
    await nav(page, /Evidence/);
    const evidence = view(page, 'evidence');
    await evidence.getByRole('button', { name: 'Verify' }).click();
    const result = evidence.locator('[data-testid="verify-result"][data-ok="true"]');
    await result.waitFor({ timeout: 30_000 });
    assert.equal(await result.getAttribute('data-stale'), 'false');
    await evidence.getByLabel('Note').fill('Poller traffic to the web server reviewed');
    await evidence.getByRole('button', { name: 'Add note' }).click();
    await evidence.locator('[data-testid="verify-result"][data-stale="true"]').waitFor({ timeout: 15_000 });
    assert.match((await result.textContent()) ?? '', /Out of date/);
    await ui.screenshot('evidence-verify-stale');
  });

  it('raised no page error', () => {
    assert.deepEqual(
      ui.pageErrors.filter((e) => !/frame-ancestors.*ignored/i.test(e)),
      [],
    );
  });
});
