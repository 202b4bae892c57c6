import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DriftScanInfo } from '../../shared/domain/drift';
import { BUSYBOX, removeContainers, runContainer } from '../helpers/docker';
import { BUSYBOX_PATHS, HOSTILE_NAMES, intrude } from '../integration/drift/intrusion';
import { startUi, type UiHarness } from './harness';

// The drift view through the bridge in Chromium: a scanned intrusion walked from the host summary
// to one hostile path; names that carry escape codes and markup show as visible text, nothing is
// injected into the page.

describe('drift view', () => {
  let ui: UiHarness;
  let id = '';
  const name = `dd-drift-ui-${process.pid}`;

  before(async () => {
    id = runContainer(['--name', name, BUSYBOX, 'sleep', '3600']);
    intrude(id, BUSYBOX_PATHS, '/bin/busybox');
    ui = await startUi();
    ui.core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    ui.core.evidence.createCase({ name: 'Drift UI' });
    const scan = await ui.core.drift.scan({
      host: 'local',
      containers: [name],
      contentCapBytes: 4 * 1024 * 1024,
      keyEvidenceCapBytes: 256 * 1024 * 1024,
      concurrency: 1,
    });
    const done: DriftScanInfo = await ui.core.drift.wait(scan.id);
    assert.equal(done.state, 'complete');
  });

  after(async () => {
    removeContainers([id]);
    await ui?.close();
  });

  it('ranks the scan, opens the report and shows hostile names as text', async () => {
    const { page } = ui;
    await page.reload();
    await page.locator('.dd-nav').getByRole('button', { name: /Drift/ }).click();
    const view = page.getByRole('region', { name: 'Drift' });
    await view.getByLabel('Scans').selectOption({ index: 1 });
    const row = view.locator(`tr[data-container="${id}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /complete/);
    assert.ok((await row.locator('.dd-drift-seg-critical').count()) === 1, 'the severity bar has a critical segment');
    // The bar carries its counts, a legend says what they and the score mean, and each row says why it scored so.
    assert.match(await row.getByTestId('severity-counts').innerText(), /\d+ critical/);
    assert.match(await view.getByTestId('drift-legend').innerText(), /critical 1000, high 100/);
    assert.match(await row.getByTestId('score-reason').innerText(), /critical × 1000/);
    await ui.screenshot('drift-summary');
    await row.click();
    const tree = view.getByRole('tree', { name: 'Changed paths' });
    await tree.waitFor();
    const escapeName = HOSTILE_NAMES.escape.slice('/tmp/'.length);
    const shown = tree.getByText('\\x1b[31mred\\x1b]0;pwned\\x07', { exact: true });
    await shown.waitFor();
    assert.ok(!(await tree.innerText()).includes(escapeName), 'the raw escape sequence is never in the page text');
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'the markup name injected nothing');
    await tree.getByText('<img src=x onerror=alert(1)>', { exact: true }).waitFor();
    await tree.getByText('new\\x0aline', { exact: true }).waitFor();
    await tree
      .getByText(/not UTF-8/)
      .first()
      .waitFor();

    await tree.getByText('passwd', { exact: true }).click();
    const detail = view.locator('.dd-drift-detail');
    await detail.getByRole('table', { name: /Side-by-side diff/ }).waitFor();
    assert.match(await detail.innerText(), /evil:x:0:0/);
    await ui.screenshot('drift');

    await tree.getByText('.x', { exact: true }).click();
    await detail.getByRole('tab', { name: 'hex' }).click();
    await detail.getByText(/00000000 {2}7f 45 4c 46/).waitFor();
    assert.deepEqual(ui.pageErrors, []);
  });

  it('scans through the upper directories when asked, says so on the report, and keeps the side-by-side view', async () => {
    const { page } = ui;
    await page.reload();
    await page.locator('.dd-nav').getByRole('button', { name: /Drift/ }).click();
    const view = page.getByRole('region', { name: 'Drift' });
    await view.getByRole('group', { name: 'Running containers' }).getByText(name, { exact: true }).click();
    await view.getByLabel('Read changes through').selectOption('upper-dir');
    await view.getByRole('button', { name: /Scan selected \(1\)/ }).click();
    const row = view.locator(`tr[data-container="${id}"]`);
    await row.filter({ hasText: /complete/ }).waitFor({ timeout: 120_000 });
    await row.click();
    const header = view.locator('.dd-drift-report .dd-panel-title');
    await header.getByText(/read from the container's overlay2 upper directory/).waitFor();
    const tree = view.getByRole('tree', { name: 'Changed paths' });
    await tree.getByText('passwd', { exact: true }).click();
    const detail = view.locator('.dd-drift-detail');
    const diff = detail.getByRole('table', { name: /Side-by-side diff/ });
    await diff.waitFor();
    const text = await diff.innerText();
    assert.match(text, /evil:x:0:0/, "the container's side");
    assert.match(text, /root:x:0:0/, "the image's side, stored from the lower layer");
    await ui.screenshot('drift-upper-dir');
    assert.deepEqual(ui.pageErrors, []);
  });
});
