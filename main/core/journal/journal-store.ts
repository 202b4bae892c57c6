import type { JournalEntry } from '../../../shared/domain/journal';
import type { Db } from '../store/database';
import { nanoToIso } from '../time-nano';

interface Row {
  seq: bigint;
  host: string;
  kind: 'event' | 'gap';
  time_nano: bigint;
  received_at: string;
  type: string;
  action: string;
  action_detail: string | null;
  actor_id: string;
  name: string | null;
  exit_code: bigint | null;
  exec_id: string | null;
  exec_json: string | null;
  attributes_json: string;
  gap_until_nano: bigint | null;
  note: string | null;
}

/** What is appended: an entry without its seq, times as bigint nanoseconds. */
export interface NewJournalEntry {
  host: string;
  kind: 'event' | 'gap';
  timeNano: bigint;
  receivedAt: string;
  type: string;
  action: string;
  actionDetail?: string;
  actorId: string;
  name?: string;
  exitCode?: number;
  execId?: string;
  attributes: Record<string, string>;
  gapUntilNano?: bigint;
  note?: string;
}

export { nanoToIso };

/** The journal table (see schema.ts): appends that ignore a replayed duplicate, and reads in engine-time order. */
export class JournalStore {
  // Prepared once: an engine burst appends thousands of rows a second.
  private readonly insert;
  private readonly byRow;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO journal_entries (host, kind, time_nano, received_at, type, action, action_detail, actor_id, name, exit_code, exec_id, attributes_json, gap_until_nano, note)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byRow = db.prepare<[number], Row>('SELECT * FROM journal_entries WHERE seq = ?').safeIntegers(true);
  }

  /** Appends `entry`; returns the stored row, or undefined when the same event was already journaled. */
  append(entry: NewJournalEntry): JournalEntry | undefined {
    const result = this.insert.run(
      entry.host,
      entry.kind,
      entry.timeNano,
      entry.receivedAt,
      entry.type,
      entry.action,
      entry.actionDetail ?? null,
      entry.actorId,
      entry.name ?? null,
      entry.exitCode ?? null,
      entry.execId ?? null,
      JSON.stringify(entry.attributes),
      entry.gapUntilNano ?? null,
      entry.note ?? null,
    );
    if (result.changes === 0) return undefined;
    return this.get(Number(result.lastInsertRowid));
  }

  /**
   * Appends several entries in one transaction (one durable commit for a burst of events): the
   * stored rows in order, undefined for a duplicate.
   */
  appendMany(entries: NewJournalEntry[]): (JournalEntry | undefined)[] {
    return this.db.transaction(() => entries.map((entry) => this.append(entry))).immediate();
  }

  setExec(seq: number, exec: NonNullable<JournalEntry['exec']>): void {
    this.db.prepare('UPDATE journal_entries SET exec_json = ? WHERE seq = ?').run(JSON.stringify(exec), seq);
  }

  get(seq: number): JournalEntry | undefined {
    const row = this.byRow.get(seq);
    return row ? toEntry(row) : undefined;
  }

  /** The latest engine event journaled for `host` (its exact timeNano), if any. */
  lastEvent(host: string): bigint | undefined {
    const row = this.db
      .prepare<[string], { t: bigint | null }>("SELECT MAX(time_nano) AS t FROM journal_entries WHERE host = ? AND kind = 'event'")
      .safeIntegers(true)
      .get(host);
    return row?.t ?? undefined;
  }

  list(host: string, afterSeq: number | undefined, limit: number): JournalEntry[] {
    const rows = this.db
      .prepare<[string, number, number], Row>('SELECT * FROM journal_entries WHERE host = ? AND seq > ? ORDER BY time_nano, seq LIMIT ?')
      .safeIntegers(true)
      .all(host, afterSeq ?? 0, limit);
    return rows.map(toEntry);
  }

  /**
   * The host's rows whose engine time lies in [fromNano, toNano] (a gap: whose start does), in
   * engine-time order (ties by row number), after the row `after` names, at most `limit`: a
   * keyset page over the (host, time_nano, seq) index, so paging a million rows stays linear.
   */
  between(
    host: string,
    fromNano: bigint,
    toNano: bigint,
    after: { timeNano: bigint; seq: number } | undefined,
    limit: number,
  ): JournalEntry[] {
    const rows = this.db
      .prepare<[string, bigint, number, bigint, number], Row>(
        'SELECT * FROM journal_entries WHERE host = ? AND (time_nano, seq) > (?, ?) AND time_nano <= ? ORDER BY time_nano, seq LIMIT ?',
      )
      .safeIntegers(true)
      .all(host, after?.timeNano ?? fromNano - 1n, after?.seq ?? Number.MAX_SAFE_INTEGER, toNano, limit);
    return rows.map(toEntry);
  }

  /** The host's rows added after row `afterSeq`, in insertion order, at most `limit`. */
  addedAfter(host: string, afterSeq: number, limit: number): JournalEntry[] {
    return this.db
      .prepare<[number, string, number], Row>('SELECT * FROM journal_entries WHERE seq > ? AND host = ? ORDER BY seq LIMIT ?')
      .safeIntegers(true)
      .all(afterSeq, host, limit)
      .map(toEntry);
  }

  /** The highest row number of the journal (0 when empty): changes whenever a row is added. */
  maxSeq(): number {
    const row = this.db.prepare<[], { s: number | null }>('SELECT MAX(seq) AS s FROM journal_entries').get();
    return row?.s ?? 0;
  }

  counts(host: string): { entries: number; gaps: number } {
    const row = this.db
      .prepare<[string], { entries: number; gaps: number | null }>(
        "SELECT COUNT(*) AS entries, SUM(kind = 'gap') AS gaps FROM journal_entries WHERE host = ?",
      )
      .get(host);
    return { entries: row?.entries ?? 0, gaps: row?.gaps ?? 0 };
  }
}

function toEntry(row: Row): JournalEntry {
  const entry: JournalEntry = {
    seq: Number(row.seq),
    host: row.host,
    kind: row.kind,
    timeNano: row.time_nano.toString(),
    time: nanoToIso(row.time_nano),
    receivedAt: row.received_at,
    type: row.type,
    action: row.action,
    actorId: row.actor_id,
    attributes: JSON.parse(row.attributes_json) as Record<string, string>,
  };
  if (row.action_detail !== null) entry.actionDetail = row.action_detail;
  if (row.name !== null) entry.name = row.name;
  if (row.exit_code !== null) entry.exitCode = Number(row.exit_code);
  if (row.exec_id !== null) entry.execId = row.exec_id;
  if (row.exec_json !== null) entry.exec = JSON.parse(row.exec_json) as NonNullable<JournalEntry['exec']>;
  if (row.gap_until_nano !== null) {
    entry.gapUntilNano = row.gap_until_nano.toString();
    entry.gapUntil = nanoToIso(row.gap_until_nano);
  }
  if (row.note !== null) entry.note = row.note;
  return entry;
}
