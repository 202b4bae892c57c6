// A case timeline of N rows (default 1,000,000): built into the store from the journal of the
// case's host, exported as Timesketch JSON Lines and plaso l2tcsv (rows/s against writing the
// same rows' JSON straight from SQLite to a file, measured in the same run), peak RSS; then the
// Timeline view in headless Chromium over the bridge: time to the first painted rows, and the
// frame rate while the virtualised table scrolls through the rows, against the same scroll loop
// on an empty scrolling box of the same height in the same page.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { createCore } from '../../main/app/core';
import { createDispatcher } from '../../main/app/dispatch';
import { createHandlers } from '../../main/app/handlers';
import { startBridge } from '../../main/bridge/server';
import { JournalStore, type NewJournalEntry } from '../../main/core/journal/journal-store';
import { ensureRendererBuilt } from '../ui/harness';

const ROWS = Number(process.env.DRYDOCK_BENCH_TIMELINE_ROWS ?? 1_000_000);
const SCROLL_SECONDS = Number(process.env.DRYDOCK_BENCH_SECONDS ?? 4);
const root = path.resolve(__dirname, '../..');

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

void (async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dd-timeline-bench-'));
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  let fake: Date | null = new Date(t0);
  const core = createCore({ storeDir: path.join(dir, 'store'), examiner: 'bench', clock: { now: () => fake ?? new Date() } });
  try {
    const kase = core.evidence.createCase({ name: 'timeline bench' });
    core.evidence.audit('bench.host', { host: 'bench' }, kase.id);
    fake = null;
    const store = new JournalStore(core.db);
    const base = BigInt(t0 + 1000) * 1_000_000n;
    let start = process.hrtime.bigint();
    const actions = ['create', 'start', 'exec_create', 'die', 'destroy'];
    for (let i = 0; i < ROWS; i += 10_000) {
      const batch: NewJournalEntry[] = [];
      for (let k = i; k < Math.min(ROWS, i + 10_000); k++)
        batch.push({
          host: 'bench',
          kind: 'event',
          timeNano: base + BigInt(k) * 7_919_000n,
          receivedAt: new Date(t0).toISOString(),
          type: 'container',
          action: actions[k % actions.length] ?? 'create',
          actorId: `${k % 5000}`.padStart(64, 'c'),
          name: `svc-${k % 5000}`,
          attributes: { image: 'bench:1' },
        });
      store.appendMany(batch);
    }
    console.log(`seeded ${ROWS.toLocaleString('en-US')} journal rows in ${seconds(start).toFixed(1)} s`);

    const rssBefore = process.memoryUsage().rss;
    start = process.hrtime.bigint();
    const built = await core.timeline.ensure(kase.id);
    const buildS = seconds(start);
    console.log(
      `build: ${built.info.total.toLocaleString('en-US')} rows in ${buildS.toFixed(1)} s (${Math.round(built.info.total / buildS).toLocaleString('en-US')} rows/s); peak RSS ${mib(process.resourceUsage().maxRSS * 1024)} (RSS before ${mib(rssBefore)})`,
    );

    for (const format of ['jsonl', 'l2tcsv'] as const) {
      const target = path.join(dir, `timeline.${format}`);
      start = process.hrtime.bigint();
      const result = await core.timeline.export({ caseRef: kase.id, format, target });
      const exportS = seconds(start);
      // Baseline: the same rows' JSON read from SQLite and written to a file, nothing else.
      const plain = createWriteStream(path.join(dir, `plain.${format}`));
      start = process.hrtime.bigint();
      for (const row of core.db
        .prepare<[string], { row_json: string }>('SELECT row_json FROM timeline_rows WHERE case_id = ? ORDER BY time_nano, key')
        .iterate(kase.id))
        if (!plain.write(`${row.row_json}\n`)) await once(plain, 'drain');
      plain.end();
      await once(plain, 'finish');
      const plainS = seconds(start);
      console.log(
        `export ${format}: ${Math.round(result.rows / exportS).toLocaleString('en-US')} rows/s (${mib(statSync(target).size)}) vs ${Math.round(result.rows / plainS).toLocaleString('en-US')} rows/s copying the stored JSON (ratio ${(plainS / exportS).toFixed(2)}); peak RSS ${mib(process.resourceUsage().maxRSS * 1024)}`,
      );
    }

    ensureRendererBuilt();
    const bridge = await startBridge({
      dispatch: createDispatcher(createHandlers(core)),
      events: core.events,
      staticDir: path.join(root, 'dist/renderer'),
    });
    const browser = await chromium.launch({ executablePath: process.env.DRYDOCK_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
      await page.goto(bridge.url);
      await page
        .locator('.dd-nav')
        .getByRole('button', { name: /Timeline/ })
        .waitFor();
      start = process.hrtime.bigint();
      await page
        .locator('.dd-nav')
        .getByRole('button', { name: /Timeline/ })
        .click();
      const view = page.locator('[data-view="timeline"]');
      await view.getByRole('row').first().locator('.dd-tl-msg').waitFor({ timeout: 120_000 });
      console.log(`UI first paint: ${seconds(start).toFixed(2)} s to the first rows of ${ROWS.toLocaleString('en-US')}`);
      // Plain JavaScript text: tsx would wrap a function's names in a helper the page does not have.
      const SCROLL = `async ({ selector, ms, height }) => {
        let el = selector ? document.querySelector(selector) : null;
        if (!el) {
          el = document.createElement('div');
          el.style.cssText = 'position:fixed;left:0;top:0;width:600px;height:432px;overflow-y:auto;z-index:9';
          const inner = document.createElement('div');
          inner.style.height = height + 'px';
          el.appendChild(inner);
          document.body.appendChild(el);
        }
        let frames = 0;
        const t0 = performance.now();
        await new Promise((resolve) => {
          const step = () => {
            el.scrollTop += 2400;
            frames++;
            if (performance.now() - t0 < ms) requestAnimationFrame(step);
            else resolve();
          };
          requestAnimationFrame(step);
        });
        const fps = frames / ((performance.now() - t0) / 1000);
        if (!selector) el.remove();
        return fps;
      }`;
      const scroll = (selector: string | null) =>
        page.evaluate(`(${SCROLL})(${JSON.stringify({ selector, ms: SCROLL_SECONDS * 1000, height: ROWS * 24 })})`) as Promise<number>;
      const empty = await scroll(null);
      const table = await scroll('[data-view="timeline"] .dd-tl-table');
      console.log(
        `UI scroll: ${table.toFixed(1)} fps through the table vs ${empty.toFixed(1)} fps on an empty box (ratio ${(table / empty).toFixed(2)})`,
      );
    } finally {
      await browser.close();
      await bridge.close();
    }
  } finally {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
})();
