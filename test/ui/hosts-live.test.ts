import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { nextEvent, waitFor } from '../helpers/wait';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

// A host saved after the page loaded — by the core (another window, the CLI's import, a context
// adopted by resolve) — shows in the header's EVENTS list and in the Hosts view once connected,
// without reloading the page; removing it takes it out again.

describe('Hosts added after the page loaded', () => {
  let ui: UiHarness;
  let page: Page;
  const name = `late-${process.pid}`;

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    ui = await startUi();
    page = ui.page;
  });

  after(async () => {
    await ui?.close();
  });

  it("the header's EVENTS list shows a host the core added and connected after load", async () => {
    const streams = page.getByTestId('header-streams');
    // The page has loaded its (empty) host list before the host exists.
    await waitText(streams, 'no host connected');
    await page.locator('.dd-nav').getByRole('button', { name: /Hosts/ }).click();
    const hostsView = page.locator('[data-view="hosts"]');
    await hostsView.waitFor();

    const connected = nextEvent(ui.core, 'host.status', (s) => s.name === name && s.state === 'connected', { what: `${name} connected` });
    ui.core.hosts.add({ name, url: 'unix:///var/run/docker.sock' });
    await ui.core.hosts.connect(name);
    await connected;

    await waitText(streams, 'EVENTS');
    await waitText(streams, name);
    // The Hosts view lists it too, connected.
    await waitText(hostsView, name);
    await ui.screenshot('header-late-host');

    const removed = nextEvent(ui.core, 'hosts.changed', (c) => c.name === name && c.change === 'removed', { what: `${name} removed` });
    await ui.core.hosts.remove(name);
    await removed;
    await waitText(streams, 'no host connected');
    // The header and the Hosts view re-read the host list on their own: wait for the view, do not race it.
    await waitFor(async () => !((await hostsView.textContent()) ?? '').includes(name), {
      what: 'the removed host gone from the Hosts view',
    });
    assert.deepEqual(ui.pageErrors, []);
  });
});
