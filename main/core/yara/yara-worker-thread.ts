// The YARA worker thread (started by yara-worker.ts, never imported by the main thread's code but
// for its message types): loads libyara-wasm and scans each window it is sent with the rules it was
// started with, answering per window. It imports nothing but the engine, so it and wasm-engine.js are
// all electron-builder.yml unpacks from the asar next to libyara-wasm.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { wasmScan, type CompileMessage, type RawMatch } from './wasm-engine';

/** What the main thread sends: one window, its bytes in an ArrayBuffer transferred (not copied) to the worker. */
export interface ScanWindowMessage {
  type: 'scan';
  id: number;
  bytes: ArrayBuffer;
}

/** What the worker answers, per window (`id` as sent). */
export type WorkerReply =
  { type: 'result'; id: number; matches: RawMatch[]; messages: CompileMessage[] } | { type: 'error'; id: number; message: string };

/** workerData: the rules, compiled by libyara in the worker with each window (libyara-wasm has no separate compile). */
export interface WorkerStart {
  drydockYaraWorker: true;
  rules: string;
}

if (!isMainThread && parentPort && (workerData as Partial<WorkerStart> | null)?.drydockYaraWorker === true) {
  const port = parentPort;
  const { rules } = workerData as WorkerStart;
  port.on('message', (message: ScanWindowMessage) => {
    void wasmScan(new Uint8Array(message.bytes), rules).then(
      (r) => port.postMessage({ type: 'result', id: message.id, matches: r.matches, messages: r.messages } satisfies WorkerReply),
      (err: unknown) =>
        port.postMessage({
          type: 'error',
          id: message.id,
          message: err instanceof Error ? err.message : String(err),
        } satisfies WorkerReply),
    );
  });
}
