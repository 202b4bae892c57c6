import { createHash, randomUUID, type Hash } from 'node:crypto';
import { createReadStream, lstatSync, mkdirSync, type ReadStream } from 'node:fs';
import { lstat, mkdir, open, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DrydockFailure } from '../errors';
import { storeIoFailure } from '../store/io-failure';

/**
 * Content-addressed blobs: blobs/sha256/ab/cd/<sha256>. A blob is written to a temporary file in
 * the store (same filesystem, so the final rename is atomic), hashed as it is written, fsync'd,
 * made read-only and renamed into place; a reader never sees a half-written blob under its name.
 */

const SHA256 = /^[a-f0-9]{64}$/;
/** Small writes are gathered into writes of about this size. */
const WRITE_BATCH = 1024 * 1024;
/**
 * Batches on their way to the disk at once: each is a positional write of its own (the thread
 * pool runs them side by side), so hashing the next chunk never waits for one write to finish,
 * and memory stays bounded at a few MiB whatever the size of the blob. Two writes and the
 * background flush leave one of libuv's four threads for the source's reads.
 */
const WRITES_IN_FLIGHT = 2;
/**
 * Every this many bytes written, the bytes so far are flushed to the disk in the background
 * (fdatasync). A blob smaller than a tenth of RAM would otherwise sit dirty in the page cache
 * until the final fsync, which then writes all of it while nothing else happens; flushing as we
 * go overlaps the disk's work with reading and hashing. It adds flushes and removes none: the
 * final fsync before the rename is still the one durability rests on.
 */
const FLUSH_EVERY = 64 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

export interface StoredBlob {
  sha256: string;
  size: number;
  /** The same bytes were already stored: the new copy was dropped. */
  deduplicated: boolean;
}

export class BlobStore {
  readonly root: string;
  readonly tempDir: string;

  constructor(readonly storeDir: string) {
    this.root = path.join(storeDir, 'blobs');
    this.tempDir = path.join(this.root, 'tmp');
  }

  blobPath(sha256: string): string {
    if (!SHA256.test(sha256)) throw new DrydockFailure('invalid-input', `Not a SHA-256: ${JSON.stringify(sha256).slice(0, 80)}`);
    return path.join(this.root, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** A fresh temporary path in the store, named for the process that owns it (for crash sweeps). */
  tempPath(suffix = '.part'): string {
    return path.join(this.tempDir, `${process.pid}-${randomUUID()}${suffix}`);
  }

  has(sha256: string): boolean {
    try {
      return lstatSync(this.blobPath(sha256)).isFile();
    } catch {
      // Absent (or unreadable): not in the store.
      return false;
    }
  }

  /** Streams a blob back. A missing blob is an integrity failure: rows only point at stored blobs. */
  open(sha256: string, what = `blob ${sha256}`): ReadStream {
    const file = this.blobPath(sha256);
    if (!this.has(sha256))
      throw new DrydockFailure('integrity', `The stored bytes of ${what} are missing from the evidence store (${file}); run verify`);
    return createReadStream(file, { highWaterMark: READ_CHUNK });
  }

  /** Streams only the first `bytes` bytes of a blob (a preview reads no more than it shows). */
  openHead(sha256: string, bytes: number, what = `blob ${sha256}`): ReadStream {
    const file = this.blobPath(sha256);
    if (!this.has(sha256))
      throw new DrydockFailure('integrity', `The stored bytes of ${what} are missing from the evidence store (${file}); run verify`);
    return createReadStream(file, { start: 0, end: Math.max(0, bytes - 1), highWaterMark: Math.min(READ_CHUNK, Math.max(1, bytes)) });
  }

  /** Streams bytes [start, end] (inclusive) of a blob: a pager reads a page of a huge artifact, not all of it. */
  openRange(sha256: string, start: number, end: number, what = `blob ${sha256}`): ReadStream {
    const file = this.blobPath(sha256);
    if (!this.has(sha256))
      throw new DrydockFailure('integrity', `The stored bytes of ${what} are missing from the evidence store (${file}); run verify`);
    return createReadStream(file, { start, end: Math.max(start, end), highWaterMark: Math.min(READ_CHUNK, Math.max(1, end - start + 1)) });
  }

  /** Re-hashes a stored blob by streaming it. */
  async hash(sha256: string): Promise<{ sha256: string; size: number } | undefined> {
    if (!this.has(sha256)) return undefined;
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(this.blobPath(sha256), { highWaterMark: READ_CHUNK })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), size };
  }

  /** Opens a writer on a new temporary file. */
  async createWriter(tempPath = this.tempPath()): Promise<BlobWriter> {
    try {
      await mkdir(this.tempDir, { recursive: true });
      const handle = await open(tempPath, 'wx', 0o600);
      return new BlobWriter(this, tempPath, handle);
    } catch (err) {
      throw storeIoFailure(err, `create a temporary file in the evidence store at ${this.storeDir}`);
    }
  }

  /**
   * Moves a complete, fsync'd, hashed file into its content-addressed place. If the blob is
   * already stored with the same size the new copy is dropped; a stored copy of another size is
   * damaged, and the new bytes (which hash to the name) take its place.
   */
  async commit(tempPath: string, sha256: string, size: number): Promise<StoredBlob> {
    const final = this.blobPath(sha256);
    const dir = path.dirname(final);
    // Absent: the blob is new.
    const existing = await lstat(final).catch(() => undefined);
    if (existing?.isFile() && existing.size === size) {
      await unlink(tempPath);
      return { sha256, size, deduplicated: true };
    }
    const created = await mkdir(dir, { recursive: true });
    await rename(tempPath, final);
    await fsyncDir(dir);
    if (created !== undefined) {
      // New fan-out directories must themselves be durable for the blob to be found after a crash.
      for (let d = path.dirname(dir); d.length >= this.root.length; d = path.dirname(d)) {
        await fsyncDir(d);
        if (d === this.root) break;
      }
    }
    return { sha256, size, deduplicated: false };
  }

  ensureDirs(): void {
    mkdirSync(this.tempDir, { recursive: true });
  }
}

/**
 * Writes one blob: every byte is hashed on the calling thread as it arrives, while batches of
 * earlier bytes are written by the thread pool at their own offsets (up to WRITES_IN_FLIGHT at
 * once) and flushed in the background every FLUSH_EVERY bytes. A chunk must not be modified
 * after it is passed to write().
 */
export class BlobWriter {
  private readonly hashing: Hash = createHash('sha256');
  private queued: Buffer[] = [];
  private queuedBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  /** The background flush under way, if any (one at a time). */
  private flushing: Promise<void> | undefined;
  private failure: unknown;
  private closed = false;
  private received = 0;
  /** Bytes handed to a write: the offset of the next batch. */
  private dispatched = 0;
  /** Bytes written, and bytes written when the last background flush started. */
  private written = 0;
  private flushedAt = 0;

  constructor(
    private readonly store: BlobStore,
    readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  /** Bytes accepted so far. */
  get bytes(): number {
    return this.received;
  }

  /** Resolves when the chunk may be followed by the next one (backpressure). */
  async write(chunk: Buffer): Promise<void> {
    this.assertOpen();
    if (chunk.length === 0) return;
    this.hashing.update(chunk);
    this.received += chunk.length;
    this.queued.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes >= WRITE_BATCH) await this.startBatch();
  }

  /**
   * Flushes, fsyncs and moves the bytes into the store under their hash. On failure the
   * temporary file is removed and nothing is stored.
   */
  async complete(): Promise<StoredBlob> {
    const { sha256, size } = await this.seal();
    try {
      return await this.store.commit(this.tempPath, sha256, size);
    } catch (err) {
      // Already gone: the commit failure thrown below is the one that matters.
      await rm(this.tempPath, { force: true }).catch(() => undefined);
      throw storeIoFailure(err, `move blob ${sha256} into the evidence store at ${this.store.storeDir}`);
    }
  }

  /**
   * Flushes and fsyncs the temporary file and makes it read-only, without giving it its name
   * yet (a bundle import stages every blob before it commits any). On failure it is removed.
   */
  async seal(): Promise<{ sha256: string; size: number }> {
    this.assertOpen();
    this.closed = true;
    try {
      await this.startBatch();
      await this.settle();
      if (this.failure !== undefined) throw this.failure;
      // The fsync durability rests on: every byte written, after every background flush ended.
      await this.handle.sync();
      // Read-only from the first moment it has its name: evidence is never modified in place.
      await this.handle.chmod(0o444);
      await this.handle.close();
    } catch (err) {
      await this.discardAfterFailure();
      throw storeIoFailure(err, `write to the evidence store at ${this.store.storeDir}`);
    }
    return { sha256: this.hashing.digest('hex'), size: this.received };
  }

  /** Drops everything written (nothing is stored). */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Discarding: a failed write only means less to throw away (settle records failures, never throws).
    await this.settle();
    await this.discardAfterFailure();
  }

  /** Closes the file but keeps it (a closing service leaves it for crash recovery). */
  async release(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Released unfinished: the temporary file is left for recovery; a failed write was already reported to the writer.
    await this.settle();
    // Already closed: nothing to release.
    await this.handle.close().catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.failure !== undefined) throw storeIoFailure(this.failure, `write to the evidence store at ${this.store.storeDir}`);
    if (this.closed) throw new DrydockFailure('conflict', 'This artifact writer is already finished');
  }

  /** Waits for every write and the background flush (their failures are kept in this.failure). */
  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    await this.flushing;
  }

  private async startBatch(): Promise<void> {
    // Backpressure: at most WRITES_IN_FLIGHT batches on their way to the disk.
    while (this.inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(this.inFlight);
    if (this.failure !== undefined) {
      const failure = this.failure;
      await this.settle();
      await this.discardAfterFailure();
      throw storeIoFailure(failure, `write to the evidence store at ${this.store.storeDir}`);
    }
    if (this.queuedBytes === 0) return;
    const batch = this.queued;
    const offset = this.dispatched;
    const size = this.queuedBytes;
    this.queued = [];
    this.queuedBytes = 0;
    this.dispatched += size;
    const write: Promise<void> = this.writeAll(batch, offset)
      .then(() => {
        this.written += size;
        this.flushInBackground();
      })
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }

  private async writeAll(buffers: Buffer[], offset: number): Promise<void> {
    let pending = buffers;
    let position = offset;
    while (pending.length > 0) {
      const { bytesWritten } = await this.handle.writev(pending, position);
      position += bytesWritten;
      pending = dropWritten(pending, bytesWritten);
    }
  }

  /** Starts a background fdatasync when FLUSH_EVERY more bytes were written since the last one. */
  private flushInBackground(): void {
    if (this.flushing !== undefined || this.closed || this.written - this.flushedAt < FLUSH_EVERY) return;
    this.flushedAt = this.written;
    this.flushing = this.handle
      .datasync()
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => {
        this.flushing = undefined;
      });
  }

  private async discardAfterFailure(): Promise<void> {
    this.closed = true;
    // After a failure that is reported to the caller: already closed or already gone is fine.
    await this.handle.close().catch(() => undefined);
    await rm(this.tempPath, { force: true }).catch(() => undefined);
  }
}

function dropWritten(buffers: Buffer[], count: number): Buffer[] {
  let left = count;
  const rest: Buffer[] = [];
  for (const b of buffers) {
    if (left >= b.length) {
      left -= b.length;
      continue;
    }
    rest.push(left > 0 ? b.subarray(left) : b);
    left = 0;
  }
  return rest;
}

export async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some platforms cannot open or fsync a directory; the file itself was already fsync'd.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw err;
  } finally {
    // The fsync (or its failure) is what counts; closing a read-only directory handle cannot lose data.
    await handle?.close().catch(() => undefined);
  }
}
