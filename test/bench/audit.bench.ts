// The audit log: appending 100,000 chained entries through the evidence service (canonical JSON,
// SHA-256 over the entry and the previous hash, one durable commit each) and verifying the chain,
// in entries per second. Each is also set against a baseline measured in the same run on the
// same filesystem: the same rows inserted into a plain SQLite table with the same durability
// (WAL, synchronous=FULL, one commit per row), and those rows read back and hashed one by one.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { systemClock } from '../../main/core/clock';
import { EventHub } from '../../main/core/event-hub';
import { EvidenceService } from '../../main/core/evidence/evidence-service';
import { ExaminerIdentity } from '../../main/core/examiner';
import { evidenceSchema } from '../../main/core/evidence/schema';
import { openDatabase } from '../../main/core/store/database';

const ENTRIES = Number(process.env.DRYDOCK_BENCH_AUDIT_ENTRIES ?? 100_000);
const ACTIONS = ['host.connected', 'inventory.taken', 'scan.started', 'scan.finished', 'capture.started', 'capture.stopped', 'note.added'];

/** What an ordinary entry carries: a host, a container, a path, a few numbers. */
function details(i: number): Record<string, unknown> {
  return {
    host: 'bench-host',
    containerId: `c0ffee${(i % 4096).toString(16).padStart(6, '0')}`,
    containerName: `web-${i % 97}`,
    path: `/var/log/app/${i}.log`,
    bytes: i * 37,
    flags: ['privileged', 'docker-socket'].slice(0, i % 3),
  };
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function rate(n: number, s: number): string {
  return `${Math.round(n / s).toLocaleString('en-US')} entries/s`;
}

async function chained(root: string): Promise<{ append: number; verify: number; checked: number }> {
  const dir = path.join(root, 'store');
  const db = openDatabase(dir, [evidenceSchema]);
  const evidence = new EvidenceService({
    db,
    storeDir: dir,
    clock: systemClock,
    examiner: new ExaminerIdentity('bench'),
    events: new EventHub(),
  });
  try {
    const kase = evidence.createCase({ name: 'audit bench' });
    let start = process.hrtime.bigint();
    for (let i = 0; i < ENTRIES; i++) evidence.audit(ACTIONS[i % ACTIONS.length] ?? 'note.added', details(i), kase.id);
    const append = seconds(start);
    start = process.hrtime.bigint();
    const report = await evidence.verify(kase.id);
    const verify = seconds(start);
    if (!report.ok || report.checkedEntries < ENTRIES) throw new Error(`the chain did not verify: ${JSON.stringify(report).slice(0, 500)}`);
    return { append, verify, checked: report.checkedEntries };
  } finally {
    evidence.close();
    db.close();
  }
}

function plain(root: string): { append: number; read: number } {
  const db = new Database(path.join(root, 'baseline.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(
      'CREATE TABLE entries (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, examiner TEXT NOT NULL, action TEXT NOT NULL, details TEXT NOT NULL)',
    );
    const insert = db.prepare('INSERT INTO entries (seq, at, examiner, action, details) VALUES (?, ?, ?, ?, ?)');
    const one = db.transaction((i: number) =>
      insert.run(i + 1, new Date().toISOString(), 'bench', ACTIONS[i % ACTIONS.length] ?? 'note.added', JSON.stringify(details(i))),
    );
    let start = process.hrtime.bigint();
    for (let i = 0; i < ENTRIES; i++) one.immediate(i);
    const append = seconds(start);
    start = process.hrtime.bigint();
    let n = 0;
    for (const row of db
      .prepare<[], { seq: number; at: string; examiner: string; action: string; details: string }>('SELECT * FROM entries ORDER BY seq')
      .iterate()) {
      createHash('sha256').update(`${row.seq}\n${row.at}\n${row.examiner}\n${row.action}\n${row.details}`).digest('hex');
      n++;
    }
    const read = seconds(start);
    if (n !== ENTRIES) throw new Error(`the baseline read ${n} rows back, not ${ENTRIES}`);
    return { append, read };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'drydock-bench-audit-'));
  process.once('SIGINT', () => {
    rmSync(root, { recursive: true, force: true });
    process.exit(130);
  });
  try {
    console.log(`== audit log: ${ENTRIES.toLocaleString('en-US')} entries, one durable commit each`);
    const base = plain(root);
    console.log(`baseline insert (plain rows):            ${rate(ENTRIES, base.append)} (${base.append.toFixed(1)}s)`);
    const chain = await chained(root);
    console.log(`audit append (chained, hashed):          ${rate(ENTRIES, chain.append)} (${chain.append.toFixed(1)}s)`);
    console.log(`baseline read + sha256 per row:          ${rate(ENTRIES, base.read)} (${base.read.toFixed(2)}s)`);
    console.log(
      `audit verify (whole chain):              ${rate(chain.checked, chain.verify)} (${chain.checked.toLocaleString('en-US')} entries in ${chain.verify.toFixed(2)}s)`,
    );
    console.log(`RATIO append / baseline insert:          ${(base.append / chain.append).toFixed(2)}`);
    console.log(`RATIO verify / baseline read + sha256:   ${(chain.checked / chain.verify / (ENTRIES / base.read)).toFixed(2)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
