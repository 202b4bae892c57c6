import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { DriftScanInfo } from '../../shared/domain/drift';
import { BUSYBOX, docker, removeContainers, required, runContainer } from '../helpers/docker';
import { screenshotDir, startUi, waitText, type UiHarness } from './harness';

// "Acquire this file" in the drift view: a 2 MiB data file (not an executable, a script or a
// credential, so the 1 MiB default content cap applies) is only hashed by a default scan; one click
// in its entry's detail stores it in the case, and the stored SHA-256 is the one `sha256sum`
// computes inside the container.

const MIB = 1024 * 1024;
const FILE = '/srv/dump.bin';

describe('drift view: Acquire this file', () => {
  let ui: UiHarness;
  let id = '';
  let inside = '';
  const name = `dd-drift-acquire-${process.pid}`;

  before(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    id = runContainer(['--name', name, BUSYBOX, 'sleep', '3600']);
    // A fixed prefix, so random bytes can never start like an ELF or a "#!" script.
    docker(['exec', id, 'sh', '-c', `mkdir -p /srv && printf 'DATA' > ${FILE} && head -c ${2 * MIB} /dev/urandom >> ${FILE}`]);
    inside = required(
      /^([0-9a-f]{64})\s/.exec(docker(['exec', id, 'sha256sum', FILE]))?.[1],
      'the hash sha256sum prints inside the container',
    );
    ui = await startUi();
    ui.core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    ui.core.evidence.createCase({ name: 'Drift acquire' });
    // The defaults a scan gets from the UI or the CLI: 1 MiB content cap, 256 MiB for key evidence.
    const scan = await ui.core.drift.scan({
      host: 'local',
      containers: [name],
      contentCapBytes: MIB,
      keyEvidenceCapBytes: 256 * MIB,
      concurrency: 1,
    });
    const done: DriftScanInfo = await ui.core.drift.wait(scan.id);
    assert.equal(done.state, 'complete');
  });

  after(async () => {
    removeContainers([id]);
    await ui?.close();
  });

  it('acquires a hashed-only file into the case with the hash sha256sum gives inside the container', async () => {
    const { page } = ui;
    await page.reload();
    await page.locator('.dd-nav').getByRole('button', { name: /Drift/ }).click();
    const view = page.getByRole('region', { name: 'Drift' });
    await view.getByLabel('Scans').selectOption({ index: 1 });
    await view.locator(`tr[data-container="${id}"]`).click();
    const tree = view.getByRole('tree', { name: 'Changed paths' });
    await tree.getByText('dump.bin', { exact: true }).click();
    const detail = view.locator(`.dd-drift-detail[data-path="${FILE}"]`);
    await waitText(detail, 'Contents: over-cap');
    assert.equal(await detail.getByRole('tab').count(), 0, 'no preview before the file is acquired: the scan kept only its hash');

    await detail.getByRole('button', { name: 'Acquire this file' }).click();
    const note = detail.getByTestId('acquired-artifact');
    await note.waitFor({ timeout: 60_000 });
    assert.equal(await note.getAttribute('data-sha256'), inside);
    assert.match(
      (await note.innerText()).replace(/\s+/g, ' '),
      new RegExp(`[\\d.]+ MiB · sha256 ${inside} · the same bytes the scan hashed`),
    );
    assert.equal(await detail.getByRole('button', { name: 'Acquire this file' }).count(), 0, 'acquired once, the button is gone');
    // The preview now reads the acquired artifact: the fixed prefix is its first bytes.
    await detail.getByRole('tab', { name: 'hex' }).click();
    await detail.getByText(/00000000 {2}44 41 54 41/).waitFor();
    await ui.screenshot('drift-acquired');

    // The store holds it in the case, with that hash and every byte.
    const stored = (await ui.core.evidence.listArtifacts({ kind: 'container-file' })).find((a) => a.sha256 === inside);
    assert.ok(stored, 'a container-file artifact with the in-container hash is in the case');
    assert.equal(stored.size, 2 * MIB + 4);
    assert.deepEqual(ui.pageErrors, []);
  });
});
