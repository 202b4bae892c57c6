// The Audit view through the bridge in Chromium: the CIS Docker Benchmark run on the local engine
// from the UI lands in the case, reads as a table filtered by section and verdict, and a
// recommendation's evidence opens on click.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

describe('Audit view', () => {
  let ui: UiHarness;

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    ui = await startUi();
  });

  after(async () => {
    await ui?.close();
  });

  it('runs the CIS audit, filters it, and shows a check evidence', async () => {
    const { core, page } = ui;
    core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    core.evidence.createCase({ name: 'UI audit case' });
    await page.reload();
    await page.locator('.dd-nav').getByRole('button', { name: /Audit/ }).click();
    const view = page.locator('[data-view="audit"]');
    await view.getByLabel('Host', { exact: true }).selectOption('local');
    await view.getByRole('button', { name: 'Run audit' }).click();
    await waitText(view.getByTestId('audit-summary'), /stored as artifact/, 120_000);
    const table = view.getByRole('table', { name: 'Audit results' });
    const all = await table.locator('tbody tr').count();
    assert.ok(all > 50, `every recommendation listed (${all})`);

    await view.getByLabel('Section').selectOption('2');
    const section2 = await table.locator('tbody tr').count();
    assert.ok(section2 > 0 && section2 < all, 'the section filter narrows the table');
    for (const id of await table.locator('tbody tr td:first-child').allInnerTexts()) assert.match(id, /^2\./);

    await table.locator('tbody tr').first().click();
    const evidence = view.getByLabel('Audit evidence');
    await evidence.waitFor();
    assert.ok((await evidence.locator('tbody tr').count()) > 0, 'the verdict has its evidence');
    await ui.screenshot('audit');
    const stored = await core.evidence.listArtifacts({ kind: 'benchmark-report' });
    assert.equal(stored.length, 1, 'the audit is stored in the case');
    assert.deepEqual(ui.pageErrors, []);
  });
});
