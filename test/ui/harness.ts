import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { createCore, type Core } from '../../main/app/core';
import { createDispatcher } from '../../main/app/dispatch';
import { createHandlers } from '../../main/app/handlers';
import { startBridge, type Bridge } from '../../main/bridge/server';
import { waitFor } from '../helpers/wait';

const root = path.resolve(__dirname, '../..');
const staticDir = path.join(root, 'dist/renderer');
export const screenshotDir = path.join(__dirname, 'screenshots');

/** Waits until the locator's text contains `text` (or matches it) and returns that text; the timeout names the locator and its last text. */
export async function waitText(locator: Locator, text: string | RegExp, timeoutMs = 30_000): Promise<string> {
  let last = '';
  const found = (value: string) => (typeof text === 'string' ? value.includes(text) : text.test(value));
  try {
    return await waitFor(
      async () => {
        last = (await locator.textContent({ timeout: 1000 }).catch(() => '')) ?? '';
        return found(last) ? last : undefined;
      },
      { what: `${String(text)} in ${locator.toString()}`, timeoutMs, intervalMs: 150 },
    );
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}; last text: ${last.slice(0, 400)}`);
  }
}

export interface UiHarness {
  page: Page;
  browser: Browser;
  core: Core;
  readonly bridge: Bridge;
  /** Stops the bridge (every renderer connection drops), runs `whileDown`, then starts it again on the same port and token. */
  restartBridge(whileDown?: () => Promise<void> | void): Promise<void>;
  /** The bridge URL with its #token fragment, as `drydock serve` prints it. */
  url: string;
  storeDir: string;
  /** Console errors and uncaught page errors (CSP violations land here). */
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** The UI test drives the built renderer: (re)build it when the sources are newer than the build. */
export function ensureRendererBuilt(): void {
  let builtAt = 0;
  try {
    builtAt = statSync(path.join(staticDir, 'index.html')).mtimeMs;
  } catch {
    // not built yet
  }
  const sources = Math.max(newestMtime(path.join(root, 'renderer')), newestMtime(path.join(root, 'shared')));
  if (builtAt > sources) return;
  const vite = path.join(root, 'node_modules/.bin/vite');
  const build = spawnSync(vite, ['build', '--config', 'renderer/vite.config.mts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`Building the renderer failed (exit ${build.status ?? build.signal})`);
}

/**
 * A core on a temporary store, the loopback bridge serving the built renderer, and Debian's
 * Chromium pointed at the bridge URL: the same path a responder takes with `drydock serve`.
 */
export async function startUi(options: { viewport?: { width: number; height: number } } = {}): Promise<UiHarness> {
  ensureRendererBuilt();
  const storeDir = mkdtempSync(path.join(os.tmpdir(), 'drydock-ui-'));
  // As `drydock serve` builds it: logs of starting containers are followed into the open case.
  const core = createCore({ storeDir, examiner: 'ui-test examiner', followLogs: true });
  let bridge: Bridge | undefined;
  let browser: Browser | undefined;
  try {
    const dispatch = createDispatcher(createHandlers(core));
    bridge = await startBridge({ dispatch, events: core.events, staticDir });
    browser = await chromium.launch({
      executablePath: process.env.DRYDOCK_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('console', (message) => {
      // Chromium aborts requests in flight when the machine's network interfaces change, which the
      // engine does whenever a test starts a container (a veth pair, a bridge): not a fault of the page.
      if (message.type() === 'error' && !message.text().includes('net::ERR_NETWORK_CHANGED')) pageErrors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) pageErrors.push(`HTTP ${response.status()} ${response.url().replace(/#.*$/, '')}`);
    });
    await page.goto(bridge.url);
    const opened = { bridge, browser };
    return {
      page,
      browser,
      core,
      get bridge() {
        return opened.bridge;
      },
      async restartBridge(whileDown) {
        const { port, token } = opened.bridge;
        await opened.bridge.close();
        await whileDown?.();
        opened.bridge = await startBridge({ dispatch, events: core.events, staticDir, port, token });
      },
      url: bridge.url,
      storeDir,
      pageErrors,
      async screenshot(name: string) {
        const file = path.join(screenshotDir, `${name}.png`);
        await page.screenshot({ path: file, fullPage: false });
        return file;
      },
      async close() {
        await opened.browser.close().catch(() => undefined);
        await opened.bridge.close().catch(() => undefined);
        await core.close().catch(() => undefined);
        rmSync(storeDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    await bridge?.close().catch(() => undefined);
    await core.close().catch(() => undefined);
    rmSync(storeDir, { recursive: true, force: true });
    throw err;
  }
}
