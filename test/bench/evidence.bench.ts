// Ingest throughput of the evidence store against a baseline measured in the same run on the
// same filesystem: the same generated stream through a plain fs pipeline with a SHA-256 hash
// (and that baseline plus one fsync, since the store makes every blob durable). Peak RSS growth
// during the ingest proves streaming: it must stay far below the stream's size.
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { systemClock } from '../../main/core/clock';
import { EventHub } from '../../main/core/event-hub';
import { EvidenceService } from '../../main/core/evidence/evidence-service';
import { evidenceSchema } from '../../main/core/evidence/schema';
import { openDatabase } from '../../main/core/store/database';

const STREAM_BYTES = Number(process.env.DRYDOCK_BENCH_MB ?? 256) * 1024 * 1024;
const CHUNK = 64 * 1024;
const ROUNDS = 3;
/** Streaming means memory independent of the artifact's size; a quarter of it is already a failure. */
const RSS_LIMIT = STREAM_BYTES / 4;

// One random pool, sliced: generating the stream costs the same (almost nothing) in both runs.
const pool = randomBytes(4 * 1024 * 1024);

function stream(): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: CHUNK * 4,
    read() {
      if (sent >= STREAM_BYTES) {
        this.push(null);
        return;
      }
      const n = Math.min(CHUNK, STREAM_BYTES - sent);
      const offset = sent % pool.length;
      this.push(pool.subarray(offset, offset + n));
      sent += n;
    },
  });
}

/** Writes back what earlier runs left dirty, so no run pays for another's writes. */
function settle(): void {
  spawnSync('sync');
}

async function baseline(dir: string, fsync: boolean): Promise<{ seconds: number; sha256: string }> {
  const file = path.join(dir, `baseline-${fsync ? 'fsync' : 'plain'}.bin`);
  settle();
  const hash = createHash('sha256');
  const start = process.hrtime.bigint();
  await pipeline(
    stream(),
    new Transform({
      transform(chunk: Buffer, _e, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    }),
    createWriteStream(file),
  );
  if (fsync) {
    const handle = await open(file, 'r');
    await handle.sync();
    await handle.close();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  rmSync(file);
  return { seconds, sha256: hash.digest('hex') };
}

async function ingest(evidence: EvidenceService, caseId: string): Promise<{ seconds: number; sha256: string; peakRss: number }> {
  settle();
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  const start = process.hrtime.bigint();
  const info = await evidence.ingest({ caseId, kind: 'filesystem-export', source: { host: 'bench' }, method: 'benchmark stream', mediaType: 'application/octet-stream' }, stream());
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { seconds, sha256: info.sha256, peakRss: peak - before };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'drydock-bench-'));
  const mb = STREAM_BYTES / (1024 * 1024);
  try {
    const results = { plain: Infinity, fsync: Infinity, store: Infinity, rss: 0 };
    const ratios: { plain: number[]; fsync: number[] } = { plain: [], fsync: [] };
    let expected = '';
    for (let round = 1; round <= ROUNDS; round++) {
      // A fresh store each round, so the blob is really written rather than deduplicated.
      const dir = path.join(root, `store-${round}`);
      const db = openDatabase(dir, [evidenceSchema]);
      const evidence = new EvidenceService({ db, storeDir: dir, clock: systemClock, examiner: 'bench', events: new EventHub() });
      const caseId = evidence.createCase({ name: `bench ${round}` }).id;
      const plain = await baseline(root, false);
      const fsync = await baseline(root, true);
      const stored = await ingest(evidence, caseId);
      evidence.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
      expected ||= plain.sha256;
      if (plain.sha256 !== expected || fsync.sha256 !== expected || stored.sha256 !== expected) throw new Error('the three paths disagree on the stream hash');
      results.plain = Math.min(results.plain, plain.seconds);
      results.fsync = Math.min(results.fsync, fsync.seconds);
      results.store = Math.min(results.store, stored.seconds);
      results.rss = Math.max(results.rss, stored.peakRss);
      ratios.plain.push(plain.seconds / stored.seconds);
      ratios.fsync.push(fsync.seconds / stored.seconds);
      console.log(`round ${round}: baseline ${plain.seconds.toFixed(2)}s, baseline+fsync ${fsync.seconds.toFixed(2)}s, ingest ${stored.seconds.toFixed(2)}s, peak RSS +${(stored.peakRss / 2 ** 20).toFixed(1)} MiB`);
    }
    const rate = (s: number) => `${(mb / s).toFixed(0)} MiB/s`;
    console.log(`stream: ${mb} MiB, best of ${ROUNDS}`);
    console.log(`baseline (fs pipeline + sha256):         ${rate(results.plain)}`);
    console.log(`baseline + fsync:                        ${rate(results.fsync)}`);
    console.log(`evidence ingest (hash, fsync, rename):   ${rate(results.store)}`);
    // Each round's ratio pairs runs made moments apart; the median resists a noisy disk.
    console.log(`ratio ingest / baseline (median round):  ${median(ratios.plain).toFixed(2)}`);
    console.log(`ratio ingest / baseline+fsync (median):  ${median(ratios.fsync).toFixed(2)}`);
    console.log(`peak RSS growth during ingest:           ${(results.rss / 2 ** 20).toFixed(1)} MiB (${((100 * results.rss) / STREAM_BYTES).toFixed(1)}% of the stream)`);
    if (results.rss > RSS_LIMIT) {
      console.error(`FAIL: peak RSS grew by ${(results.rss / 2 ** 20).toFixed(1)} MiB, over ${RSS_LIMIT / 2 ** 20} MiB: the ingest is not streaming`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
