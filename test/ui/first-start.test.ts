// The first start as a newcomer meets it: `drydock serve` (the built bin) on a fresh store and a
// fresh HOME, its printed URL opened in Chromium; the Hosts view offers the machine's Docker
// contexts, one click saves the local engine and lists its containers, and the first listing is
// recorded into an ad-hoc case the header shows.
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { drydockSpawn } from '../helpers/cli';
import { BUSYBOX, removeContainers, runContainer } from '../helpers/docker';
import { ensureRendererBuilt, screenshotDir } from './harness';

describe('first start: drydock serve with no profile and no case', () => {
  const home = mkdtempSync('/tmp/drydock-first-start-home-');
  const store = mkdtempSync('/tmp/drydock-first-start-store-');
  const name = `dd-first-start-${process.pid}`;
  let container = '';
  let serve: ChildProcessWithoutNullStreams | undefined;
  let browser: Browser | undefined;

  before(() => {
    ensureRendererBuilt();
    mkdirSync(path.join(home, '.docker'), { recursive: true });
    writeFileSync(path.join(home, '.docker', 'config.json'), '{}');
    container = runContainer(['--name', name, BUSYBOX, 'sleep', '3600']);
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    if (serve && serve.exitCode === null) {
      const exited = new Promise((resolve) => serve?.once('exit', resolve));
      serve.kill('SIGINT');
      await exited;
    }
    removeContainers([container]);
    rmSync(home, { recursive: true, force: true });
    rmSync(store, { recursive: true, force: true });
  });

  it('offers the local engine, lists its containers in one click, and records the first listing in an ad-hoc case', async () => {
    serve = drydockSpawn(store, ['serve'], { env: { HOME: home, DOCKER_HOST: '', DOCKER_CONTEXT: '', DRYDOCK_EXAMINER: 'newcomer' } });
    const child = serve;
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const found = /http:\/\/127\.0\.0\.1:\d+\/#\S+/.exec(out);
        if (found) resolve(found[0]);
      });
      child.once('exit', (code) => reject(new Error(`drydock serve exited ${code}: ${out}`)));
    });
    browser = await chromium.launch({
      executablePath: process.env.DRYDOCK_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.locator('nav').getByText('Hosts', { exact: true }).click();
    const offer = page.locator('[aria-label="Docker contexts"] tr[data-context="default"]');
    await offer.waitFor();
    assert.match((await offer.textContent()) ?? '', /default.*current.*unix:\/\/\/var\/run\/docker\.sock/);
    await page.screenshot({ path: path.join(screenshotDir, 'first-start-contexts.png') });
    await offer.getByRole('button', { name: 'Use' }).click();
    const row = page.locator(`[data-view="inventory"] tr.dd-inv-row[data-name="${name}"]`);
    await row.waitFor({ timeout: 30_000 });
    const recorded = page.getByTestId('inventory-recorded');
    await recorded.filter({ hasText: /recorded in case local \d{4}-\d{2}-\d{2}/ }).waitFor({ timeout: 30_000 });
    await page
      .getByTestId('current-case')
      .filter({ hasText: /local \d{4}-\d{2}-\d{2}/ })
      .waitFor();
    await page.getByTestId('examiner').filter({ hasText: 'newcomer' }).waitFor();
    await page.screenshot({ path: path.join(screenshotDir, 'first-start-inventory.png') });
    assert.deepEqual(errors, []);
  });
});
