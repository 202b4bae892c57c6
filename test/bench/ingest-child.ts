// One file ingest in a process of its own (run by evidence.bench.ts), so the peak RSS it reports is
// that of a process doing nothing but the ingest: Node, Drydock's evidence code and the stream.
// It runs under tsx's CommonJS hook, which adds a few MB; the ESM loader (--import tsx) would add
// a loader thread of some 40 MB that a packaged Drydock does not have.
import { createReadStream } from 'node:fs';
import { systemClock } from '../../main/core/clock';
import { EventHub } from '../../main/core/event-hub';
import { EvidenceService } from '../../main/core/evidence/evidence-service';
import { ExaminerIdentity } from '../../main/core/examiner';
import { evidenceSchema } from '../../main/core/evidence/schema';
import { openDatabase } from '../../main/core/store/database';

export interface IngestChildResult {
  seconds: number;
  sha256: string;
  size: number;
  /** The process's high-water RSS in bytes. */
  maxRss: number;
  /** CPU time of the ingest (every thread of the process, user and system), in seconds: what it costs on a loaded machine. */
  cpuSeconds: number;
}

async function main(): Promise<void> {
  const [file, storeDir] = process.argv.slice(2);
  if (!file || !storeDir) throw new Error('usage: ingest-child FILE STORE_DIR');
  const db = openDatabase(storeDir, [evidenceSchema]);
  const evidence = new EvidenceService({
    db,
    storeDir,
    clock: systemClock,
    examiner: new ExaminerIdentity('bench'),
    events: new EventHub(),
  });
  try {
    const caseId = evidence.createCase({ name: 'file ingest bench' }).id;
    const cpuBefore = process.cpuUsage();
    const start = process.hrtime.bigint();
    const info = await evidence.ingest(
      {
        caseId,
        kind: 'container-file',
        source: { host: 'bench', path: file },
        method: 'benchmark file',
        mediaType: 'application/octet-stream',
      },
      createReadStream(file, { highWaterMark: 1024 * 1024 }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    const result: IngestChildResult = {
      seconds,
      sha256: info.sha256,
      size: info.size,
      maxRss: process.resourceUsage().maxRSS * 1024,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
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
