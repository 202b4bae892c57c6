import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { engineSpan, followEngineEvents, type EngineEvent } from '../helpers/engine-events';
import { startScenario, type Scenario } from '../helpers/scenario';
import { screenshotDir, startUi, type UiHarness } from './harness';
import { waitFor } from '../helpers/wait';

/** The refresh interval of the Connections view's live watch, in seconds. */
const INTERVAL_S = 5;
/** Refresh intervals watched for a helper after the watch ended. */
const QUIET_INTERVALS = 3;

/** A helper of THIS process (the core runs in the test process): other Drydocks share the engine. */
const ownSocketsHelper = (e: EngineEvent) =>
  e.Action === 'create' &&
  e.Actor.Attributes['drydock.helper'] === 'sockets' &&
  e.Actor.Attributes['drydock.owner.pid'] === String(process.pid);

describe('Footprint: live watches stop when their view closes, and the header says what runs', () => {
  let ui: UiHarness;
  let page: Page;
  let scenario: Scenario;
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
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Connections/ })
      .click();
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
    await ui?.close();
    scenario?.teardown();
  });

  it('shows the read-only event stream as a connection, not as footprint', async () => {
    // The host was added through the core after the page loaded: hosts.changed brings it to the header.
    const streams = page.getByTestId('header-streams');
    await streams.getByText('EVENTS').waitFor({ timeout: 20_000 });
    await streams.getByText('local').waitFor();
    assert.equal(await page.getByTestId('header-watch').count(), 0, 'nothing runs on the host before the user asks');
  });

  it('leaving the Connections view stops its live refresh: no helper of ours is created afterwards', async () => {
    const events = await followEngineEvents();
    try {
      const watchId = await turnLiveOn();
      // The header says what runs where, whatever view is shown.
      const item = page.getByTestId('header-watch');
      await item.waitFor({ timeout: 10_000 });
      assert.match((await item.textContent()) ?? '', /connections every 5 s on local/);
      // The observation is real: while live, the engine sees our sockets helpers being created.
      await events.next(ownSocketsHelper, { what: 'a sockets helper of this process while live', timeoutMs: 60_000 });
      await ui.screenshot('header-running-watch');

      await page
        .locator('.dd-nav')
        .getByRole('button', { name: /Inventory/ })
        .click();
      assert.equal(await watchEnded(watchId), 'stopped');
      await item.waitFor({ state: 'detached', timeout: 10_000 });

      // Several refresh intervals by the engine's own clock: a marker container of ours sleeps
      // through them, and the window closes on its exit, so every create before that has been
      // delivered when we count.
      const from = events.seen.length;
      const span = await engineSpan(events, QUIET_INTERVALS * INTERVAL_S);
      assert.ok(span >= QUIET_INTERVALS * INTERVAL_S * 1e9, `the engine saw ${span} ns pass, not ${QUIET_INTERVALS} refresh intervals`);
      const during = events.seen.slice(from).filter(ownSocketsHelper);
      assert.deepEqual(
        during.map((e) => e.Actor.Attributes.name),
        [],
        'no helper of ours was created after the watch ended',
      );
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
