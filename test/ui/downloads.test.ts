import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Download, Page } from 'playwright-core';
import { required, startTestCore, type TestCore } from '../helpers/docker';
import { screenshotDir, startUi, type UiHarness } from './harness';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('Files out: exports download in the browser through a short-lived URL', () => {
  let ui: UiHarness;
  let page: Page;
  let fresh: TestCore | undefined;
  let artifact: { artifactId: string; sha256: string };

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    ui = await startUi();
    page = ui.page;
    ui.core.evidence.createCase({ name: 'Downloads case', organisation: '', timeZone: 'UTC', description: '' });
    ui.core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    await ui.core.hosts.connect('local');
    const snapshot = await ui.core.inventory.list('local', { record: true });
    assert.ok(snapshot.stored, 'the inventory snapshot is stored in the open case');
    artifact = snapshot.stored;
  });

  after(async () => {
    await fresh?.close();
    await ui?.close();
  });

  const download = async (click: () => Promise<void>): Promise<Download> => {
    const [event] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), click()]);
    return event;
  };

  it("downloads an artifact whose bytes hash to the store's SHA-256, under a sanitised name", async () => {
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Evidence/ })
      .click();
    const view = page.locator('[data-view="evidence"]');
    await view.locator(`[data-artifact="${artifact.artifactId}"]`).click();
    const button = view.getByRole('button', { name: 'Download artifact' });
    const got = await download(() => button.click());
    assert.match(got.suggestedFilename(), /^[A-Za-z0-9._-]+\.json$/);
    assert.equal(sha256(await got.path()), artifact.sha256);
    await view.getByTestId('save-result').waitFor();
    // The result goes under the button, which keeps its height (it once sat beside it, stretched tall).
    const buttonBox = required(await button.boundingBox(), 'the Download button is on screen');
    const resultBox = required(await view.getByTestId('save-result').boundingBox(), 'the save result is on screen');
    assert.ok(
      resultBox.y >= buttonBox.y + buttonBox.height,
      `the result (top ${resultBox.y}) is below the button (bottom ${buttonBox.y + buttonBox.height})`,
    );
    assert.ok(buttonBox.height < 40, `the button keeps its height (${buttonBox.height}px)`);
    await ui.screenshot('download-artifact');
    // The link worked once: fetched again, the bridge no longer knows it.
    const url = got.url();
    assert.match(url, /\/api\/download\/[0-9a-f]{64}$/);
    const again = await page.evaluate(async (u) => (await fetch(u)).status, url);
    assert.equal(again, 404);
  });

  it('downloads the case bundle, which verifies by import into a fresh store', async () => {
    const view = page.locator('[data-view="evidence"]');
    const got = await download(() => view.getByRole('button', { name: 'Download bundle' }).click());
    assert.match(got.suggestedFilename(), /^case-[A-Za-z0-9_-]+\.drydock\.tar$/);
    const file = await got.path();
    fresh = startTestCore('drydock-download-import');
    const imported = await fresh.call('evidence.import-bundle', { path: file });
    assert.equal(imported.report.ok, true);
    assert.equal(imported.case.name, 'Downloads case');
    // No CSP violation or failed request, apart from the deliberate second fetch of a used link (a 404).
    assert.deepEqual(
      ui.pageErrors.filter((e) => !/HTTP 404 .*\/api\/download\/|status of 404/.test(e)),
      [],
    );
  });
});
