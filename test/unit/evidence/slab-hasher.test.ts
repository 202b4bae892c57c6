import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DrydockFailure } from '../../../main/core/errors';
import { SlabHasher } from '../../../main/core/evidence/slab-hasher';
import { tempDir } from './store-fixture';

const SLAB = 64 * 1024;

function sharedArena(slabs: number): { arena: SharedArrayBuffer; slab: (i: number) => Buffer } {
  const arena = new SharedArrayBuffer(slabs * SLAB);
  return { arena, slab: (i) => Buffer.from(arena, i * SLAB, SLAB) };
}

describe('SHA-256 on a thread of its own', () => {
  it('hashes the file prefix, then slabs and copies in the order given, whatever was held before start()', async () => {
    const dir = tempDir('drydock-hasher-');
    const file = path.join(dir, 'blob.part');
    const prefix = Buffer.alloc(3 * 1024 * 1024 + 17, 0x61);
    writeFileSync(file, Buffer.concat([prefix, Buffer.from('bytes after the prefix are not read')]));
    const { arena, slab } = sharedArena(2);
    slab(0).fill(0x62);
    slab(1).fill(0x63);
    const done: number[] = [];
    const failures: DrydockFailure[] = [];
    const hasher = new SlabHasher(
      arena,
      file,
      (i) => done.push(i),
      (err) => failures.push(err),
    );
    try {
      hasher.hashSlab(0, 0, SLAB);
      hasher.hashBytes(Buffer.from('tail'));
      hasher.hashSlab(1, SLAB, 100);
      assert.equal(hasher.backlog, 3, 'held until start()');
      hasher.start(prefix.length);
      const hex = await hasher.digest();
      const expected = createHash('sha256').update(prefix).update(slab(0)).update('tail').update(slab(1).subarray(0, 100)).digest('hex');
      assert.equal(hex, expected);
      assert.deepEqual(done, [-1, 0, -1, 1], 'the file, slab 0, the copy, slab 1: each answered in order');
      assert.equal(hasher.backlog, 0);
      assert.deepEqual(failures, []);
    } finally {
      await hasher.close();
    }
  });

  it('fails with a store failure naming the cause when the prefix cannot be read back', async () => {
    const dir = tempDir('drydock-hasher-');
    const file = path.join(dir, 'short.part');
    writeFileSync(file, Buffer.alloc(1000));
    const { arena } = sharedArena(1);
    const failures: DrydockFailure[] = [];
    const hasher = new SlabHasher(
      arena,
      file,
      () => undefined,
      (err) => failures.push(err),
    );
    try {
      hasher.start(5000);
      await assert.rejects(
        () => hasher.digest(),
        (err: unknown) => err instanceof DrydockFailure && err.kind === 'store' && /ends at 1000 bytes, before the 5000/.test(err.message),
      );
      assert.equal(failures.length, 1);
    } finally {
      await hasher.close();
    }
  });
});
