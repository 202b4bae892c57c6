// A reviewer imports bundles in the UI: it says who signed each one and whether that key is trusted,
// says "unsigned" plainly, and refuses either when the reviewer asks for a trusted signature.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCore } from '../../main/app/core';
import { createDispatcher } from '../../main/app/dispatch';
import { createHandlers } from '../../main/app/handlers';
import { startUi, type UiHarness } from './harness';

describe('bundle signatures in the Evidence view', () => {
  let ui: UiHarness;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'drydock-ui-signed-'));
  const signed = path.join(scratch, 'signed.drydock.tar');
  const unsigned = path.join(scratch, 'unsigned.drydock.tar');

  before(async () => {
    // Another examiner's store: a signed bundle of one case, an unsigned one of another.
    const store = path.join(scratch, 'alice-store');
    const alice = createCore({ storeDir: store, examiner: 'alice' });
    const call = createDispatcher(createHandlers(alice));
    try {
      for (const step of [
        () => call('evidence.key-create', { examiner: 'alice', passphrase: 'correct horse battery' }),
        () => call('evidence.case-create', { name: 'Signed by alice' }),
        () => call('evidence.export-bundle', { path: signed, sign: true, passphrase: 'correct horse battery' }),
        () => call('evidence.case-create', { name: 'Nobody signed this' }),
        () => call('evidence.export-bundle', { path: unsigned }),
      ]) {
        const r = await step();
        assert.ok(r.ok, JSON.stringify(r));
      }
    } finally {
      await alice.close();
    }
    ui = await startUi();
  });
  after(async () => {
    await ui?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('marks an unsigned bundle, refuses an untrusted one when asked to, and names the signer otherwise', async () => {
    const { page } = ui;
    await page
      .locator('.dd-nav')
      .getByRole('button', { name: /Evidence/ })
      .click();
    const evidence = page.locator('[data-view="evidence"]');
    const importPath = evidence.getByLabel('Bundle import path');

    await importPath.fill(unsigned);
    await evidence.getByRole('button', { name: 'Import bundle' }).click();
    const unsignedLine = evidence.locator('[data-testid="bundle-signature"][data-status="unsigned"]');
    await unsignedLine.waitFor({ timeout: 20_000 });
    assert.match((await unsignedLine.textContent()) ?? '', /no examiner signed this bundle/);

    await evidence.getByLabel('require a trusted signature').check();
    await importPath.fill(signed);
    await evidence.getByRole('button', { name: 'Import bundle' }).click();
    await evidence.locator('.dd-bundles .dd-errorbox').waitFor({ timeout: 20_000 });
    assert.match(
      (await evidence.locator('.dd-bundles .dd-errorbox').textContent()) ?? '',
      /refused, nothing was imported: it is signed by key [0-9a-f]{64} \(claiming to be "alice"\), which this store does not trust/,
    );

    await evidence.getByLabel('require a trusted signature').uncheck();
    await evidence.getByRole('button', { name: 'Import bundle' }).click();
    const untrusted = evidence.locator('[data-testid="bundle-signature"][data-status="untrusted"]');
    await untrusted.waitFor({ timeout: 20_000 });
    const text = (await untrusted.textContent()) ?? '';
    assert.match(text, /Signed by an untrusted key: alice on \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z · key [0-9a-f]{64}/);
    await ui.screenshot('bundle-signature');
  });
});
