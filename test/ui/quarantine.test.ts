import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { docker, removeContainers, runContainer, TEST_LABEL } from '../helpers/docker';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

function networksOf(id: string): string[] {
  return Object.keys(JSON.parse(docker(['inspect', '-f', '{{json .NetworkSettings.Networks}}', id])) as Record<string, unknown>).sort();
}

describe('Quarantine view: plan, confirm, banner, release', () => {
  let ui: UiHarness;
  let page: Page;
  const net = `dd-qui-${process.pid}`;
  const name = `${net}-suspect`;
  let id = '';
  const others: string[] = [];

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
    removeContainers([...others].reverse());
    removeContainers([id]);
    try {
      docker(['network', 'rm', net]);
    } catch {
      // Already gone.
    }
  });

  it('shows the plan, needs an acknowledgement for stop, applies, shows the banner and releases', async () => {
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Quarantine/ })
      .click();
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
    await waitText(dialog.getByTestId('quarantine-plan-existing'), 'You applied this quarantine');
    assert.equal(
      (await dialog.textContent())?.includes('Already under quarantine'),
      false,
      "the user's own quarantine is not announced as someone else's",
    );
    await ui.screenshot('quarantine-dialog');

    await dialog.getByRole('button', { name: 'Close' }).last().click();
    const row = view.locator(`tr[data-container="${id}"]`);
    await waitText(row, /quarantined/i);

    await row.getByRole('button', { name: 'Manage…' }).click();
    const applyBox = await dialog.getByTestId('quarantine-apply').boundingBox();
    const releaseSection = dialog.getByTestId('quarantine-release-section');
    await dialog.getByTestId('quarantine-release').click();
    const confirm = dialog.getByTestId('quarantine-release-confirm');
    assert.equal(await confirm.isDisabled(), true, 'release needs a reason');
    await dialog.getByTestId('quarantine-release-reason').fill('   ');
    assert.equal(await confirm.isDisabled(), true, 'a blank reason is no reason');
    const releaseBox = await releaseSection.boundingBox();
    assert.ok(applyBox && releaseBox && releaseBox.y > applyBox.y + applyBox.height + 40, 'release is not placed next to apply');
    await dialog.getByTestId('quarantine-release-reason').fill('false positive: the nightly backup job');
    await confirm.scrollIntoViewIfNeeded();
    await ui.screenshot('quarantine-release');
    assert.deepEqual(networksOf(id), ['drydock-quarantine'], 'nothing released before the confirmation');
    await confirm.click();
    await dialog.locator('[data-testid="quarantine-record"][data-state="released"]').waitFor();
    const audit = (await ui.core.evidence.auditEntries({ limit: 1000 })).filter((e) => e.action === 'quarantine.release-started');
    assert.deepEqual(
      audit.map((e) => e.details.reason),
      ['false positive: the nightly backup job'],
    );
    await dialog.getByTestId('quarantine-banner').waitFor({ state: 'detached', timeout: 5000 });
    assert.deepEqual(networksOf(id), [net]);
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    await dialog.waitFor({ state: 'detached' });
    await waitText(view, /No active quarantine on local/);
    // The shell's CSP meta tag carries frame-ancestors (only honoured as a header): not this view's doing.
    assert.deepEqual(
      ui.pageErrors.filter((e) => !/frame-ancestors' is ignored/.test(e)),
      [],
    );
  });

  it('before acting, shows that isolation would not contain a container with the Docker socket, and the container sharing its namespace', async () => {
    const sock = runContainer([
      '--name',
      `${net}-sock`,
      '--network',
      net,
      '-v',
      '/var/run/docker.sock:/var/run/docker.sock',
      'drydock-fixture/busybox:1',
      'sleep',
      '3600',
    ]);
    others.push(sock);
    const joiner = runContainer([
      '--name',
      `${net}-joiner`,
      '--network',
      `container:${net}-sock`,
      'drydock-fixture/busybox:1',
      'sleep',
      '3600',
    ]);
    others.push(joiner);
    const view = page.getByTestId('quarantine-view');
    await view.getByLabel('Container to quarantine').fill(`${net}-sock`);
    await view.getByRole('button', { name: 'Quarantine…' }).click();
    const dialog = page.getByTestId('quarantine-dialog');
    const plan = dialog.getByTestId('quarantine-plan');
    await waitText(plan, /Network isolation does not contain it: The container runtime socket is mounted/);
    await waitText(
      dialog.getByTestId('quarantine-shared-namespace'),
      new RegExp(`${net}-joiner\\s*${joiner.slice(0, 12)}\\s*\\(running\\) — runs in its network namespace`),
    );
    assert.equal(await dialog.getByTestId('quarantine-apply').isDisabled(), true, 'the warnings must be acknowledged first');
    await ui.screenshot('quarantine-containment');
    await dialog.locator('input[data-mode="pause"]').check();
    await waitText(plan, /isolation alone would not contain it/);
    assert.equal((await plan.textContent())?.includes('Network isolation does not contain it'), false, 'pause answers the warning');
    await dialog.getByRole('button', { name: 'Close' }).last().click();
    assert.deepEqual(networksOf(sock), [net], 'planning changed nothing');
  });
});
