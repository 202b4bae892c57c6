// One case-bundle export in a process of its own (run by bundle.bench.ts): a fresh store, a case
// holding a generated artifact of the size asked for, then `drydock case export`'s code path
// (EvidenceService.exportCase: verify, manifest, tar stream of the blobs re-hashed, fsync'd file)
// with the process's RSS sampled every 10 ms while it runs. Runs under tsx's ESM loader (the core
// loads bundle code with a dynamic import), whose loader thread adds the same to both sizes.
import { randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { systemClock } from '../../main/core/clock';
import { EventHub } from '../../main/core/event-hub';
import { EvidenceService } from '../../main/core/evidence/evidence-service';
import { ExaminerIdentity } from '../../main/core/examiner';
import { evidenceSchema } from '../../main/core/evidence/schema';
import { openDatabase } from '../../main/core/store/database';

export interface BundleChildResult {
  /** Seconds of the export alone, and the bundle's size in bytes. */
  seconds: number;
  bytes: number;
  /** RSS in bytes just before the export and its highest sample during it. */
  rssBefore: number;
  peakRss: number;
}

const CHUNK = 1024 * 1024;

/** `total` bytes sliced from one random pool: memory of the source does not grow with the size. */
function generated(total: number): Readable {
  const pool = randomBytes(4 * CHUNK);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(CHUNK, total - sent);
      const offset = sent % pool.length;
      this.push(pool.subarray(offset, offset + n));
      sent += n;
    },
  });
}

async function main(): Promise<void> {
  const [bytesArg, storeDir] = process.argv.slice(2);
  const total = Number(bytesArg);
  if (!storeDir || !Number.isFinite(total)) throw new Error('usage: bundle-child BYTES STORE_DIR');
  const db = openDatabase(storeDir, [evidenceSchema]);
  const evidence = new EvidenceService({
    db,
    storeDir,
    clock: systemClock,
    examiner: new ExaminerIdentity('bench'),
    events: new EventHub(),
  });
  try {
    const caseId = evidence.createCase({ name: 'bundle export bench' }).id;
    await evidence.ingest(
      { caseId, kind: 'filesystem-export', source: { host: 'bench' }, method: 'benchmark stream', mediaType: 'application/octet-stream' },
      generated(total),
    );
    (globalThis as { gc?: () => void }).gc?.();
    const target = path.join(storeDir, 'case.bundle.tar');
    const rssBefore = process.memoryUsage.rss();
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
    const start = process.hrtime.bigint();
    try {
      await evidence.exportCase(caseId, target);
    } finally {
      // A failed export must not leave the sampler keeping the process alive.
      clearInterval(sampler);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const result: BundleChildResult = { seconds, bytes: statSync(target).size, rssBefore, peakRss };
    rmSync(target);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    evidence.close();
    db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
