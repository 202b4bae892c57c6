// "Open data root…" in the Hosts view, through the bridge in Chromium: a data root (a hand-made one,
// no engine needed) joins the host list as a read-only source, marked as such, with the macOS and
// Windows note; its inventory is read from disk and shown; nothing in it changes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { hex, makeDataRoot } from '../helpers/data-root-fixture';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

describe('Hosts view: a data root opened as a read-only source', () => {
  let ui: UiHarness;
  let page: Page;
  let work: string;
  let root: string;

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    work = mkdtempSync(path.join(tmpdir(), 'ddx-ui-'));
    root = path.join(work, 'docker');
    makeDataRoot(root, [{ id: hex('4d'), name: 'victim', mount: hex('5e') }]);
    ui = await startUi();
    page = ui.page;
  });

  after(async () => {
    await ui?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('opens it, marks it read-only, says how to read one on macOS and Windows, and shows its containers', async () => {
    await page.locator('.dd-nav').getByRole('button', { name: /Hosts/ }).click();
    const panel = page.getByLabel('Data roots');
    await panel.waitFor();
    await waitText(panel, 'On macOS and Windows, open a tarball or a disk image');
    await panel.getByLabel('Data root path').fill(root);
    await panel.getByRole('button', { name: 'Open data root…' }).click();
    const row = panel.locator(`tr[data-dataroot="${root}"]`);
    await waitText(row, 'read-only data root');
    await waitText(row, /\b1 container · /);
    await row.getByRole('button', { name: 'Inventory' }).click();
    await waitText(row.getByLabel('Containers on disk'), 'victim');
    await ui.screenshot('hosts-data-root');
    assert.deepEqual(
      ui.core.dataRoot.list().map((s) => [s.source.path, s.source.kind]),
      [[root, 'directory']],
    );
    assert.deepEqual(ui.pageErrors, []);
  });
});
