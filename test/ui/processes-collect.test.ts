import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX, removeContainers, runContainer } from '../helpers/docker';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

// "Collect all" in the Processes view: collect.run on a real container, its steps shown in the order
// of volatility as the 'collect.progress' events arrive, each ending done, skipped (the capture, asked
// for 0 s) or failed with its reason, and the artifacts of a step one click from the Evidence view;
// Cancel stops the step running (here the capture) and the list says which steps were cancelled.

describe('Processes view: Collect all (order of volatility)', () => {
  let ui: UiHarness;
  let id = '';
  const name = `dd-ui-collect-${process.pid}`;

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    id = runContainer(['--name', name, BUSYBOX, 'sh', '-c', 'echo collected-log-line; exec sleep 3600']);
    ui = await startUi();
    ui.core.evidence.createCase({ name: 'Collect UI', organisation: '', timeZone: 'UTC', description: '' });
    await ui.core.logFollower.setting(undefined, false);
    ui.core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    await ui.core.hosts.connect('local');
  });

  after(async () => {
    await ui?.close();
    removeContainers([id]);
  });

  it('runs every step in order, showing each as it runs and how it ended', async () => {
    const page = ui.page;
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Processes/ })
      .click();
    const view = page.locator('[data-view="processes"]');
    await view.getByPlaceholder('name or ID').fill(name);
    await view.getByRole('button', { name: 'Collect all…' }).click();
    const panel = view.getByTestId('collect-panel');
    await panel.getByLabel('Capture seconds (0 skips the capture)').fill('0');
    await panel.getByRole('button', { name: 'Collect all', exact: true }).click();
    // A step shown running before the answer: the list follows the progress events.
    await panel.locator('li[data-state="running"]').first().waitFor({ timeout: 60_000 });
    assert.equal(await panel.getByTestId('collect-result').count(), 0, 'still running');
    await waitText(panel.getByTestId('collect-result'), /into case Collect UI/, 300_000);
    const steps = panel.locator('li[data-step]');
    assert.deepEqual(await steps.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-step'))), [
      'processes',
      'process-detail',
      'connections',
      'memory',
      'capture',
      'drift',
      'logs',
      'inspect',
    ]);
    const states = await steps.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-state')));
    assert.ok(
      states.every((s) => s === 'done' || s === 'failed' || s === 'skipped'),
      states.join(' '),
    );
    assert.equal(await panel.locator('li[data-step="capture"]').getAttribute('data-state'), 'skipped');
    for (const step of ['processes', 'process-detail', 'memory', 'inspect'])
      assert.equal(await panel.locator(`li[data-step="${step}"]`).getAttribute('data-state'), 'done', step);
    await waitText(panel.locator('li[data-step="memory"]'), /\d+ artifacts?/);
    await ui.screenshot('processes-collect');
    await panel
      .locator('li[data-step="memory"]')
      .getByRole('button', { name: /artifact/ })
      .click();
    await waitText(page.getByLabel('Artifact detail', { exact: true }), 'memory-image');
    assert.deepEqual(ui.pageErrors, []);
  });

  it('cancels a collection under way, keeping what the steps stored', async () => {
    const page = ui.page;
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Processes/ })
      .click();
    const view = page.locator('[data-view="processes"]');
    await view.getByPlaceholder('name or ID').fill(name);
    const panel = view.getByTestId('collect-panel');
    if ((await panel.count()) === 0) await view.getByRole('button', { name: 'Collect all…' }).click();
    await panel.getByRole('combobox').selectOption('none');
    await panel.getByLabel('Capture seconds (0 skips the capture)').fill('600');
    await panel.getByRole('button', { name: 'Collect all', exact: true }).click();
    await panel.locator('li[data-step="capture"][data-state="running"]').waitFor({ timeout: 120_000 });
    await panel.getByRole('button', { name: 'Cancel', exact: true }).click();
    await waitText(panel.getByTestId('collect-result'), /Cancelled during Packet capture; what the steps stored is kept/, 120_000);
    assert.equal(await panel.locator('li[data-step="capture"]').getAttribute('data-state'), 'cancelled');
    for (const step of ['drift', 'logs', 'inspect'])
      assert.equal(await panel.locator(`li[data-step="${step}"]`).getAttribute('data-state'), 'cancelled', step);
    assert.equal(await panel.locator('li[data-step="processes"]').getAttribute('data-state'), 'done');
    await waitText(panel.locator('li[data-step="capture"]'), /\d+ artifacts?/);
    assert.equal(await panel.getByRole('button', { name: 'Cancel', exact: true }).count(), 0, 'no Cancel once it ended');
    await ui.screenshot('processes-collect-cancelled');
    assert.deepEqual(ui.pageErrors, []);
  });
});
