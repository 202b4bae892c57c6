// The event journal under an engine burst: N container create/remove cycles (8 at a time) on the
// local engine while a core journals it, then every create and destroy of those containers must
// be in the journal (no loss, no gap); and the journal's append cost per event against a plain
// SQLite insert of the same rows with the same durability, measured in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import Docker from 'dockerode';
import { createCore } from '../../main/app/core';
import { JournalStore } from '../../main/core/journal/journal-store';

const CYCLES = Number(process.env.DRYDOCK_BENCH_JOURNAL_CYCLES ?? 1000);
const APPENDS = Number(process.env.DRYDOCK_BENCH_JOURNAL_APPENDS ?? 20_000);
const IMAGE = 'drydock-fixture/busybox:1';

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function burst(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dd-journal-bench-'));
  const core = createCore({ storeDir: dir, examiner: 'bench' });
  try {
    core.hosts.add({ name: 'local', url: 'unix:///var/run/docker.sock' });
    await core.journal.watch('local');
    const docker = new Docker();
    const ids: string[] = [];
    let next = 0;
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < CYCLES) {
          next++;
          const c = await docker.createContainer({ Image: IMAGE, Cmd: ['true'], Labels: { 'drydock.bench': 'journal' } });
          try {
            await c.remove();
          } catch {
            // A busy shared engine can refuse one removal ("directory not empty"): retry, and leave
            // the cycle out of the count only if the engine keeps refusing.
            if (
              !(await c.remove({ force: true }).then(
                () => true,
                () => false,
              ))
            )
              continue;
          }
          ids.push(c.id);
        }
      }),
    );
    const engineSeconds = seconds(start);
    const want = new Set(ids);
    const count = () =>
      core.db
        .prepare<[string], number>(
          `SELECT COUNT(*) AS n FROM journal_entries WHERE host = 'local' AND type = 'container' AND action IN ('create', 'destroy') AND actor_id IN (SELECT value FROM json_each(?))`,
        )
        .pluck()
        .get(JSON.stringify([...want])) ?? 0;
    const deadline = Date.now() + 60_000;
    let seen = count();
    while (seen < CYCLES * 2 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
      seen = count();
    }
    const status = core.journal.status('local');
    console.log(
      `burst: ${CYCLES} create/remove cycles (${CYCLES * 2} events) in ${engineSeconds.toFixed(1)} s (${Math.round((CYCLES * 2) / engineSeconds)} events/s from the engine); journaled ${seen}/${CYCLES * 2}, gaps ${status.gaps}${seen === CYCLES * 2 && status.gaps === 0 ? ' — no loss' : ' — LOSS'}`,
    );
    if (seen !== CYCLES * 2) process.exitCode = 1;
  } finally {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function appendCost(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'dd-journal-append-'));
  const core = createCore({ storeDir: path.join(dir, 'store'), examiner: 'bench' });
  const base = BigInt(Date.now()) * 1_000_000n;
  const attrs = { image: 'drydock-fixture/busybox:1', name: 'bench-container', 'com.example.label': 'x'.repeat(40) };
  try {
    const store = new JournalStore(core.db);
    const entry = (i: number) => ({
      host: 'bench',
      kind: 'event' as const,
      timeNano: base + BigInt(i),
      receivedAt: new Date().toISOString(),
      type: 'container',
      action: i % 2 ? 'destroy' : 'create',
      actorId: `${i}`.padStart(64, '0'),
      name: 'bench-container',
      attributes: attrs,
    });
    // One commit per event (a quiet engine: each event alone in its turn of the event loop)...
    let start = process.hrtime.bigint();
    for (let i = 0; i < APPENDS; i++) store.append(entry(i));
    const journal = seconds(start);
    // ...and the group commit a burst gets (the events of one turn in one transaction; 50 here).
    start = process.hrtime.bigint();
    for (let i = 0; i < APPENDS; i += 50) store.appendMany(Array.from({ length: 50 }, (_, k) => entry(APPENDS + i + k)));
    const grouped = seconds(start);
    // The baseline: the same columns into a plain table of a database opened the same way.
    const plain = new Database(path.join(dir, 'plain.db'));
    plain.pragma('journal_mode = WAL');
    plain.pragma(`synchronous = ${String(core.db.pragma('synchronous', { simple: true }))}`);
    plain.exec(
      'CREATE TABLE t (seq INTEGER PRIMARY KEY AUTOINCREMENT, host TEXT, kind TEXT, time_nano INTEGER, received_at TEXT, type TEXT, action TEXT, actor_id TEXT, name TEXT, attributes_json TEXT)',
    );
    const insert = plain.prepare(
      'INSERT INTO t (host, kind, time_nano, received_at, type, action, actor_id, name, attributes_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    start = process.hrtime.bigint();
    for (let i = 0; i < APPENDS; i++)
      insert.run(
        'bench',
        'event',
        base + BigInt(i),
        new Date().toISOString(),
        'container',
        i % 2 ? 'destroy' : 'create',
        `${i}`.padStart(64, '0'),
        'bench-container',
        JSON.stringify(attrs),
      );
    const baseline = seconds(start);
    plain.close();
    const us = (s: number) => ((s / APPENDS) * 1e6).toFixed(1);
    console.log(
      `append, one commit each: ${us(journal)} µs per journal entry vs ${us(baseline)} µs per plain SQLite insert with one commit each (ratio ${(journal / baseline).toFixed(2)}, ${Math.round(APPENDS / journal)} entries/s)`,
    );
    console.log(
      `append, group commit of 50 (a burst): ${us(grouped)} µs per entry (ratio ${(grouped / baseline).toFixed(2)} to the plain insert, ${Math.round(APPENDS / grouped)} entries/s)`,
    );
  } finally {
    void core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void (async () => {
  appendCost();
  await burst();
})();
