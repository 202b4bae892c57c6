import { createHash, randomUUID, type Hash } from 'node:crypto';
import { constants as fsConstants, createReadStream, lstatSync, mkdirSync, type ReadStream } from 'node:fs';
import { lstat, mkdir, open, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DrydockFailure } from '../errors';
import { storeIoFailure } from '../store/io-failure';
import { SlabHasher } from './slab-hasher';

/**
 * Content-addressed blobs: blobs/sha256/ab/cd/<sha256>. A blob is written to a temporary file in
 * the store (same filesystem, so the final rename is atomic), hashed as it is written, fsync'd,
 * made read-only and renamed into place; a reader never sees a half-written blob under its name.
 */

const SHA256 = /^[a-f0-9]{64}$/;
/**
 * Bytes are copied into slabs the writer owns, and each full slab is one positional write. A
 * writer's first slab is SLAB_MIN bytes and each new one twice the last, up to SLAB_MAX: a small
 * artifact stays small, a large one is written 2 MiB at a time. Copying costs a memcpy per byte
 * (about a third of the hash's CPU time) and buys two things: the source's chunks are dropped as soon as
 * write() returns, so the garbage collector never has to promote and sweep gigabytes of buffers
 * held by writes under way (a fifth of the main thread's busy time on a 1 GiB file before); and the
 * bytes hashed are the slab's, which are the bytes written, whatever a caller does to its chunk
 * afterwards.
 */
const SLAB_MIN = 256 * 1024;
const SLAB_MAX = 2 * 1024 * 1024;
/**
 * Slabs on their way to the disk at once: each is a positional write of its own (the thread
 * pool runs them side by side), so hashing the next bytes never waits for one write to finish,
 * and memory stays bounded at a few slabs whatever the size of the blob. Two writes and the
 * background flush leave one of libuv's four threads for the source's reads.
 */
const WRITES_IN_FLIGHT = 2;
/**
 * Once a blob reaches SLAB_MAX slabs, they come from an arena of ARENA_SLABS slabs aligned to
 * pages (a shared WebAssembly memory: Node gives no other way to an aligned buffer, and the hash
 * thread reads the same memory) and are written with O_DIRECT: the disk reads them straight from the arena. Buffered writes cost a second
 * copy of every byte into the page cache (more CPU than the SHA-256 itself on a 1 GiB file),
 * dirty pages the kernel throttles and flushes that wait for the journal; direct writes skip
 * all three. Durability is unchanged: the final fsync still commits the file's metadata and
 * flushes the disk's cache before the rename. Where O_DIRECT is refused (tmpfs before Linux 6.6,
 * some network filesystems) or a direct write fails with EINVAL, the writer goes on with buffered writes.
 */
const ARENA_SLABS = WRITES_IN_FLIGHT + 3;
/**
 * Once this many bytes of a blob are written, its SHA-256 moves to a thread of its own
 * (slab-hasher.ts) if they came at HASH_THREAD_MIN_RATE or faster: the bytes so far are read back
 * from the temporary file there, and every later slab is hashed there straight from the arena,
 * while this thread only copies and dispatches. A smaller blob is hashed here as it arrives (a
 * thread costs some 15 ms to start). Hashing on the calling thread was the ingest's limit: it ran
 * at 0.77 of Node's bare SHA-256 rate on a 1 GiB file, 0.95 with the hash thread (npm run bench -- evidence).
 */
const HASH_THREAD_FROM = 16 * 1024 * 1024;
/**
 * Bytes per second below which a blob keeps its hash on the calling thread: there the hash takes
 * a quarter of that thread's time or less (Node hashes at some 1.3-1.9 GB/s here) and is not what
 * the ingest waits for, while the thread would cost its memory (some 8 MB of RSS; a memory image
 * fetched through the engine's archive relay at ~250 MB/s stays within its 150 MB budget without it).
 */
const HASH_THREAD_MIN_RATE = 400 * 1024 * 1024;
/**
 * Slabs handed to the hash thread and not yet hashed before write() waits: with the writes in
 * flight, that leaves an arena slab free for the next bytes (else they go to a slab of their own).
 */
const HASH_BACKLOG = ARENA_SLABS - WRITES_IN_FLIGHT - 1;
/** O_DIRECT wants buffers, lengths and offsets aligned to the device's block; a page covers every common one. */
const DIRECT_ALIGN = 4096;
const WASM_PAGE = 65536;
/** The one WebAssembly API used here (the TypeScript libraries this project builds with declare none). */
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => { readonly buffer: SharedArrayBuffer };
};
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
      // A second handle on the same file for the direct writes; none where the filesystem refuses O_DIRECT.
      const direct =
        fsConstants.O_DIRECT === undefined
          ? undefined
          : await open(tempPath, fsConstants.O_WRONLY | fsConstants.O_DIRECT).catch(() => undefined);
      return new BlobWriter(this, tempPath, handle, direct);
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
 * Writes one blob: every byte is copied into a slab and hashed from it (on the calling thread as
 * it arrives for the first HASH_THREAD_FROM bytes, then slab by slab on a hash thread), while
 * earlier full slabs are written by the thread pool at their own offsets (up to WRITES_IN_FLIGHT
 * at once) and flushed in the background every FLUSH_EVERY bytes. The chunk passed to write() is
 * not kept: the caller may reuse it as soon as write() returns.
 */
export class BlobWriter {
  private readonly hashing: Hash = createHash('sha256');
  /** The slab being filled, and how many of its bytes are. */
  private slab: Buffer | undefined;
  private filled = 0;
  /** The size of the next slab allocated (doubles up to SLAB_MAX). */
  private slabSize = SLAB_MIN;
  /** Full slabs (or the last part-filled one) waiting for a write slot, with their offsets, in order. */
  private ready: { bytes: Buffer; offset: number }[] = [];
  /** SLAB_MAX slabs whose writes are done, for reuse. */
  private spare: Buffer[] = [];
  /** The page-aligned shared memory of the arena slabs (made when the blob first needs a SLAB_MAX slab), its slabs, and those free. */
  private arena: SharedArrayBuffer | undefined;
  private arenaSlabs: Buffer[] = [];
  private arenaFree: Buffer[] = [];
  /** Arena slabs still wanted by their write and (past the hash cut) their hash: reusable at zero. */
  private readonly holds = new Map<Buffer, number>();
  /**
   * The hash thread, from the cut on; the cut is the offset where it takes over (0: not decided
   * yet, -1: the bytes came too slowly for it), and the writes below it still under way.
   */
  private hasher: SlabHasher | undefined;
  private cut = 0;
  private writesBelowCut = 0;
  /** Slabs queued whose write has not completed (counted when queued, uncounted when the write is done). */
  private unwritten = 0;
  /** When the first bytes came (performance.now() ms), for the rate that decides the hash thread. */
  private firstWriteAt: number | undefined;
  /** Waiters for any progress: a write done, a slab hashed, a failure. */
  private waiters: (() => void)[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** The background flush under way, if any (one at a time). */
  private flushing: Promise<void> | undefined;
  private failure: unknown;
  private closed = false;
  private received = 0;
  /** Bytes handed to a write: the offset of the next slab. */
  private dispatched = 0;
  /** Bytes written through the page cache, and that count when the last background flush started. */
  private written = 0;
  private flushedAt = 0;

  constructor(
    private readonly store: BlobStore,
    readonly tempPath: string,
    private readonly handle: FileHandle,
    /** The same file opened with O_DIRECT, for arena slabs; undefined once refused. */
    private direct: FileHandle | undefined,
  ) {}

  /** Bytes accepted so far. */
  get bytes(): number {
    return this.received;
  }

  /**
   * Takes the chunk (copied and hashed before this returns, so calls that are not awaited still
   * keep their order); resolves when no full slab waits for a write slot (backpressure).
   */
  async write(chunk: Buffer): Promise<void> {
    this.assertOpen();
    this.firstWriteAt ??= performance.now();
    let at = 0;
    while (at < chunk.length) {
      const slab = (this.slab ??= this.takeSlab());
      const n = chunk.copy(slab, this.filled, at);
      if (!this.hasher) this.hashing.update(slab.subarray(this.filled, this.filled + n));
      this.filled += n;
      at += n;
      if (this.filled === slab.length) this.queueSlab();
    }
    this.received += chunk.length;
    this.pump();
    // Backpressure: at most WRITES_IN_FLIGHT slabs on their way to the disk, none waiting, and a bounded hash backlog.
    while ((this.ready.length > 0 || (this.hasher?.backlog ?? 0) >= HASH_BACKLOG) && this.failure === undefined) await this.progress();
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.ready = [];
      await this.settle();
      await this.discardAfterFailure();
      throw storeIoFailure(failure, `write to the evidence store at ${this.store.storeDir}`);
    }
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
      this.queueSlab();
      await this.settle();
      if (this.failure !== undefined) throw this.failure;
      await this.closeDirect();
      // The fsync durability rests on: every byte written, after every background flush ended.
      await this.handle.sync();
      // Read-only from the first moment it has its name: evidence is never modified in place.
      await this.handle.chmod(0o444);
      await this.handle.close();
      const sha256 = this.hasher ? await this.hasher.digest() : this.hashing.digest('hex');
      await this.closeHasher();
      return { sha256, size: this.received };
    } catch (err) {
      await this.discardAfterFailure();
      throw storeIoFailure(err, `write to the evidence store at ${this.store.storeDir}`);
    }
  }

  /** Drops everything written (nothing is stored). */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ready = [];
    // Discarding: a failed write only means less to throw away (settle records failures, never throws).
    await this.settle();
    await this.discardAfterFailure();
  }

  /** Closes the file but keeps it, with every byte accepted so far (a closing service leaves it for crash recovery). */
  async release(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queueSlab();
    // Released unfinished: the temporary file is left for recovery; a failed write was already reported to the writer.
    await this.settle();
    await this.closeDirect();
    await this.closeHasher();
    // Already closed: nothing to release.
    await this.handle.close().catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.failure !== undefined) throw storeIoFailure(this.failure, `write to the evidence store at ${this.store.storeDir}`);
    if (this.closed) throw new DrydockFailure('conflict', 'This artifact writer is already finished');
  }

  private takeSlab(): Buffer {
    if (this.slabSize === SLAB_MAX) {
      if (!this.arena) {
        const pages = (ARENA_SLABS * SLAB_MAX) / WASM_PAGE;
        this.arena = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer;
        this.arenaSlabs = Array.from({ length: ARENA_SLABS }, (_, i) =>
          Buffer.from(this.arena as SharedArrayBuffer, i * SLAB_MAX, SLAB_MAX),
        );
        this.arenaFree = [...this.arenaSlabs].reverse();
      }
      const slab = this.arenaFree.pop();
      if (slab) return slab;
    }
    const reused = this.spare.pop();
    if (reused) return reused;
    const size = this.slabSize;
    this.slabSize = Math.min(SLAB_MAX, size * 2);
    return Buffer.allocUnsafeSlow(size);
  }

  /** The slab being filled goes to the queue of writes at the next offset (nothing when it is empty). */
  private queueSlab(): void {
    const slab = this.slab;
    if (!slab || this.filled === 0) return;
    const bytes = this.filled === slab.length ? slab : slab.subarray(0, this.filled);
    const offset = this.dispatched;
    this.ready.push({ bytes, offset });
    this.unwritten++;
    this.dispatched += this.filled;
    this.slab = undefined;
    this.filled = 0;
    if (this.hasher) {
      // Past the cut: the hash thread hashes the slab where it lies (an arena slab waits for both), or a copy of it.
      const index = this.arenaSlabs.indexOf(slab);
      if (index >= 0) {
        this.holds.set(slab, 2);
        this.hasher.hashSlab(index, index * SLAB_MAX, bytes.length);
      } else this.hasher.hashBytes(bytes);
    } else if (this.cut === 0 && this.dispatched >= HASH_THREAD_FROM && this.arena && !this.closed) {
      // Decided once, at the first slab past HASH_THREAD_FROM: the rate the bytes came at so far.
      const seconds = (performance.now() - (this.firstWriteAt ?? 0)) / 1000;
      if (this.dispatched >= HASH_THREAD_MIN_RATE * seconds) this.startHashThread();
      else this.cut = -1;
    }
  }

  /**
   * Moves the hash to its thread at the current offset: the thread reads the bytes below it back
   * from the temporary file once every write below it is done, and hashes every later slab.
   */
  private startHashThread(): void {
    const arena = this.arena;
    if (!arena) return;
    this.cut = this.dispatched;
    this.writesBelowCut = this.unwritten;
    this.hasher = new SlabHasher(
      arena,
      this.tempPath,
      (index) => {
        const slab = this.arenaSlabs[index];
        if (slab) this.releaseSlab(slab);
        this.wake();
      },
      (err) => {
        this.failure ??= err;
        this.wake();
      },
    );
  }

  /** One holder of an arena slab is done with it (its write, or its hash); at none, the slab is free. */
  private releaseSlab(slab: Buffer): void {
    const left = (this.holds.get(slab) ?? 1) - 1;
    if (left > 0) {
      this.holds.set(slab, left);
      return;
    }
    this.holds.delete(slab);
    this.arenaFree.push(slab);
  }

  /** Resolves at the next progress (a write done, a slab hashed, a failure). */
  private progress(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private async closeHasher(): Promise<void> {
    const hasher = this.hasher;
    this.hasher = undefined;
    // Ending a thread whose work is done or given up: nothing to lose.
    await hasher?.close().catch(() => undefined);
  }

  /** Starts the writes of queued slabs while fewer than WRITES_IN_FLIGHT are under way. */
  private pump(): void {
    while (this.inFlight.size < WRITES_IN_FLIGHT && this.failure === undefined) {
      const next = this.ready.shift();
      if (!next) return;
      const inArena = this.arena !== undefined && next.bytes.buffer === this.arena;
      const write: Promise<void> = this.writeSlab(next.bytes, next.offset, inArena)
        .then((buffered) => {
          this.written += buffered;
          this.unwritten--;
          if (next.offset < this.cut && --this.writesBelowCut === 0) this.hasher?.start(this.cut);
          if (inArena) this.releaseSlab(this.arenaSlabs.find((s) => s.byteOffset === next.bytes.byteOffset) ?? next.bytes);
          else if (next.bytes.length === SLAB_MAX && next.bytes.buffer.byteLength === SLAB_MAX && this.spare.length < 2)
            this.spare.push(next.bytes);
          this.flushInBackground();
        })
        .catch((err: unknown) => {
          this.failure ??= err;
        })
        .finally(() => {
          this.inFlight.delete(write);
          this.pump();
          this.wake();
        });
      this.inFlight.add(write);
    }
  }

  /**
   * Writes a slab at its offset: directly when it is a full arena slab at an aligned offset,
   * else (or when the filesystem refuses the direct write) through the page cache. Returns the
   * bytes written through the page cache (what the background flush has to push out).
   */
  private async writeSlab(bytes: Buffer, offset: number, inArena: boolean): Promise<number> {
    const direct = this.direct;
    if (direct && inArena && bytes.length % DIRECT_ALIGN === 0 && offset % DIRECT_ALIGN === 0) {
      try {
        await writeAll(direct, bytes, offset);
        return 0;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
        // Alignment this filesystem does not accept: buffered from here on (the bytes are rewritten below).
        this.direct = undefined;
        // Closing a handle that only wrote: nothing to lose, and the buffered handle still holds the file.
        await direct.close().catch(() => undefined);
      }
    }
    await writeAll(this.handle, bytes, offset);
    return bytes.length;
  }

  /** Closes the direct handle (its writes are done: settle() came first); a failure to close it loses nothing. */
  private async closeDirect(): Promise<void> {
    const direct = this.direct;
    this.direct = undefined;
    await direct?.close().catch(() => undefined);
  }

  /** Waits for every queued write and the background flush (their failures are kept in this.failure, never thrown). */
  private async settle(): Promise<void> {
    this.pump();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    await this.flushing;
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
    await this.closeDirect();
    await this.closeHasher();
    // After a failure that is reported to the caller: already closed or already gone is fine.
    await this.handle.close().catch(() => undefined);
    await rm(this.tempPath, { force: true }).catch(() => undefined);
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer, offset: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, offset + done);
    done += bytesWritten;
  }
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
