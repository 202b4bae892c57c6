import type { AuditEntry, VerifyProblem } from '../../../shared/domain/evidence';
import type { Db } from '../store/database';
import { canonicalHash, canonicalJson, wellFormed } from './canonical-json';

/**
 * The audit log is one hash chain per case plus one for the store itself (actions under no case).
 * Each entry's hash covers its canonical content and the previous entry's hash; the first entry
 * links to a genesis hash derived from the case ID, so a chain cannot be moved to another case
 * (or cut from the front) without every hash changing.
 */

/** Key of the store's own chain in the audit tables. */
export const STORE_CHAIN = '';

export function chainKey(caseId: string | null): string {
  return caseId ?? STORE_CHAIN;
}

export function genesisHash(caseId: string | null): string {
  return canonicalHash({ drydockAuditGenesis: 1, caseId });
}

export type UnhashedEntry = Omit<AuditEntry, 'hash'>;

export function entryHash(entry: UnhashedEntry): string {
  return canonicalHash({
    seq: entry.seq,
    caseId: entry.caseId,
    at: entry.at,
    examiner: entry.examiner,
    action: entry.action,
    details: entry.details,
    prevHash: entry.prevHash,
  });
}

export interface ChainHead {
  seq: number;
  hash: string;
}

interface EntryRow {
  chain: string;
  seq: number;
  case_id: string | null;
  at: string;
  examiner: string;
  action: string;
  details: string;
  prev_hash: string;
  hash: string;
}

/** A stored row whose details column is no longer JSON: reported, never silently skipped. */
export class UnreadableEntry {
  constructor(
    readonly seq: number,
    readonly hash: string,
    readonly reason: string,
  ) {}
}

function rowToEntry(row: EntryRow): AuditEntry | UnreadableEntry {
  let details: unknown;
  try {
    details = JSON.parse(row.details);
  } catch (err) {
    return new UnreadableEntry(row.seq, row.hash, `its details are not valid JSON (${(err as Error).message})`);
  }
  if (details === null || typeof details !== 'object' || Array.isArray(details)) {
    return new UnreadableEntry(row.seq, row.hash, 'its details are not a JSON object');
  }
  return {
    seq: row.seq,
    caseId: row.case_id,
    at: row.at,
    examiner: row.examiner,
    action: row.action,
    details: details as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface NewEntry {
  caseId: string | null;
  at: string;
  examiner: string;
  action: string;
  details: Record<string, unknown>;
}

export class AuditLog {
  private readonly getHead;
  private readonly setHead;
  private readonly insert;
  private readonly page;
  private readonly all;

  constructor(private readonly db: Db) {
    this.getHead = db.prepare<[string], ChainHead>('SELECT seq, hash FROM audit_heads WHERE chain = ?');
    this.setHead = db.prepare(
      'INSERT INTO audit_heads (chain, seq, hash) VALUES (?, ?, ?) ON CONFLICT(chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash',
    );
    this.insert = db.prepare(
      'INSERT INTO audit_log (chain, seq, case_id, at, examiner, action, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.page = db.prepare<[string, number, number], EntryRow>('SELECT * FROM audit_log WHERE chain = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.all = db.prepare<[string], EntryRow>('SELECT * FROM audit_log WHERE chain = ? ORDER BY seq');
  }

  /**
   * Appends one entry. Takes the write lock first (BEGIN IMMEDIATE) when not already inside a
   * transaction, so two processes sharing the store never both extend the same head.
   */
  append(entry: NewEntry): AuditEntry {
    const run = () => {
      const key = chainKey(entry.caseId);
      const head = this.getHead.get(key);
      // Stored exactly as hashed: whatever the caller passed is reduced to its canonical JSON first.
      const detailsJson = canonicalJson(entry.details);
      const unhashed: UnhashedEntry = {
        seq: (head?.seq ?? 0) + 1,
        caseId: entry.caseId,
        at: wellFormed(entry.at),
        examiner: wellFormed(entry.examiner),
        action: wellFormed(entry.action),
        details: JSON.parse(detailsJson) as Record<string, unknown>,
        prevHash: head?.hash ?? genesisHash(entry.caseId),
      };
      const stored: AuditEntry = { ...unhashed, hash: entryHash(unhashed) };
      this.insert.run(key, stored.seq, stored.caseId, stored.at, stored.examiner, stored.action, detailsJson, stored.prevHash, stored.hash);
      this.setHead.run(key, stored.seq, stored.hash);
      return stored;
    };
    return this.db.inTransaction ? run() : this.db.transaction(run).immediate();
  }

  /** Copies entries that were verified elsewhere (a bundle) without re-deriving them. */
  insertVerbatim(caseId: string, entries: readonly AuditEntry[]): void {
    const key = chainKey(caseId);
    for (const e of entries)
      this.insert.run(key, e.seq, e.caseId, e.at, e.examiner, e.action, canonicalJson(e.details), e.prevHash, e.hash);
    const last = entries[entries.length - 1];
    if (last) this.setHead.run(key, last.seq, last.hash);
  }

  head(caseId: string | null): ChainHead | undefined {
    return this.getHead.get(chainKey(caseId));
  }

  /** A page for display; unreadable rows are shown with an explanation rather than hidden. */
  entries(caseId: string | null, afterSeq: number, limit: number): AuditEntry[] {
    return this.page.all(chainKey(caseId), afterSeq, limit).map((row) => {
      const entry = rowToEntry(row);
      if (!(entry instanceof UnreadableEntry)) return entry;
      return {
        seq: row.seq,
        caseId: row.case_id,
        at: row.at,
        examiner: row.examiner,
        action: row.action,
        details: { unreadable: entry.reason },
        prevHash: row.prev_hash,
        hash: row.hash,
      };
    });
  }

  /**
   * Readable entries whose action is one of `actions`, from one chain (a case's, or null for the
   * store's own) or from every chain, ordered by time then chain and seq; read row by row.
   */
  *withActions(actions: readonly string[], chain: { caseId: string | null } | 'every'): Generator<AuditEntry> {
    const where = chain === 'every' ? '' : 'AND chain = ?';
    const query = this.db.prepare<unknown[], EntryRow>(
      `SELECT * FROM audit_log WHERE action IN (SELECT value FROM json_each(?)) ${where} ORDER BY at, chain, seq`,
    );
    const params: unknown[] = chain === 'every' ? [JSON.stringify(actions)] : [JSON.stringify(actions), chainKey(chain.caseId)];
    for (const row of query.iterate(...params)) {
      const entry = rowToEntry(row);
      if (!(entry instanceof UnreadableEntry)) yield entry;
    }
  }

  /** Every entry of a chain in order, without loading the chain into memory. */
  *iterate(caseId: string | null): Generator<AuditEntry | UnreadableEntry> {
    for (const row of this.all.iterate(chainKey(caseId))) yield rowToEntry(row);
  }
}

/** Facts the chain asserts about rows stored beside it; the rows are checked against them. */
export interface ChainFacts {
  /** The case as recorded when it was created ('case.created'). */
  created?: Record<string, unknown>;
  /** When it was closed ('case.closed'). */
  closedAt?: string;
  /** Artifact ID → hash of its row, from 'artifact.added'. */
  artifactRows: Map<string, { rowHash: string; seq: number }>;
  /** Case IDs imported into this store (store chain, 'case.imported'). */
  importedCases: Set<string>;
}

/**
 * Walks one chain entry by entry (entries may come from the database or a bundle) and keeps the
 * first problem of each kind precisely: which entry, what is wrong with it.
 */
export class ChainChecker {
  readonly problems: VerifyProblem[] = [];
  readonly facts: ChainFacts = { artifactRows: new Map(), importedCases: new Set() };
  count = 0;
  private expectedSeq = 1;
  private prevHash: string;
  private lastSeq = 0;

  constructor(
    private readonly caseId: string | null,
    /** How the chain is named in messages: 'case "X"', 'the store'. */
    private readonly label: string,
  ) {
    this.prevHash = genesisHash(caseId);
  }

  push(item: AuditEntry | UnreadableEntry): void {
    this.count++;
    if (item instanceof UnreadableEntry) {
      this.report(item.seq, `audit entry ${item.seq} of ${this.label} is unreadable: ${item.reason}`);
      this.advance(item.seq, item.hash);
      return;
    }
    const e = item;
    const name = `audit entry ${e.seq} of ${this.label} (${JSON.stringify(e.action).slice(0, 80)})`;
    if (e.caseId !== this.caseId) {
      this.report(e.seq, `${name} belongs to ${e.caseId === null ? 'the store chain' : `case ${e.caseId}`}, not to this chain`);
    } else if (e.seq > this.expectedSeq) {
      const missing = this.expectedSeq === e.seq - 1 ? `entry ${this.expectedSeq} is` : `entries ${this.expectedSeq} to ${e.seq - 1} are`;
      this.report(
        this.expectedSeq,
        `${missing} missing from ${this.label}: the chain jumps from ${this.expectedSeq - 1} to ${e.seq} (deleted)`,
      );
    } else if (e.seq < this.expectedSeq) {
      this.report(e.seq, `${name} is out of order: it comes after entry ${this.expectedSeq - 1}`);
    } else if (e.prevHash !== this.prevHash) {
      this.report(
        e.seq,
        e.seq === 1
          ? `${name} does not start from this case's genesis hash: the chain was made for another case or cut`
          : `${name} does not link to entry ${e.seq - 1}: its previous-hash is ${e.prevHash.slice(0, 16)}…, entry ${e.seq - 1} hashes to ${this.prevHash.slice(0, 16)}…`,
      );
    } else if (entryHash(e) !== e.hash) {
      this.report(e.seq, `${name} was altered: its content no longer matches its hash`);
    }
    this.collect(e);
    this.advance(e.seq, e.hash);
  }

  /** Compares the end of the chain with its recorded head (entries deleted from the end). */
  end(head: ChainHead | undefined): void {
    if (!head) {
      if (this.count > 0) this.report(this.lastSeq, `${this.label}: the chain's head record is missing`);
      return;
    }
    if (head.seq > this.lastSeq) {
      this.report(
        this.lastSeq + 1,
        `${this.label}: entries ${this.lastSeq + 1} to ${head.seq} are missing: the chain ends at ${this.lastSeq} but its head records ${head.seq} (deleted)`,
      );
    } else if (head.seq !== this.lastSeq || head.hash !== this.prevHash) {
      this.report(
        this.lastSeq,
        `${this.label}: the chain's head record (entry ${head.seq}, ${head.hash.slice(0, 16)}…) does not match its last entry ${this.lastSeq}`,
      );
    }
  }

  private advance(seq: number, hash: string): void {
    this.expectedSeq = seq + 1;
    this.prevHash = hash;
    this.lastSeq = Math.max(this.lastSeq, seq);
  }

  private report(seq: number, message: string): void {
    this.problems.push({ kind: 'chain-broken', seq, message });
  }

  private collect(e: AuditEntry): void {
    const d = e.details;
    if (e.action === 'case.created' && d.case && typeof d.case === 'object') this.facts.created = d.case as Record<string, unknown>;
    else if (e.action === 'case.closed' && typeof d.closedAt === 'string') this.facts.closedAt = d.closedAt;
    else if (e.action === 'artifact.added' && typeof d.artifactId === 'string' && typeof d.rowHash === 'string')
      this.facts.artifactRows.set(d.artifactId, { rowHash: d.rowHash, seq: e.seq });
    else if (e.action === 'case.imported' && typeof d.caseId === 'string') this.facts.importedCases.add(d.caseId);
  }
}
