import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import Dockerode from 'dockerode';
import type { Page } from 'playwright-core';
import { BUSYBOX, docker, removeContainers, TEST_LABEL } from '../helpers/docker';
import { startScenario, type Scenario } from '../helpers/scenario';
import { screenshotDir, startUi, type UiHarness } from './harness';
import { waitFor } from '../helpers/wait';

/** The refresh interval of the Connections view's live watch, in seconds. */
const INTERVAL_S = 5;
/** Refresh intervals watched for a helper after the watch ended. */
const QUIET_INTERVALS = 3;

interface CreateEvent {
  id: string;
  name: string;
  labels: Record<string, string>;
}

/**
 * The engine's own record of what was created: `docker events` (type=container, event=create)
 * on the default socket, independent of anything Drydock says about itself.
 */
async function followCreates(): Promise<{ creates: CreateEvent[]; waitFor(what: string, match: (e: CreateEvent) => boolean, timeoutMs: number): Promise<CreateEvent>; close(): void }> {
  const engine = new Dockerode();
  const stream = (await engine.getEvents({ filters: { type: ['container'], event: ['create'] } })) as NodeJS.ReadableStream & { destroy(): void };
  const creates: CreateEvent[] = [];
  const waiters = new Set<() => void>();
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      try {
        const event = JSON.parse(line) as { Actor?: { ID?: string; Attributes?: Record<string, string> } };
        const labels = event.Actor?.Attributes ?? {};
        creates.push({ id: event.Actor?.ID ?? '', name: labels.name ?? '', labels });
      } catch {
        continue;
      }
      for (const wake of waiters) wake();
    }
  });
  return {
    creates,
    waitFor(what, match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = creates.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no container create event for ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => stream.destroy(),
  };
}

/** A helper of THIS process (the core runs in the test process): other Drydocks share the engine. */
const ownSocketsHelper = (e: CreateEvent) => e.labels['drydock.helper'] === 'sockets' && e.labels['drydock.owner.pid'] === String(process.pid);

describe('Footprint: live watches stop when their view closes, and the header says what runs', () => {
  let ui: UiHarness;
  let page: Page;
  let scenario: Scenario;
  const markers: string[] = [];
  const ended = new Map<string, string>();
  const endedWaiters = new Set<() => void>();
  let started: string[] = [];

  const watchEnded = (watchId: string, timeoutMs = 20_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const reason = ended.get(watchId);
        if (reason === undefined) return;
        clearTimeout(timer);
        endedWaiters.delete(check);
        resolve(reason);
      };
      const timer = setTimeout(() => reject(new Error(`watch ${watchId} did not end within ${timeoutMs} ms`)), timeoutMs);
      endedWaiters.add(check);
      check();
    });

  const latestStart = () => waitFor(() => started.at(-1), { what: 'a network watch to start' });

  const turnLiveOn = async () => {
    started = [];
    await page.locator('.dd-nav').getByRole('button', { name: /Connections/ }).click();
    const graph = page.locator('[data-view="graph"]');
    await graph.getByLabel('Host').selectOption('local');
    const box = graph.getByRole('checkbox', { name: /Live/ });
    assert.equal(await box.isChecked(), false, 'Live is off until the user turns it on');
    await box.check();
    return latestStart();
  };

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    scenario = startScenario({ suffix: `fp${process.pid}` });
    ui = await startUi();
    page = ui.page;
    ui.core.events.subscribe((event, payload) => {
      if (event === 'network.watch-started') started.push((payload as { id: string }).id);
      if (event !== 'network.watch-ended') return;
      const { watchId, reason } = payload as { watchId: string; reason: string };
      ended.set(watchId, reason);
      for (const wake of endedWaiters) wake();
    });
    ui.core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    await ui.core.hosts.connect('local');
  });

  after(async () => {
    removeContainers(markers);
    await ui?.close();
    scenario?.teardown();
  });

  it('shows the read-only event stream as a connection, not as footprint', async () => {
    // The host was added through the core after the page loaded: load the page again to read it.
    await page.goto(ui.url);
    const streams = page.getByTestId('header-streams');
    await streams.getByText('EVENTS').waitFor({ timeout: 20_000 });
    await streams.getByText('local').waitFor();
    assert.equal(await page.getByTestId('header-watch').count(), 0, 'nothing runs on the host before the user asks');
  });

  it('leaving the Connections view stops its live refresh: no helper of ours is created afterwards', async () => {
    const events = await followCreates();
    try {
      const watchId = await turnLiveOn();
      // The header says what runs where, whatever view is shown.
      const item = page.getByTestId('header-watch');
      await item.waitFor({ timeout: 10_000 });
      assert.match((await item.textContent()) ?? '', /connections every 5 s on local/);
      // The observation is real: while live, the engine sees our sockets helpers being created.
      await events.waitFor('a sockets helper of this process while live', ownSocketsHelper, 60_000);
      await ui.screenshot('header-running-watch');

      await page.locator('.dd-nav').getByRole('button', { name: /Inventory/ }).click();
      assert.equal(await watchEnded(watchId), 'stopped');
      await item.waitFor({ state: 'detached', timeout: 10_000 });

      // Several refresh intervals of the engine's own event stream: the window closes on a
      // marker container of ours, so every create before it has been delivered when we count.
      const from = events.creates.length;
      await new Promise<void>((resolve) => setTimeout(resolve, QUIET_INTERVALS * INTERVAL_S * 1000));
      const marker = docker(['create', '--label', TEST_LABEL, '--name', `drydock-fp-marker-${process.pid}`, BUSYBOX, 'true']);
      markers.push(marker);
      await events.waitFor('the marker', (e) => e.id === marker, 20_000);
      const during = events.creates.slice(from).filter(ownSocketsHelper);
      assert.deepEqual(during.map((e) => e.name), [], 'no helper of ours was created after the watch ended');
    } finally {
      events.close();
    }
  });

  it("stops from the header's Stop button, and when the page reloads", async () => {
    const first = await turnLiveOn();
    const graph = page.locator('[data-view="graph"]');
    await page.getByTestId('header-watch').getByRole('button', { name: 'Stop' }).click();
    assert.equal(await watchEnded(first), 'stopped');
    await page.getByTestId('header-watch').waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await graph.getByRole('checkbox', { name: /Live/ }).isChecked(), false, 'Live shows the watch is off');

    const second = await turnLiveOn();
    // A reload (or a closed tab) never unmounts the view: the bridge ends the page's watches when its event stream closes.
    await page.reload();
    assert.equal(await watchEnded(second), 'stopped');
    assert.deepEqual(ui.core.network.list(), []);
  });
});
