// The in-app YARA engine off the main thread: libyara-wasm runs a window synchronously for as long as
// its rules take over 16 MiB (seconds for a heavy rule set), which would freeze the dispatcher, the
// UI's answers and every capture's bookkeeping. YaraWorker is the main thread's handle on one
// worker_threads Worker running yara-worker-thread.ts. Node's own worker_threads is enough here; no
// pool library: one worker per scan request, one window in flight.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DrydockFailure } from '../errors';
import type { RawMatch } from './wasm-engine';
import type { ScanWindowMessage, WorkerReply, WorkerStart } from './yara-worker-thread';

/**
 * The worker thread's module as it runs: the compiled .js next to this one in dist/ (the CLI, the
 * app: unpacked from the asar by electron-builder.yml, with libyara-wasm), or, under tsx (tests,
 * `npm run cli`), the .ts through tsx's require hook (a worker does not inherit the parent's loader).
 */
function workerEntry(): { entry: string; eval: boolean } {
  if (!__filename.endsWith('.ts')) {
    const file = path.join(__dirname, 'yara-worker-thread.js');
    return { entry: file.replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`), eval: false };
  }
  const tsx = createRequire(__filename).resolve('tsx/cjs');
  const file = path.join(__dirname, 'yara-worker-thread.ts');
  return { entry: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, eval: true };
}

/** Options for tests: V8 heap limits of the worker (production keeps the defaults). */
export interface YaraWorkerOptions {
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number };
}

/**
 * The main thread's handle on one YARA worker: scan() hands it a window and resolves with libyara's
 * matches (offsets within the window). Memory stays bounded: the caller awaits each window
 * (ChunkedScanner does) so at most one window (CHUNK_BYTES) and its transferred copy are in flight.
 */
export class YaraWorker {
  private readonly thread: Worker;
  private readonly pending = new Map<number, { resolve: (m: RawMatch[]) => void; reject: (e: unknown) => void; what: string }>();
  private nextId = 1;
  private ended: DrydockFailure | null = null;
  private closing = false;

  /** Starts a worker for `rules` (the text libyara compiles). Cheap to call; the WebAssembly loads in the worker. */
  constructor(
    private readonly rules: string,
    options: YaraWorkerOptions = {},
  ) {
    const { entry, eval: isCode } = workerEntry();
    this.thread = new Worker(entry, {
      eval: isCode,
      workerData: { drydockYaraWorker: true, rules: this.rules } satisfies WorkerStart,
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
      stdout: false,
      stderr: false,
    });
    this.thread.unref();
    this.thread.on('message', (reply: WorkerReply) => this.onReply(reply));
    this.thread.on('error', (err) => this.fail(err.message));
    this.thread.on('exit', (code) => this.fail(this.closing ? null : `it exited with code ${code}`));
  }

  /**
   * Scans one window (`bytes` are copied once into a buffer transferred to the worker; the caller's
   * stay usable). `what` names the evidence in a failure (e.g. "artifact 3f2a…", "file /bin/x").
   * @returns libyara's matches, offsets within `bytes`.
   * @throws DrydockFailure('engine') when the worker crashed or libyara failed, naming `what`;
   *   ('cancelled') after close().
   */
  scan(bytes: Uint8Array, what: string): Promise<RawMatch[]> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.closing) return Promise.reject(new DrydockFailure('cancelled', `The YARA scan of ${what} was cancelled`));
    const copy = new ArrayBuffer(bytes.byteLength);
    new Uint8Array(copy).set(bytes);
    const id = this.nextId++;
    // Referenced only while a window is in flight: an idle worker never keeps the CLI from exiting.
    this.thread.ref();
    return new Promise<RawMatch[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, what });
      this.thread.postMessage({ type: 'scan', id, bytes: copy } satisfies ScanWindowMessage, [copy]);
    });
  }

  /** Ends the worker (a scan still in flight is rejected as cancelled); safe to call twice. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new DrydockFailure('cancelled', `The YARA scan of ${p.what} was cancelled`));
    }
    await this.thread.terminate();
  }

  private onReply(reply: WorkerReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.thread.unref();
    if (reply.type === 'result') p.resolve(reply.matches);
    else p.reject(new DrydockFailure('engine', `The in-app YARA engine (libyara-wasm) failed on ${p.what}: ${reply.message}`));
  }

  /** The worker is gone (crashed, ran out of memory, or was closed: `reason` null). */
  private fail(reason: string | null): void {
    if (reason === null || this.ended) return;
    this.ended = new DrydockFailure('engine', `The in-app YARA engine (libyara-wasm worker) stopped: ${reason}`);
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new DrydockFailure('engine', `The in-app YARA engine (libyara-wasm worker) stopped while scanning ${p.what}: ${reason}`));
    }
  }
}
