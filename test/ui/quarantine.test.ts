import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { docker, removeContainers, runContainer, TEST_LABEL } from '../helpers/docker';
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

function networksOf(id: string): string[] {
  return Object.keys(JSON.parse(docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', id])) as Record<string, unknown>).sort();
}

describe('Quarantine view: plan, confirm, banner, release', () => {
  let ui: UiHarness;
  let page: Page;
  const net = `dd-qui-${process.pid}`;
  const name = `${net}-suspect`;
  let id = '';

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    docker(['network', 'create', '--label', TEST_LABEL, net]);
    id = runContainer(['--name', name, '--network', net, '--network-alias', 'ui-alias', 'drydock-fixture/web:1']);
    ui = await startUi();
    page = ui.page;
    ui.core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    await ui.core.hosts.connect('local');
    ui.core.evidence.createCase({ name: 'UI quarantine' });
  });

  after(async () => {
    await ui?.core.quarantine.release({ host: 'local', container: id }).catch(() => undefined);
    await ui?.close();
    removeContainers([id]);
    try {
      docker(['network', 'rm', net]);
    } catch {
      // Already gone.
    }
  });

  it('shows the plan, needs an acknowledgement for stop, applies, shows the banner and releases', async () => {
    await page.locator('.dd-nav').getByRole('button', { name: /Quarantine/ }).click();
    const view = page.getByTestId('quarantine-view');
    await view.getByLabel('Container to quarantine').fill(name);
    await view.getByRole('button', { name: 'Quarantine…' }).click();
    const dialog = page.getByTestId('quarantine-dialog');
    const plan = dialog.getByTestId('quarantine-plan');
    await waitText(plan, `Disconnect it from ${net}`);
    await waitText(plan, 'aliases ui-alias');

    await dialog.locator('input[data-mode="stop"]').check();
    await waitText(plan, /Memory is lost/);
    assert.equal(await dialog.getByTestId('quarantine-apply').isDisabled(), true, 'stop needs the warnings acknowledged');
    await dialog.getByTestId('quarantine-ack').check();
    assert.equal(await dialog.getByTestId('quarantine-apply').isEnabled(), true);
    await dialog.locator('input[data-mode="stop"]').uncheck();
    await dialog.locator('input[data-mode="pause"]').check();
    await waitText(plan, /Freeze every process/);

    await dialog.getByTestId('quarantine-apply').click();
    const banner = dialog.getByTestId('quarantine-banner');
    await waitText(banner, /Quarantined\s*isolate · pause/);
    await dialog.locator('[data-testid="quarantine-record"][data-state="quarantined"]').waitFor();
    assert.deepEqual(networksOf(id), ['drydock-quarantine']);
    await ui.screenshot('quarantine-dialog');

    await dialog.getByRole('button', { name: 'Close' }).last().click();
    const row = view.locator(`tr[data-container="${id}"]`);
    await waitText(row, /quarantined/i);

    await row.getByRole('button', { name: 'Manage…' }).click();
    await dialog.getByTestId('quarantine-release').click();
    await dialog.locator('[data-testid="quarantine-record"][data-state="released"]').waitFor();
    await dialog.getByTestId('quarantine-banner').waitFor({ state: 'detached', timeout: 5000 });
    assert.deepEqual(networksOf(id), [net]);
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    await waitText(view, /No active quarantine on local/);
    // The shell's CSP meta tag carries frame-ancestors (only honoured as a header): not this view's doing.
    assert.deepEqual(ui.pageErrors.filter((e) => !/frame-ancestors' is ignored/.test(e)), []);
  });
});
