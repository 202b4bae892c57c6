// The in-app YARA engine in its worker thread: the main thread's timers keep firing while a window is
// scanned (counted per window: a scan on the main thread would let none fire between the call and
// its answer), the worker finds what the engine on the main thread finds, at the same offsets, and
// a worker that dies becomes a DrydockFailure naming the evidence it was scanning.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkedScanner, CHUNK_BYTES, type StreamMatch } from '../../../main/core/yara/chunk-scan';
import { DrydockFailure } from '../../../main/core/errors';
import { wasmScan } from '../../../main/core/yara/wasm-engine';
import { YaraWorker } from '../../../main/core/yara/yara-worker';

const MARKER = 'DRYDOCK-WORKER-MARKER-77c1';
// libyara walks every byte of each 16 MiB window for these: milliseconds at the very least.
const RULES = `rule marker { strings: $m = "${MARKER}" condition: $m }
rule absent { strings: $a = "never-there-0001" wide ascii $b = { 00 11 22 33 ?? 55 } condition: any of them }
`;

/** 4 windows' worth of pseudo-random text with the marker at known offsets. */
function artifact(): { data: Buffer; at: number[] } {
  const data = Buffer.alloc(4 * CHUNK_BYTES);
  let x = 0x9e3779b9;
  for (let i = 0; i < data.length; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    data[i] = 0x41 + (x % 26);
  }
  const at = [5, CHUNK_BYTES - 10, 3 * CHUNK_BYTES + 12345];
  for (const offset of at) data.write(MARKER, offset, 'latin1');
  return { data, at };
}

describe('YARA in a worker thread', () => {
  it('keeps the main thread responsive while a large artifact is scanned, and finds what the main-thread engine finds', async () => {
    const { data, at } = artifact();
    const worker = new YaraWorker(RULES);
    let ticks = 0;
    const interval = setInterval(() => ticks++, 1);
    const ticksDuringWindows: { bytes: number; ticks: number }[] = [];
    const found: StreamMatch[] = [];
    try {
      const scanner = new ChunkedScanner(
        async (b) => {
          const before = ticks;
          const matches = await worker.scan(b, 'artifact test-large');
          ticksDuringWindows.push({ bytes: b.length, ticks: ticks - before });
          return matches;
        },
        (m) => found.push(m),
      );
      for (let i = 0; i < data.length; i += 1024 * 1024) await scanner.push(data.subarray(i, i + 1024 * 1024));
      await scanner.end();
    } finally {
      clearInterval(interval);
      await worker.close();
    }
    const full = ticksDuringWindows.filter((w) => w.bytes === CHUNK_BYTES);
    assert.ok(full.length >= 4, `scanned ${full.length} full windows`);
    // The timer fired while every full window was being scanned: the main thread was free meanwhile.
    // (On the main thread no tick could fire between a window's call and its answer, but while the
    // engine's module first loads.)
    assert.ok(
      full.every((w) => w.ticks > 0),
      `timer ticks during each window's scan: ${full.map((w) => w.ticks).join(', ')}`,
    );
    assert.deepEqual(
      found.filter((m) => m.rule === 'marker').map((m) => m.offset),
      at,
    );
    // The same window through the engine on this thread gives the same matches.
    const window = data.subarray(0, 1024 * 1024);
    const direct = (await wasmScan(window, RULES)).matches;
    const inWorker = new YaraWorker(RULES);
    try {
      assert.deepEqual(await inWorker.scan(window, 'artifact test-window'), direct);
    } finally {
      await inWorker.close();
    }
  });

  it('turns a worker that dies into a DrydockFailure naming the artifact', async () => {
    // A worker with a heap far too small for the engine's module runs out of memory while loading it.
    const worker = new YaraWorker(RULES, { resourceLimits: { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 } });
    try {
      await assert.rejects(worker.scan(Buffer.from(`xx${MARKER}xx`), 'artifact 0badc0de-dead'), (err: unknown) => {
        assert.ok(err instanceof DrydockFailure, String(err));
        assert.equal(err.kind, 'engine');
        assert.match(err.message, /stopped while scanning artifact 0badc0de-dead: .*memory/);
        return true;
      });
      // Later windows fail at once, not hang.
      await assert.rejects(worker.scan(Buffer.from('x'), 'artifact 0badc0de-dead'), DrydockFailure);
    } finally {
      await worker.close();
    }
  });
});
