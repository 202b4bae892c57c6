// Fuzzing case-bundle import (main/core/evidence/bundle-import.ts through EvidenceService.importCase):
// a bundle is a tar from whoever sent it. Starting from a real bundle (a small case exported from a
// temporary store): random bytes, bit flips, truncations, a manifest.json header claiming more bytes
// than exist (up to 2^40), and entries named with '..', absolute paths and links pointing outside.
// Properties: import either succeeds only with the exported case intact, or is refused with a
// DrydockFailure; a refused bundle leaves the store's staging area empty and commits no blob;
// nothing is written outside the store; each input ends in bounded time.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import tar from 'tar-stream';
import { DrydockFailure } from '../../../main/core/errors';
import { meta, openStore, tempDir, type TestStore } from '../evidence/store-fixture';
import { corpus, hex, params } from './fuzz-kit';

const PER_IMPORT_MS = 3_000;

function files(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => path.join(d.parentPath, d.name))
    : [];
}

/** A tar of these entries (plain files unless a type is given), in memory. */
async function tarOf(
  entries: { name: string; data?: Buffer; size?: number; type?: 'symlink' | 'link' | 'directory'; linkname?: string }[],
): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type) pack.entry({ name: e.name, type: e.type, ...(e.linkname ? { linkname: e.linkname } : {}) });
    else pack.entry({ name: e.name, size: e.data?.length ?? 0 }, e.data ?? Buffer.alloc(0));
  }
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Rewrites the size field of the 512-byte header at `at` (octal, or base-256 when it does not fit) and its checksum. */
function claimSize(data: Buffer, at: number, size: number): Buffer {
  const out = Buffer.from(data);
  const field = out.subarray(at + 124, at + 136);
  if (size < 8 ** 11) field.write(`${size.toString(8).padStart(11, '0')}\0`, 'latin1');
  else {
    field.fill(0);
    field[0] = 0x80;
    let v = BigInt(size);
    for (let i = 11; i > 0; i--) {
      field[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  }
  out.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + 512; i++) sum += out[i] as number;
  out.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
  return out;
}

describe('fuzz: case bundle import', () => {
  let source: TestStore;
  let target: TestStore;
  let original: Buffer;
  let caseId = '';
  let shas: string[] = [];
  const work = tempDir('drydock-fuzz-bundle-');
  const inputs = path.join(work, 'inputs');
  const outside = path.join(work, 'outside');
  const savedTmp = process.env.TMPDIR;
  let n = 0;

  before(async () => {
    mkdirSync(inputs);
    mkdirSync(outside);
    source = openStore(path.join(work, 'source'));
    const kase = source.evidence.createCase({
      name: 'fuzz case',
      organisation: 'CERT',
      timeZone: 'UTC',
      description: 'bundle import fuzzing',
    });
    caseId = kase.id;
    await source.evidence.ingest(meta(kase.id), Readable.from([Buffer.from('<?php system($_GET["c"]);')]));
    await source.evidence.addNote('a note');
    const file = path.join(work, 'original.ddcase');
    await source.evidence.exportCase(kase.id, file);
    original = readFileSync(file);
    shas = (await source.evidence.listArtifacts({ caseRef: kase.id })).map((a) => a.sha256).sort();
    target = openStore(path.join(work, 'target'));
    // Anything the import writes to a temporary file of its own would land here, outside the store.
    process.env.TMPDIR = outside;
  });

  after(() => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    source.dispose();
    target.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  /** Imports `bytes` into the target store and checks the properties; returns whether it was imported. */
  async function importOnce(bytes: Buffer, label: string): Promise<boolean> {
    const file = path.join(inputs, `input-${++n}.ddcase`);
    writeFileSync(file, bytes);
    const blobsBefore = files(path.join(target.dir, 'blobs', 'sha256')).length;
    const around = readdirSync(work).sort();
    const started = performance.now();
    let imported = false;
    try {
      await target.evidence.importCase(file);
      imported = true;
    } catch (err) {
      assert.ok(
        err instanceof DrydockFailure,
        `${label}: not a DrydockFailure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)} on ${hex(bytes)}`,
      );
    }
    const took = performance.now() - started;
    assert.ok(took < PER_IMPORT_MS, `${label}: the import took ${took.toFixed(0)} ms on ${hex(bytes)}`);
    rmSync(file);
    assert.deepEqual(files(path.join(target.dir, 'blobs', 'tmp')), [], `${label}: nothing left in the staging area`);
    assert.deepEqual(files(outside), [], `${label}: nothing written outside the store`);
    assert.deepEqual(readdirSync(work).sort(), around, `${label}: nothing written beside the store`);
    if (!imported) {
      assert.equal(files(path.join(target.dir, 'blobs', 'sha256')).length, blobsBefore, `${label}: a refused bundle commits no blob`);
      return false;
    }
    // Imported: only the exported case, whole (a flip in tar padding leaves it intact).
    const artifacts = await target.evidence.listArtifacts({ caseRef: caseId });
    assert.deepEqual(artifacts.map((a) => a.sha256).sort(), shas, `${label}: an imported case has exactly the exported artifacts`);
    for (const a of artifacts) {
      const parts: Buffer[] = [];
      for await (const chunk of (await target.evidence.openArtifact(a.id)) as AsyncIterable<Buffer>) parts.push(Buffer.from(chunk));
      assert.equal(createHash('sha256').update(Buffer.concat(parts)).digest('hex'), a.sha256, `${label}: artifact ${a.id} holds its bytes`);
    }
    // A fresh target, so the next intact bundle is not refused as already imported.
    target.dispose();
    target = openStore(path.join(work, `target-${n}`));
    return true;
  }

  it('imports the real bundle whole', async () => {
    assert.equal(await importOnce(original, 'the exported bundle'), true);
  });

  it('replays the committed corpus', async () => {
    for (const { name, bytes } of corpus('bundle')) assert.equal(await importOnce(bytes, `corpus ${name}`), false);
  });

  it('refuses path traversal, absolute names and links pointing outside', async () => {
    const evil: { name: string; data?: Buffer; type?: 'symlink' | 'link' | 'directory'; linkname?: string }[][] = [
      [{ name: '../../fuzz-escape', data: Buffer.from('x') }],
      [{ name: '/tmp/drydock-fuzz-escape', data: Buffer.from('x') }],
      [{ name: 'manifest.json', type: 'symlink', linkname: '/etc/passwd' }],
      [{ name: 'manifest.json', type: 'link', linkname: '../../../etc/passwd' }],
      [
        { name: 'blobs', type: 'directory' },
        { name: 'blobs/../../fuzz-escape', data: Buffer.from('x') },
      ],
    ];
    for (const entries of evil) assert.equal(await importOnce(await tarOf(entries), entries.map((e) => e.name).join(',')), false);
    assert.ok(
      !existsSync('/tmp/drydock-fuzz-escape') && !existsSync(path.join(work, '..', 'fuzz-escape')),
      'no entry was written where its name points',
    );
  });

  it('refuses a manifest.json header claiming more bytes than the bundle holds (up to 2^40), without allocating them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: original.length, max: 2 ** 31 }), fc.constantFrom(2 ** 33, 2 ** 40, 8 ** 11 - 1)),
        async (size) => {
          const before = process.memoryUsage().arrayBuffers;
          assert.equal(await importOnce(claimSize(original, 0, size), `manifest claiming ${size} bytes`), false);
          assert.ok(process.memoryUsage().arrayBuffers - before < 256 * 1024 * 1024, `a claim of ${size} bytes was not allocated`);
        },
      ),
      params(20),
    );
  });

  it('mutated bundles (bit flips, overwritten runs, truncations) are refused or imported intact', async () => {
    const mutation = fc.record({
      flips: fc.array(fc.record({ at: fc.nat({ max: original.length - 1 }), bit: fc.integer({ min: 0, max: 7 }) }), { maxLength: 4 }),
      run: fc.option(fc.record({ at: fc.nat({ max: original.length - 1 }), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) })),
      cut: fc.option(fc.nat({ max: original.length })),
    });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ flips, run, cut }) => {
        const bytes = Buffer.from(original);
        for (const { at, bit } of flips) bytes[at] = (bytes[at] as number) ^ (1 << bit);
        if (run) Buffer.from(run.bytes).copy(bytes, run.at);
        await importOnce(
          cut === null ? bytes : bytes.subarray(0, cut),
          `mutation ${JSON.stringify({ flips, run: run && { at: run.at, length: run.bytes.length }, cut })}`,
        );
      }),
      params(100),
    );
  });

  it('random bytes and random tars are refused', async () => {
    const entry = fc.record({
      name: fc.oneof(fc.constantFrom('manifest.json', 'signature.json', 'blobs/', '../x', '/abs'), fc.string({ maxLength: 40 })),
      data: fc.uint8Array({ maxLength: 512 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 4096 }).map((b) => ({ raw: Buffer.from(b) })),
          fc.array(entry, { maxLength: 4 }).map((entries) => ({ entries })),
        ),
        async (input) => {
          const bytes =
            'raw' in input
              ? input.raw
              : await tarOf(input.entries.filter((e) => e.name.length > 0).map((e) => ({ name: e.name, data: Buffer.from(e.data) })));
          assert.equal(await importOnce(bytes, 'random input'), false);
        },
      ),
      params(100),
    );
  });
});
