// SHA-256 of a large blob on a worker thread, so the thread that takes the bytes in (copies them
// into slabs and hands the slabs to the disk) never waits for the hash. Node has no asynchronous
// hash: crypto's Hash.update runs on the calling thread, and on a large ingest it was the main
// thread's whole working time, leaving the reads and writes of the thread pool waiting for it. Our
// own because no library does this with Node's own SHA-256 (OpenSSL's, as fast as Node hashes):
// the worker is a dozen lines around createHash, given as source (eval) so it needs no file of
// its own next to the bundle, in the asar or under tsx.
//
// The worker sees the writer's slab arena (shared memory) and hashes each slab where it lies,
// in the order the slabs were handed over (a MessagePort keeps order): the bytes hashed are the
// bytes written, and nothing is copied between threads but a slab's index. The bytes before the
// switch to the worker are read back from the blob's own temporary file once they are written.
import { Worker } from 'node:worker_threads';
import { DrydockFailure } from '../errors';

type ToWorker =
  | { type: 'file'; path: string; length: number }
  | { type: 'slab'; slab: number; offset: number; length: number }
  | { type: 'bytes'; bytes: Uint8Array }
  | { type: 'digest' };

/** Every message is answered: 'done' (slab: the arena slab's index, or -1) or 'digest', else 'failed'. */
type FromWorker = { type: 'done'; slab: number } | { type: 'digest'; hex: string } | { type: 'failed'; message: string };

/** The worker's source (CommonJS, run with eval): one SHA-256, fed in message order. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const hash = createHash('sha256');
const shared = Buffer.from(workerData.arena);
parentPort.on('message', (m) => {
  try {
    if (m.type === 'slab') {
      hash.update(shared.subarray(m.offset, m.offset + m.length));
      parentPort.postMessage({ type: 'done', slab: m.slab });
    } else if (m.type === 'bytes') {
      hash.update(m.bytes);
      parentPort.postMessage({ type: 'done', slab: -1 });
    } else if (m.type === 'file') {
      const fd = openSync(m.path, 'r');
      try {
        const buf = Buffer.allocUnsafe(1024 * 1024);
        for (let at = 0; at < m.length; ) {
          const n = readSync(fd, buf, 0, Math.min(buf.length, m.length - at), at);
          if (n === 0) throw new Error('the temporary file ends at ' + at + ' bytes, before the ' + m.length + ' already written');
          hash.update(buf.subarray(0, n));
          at += n;
        }
      } finally {
        closeSync(fd);
      }
      parentPort.postMessage({ type: 'done', slab: -1 });
    } else if (m.type === 'digest') {
      parentPort.postMessage({ type: 'digest', hex: hash.digest('hex') });
    }
  } catch (err) {
    parentPort.postMessage({ type: 'failed', message: String(err && err.message ? err.message : err) });
  }
});
`;

/**
 * One blob's SHA-256 on a worker thread. Feed it in byte order: start() with the length of the
 * blob's prefix already written to `tempPath` (read back from that file), then slabs of `arena`
 * (hashSlab) or copied bytes (hashBytes), then digest(). Calls made before start() are held and
 * sent after it, in order. close() ends the thread and must be called on every path; the thread
 * keeps the process alive only while it has work (an abandoned writer never holds a CLI open).
 */
export class SlabHasher {
  private readonly thread: Worker;
  private held: { message: ToWorker; transfer: ArrayBuffer[] }[] | undefined = [];
  /** Messages sent (or held) and not yet answered: the backlog a writer bounds. */
  private outstanding = 0;
  private failure: DrydockFailure | undefined;
  private digestWaiter: { resolve: (hex: string) => void; reject: (err: unknown) => void } | undefined;
  private closing = false;

  /**
   * @param arena the writer's shared slab memory (slab offsets passed to hashSlab are into it).
   * @param onDone called with an arena slab's index once its bytes are hashed (the slab may be
   *   reused), or -1 for other work done; the writer waits on it for backpressure.
   * @param onFailure called once if the thread fails (a read of the temporary file, a crash).
   */
  constructor(
    arena: SharedArrayBuffer,
    private readonly tempPath: string,
    private readonly onDone: (slab: number) => void,
    private readonly onFailure: (err: DrydockFailure) => void,
  ) {
    this.thread = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { arena },
      stdout: false,
      stderr: false,
      // It holds a hash and a 1 MiB read buffer: a small heap keeps the ingest's peak RSS down.
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1, stackSizeMb: 1 },
    });
    this.thread.unref();
    this.thread.on('message', (reply: FromWorker) => this.onReply(reply));
    this.thread.on('error', (err) => this.fail(err.message));
    this.thread.on('exit', (code) => {
      if (!this.closing) this.fail(`its thread exited with code ${code}`);
    });
  }

  /** Messages not yet answered (held ones included). */
  get backlog(): number {
    return this.outstanding;
  }

  /** The first `prefixBytes` bytes are complete in the temporary file: hash them, then what was held. */
  start(prefixBytes: number): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.post({ type: 'file', path: this.tempPath, length: prefixBytes }, []);
    for (const { message, transfer } of held) if (!this.failure && !this.closing) this.thread.postMessage(message, transfer);
  }

  /** Hashes `length` bytes of the arena at `offset` (slab number `slab`, reported back to onDone). */
  hashSlab(slab: number, offset: number, length: number): void {
    this.post({ type: 'slab', slab, offset, length }, []);
  }

  /** Hashes a copy of `bytes` (for a slab outside the arena; the caller's buffer is not kept). */
  hashBytes(bytes: Buffer): void {
    const copy = new Uint8Array(bytes);
    this.post({ type: 'bytes', bytes: copy }, [copy.buffer]);
  }

  /**
   * The SHA-256 (hex) of every byte fed so far; call after start() and the last slab.
   * @throws DrydockFailure('store') when the hash thread failed.
   */
  digest(): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<string>((resolve, reject) => {
      this.digestWaiter = { resolve, reject };
      this.post({ type: 'digest' }, []);
    });
  }

  /** Ends the thread (whatever it was doing: the blob is finished or given up). */
  async close(): Promise<void> {
    this.closing = true;
    await this.thread.terminate();
  }

  /** Counts `message` as outstanding and sends it, or holds it until start(). */
  private post(message: ToWorker, transfer: ArrayBuffer[]): void {
    if (this.failure || this.closing) return;
    this.outstanding++;
    this.thread.ref();
    if (this.held) this.held.push({ message, transfer });
    else this.thread.postMessage(message, transfer);
  }

  private onReply(reply: FromWorker): void {
    if (reply.type === 'failed') {
      this.fail(reply.message);
      return;
    }
    if (--this.outstanding === 0) this.thread.unref();
    if (reply.type === 'done') this.onDone(reply.slab);
    else this.digestWaiter?.resolve(reply.hex);
  }

  private fail(message: string): void {
    if (this.failure || this.closing) return;
    this.failure = new DrydockFailure('store', `Hashing a blob in the evidence store failed: ${message}`);
    this.thread.unref();
    this.digestWaiter?.reject(this.failure);
    this.onFailure(this.failure);
  }
}
