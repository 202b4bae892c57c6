import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX, docker, removeContainers, runContainer } from '../helpers/docker';
import { waitFor } from '../helpers/wait';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

// Volatile evidence in the Processes view, on real containers: the live detail raises the fixture
// implant's deleted executable (hashed all the same) and masks its secret-looking environment until
// revealed; a memory image is acquired with its progress bar, and its strings viewer finds the heap
// marker at the offset where it lies in the exported image, from the Processes view and from the
// Evidence view; a hostile comm and a 64 KiB argument render escaped and clipped.

const IMPLANT = 'drydock-fixture/implant:1';
const MARKER = 'DRYDOCK-HEAP-MARKER-5e1f0c7a';
const SECRET = 'hunter2-not-for-screens';
const ESC = '\u001b';

describe('Processes view: live detail, memory and strings', () => {
  let ui: UiHarness;
  const implantName = `dd-ui-mem-implant-${process.pid}`;
  const hostileName = `dd-ui-mem-hostile-${process.pid}`;
  const bigName = `dd-ui-mem-big-${process.pid}`;
  const containers: string[] = [];
  let implantSha = '';

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    containers.push(runContainer(['--name', implantName, '-e', `API_TOKEN=${SECRET}`, IMPLANT]));
    const script = `printf '${ESC}]0;pwned\\007${ESC}[2J' > /proc/$$/comm; while :; do sleep 3600; done`;
    containers.push(
      runContainer(['--name', hostileName, BUSYBOX, 'sh', '-c', script, `${ESC}[31mred${ESC}]0;title\u0007`, 'A'.repeat(64 * 1024)]),
    );
    const implant = containers[0] ?? '';
    // A shell holding 384 MiB in a variable: an image large enough to be cancelled halfway.
    containers.push(
      runContainer([
        '--name',
        bigName,
        BUSYBOX,
        'sh',
        '-c',
        `big=$(head -c ${384 * 1024 * 1024} /dev/zero | tr '\\0' x); echo ready; while :; do sleep 3600; done`,
      ]),
    );
    const big = containers[2] ?? '';
    await waitFor(() => docker(['logs', implant]).includes('ready'), { what: 'the implant fixture to delete its binary' });
    await waitFor(() => docker(['logs', big]).includes('ready'), { what: 'the large shell to fill its variable', timeoutMs: 120_000 });
    implantSha = docker(['run', '--rm', '--label', 'drydock.test=1', IMPLANT, 'sha256sum', '/bin/busybox']).split(' ')[0] ?? '';
    ui = await startUi();
    ui.core.evidence.createCase({ name: 'Volatile evidence UI', organisation: '', timeZone: 'UTC', description: '' });
    // As in the memory CLI tests: a log follower attached to the helpers could stall their output.
    await ui.core.logFollower.setting(undefined, false);
    ui.core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    await ui.core.hosts.connect('local');
  });

  after(async () => {
    await ui?.close();
    removeContainers(containers);
  });

  async function openProcesses(container: string) {
    const page = ui.page;
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Processes/ })
      .click();
    const view = page.locator('[data-view="processes"]');
    await view.getByPlaceholder('name or ID').fill(container);
    return view;
  }

  it('raises the deleted executable, hashes it, and masks secrets until revealed', async () => {
    const view = await openProcesses(implantName);
    await view.getByRole('button', { name: 'Live detail' }).click();
    const panel = view.getByTestId('live-detail');
    await waitText(panel, 'Running from a deleted file', 90_000);
    assert.equal(await panel.locator('.dd-pd-findings li[data-flag="deleted-executable"]').count(), 1);
    const process = panel.getByTestId('pd-process');
    assert.match((await process.locator('h3').textContent()) ?? '', /^PID 1 /);
    assert.equal(await process.locator('.dd-pd-flags li[data-flag="deleted-executable"]').count(), 1);
    assert.match((await process.getByTestId('pd-exe').textContent()) ?? '', /^\/tmp\/\.cache\/sh\s*deleted from disk$/);
    assert.equal(await process.locator('.dd-select-all').first().textContent(), implantSha, 'the deleted binary hashed whole');

    await process.locator('summary', { hasText: 'Environment' }).click();
    const environ = process.getByTestId('pd-environ');
    const masked = (await environ.textContent()) ?? '';
    assert.ok(masked.includes('API_TOKEN=••••'), masked);
    assert.ok(!masked.includes(SECRET), 'the secret is masked on screen');
    assert.ok(masked.includes('PATH=/'), 'other variables shown');
    await ui.screenshot('processes-detail');
    await panel.getByLabel('Reveal secrets').check();
    await waitText(environ, `API_TOKEN=${SECRET}`);
    await panel.getByLabel('Reveal secrets').uncheck();
    await process.locator('summary', { hasText: 'Environment' }).click();

    for (const section of ['Identity and confinement', 'Namespaces', 'Open files', 'Memory maps'])
      await process.locator('summary', { hasText: section }).click();
    const text = (await process.textContent()) ?? '';
    assert.match(text, /CapEff \(effective\)[0-9a-f]{16} .*CAP_CHOWN/);
    assert.match(text, /seccompfilter/);
    assert.match(text, /pid\d+same as PID 1/);
    assert.match(text, /rw-p00000000\[heap\]/, 'permissions shown whole');
    assert.match(text, /\[heap\]/);
    await process.locator('summary', { hasText: 'Identity and confinement' }).scrollIntoViewIfNeeded();
    await ui.screenshot('processes-detail-sections');
    for (const section of ['Identity and confinement', 'Namespaces', 'Open files', 'Memory maps'])
      await process.locator('summary', { hasText: section }).click();
  });

  let artifactId = '';

  it('acquires the memory of PID 1 with a progress bar, then lists the image', async () => {
    const view = ui.page.locator('[data-view="processes"]');
    await view.getByRole('button', { name: 'Acquire memory…' }).click();
    const panel = view.getByTestId('memory-panel');
    assert.equal(await panel.getByLabel('PID in the container').inputValue(), '1', 'the PID chosen in the live detail');
    await panel.getByRole('button', { name: 'Acquire memory', exact: true }).click();
    await panel.getByTestId('memory-progress').waitFor({ timeout: 10_000 });
    const image = panel.getByTestId('memory-image');
    await image.waitFor({ timeout: 120_000 });
    artifactId = (await image.getAttribute('data-artifact')) ?? '';
    assert.match(artifactId, /\S/);
    const bar = panel.locator('progress[aria-label="PID 1 memory read"]');
    await waitFor(async () => (await bar.count()) === 1 && (await bar.getAttribute('value')) === (await bar.getAttribute('max')), {
      what: 'the progress bar of PID 1 to reach its total',
    });
    assert.ok(Number(await bar.getAttribute('max')) > 0);
    assert.match((await image.textContent()) ?? '', /regions not read/);
    await ui.screenshot('processes-memory');
  });

  it('finds the heap marker in the strings of the image, at its offset in the image', async () => {
    const view = ui.page.locator('[data-view="processes"]');
    const image = view.getByTestId('memory-image');
    await image.getByRole('button', { name: 'Strings…' }).click();
    const strings = image.getByTestId('strings-viewer');
    await waitText(strings.getByTestId('strings-where'), /strings from byte 0 to/);
    assert.ok((await strings.locator('tbody tr').count()) > 0, 'a first page of strings');
    await strings.getByLabel('Search strings').fill('heap-marker');
    await strings.getByRole('button', { name: 'Search', exact: true }).click();
    const row = strings.locator('tbody tr', { hasText: MARKER }).first();
    await row.waitFor({ timeout: 60_000 });
    const offset = Number((await row.locator('td').first().getAttribute('title'))?.replace(/^byte /, ''));
    assert.equal(await row.locator('td').first().textContent(), `0x${offset.toString(16).padStart(8, '0')}`);
    assert.equal(await row.locator('td').nth(1).textContent(), 'ASCII');
    const text = (await row.locator('td').nth(2).textContent()) ?? '';
    const file = path.join(ui.storeDir, 'image.core');
    await ui.core.evidence.exportArtifact(artifactId, file);
    assert.equal(
      readFileSync(file).indexOf(text, offset, 'latin1'),
      offset,
      `the string holding the marker starts at the offset shown: ${text}`,
    );
    await row.scrollIntoViewIfNeeded();
    await ui.screenshot('processes-strings');
  });

  it("opens the same strings from the Evidence view's artifact detail", async () => {
    const view = ui.page.locator('[data-view="processes"]');
    await view.getByTestId('memory-image').getByRole('button', { name: 'Open in Evidence' }).click();
    const detail = ui.page.getByLabel('Artifact detail', { exact: true });
    await waitText(detail, artifactId);
    await detail.locator('summary', { hasText: 'Strings' }).click();
    const strings = detail.getByTestId('strings-viewer');
    await strings.getByLabel('Search strings').fill(MARKER);
    await strings.getByRole('button', { name: 'Search', exact: true }).click();
    await strings.locator('tbody tr', { hasText: MARKER }).first().waitFor({ timeout: 60_000 });
    await ui.screenshot('evidence-memory-strings');
  });

  it('shows the stored live detail in the Evidence view as the Processes view showed it', async () => {
    await ui.page
      .locator('.dd-nav')
      .getByRole('button', { name: /Processes/ })
      .click();
    const stored = ui.page.locator('[data-view="processes"]').getByTestId('pd-stored');
    const id = (await stored.textContent()) ?? '';
    await stored.click();
    const detail = ui.page.getByLabel('Artifact detail', { exact: true });
    await waitText(detail, id);
    await waitText(detail.locator('.dd-artifact-title'), 'process-detail');
    const panel = detail.getByTestId('live-detail');
    await waitText(panel, 'Running from a deleted file');
    assert.ok(!((await detail.textContent()) ?? '').includes(SECRET), 'no raw preview shows the secret');
    const process = panel.getByTestId('pd-process');
    await process.locator('summary', { hasText: 'Environment' }).click();
    const environ = (await process.getByTestId('pd-environ').textContent()) ?? '';
    assert.ok(environ.includes('API_TOKEN=••••') && !environ.includes(SECRET), environ);
    await panel.scrollIntoViewIfNeeded();
    await ui.screenshot('evidence-process-detail');
  });

  it('renders a hostile name and a 64 KiB argument escaped and clipped', async () => {
    const view = await openProcesses(hostileName);
    await view.getByRole('button', { name: 'Live detail' }).click();
    const panel = view.getByTestId('live-detail');
    await waitText(panel, hostileName, 90_000);
    const process = panel.getByTestId('pd-process');
    await waitText(process.locator('h3'), '\\x1b]0;pwned\\x07');
    const argv = (await process.getByTestId('pd-argv').textContent()) ?? '';
    assert.ok(argv.includes('\\x1b[31mred\\x1b]0;title\\x07'), argv.slice(0, 200));
    assert.ok(argv.includes('65,536 characters; the whole value is in the stored report'), 'the 64 KiB argument is clipped');
    assert.ok(argv.length < 20_000, `the screen holds a clipped argument, not 64 KiB (${argv.length} characters)`);
    const raw = await ui.page.evaluate(() =>
      [...document.body.innerText].some((ch) => {
        const code = ch.charCodeAt(0);
        return (code < 0x20 && ch !== '\n' && ch !== '\t') || code === 0x7f;
      }),
    );
    assert.equal(raw, false, 'no control character reaches the page');
    await ui.screenshot('processes-hostile');
    // Another process of the list, chosen from the keyboard.
    const sleeper = panel.locator('tr[data-pid]', { hasText: 'sleep' });
    await sleeper.focus();
    await ui.page.keyboard.press('Enter');
    await waitText(process.locator('h3'), /^PID \d+ sleep /);
    assert.deepEqual(ui.pageErrors, []);
  });

  async function memoryPanel(view: ReturnType<typeof ui.page.locator>) {
    const panel = view.getByTestId('memory-panel');
    if ((await panel.count()) === 0) await view.getByRole('button', { name: 'Acquire memory…' }).click();
    return panel;
  }

  it('pauses the container for the read when asked, audits it and unpauses it', async () => {
    const view = await openProcesses(implantName);
    const panel = await memoryPanel(view);
    await panel.getByLabel('All processes').check();
    await panel.getByLabel('Pause the container while reading').check();
    await panel.getByRole('button', { name: 'Acquire memory', exact: true }).click();
    const image = panel.getByTestId('memory-image');
    await waitText(image, 'read while paused', 120_000);
    assert.equal(await image.count(), 1, 'one image for the one process');
    assert.equal(docker(['inspect', '-f', '{{.State.Paused}} {{.State.Running}}', implantName]), 'false true');
    const actions = (await ui.core.evidence.auditEntries({ limit: 1000 })).map((e) => e.action);
    assert.ok(actions.includes('memory.container-paused') && actions.includes('memory.container-unpaused'), actions.join(' '));
  });

  it('cancels a large acquisition halfway and keeps what was read as incomplete', async () => {
    const view = await openProcesses(bigName);
    const panel = await memoryPanel(view);
    assert.equal(await panel.getByLabel('PID in the container').inputValue(), '1');
    await panel.getByRole('button', { name: 'Acquire memory', exact: true }).click();
    const bar = panel.locator('progress[aria-label="PID 1 memory read"]');
    await waitFor(async () => (await bar.count()) === 1 && Number(await bar.getAttribute('value')) > 0, {
      what: 'the first progress of the large read',
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    await panel.getByRole('button', { name: 'Cancel' }).click();
    await ui.screenshot('processes-memory-cancel');
    const image = panel.getByTestId('memory-image');
    await waitText(image, 'incomplete', 120_000);
    const done = Number(await bar.getAttribute('value'));
    const total = Number(await bar.getAttribute('max'));
    assert.ok(total > 384 * 1024 * 1024, `the image would hold the 384 MiB variable (${total} bytes)`);
    assert.ok(done < total, `cancelled before the end (${done} of ${total})`);
    assert.equal(docker(['inspect', '-f', '{{.State.Running}}', bigName]), 'true');
    assert.deepEqual(ui.pageErrors, []);
  });
});
