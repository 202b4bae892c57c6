import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';
import { nextEvent } from '../helpers/wait';

const SUFFIX = randomBytes(3).toString('hex');
const PRIV = `drydock-ui-priv-${SUFFIX}`;
const LIVE = `drydock-ui-live-${SUFFIX}`;
const PLAIN = `drydock-ui-plain-${SUFFIX}`;
const OFFLINE = `drydock-ui-offline-${SUFFIX}`;
// A label an attacker controls: markup, a terminal escape and a bidi override must all stay inert and visible.
const HOSTILE_LABEL = '<b>bold</b>\x1b[31mred\u202etxt';

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function view(page: Page, id: string): Locator {
  return page.locator(`[data-view="${id}"]`);
}

function row(page: Page, name: string): Locator {
  return view(page, 'inventory').locator(`tr.dd-inv-row[data-name="${name}"]`);
}

describe('Drydock UI through the loopback bridge', () => {
  let ui: UiHarness;
  let page: Page;
  let privRunning = true;

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    docker('image', 'inspect', 'drydock-fixture/busybox:1');
    try {
      docker(
        'run',
        '-d',
        '--privileged',
        '--label',
        'drydock.test=1',
        '--label',
        `drydock.note=${HOSTILE_LABEL}`,
        '-v',
        '/var/run/docker.sock:/var/run/docker.sock',
        '--name',
        PRIV,
        'drydock-fixture/busybox:1',
        'sleep',
        '600',
      );
    } catch (err) {
      // An engine that itself runs without the full capability set (a container-in-container CI
      // runner) creates a privileged container but cannot start it; its configuration, which is
      // what the flags are about, is the same, so the test goes on with it in state "created".
      if (!/unable to apply caps|operation not permitted/.test(String((err as { stderr?: unknown }).stderr ?? err))) throw err;
      docker('container', 'inspect', PRIV);
      privRunning = false;
    }
    docker('run', '-d', '--label', 'drydock.test=1', '--name', PLAIN, 'drydock-fixture/busybox:1', 'sleep', '600');
    ui = await startUi();
    page = ui.page;
  });

  after(async () => {
    for (const name of [PRIV, LIVE, PLAIN, OFFLINE]) {
      try {
        docker('rm', '-f', name);
      } catch {
        // already gone (the test removes LIVE itself)
      }
    }
    await ui?.close();
  });

  it('opens with the token taken out of the address bar, a live event stream and a "No case open" warning', async () => {
    await page.locator('.dd-transport[data-state="connected"]').waitFor({ timeout: 15_000 });
    assert.ok(!page.url().includes('token'), `token still in the URL: ${page.url()}`);
    await waitText(page.getByTestId('current-case'), 'No case open');
  });

  it('adds, tests and connects the local engine from the Hosts form', async () => {
    const hosts = view(page, 'hosts');
    const form = hosts.getByRole('form', { name: 'Add host' });
    await form.getByLabel('Name', { exact: true }).fill('local');
    await form.getByLabel('Engine URL').fill('unix:///var/run/docker.sock');
    await form.getByRole('button', { name: 'Test' }).click();
    const facts = form.getByTestId('engine-facts');
    await facts.waitFor({ timeout: 20_000 });
    const running = Number(docker('info', '--format', '{{.ContainersRunning}}'));
    await waitText(facts, 'Containers');
    assert.match(
      (await facts.textContent()) ?? '',
      new RegExp(`\\(${running} running\\)|\\(${running + 1} running\\)|\\(${running - 1} running\\)`),
    );
    await waitText(facts, docker('version', '--format', '{{.Server.APIVersion}}'));
    await form.getByRole('button', { name: 'Save host' }).click();

    const localRow = hosts.locator('tr[data-host="local"]');
    await localRow.waitFor();
    await localRow.getByRole('button', { name: 'Connect' }).click();
    await waitText(localRow, 'connected');
    await waitText(page.locator('.dd-header-hosts'), 'local');
  });

  it("shows TLS verification OFF on such a host, and an unreachable engine's error in place with its kind", async () => {
    const hosts = view(page, 'hosts');
    const form = hosts.getByRole('form', { name: 'Add host' });
    await form.getByLabel('Name', { exact: true }).fill('noverify');
    await form.getByLabel('Engine URL').fill('tcp://127.0.0.1:1');
    await form.getByLabel("Verify the engine's certificate").uncheck();
    await waitText(form.locator('.dd-warnbox'), 'TLS verification OFF');
    await form.getByRole('button', { name: 'Test' }).click();
    const error = form.locator('.dd-errorbox');
    await error.waitFor({ timeout: 20_000 });
    assert.equal(await error.getAttribute('data-error-kind'), 'unreachable');
    await form.getByRole('button', { name: 'Save host' }).click();
    const noverify = hosts.locator('tr[data-host="noverify"]');
    await waitText(noverify, 'TLS verification OFF');
    await ui.screenshot('hosts');
  });

  it('creates a case from the header warning', async () => {
    await page.getByTestId('current-case').getByRole('button', { name: 'Create case' }).click();
    const evidence = view(page, 'evidence');
    const form = evidence.getByRole('form', { name: 'Create case' });
    await form.getByLabel('Case name').fill('UI test case');
    await form.getByLabel('Organisation').fill('Drydock QA');
    await form.getByLabel('Time zone').fill('UTC');
    await form.getByLabel('Description').fill('Created by test/ui/app.test.ts');
    await form.getByRole('button', { name: 'Create and open case' }).click();
    await waitText(page.getByTestId('current-case'), 'UI test case');
    await waitText(evidence.getByTestId('viewed-case'), 'UI test case');
  });

  it('lists the privileged container with its flags, riskiest first, and opens its detail', async () => {
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Inventory/ })
      .click();
    const inventory = view(page, 'inventory');
    await inventory.getByLabel('Host').selectOption('local');
    const priv = row(page, PRIV);
    await priv.waitFor({ timeout: 20_000 });
    await priv.locator('[data-flag="privileged"]').waitFor();
    await priv.locator('[data-flag="docker-socket"]').waitFor();
    assert.equal(await priv.getAttribute('data-state'), privRunning ? 'running' : 'created');

    const ranks = await inventory
      .locator('tr.dd-inv-row:not(.dd-removed)')
      .evaluateAll((rows) =>
        rows.map((r) => ['critical', 'high', 'medium', 'low', 'info', 'none'].findIndex((s) => r.classList.contains(`dd-rowsev-${s}`))),
      );
    assert.ok(ranks.length >= 1);
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
      'rows are sorted by severity, critical first',
    );
    const option = inventory.getByLabel('Host').locator('option', { hasText: 'noverify' });
    assert.match((await option.textContent()) ?? '', /TLS verification OFF/);

    await priv.click();
    const detail = inventory.getByTestId('container-detail');
    await detail.waitFor();
    await detail.locator('li[data-flag="privileged"]').waitFor();
    await waitText(detail, '/var/run/docker.sock');
    const text = (await detail.textContent()) ?? '';
    assert.ok(text.includes('<b>bold</b>\\x1b[31mred\\u{202e}txt'), 'hostile label shown as literal, escaped text');
    assert.equal(await detail.locator('b', { hasText: /^bold$/ }).count(), 0, 'no markup from a label');
    await ui.screenshot('inventory');
  });

  it('updates a row live when a container is created, started, stopped and removed', async () => {
    docker('create', '--label', 'drydock.test=1', '--name', LIVE, 'drydock-fixture/busybox:1', 'sleep', '600');
    const live = row(page, LIVE);
    await live.waitFor({ timeout: 15_000 });
    docker('start', LIVE);
    await view(page, 'inventory').locator(`tr.dd-inv-row[data-name="${LIVE}"][data-state="running"]`).waitFor({ timeout: 15_000 });
    assert.match((await live.getAttribute('class')) ?? '', /dd-flash/, 'a changed row is highlighted');
    docker('stop', '-t', '0', LIVE);
    await view(page, 'inventory').locator(`tr.dd-inv-row[data-name="${LIVE}"][data-state="exited"]`).waitFor({ timeout: 15_000 });
    docker('rm', LIVE);
    await view(page, 'inventory')
      .locator(`tr.dd-inv-row.dd-removed[data-name="${LIVE}"][data-state="removed"]`)
      .waitFor({ timeout: 15_000 });
    await ui.screenshot('inventory-live');
  });

  it('shows the event stream dropping, reconnects, and catches up on what changed meanwhile', async () => {
    const transport = page.locator('.dd-transport');
    await ui.restartBridge(async () => {
      await page.locator('.dd-transport[data-state="reconnecting"]').waitFor({ timeout: 10_000 });
      await waitText(transport, /offline — retry in \d+s/);
      await ui.screenshot('offline');
      // The core sees the engine's event while no page listens: it emits the change to nobody.
      let offlineId = '';
      const seen = nextEvent(ui.core, 'inventory.changed', (c) => c.containerId === offlineId, {
        what: 'the inventory change for the container created while offline',
      });
      offlineId = docker('create', '--label', 'drydock.test=1', '--name', OFFLINE, 'drydock-fixture/busybox:1', 'true');
      await seen;
    });
    await page.locator('.dd-transport[data-state="connected"]').waitFor({ timeout: 30_000 });
    await row(page, OFFLINE).waitFor({ timeout: 15_000 });
    await row(page, LIVE).waitFor();
    assert.equal(await row(page, LIVE).getAttribute('data-state'), 'removed', 'a removed container stays listed after the reload');
  });

  it('records an inventory snapshot that the Evidence view lists and verifies', async () => {
    const inventory = view(page, 'inventory');
    await inventory.getByRole('button', { name: 'Record snapshot' }).click();
    await waitText(page.locator('.dd-toasts'), 'recorded in case UI test case', 20_000);

    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Evidence/ })
      .click();
    const evidence = view(page, 'evidence');
    // Two: the first listing of the host, recorded when the case opened over it, and the one just asked for.
    const snapshots = evidence.locator('tr[data-kind="inventory-snapshot"]');
    await snapshots.nth(1).waitFor({ timeout: 15_000 });
    assert.equal(await snapshots.count(), 2);
    const artifact = snapshots.last();
    await waitText(artifact, 'complete');
    await waitText(artifact, 'local');
    await evidence.locator('.dd-audit tr[data-action="inventory.taken"]').nth(1).waitFor({ timeout: 15_000 });

    await evidence.getByLabel('Note').fill('Privileged container with the Docker socket: escalate');
    await evidence.getByRole('button', { name: 'Add note' }).click();
    await waitText(evidence.locator('.dd-audit'), 'escalate');

    await evidence.getByRole('button', { name: 'Verify' }).click();
    const result = evidence.getByTestId('verify-result');
    await result.waitFor({ timeout: 20_000 });
    assert.equal(await result.getAttribute('data-ok'), 'true', (await result.textContent()) ?? '');
    await artifact.click();
    await evidence.getByLabel('Artifact detail', { exact: true }).waitFor();
    await ui.screenshot('evidence');
  });

  it("previews the inventory snapshot as indented JSON, the hostile label's control characters made visible", async () => {
    const evidence = view(page, 'evidence');
    const preview = evidence.locator('[data-testid="artifact-preview"][data-loading="false"]');
    await preview.waitFor({ timeout: 15_000 });
    assert.equal(await preview.getAttribute('data-kind'), 'json');
    // A host with many containers makes a snapshot larger than the first 64 KiB: ask for more.
    if (/first [\d.]+ KiB/.test((await preview.textContent()) ?? '')) {
      await preview.getByRole('button', { name: /Show up to/ }).click();
    }
    await waitText(preview, /JSON · all \d/);
    const block = preview.getByTestId('preview-text');
    const text = (await block.textContent()) ?? '';
    assert.match(text, /^\{\n {2}"/, 'the whole document fits, so it is re-indented');
    assert.ok(text.includes(`"${PRIV}"`), 'the snapshot names the privileged container');
    // JSON escapes the terminal escape itself; the bidi override stays raw in JSON and must be shown as an escape.
    assert.ok(text.includes('<b>bold</b>\\u001b[31mred\\u{202e}txt'), `the hostile label shown inert: ${text.slice(0, 200)}`);
    assert.ok(!text.includes('\u202e') && !text.includes('\u001b'), 'no raw control character reaches the page');
    assert.equal(await block.locator('b').count(), 0, 'markup stays text');
    assert.equal(await block.evaluate((el) => getComputedStyle(el).fontFamily.toLowerCase().includes('mono')), true, 'monospace');
    await block.evaluate((el) => {
      const start = el.textContent?.indexOf('drydock.note') ?? -1;
      const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 16;
      if (start >= 0) el.scrollTop = Math.max(0, (el.textContent ?? '').slice(0, start).split('\n').length - 4) * lineHeight;
    });
    await preview.scrollIntoViewIfNeeded();
    await ui.screenshot('evidence-preview');
  });

  it('opens Processes and Capture pre-selected on a running container', async () => {
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Inventory/ })
      .click();
    await row(page, PLAIN).click();
    const detail = view(page, 'inventory').getByTestId('container-detail');
    await waitText(detail, PLAIN);
    await detail.getByRole('button', { name: 'Processes…' }).click();
    const processes = view(page, 'processes');
    await processes.waitFor();
    assert.equal(await processes.getByPlaceholder('name or ID').inputValue(), PLAIN);
    await processes.getByRole('button', { name: 'Snapshot' }).click();
    await processes.locator('.dd-proc-meta').waitFor({ timeout: 30_000 });
    await ui.screenshot('processes');

    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Inventory/ })
      .click();
    await detail.getByRole('button', { name: 'Capture…' }).click();
    const capture = view(page, 'capture');
    await capture.waitFor();
    assert.equal(await capture.getByPlaceholder('name or ID').inputValue(), PLAIN);
    await ui.screenshot('capture');
  });

  it('exports a case bundle, refuses a bogus one, and shows a tampered blob in red, naming the artifact', async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'drydock-ui-bundle-'));
    try {
      await page
        .locator('.dd-nav')
        .getByRole('button', { name: /Evidence/ })
        .click();
      const evidence = view(page, 'evidence');
      const bundlePath = path.join(scratch, 'case.drydock.tar');
      await evidence.getByLabel('Bundle export path').fill(bundlePath);
      await evidence.getByRole('button', { name: 'Export bundle' }).click();
      await waitText(evidence.getByTestId('bundle-exported'), 'Bundle written', 30_000);
      assert.ok(statSync(bundlePath).size > 0);

      const bogus = path.join(scratch, 'bogus.tar');
      writeFileSync(bogus, 'this is not a bundle\n');
      await evidence.getByLabel('Bundle import path').fill(bogus);
      await evidence.getByRole('button', { name: 'Import bundle' }).click();
      await evidence.locator('.dd-bundles .dd-errorbox').waitFor({ timeout: 20_000 });
      assert.equal(await evidence.getByTestId('bundle-imported').count(), 0);

      const artifact = evidence.locator('tr[data-kind="inventory-snapshot"]').first();
      const artifactId = (await artifact.getAttribute('data-artifact')) ?? '';
      const sha256 = (await artifact.locator('[data-sha256]').getAttribute('data-sha256')) ?? '';
      assert.match(sha256, /^[0-9a-f]{64}$/);
      const blob = path.join(ui.storeDir, 'blobs', 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
      chmodSync(blob, 0o644);
      appendFileSync(blob, 'x');
      await evidence.getByRole('button', { name: 'Verify' }).click();
      const result = evidence.getByTestId('verify-result');
      await evidence.locator('[data-testid="verify-result"][data-ok="false"]').waitFor({ timeout: 20_000 });
      await waitText(result, artifactId);
      await ui.screenshot('evidence-tampered');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('raised no page error and no CSP violation', () => {
    // A CSP delivered by <meta> cannot carry frame-ancestors; Chromium says so, the bridge sends it as a header.
    // The deliberate bridge outage above makes Chromium log each refused reconnection attempt.
    const errors = ui.pageErrors.filter(
      (e) =>
        !/frame-ancestors.*ignored/i.test(e) &&
        !/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/api\/events(\?session=[\w-]+)?' failed: .*ERR_CONNECTION_REFUSED/.test(e),
    );
    assert.deepEqual(errors, []);
  });
});
