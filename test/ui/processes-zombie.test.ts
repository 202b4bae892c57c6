import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX, docker, removeContainers, runContainer } from '../helpers/docker';
import { waitFor } from '../helpers/wait';
import { screenshotDir, startUi, type UiHarness } from './harness';

// Issue 12, fault 3 in the Processes view: the zombie the engine's top cannot list is a row of its
// own, marked 'zombie' and 'not in top', with the PID inside the container beside the host's.

const NAME = `dd-ui-zombie-${randomBytes(3).toString('hex')}`;

describe('Processes view: what top does not list', () => {
  let ui: UiHarness;
  let id = '';

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    id = runContainer(['--name', NAME, BUSYBOX, 'sh', '-c', 'sleep 1 & exec sleep 1d']);
    await waitFor(
      () => {
        const rows = docker(['top', id]).split('\n').slice(1);
        return rows.length === 1 && rows[0]?.endsWith('sleep 1d');
      },
      { what: 'the background sleep to exit and top to list the init alone' },
    );
    ui = await startUi();
    ui.core.evidence.createCase({ name: 'Zombie view case', organisation: '', timeZone: 'UTC', description: '' });
    ui.core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    await ui.core.hosts.connect('local');
  });

  after(async () => {
    await ui?.close();
    removeContainers([id]);
  });

  it('shows the zombie with its marks and the host PID column', async () => {
    const page = ui.page;
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Processes/ })
      .click();
    const processes = page.locator('[data-view="processes"]');
    const field = processes.getByPlaceholder('name or ID');
    await field.fill(NAME);
    await field.press('Enter');
    const zombie = processes.locator('tr.dd-proc-row', { hasText: '[sleep]' });
    await zombie.waitFor({ timeout: 30_000 });
    assert.equal(await processes.locator('tr.dd-proc-row').count(), 2);
    assert.equal(await zombie.locator('.dd-badge-zombie').textContent(), 'zombie');
    assert.equal(await zombie.locator('.dd-badge-unseen').textContent(), 'not in top');
    assert.equal(await processes.getByRole('columnheader', { name: 'Host PID' }).count(), 1);
    assert.match((await processes.locator('.dd-proc-meta').textContent()) ?? '', /read from its PID namespace/);
    await ui.screenshot('processes-zombie');
  });
});
