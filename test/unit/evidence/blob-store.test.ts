import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import { DrydockFailure } from '../../../main/core/errors';
import { BlobStore } from '../../../main/core/evidence/blob-store';
import { type TestStore, failingAfter, generated, meta, openStore, readAllBytes, tempDir } from './store-fixture';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function blobFiles(dir: string): string[] {
  const root = path.join(dir, 'blobs', 'sha256');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name);
}

function tempFiles(dir: string): string[] {
  const tmp = path.join(dir, 'blobs', 'tmp');
  return existsSync(tmp) ? readdirSync(tmp) : [];
}

describe('blob store', () => {
  let store: TestStore;
  let caseId: string;

  beforeEach(() => {
    store = openStore();
    caseId = store.evidence.createCase({ name: 'Blob case' }).id;
  });
  afterEach(() => store.dispose());

  it('stores a blob under blobs/sha256/ab/cd/<hash>, read-only, and streams it back', async () => {
    const bytes = Buffer.from('root:x:0:0:root:/root:/bin/sh\n');
    const artifact = await store.evidence.ingest(meta(caseId), Readable.from([bytes]));
    assert.equal(artifact.sha256, sha(bytes));
    assert.equal(artifact.size, bytes.length);
    assert.equal(artifact.status, 'complete');
    assert.equal(artifact.drydockVersion, JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).version);
    const file = path.join(store.dir, 'blobs', 'sha256', artifact.sha256.slice(0, 2), artifact.sha256.slice(2, 4), artifact.sha256);
    assert.deepEqual(readFileSync(file), bytes);
    assert.equal(statSync(file).mode & 0o777, 0o444, 'blobs are read-only on disk');
    assert.deepEqual(await readAllBytes(await store.evidence.openArtifact(artifact.id)), bytes);
    assert.deepEqual(tempFiles(store.dir), [], 'no temporary file is left');
    const events = store.seen.map((s) => s.event);
    assert.deepEqual(events, ['evidence.audit-appended', 'evidence.case-changed', 'evidence.audit-appended', 'evidence.artifact-added']);
    assert.deepEqual(store.seen[3]?.payload, artifact);
  });

  it('stores a large stream byte for byte: slabs written side by side at their offsets, directly once they are 2 MiB', async () => {
    // 70 MiB in odd-sized chunks: growing slabs through the page cache, then page-aligned 2 MiB slabs written with O_DIRECT
    // (several in flight at once), and a tail that is not a multiple of the block size.
    const size = 70 * 1024 * 1024 + 13;
    const expected = createHash('sha256');
    for await (const chunk of generated(size, 300_007, 7)) expected.update(chunk as Buffer);
    const artifact = await store.evidence.ingest(meta(caseId), generated(size, 300_007, 7));
    assert.equal(artifact.size, size);
    assert.equal(artifact.sha256, expected.digest('hex'));
    const file = path.join(store.dir, 'blobs', 'sha256', artifact.sha256.slice(0, 2), artifact.sha256.slice(2, 4), artifact.sha256);
    assert.equal(statSync(file).size, size);
    assert.equal((await store.evidence.verify()).ok, true, 'the bytes on disk hash to the recorded sha256');
  });

  it('stores the bytes as they were when write() was called, even when the caller reuses its buffer or does not wait', async () => {
    // One buffer refilled after each write (a reader's recycled buffer), then writes not awaited (a capture's
    // callbacks): 24 MiB in chunks that straddle slab boundaries, through the small slabs and the aligned arena,
    // and across the 16 MiB point where the hash moves to its own thread while writes are not awaited.
    const writer = await store.evidence.openWriter(meta(caseId));
    const expected = createHash('sha256');
    const reused = Buffer.alloc(1024 * 1024 + 7);
    for (let i = 0; i < 12; i++) {
      reused.fill(i + 1);
      expected.update(reused);
      await writer.write(reused);
    }
    const pending: (Promise<void> | void)[] = [];
    for (let i = 0; i < 12; i++) {
      const chunk = Buffer.alloc(1024 * 1024 - 5, 0x40 + i);
      expected.update(chunk);
      pending.push(writer.write(chunk));
      chunk.fill(0);
    }
    await Promise.all(pending);
    const info = await writer.finish();
    const sha256 = expected.digest('hex');
    assert.equal(info.sha256, sha256);
    assert.equal(info.size, 24 * 1024 * 1024 + 12 * 7 - 12 * 5);
    assert.equal(sha(readFileSync(new BlobStore(store.dir).blobPath(info.sha256))), sha256, 'the file holds the bytes that were hashed');
  });

  it('hashes a large blob on a thread of its own: an interrupted one, an abandoned one and one dropped unfinished', async () => {
    // Past 16 MiB the SHA-256 moves to a worker thread; what is kept of a stream that fails there still hashes right.
    const received = Buffer.alloc(40 * 1024 * 1024 + 4099);
    for (let i = 0; i + 4 <= received.length; i += 4096) received.writeUInt32LE(i, i);
    const artifact = await store.evidence.ingest(meta(caseId, { kind: 'pcap' }), failingAfter(received, 'socket hang up'));
    assert.equal(artifact.status, 'incomplete');
    assert.equal(artifact.size, received.length);
    assert.equal(artifact.sha256, sha(received));
    assert.equal((await store.evidence.verify(caseId)).ok, true);
    // A writer past the cut whose stream is abandoned, and one the store drops on close (kept for recovery):
    // neither keeps the process's event loop alive (the test runner would hang).
    const abandoned = await store.evidence.openWriter(meta(caseId));
    for (let i = 0; i < 20; i++) await abandoned.write(Buffer.alloc(1024 * 1024, i));
    const kept = await abandoned.abandon('cancelled by the examiner');
    assert.equal(kept.size, 20 * 1024 * 1024);
    const expected = createHash('sha256');
    for (let i = 0; i < 20; i++) expected.update(Buffer.alloc(1024 * 1024, i));
    assert.equal(kept.sha256, expected.digest('hex'));
    const dropped = await store.evidence.openWriter(meta(caseId));
    for (let i = 0; i < 20; i++) await dropped.write(Buffer.alloc(1024 * 1024, 0x55));
  });

  it('deduplicates identical content: two artifacts, one blob', async () => {
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 7, 0x41);
    const first = await store.evidence.ingest(meta(caseId), Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]));
    const second = await store.evidence.ingest(meta(caseId, { source: { host: 'other' } }), Readable.from([bytes]));
    assert.notEqual(first.id, second.id);
    assert.equal(first.sha256, second.sha256);
    assert.deepEqual(blobFiles(store.dir), [first.sha256]);
    const added = (await store.evidence.auditEntries({ caseRef: caseId })).filter((e) => e.action === 'artifact.added');
    assert.equal(added.length, 2);
    assert.equal(added[1]?.details.deduplicated, true);
    assert.equal((await store.evidence.verify()).ok, true);
  });

  it('keeps the bytes of an interrupted stream as an incomplete artifact with the reason', async () => {
    const received = Buffer.from('partial pcap bytes '.repeat(1000));
    const artifact = await store.evidence.ingest(meta(caseId, { kind: 'pcap' }), failingAfter(received, 'socket hang up'));
    assert.equal(artifact.status, 'incomplete');
    assert.match(artifact.statusReason ?? '', new RegExp(`failed after ${received.length} bytes: socket hang up`));
    assert.equal(artifact.size, received.length);
    assert.equal(artifact.sha256, sha(received));
    assert.deepEqual(await readAllBytes(await store.evidence.openArtifact(artifact.id)), received);
    const listed = await store.evidence.listArtifacts({ caseRef: caseId });
    assert.deepEqual(listed, [artifact]);
    const report = await store.evidence.verify(caseId);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
  });

  it('records a cancelled acquisition as incomplete', async () => {
    const controller = new AbortController();
    let sent = 0;
    const endless = new Readable({
      read() {
        sent++;
        if (sent === 3) controller.abort();
        this.push(Buffer.alloc(1024, sent));
      },
    });
    const artifact = await store.evidence.ingest(meta(caseId), endless, { signal: controller.signal });
    assert.equal(artifact.status, 'incomplete');
    assert.match(artifact.statusReason ?? '', /^cancelled after \d+ bytes/);
  });

  it('streams through a writer with backpressure and supports abandon()', async () => {
    const writer = await store.evidence.openWriter(meta(caseId, { kind: 'pcap' }));
    await writer.write(Buffer.from('abc'));
    await writer.write(Buffer.from('def'));
    assert.equal(writer.bytes, 6);
    const info = await writer.abandon('tcpdump exited', { packets: 2 });
    assert.equal(info.status, 'incomplete');
    assert.equal(info.statusReason, 'tcpdump exited');
    assert.equal(info.attributes.packets, 2);
    assert.equal(info.sha256, sha(Buffer.from('abcdef')));
    await assert.rejects(() => Promise.resolve(writer.write(Buffer.from('x'))), /already finished/);
  });

  it('refuses acquisitions into a closed case, or with no case at all', async () => {
    await store.evidence.closeCase();
    await assert.rejects(
      () => store.evidence.ingest(meta(caseId), Readable.from([Buffer.from('x')])),
      (err: DrydockFailure) => err.kind === 'conflict' && /is closed/.test(err.message),
    );
    const fresh = openStore();
    try {
      assert.throws(
        () => fresh.evidence.resolveWritableCase(),
        (err: DrydockFailure) => err.kind === 'conflict' && /No case is open/.test(err.message),
      );
      assert.throws(
        () => fresh.evidence.resolveWritableCase('nope'),
        (err: DrydockFailure) => err.kind === 'not-found',
      );
    } finally {
      fresh.dispose();
    }
  });

  it('detects a changed byte in a stored blob and a deleted blob', async () => {
    const bytes = Buffer.from('evidence that must not change');
    const artifact = await store.evidence.ingest(meta(caseId), Readable.from([bytes]));
    const file = new BlobStore(store.dir).blobPath(artifact.sha256);
    chmodSync(file, 0o644);
    const altered = Buffer.from(bytes);
    altered[3] = altered[3]! ^ 1;
    writeFileSync(file, altered);
    let report = await store.evidence.verify();
    assert.deepEqual(report.problems, [
      { kind: 'blob-mismatch', artifactId: artifact.id, expected: artifact.sha256, actual: sha(altered) },
    ]);
    rmSync(file);
    report = await store.evidence.verify();
    assert.deepEqual(report.problems, [{ kind: 'blob-missing', artifactId: artifact.id, sha256: artifact.sha256 }]);
  });

  it('stores names and paths from containers exactly', async () => {
    const hostile = {
      host: 'lab',
      containerName: 'web\u001b[2J<script>alert(1)</script>',
      path: `/tmp/${'a'.repeat(5000)}\n\ud800\u202e.txt`,
    };
    const artifact = await store.evidence.ingest(meta(caseId, { source: hostile }), Readable.from([Buffer.from('x')]));
    const back = await store.evidence.getArtifact(artifact.id);
    assert.deepEqual(back?.source, hostile);
    assert.equal((await store.evidence.verify()).ok, true);
  });

  it('verifies even when plain-column text holds lone surrogates (made well-formed before hashing)', async () => {
    const odd = store.evidence.createCase({ name: 'case \udc00 odd', description: 'x\ud800' });
    const artifact = await store.evidence.ingest(
      meta(odd.id, { method: 'engine \ud800 archive' }),
      failingAfter(Buffer.from('ab'), 'reset \udfff'),
    );
    assert.equal(artifact.method, 'engine \ufffd archive');
    assert.match(artifact.statusReason ?? '', /reset \ufffd/);
    assert.deepEqual(await store.evidence.getArtifact(artifact.id), artifact);
    store.evidence.audit('odd.\ud800action', { text: '\ud800 kept exactly in JSON' }, odd.id);
    const last = (await store.evidence.auditEntries({ caseRef: odd.id })).at(-1);
    assert.equal(last?.details.text, '\ud800 kept exactly in JSON');
    const report = await store.evidence.verify();
    assert.equal(report.ok, true, JSON.stringify(report.problems));
  });

  it('recovers an acquisition whose process died: incomplete, bytes kept', async () => {
    const dir = store.dir;
    const payload = Buffer.alloc(200_000, 0x5a);
    const writer = await store.evidence.openWriter(meta(caseId, { kind: 'pcap' }));
    await writer.write(payload);
    // Closing without finishing: as if the process had stopped; the next open recovers it.
    store.close();
    const again = openStore(dir);
    try {
      const report = await again.evidence.verify();
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      const artifacts = await again.evidence.listArtifacts({ caseRef: caseId });
      assert.equal(artifacts.length, 1);
      const artifact = artifacts[0] as ArtifactInfo;
      assert.equal(artifact.status, 'incomplete');
      assert.match(artifact.statusReason ?? '', /before this acquisition finished/);
      assert.ok(artifact.size <= payload.length);
      assert.deepEqual(tempFiles(dir), []);
    } finally {
      again.close();
    }
  });
});

describe('disk full', () => {
  const mountPoint = tempDir('drydock-tmpfs-');
  let mounted = false;
  let skipReason = '';

  before(() => {
    if (process.platform !== 'linux') {
      skipReason = 'needs Linux tmpfs';
      return;
    }
    const run = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { encoding: 'utf8' });
    mounted = run.status === 0;
    if (!mounted)
      skipReason = `cannot mount a 1 MB tmpfs here (${(run.stderr || run.error?.message || '').trim() || `exit ${run.status}`})`;
  });
  after(() => {
    if (mounted) spawnSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('fails with disk-full, leaving nothing half-written, and the store keeps working', async (t) => {
    if (!mounted) {
      t.skip(skipReason);
      return;
    }
    const dir = path.join(mountPoint, 'store');
    mkdirSync(dir);
    const store = openStore(dir);
    try {
      const caseId = store.evidence.createCase({ name: 'Full disk' }).id;
      await assert.rejects(
        () => store.evidence.ingest(meta(caseId), generated(4 * 1024 * 1024)),
        (err: unknown) => err instanceof DrydockFailure && err.kind === 'disk-full' && /No space left/.test(err.message),
      );
      assert.deepEqual(tempFiles(dir), [], 'the temporary file is removed');
      assert.deepEqual(blobFiles(dir), [], 'no blob appears');
      assert.deepEqual(await store.evidence.listArtifacts({ caseRef: caseId }), []);
      assert.equal((store.db.prepare('SELECT COUNT(*) AS n FROM pending_writes').get() as { n: number }).n, 0);
      // A capture's writer: after the failure, abandon() reports the same failure, not a state error.
      const writer = await store.evidence.openWriter(meta(caseId, { kind: 'pcap' }));
      await assert.rejects(
        async () => {
          for (let i = 0; i < 8; i++) await writer.write(Buffer.alloc(512 * 1024, i));
          await writer.finish();
        },
        (err: unknown) => err instanceof DrydockFailure && err.kind === 'disk-full',
      );
      await assert.rejects(
        () => writer.abandon('capture stopped'),
        (err: unknown) => err instanceof DrydockFailure && err.kind === 'disk-full',
      );
      assert.deepEqual(tempFiles(dir), []);
      const failed = (await store.evidence.auditEntries({ caseRef: caseId })).filter((e) => e.action === 'artifact.failed');
      assert.equal(failed.length, 2, 'each lost acquisition is on the record');
      const small = await store.evidence.ingest(meta(caseId), Readable.from([Buffer.from('still works')]));
      assert.equal(small.status, 'complete');
      const report = await store.evidence.verify();
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      store.close();
    }
  });
});
