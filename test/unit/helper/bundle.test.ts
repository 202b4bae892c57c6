import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { findHelperBundle } from '../../../main/core/helper/bundle';

describe('the capture helper bundle lookup', () => {
  it('says in one sentence, naming the command that builds it, when no bundle is built', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'drydock-no-bundle-'));
    try {
      const found = findHelperBundle([empty]);
      assert.equal(found.bundle, null);
      assert.match(found.problem ?? '', /^the capture helper bundle is not built: run `npm run helper-bundle` in the Drydock checkout/);
      assert.equal((found.problem ?? '').split(/\.\s/).length, 1, 'one sentence');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses a manifest whose tar is missing, naming the command again', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drydock-half-bundle-'));
    try {
      writeFileSync(
        path.join(dir, 'drydock-capture-helper.json'),
        JSON.stringify({
          tag: 'drydock/capture-helper:0123456789ab',
          imageId: `sha256:${'a'.repeat(64)}`,
          architecture: 'amd64',
          tcpdump: '4',
          size: 10,
          sha256: 'b'.repeat(64),
        }),
      );
      const found = findHelperBundle([dir]);
      assert.equal(found.bundle, null);
      assert.match(found.problem ?? '', /is missing or not the size its manifest records; rebuild it with `npm run helper-bundle`/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
