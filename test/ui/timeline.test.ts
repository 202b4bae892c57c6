// The Timeline view and the Evidence view's report button, through the bridge in Chromium: a case
// with a short incident journaled (a container started, an exec, its logs followed) shows its
// rows in the d3 lanes and the virtualised table; the keyboard moves the selection and Enter opens
// a row's detail; a search narrows the rows; the report is made, stored and offered for download.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX, docker, removeContainers, runContainer, TEST_LABEL } from '../helpers/docker';
import { waitFor } from '../helpers/wait';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

describe('Timeline view and case report in the UI', () => {
  let ui: UiHarness;
  const name = `ddtl-ui-${process.pid}`;

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    ui = await startUi();
  });

  after(async () => {
    removeContainers([name]);
    await ui?.close();
  });

  it('shows the case timeline, navigates it by keyboard, and writes the report', async () => {
    const { core, page } = ui;
    core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    core.evidence.createCase({ name: 'UI timeline case' });
    await core.journal.watch('local');
    const id = runContainer(['--name', name, '--label', TEST_LABEL, BUSYBOX, 'sh', '-c', 'echo ui-timeline-marker; exec sleep 600']);
    await waitFor(() => core.logFollower.streaming > 0, { what: "the journal to be reading the container's logs", timeoutMs: 30_000 });
    docker(['exec', name, 'sh', '-c', "echo '<b>bold</b>' > /tmp/.ui"]);
    docker(['rm', '-f', name]);
    await waitFor(async () => (await core.evidence.listArtifacts({ kind: 'logs' })).some((a) => a.source.containerId === id), {
      what: 'the followed logs',
      timeoutMs: 30_000,
    });

    await page.reload();
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Timeline/ })
      .click();
    const view = page.locator('[data-view="timeline"]');
    await waitText(view.getByTestId('timeline-count'), /^[1-9]\d* of [1-9]\d* rows/);
    const grid = view.getByRole('grid', { name: 'Timeline rows' });
    await waitText(grid, /exec_create/);
    await waitText(grid, /ui-timeline-marker/);
    assert.ok(await view.locator('canvas').isVisible(), 'the lanes are drawn');
    assert.ok((await view.locator('.dd-tl-strip rect').count()) > 0, 'the density strip has bins');

    await grid.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await grid.locator('[aria-selected="true"]').getAttribute('aria-rowindex'), '3', 'arrow keys move the selection');
    await page.keyboard.press('Enter');
    await view.getByLabel('Timeline row detail').waitFor();

    await view.getByLabel('Search the timeline').fill('ui-timeline-marker');
    await waitText(view.getByTestId('timeline-count'), /^1 of \d+ rows/);
    await ui.screenshot('timeline');
    // The row links to its evidence: the logs artifact opens in the Evidence view, paged by byte range.
    await grid.getByRole('row').first().click();
    await view.getByLabel('Timeline row detail').getByRole('button', { name: 'Open in Evidence' }).click();
    const pager = page.locator('[data-view="evidence"]').getByLabel('Log lines');
    await waitText(pager, /ui-timeline-marker/);
    await waitText(pager.getByTestId('log-position'), /^bytes 0–\d+ of \d+/);
    await ui.screenshot('evidence-log-pager');
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Timeline/ })
      .click();
    await view.getByLabel('Search the timeline').fill('');
    await waitText(grid, /exec_create/);
    // The exec's command line is text, never markup.
    assert.equal(await view.locator('b:text("bold")').count(), 0);

    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Evidence/ })
      .click();
    const evidence = page.locator('[data-view="evidence"]');
    await evidence.getByRole('button', { name: 'Report (HTML)' }).click();
    await waitText(evidence.getByTestId('report-result'), /verified/, 60_000);
    await ui.screenshot('evidence-report');
    const reports = await core.evidence.listArtifacts({ kind: 'case-report' });
    assert.equal(reports.length, 1, 'the report is stored in the case');
    assert.deepEqual(ui.pageErrors, []);
  });
});
