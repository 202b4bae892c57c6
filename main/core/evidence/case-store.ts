import type { CaseInfo } from '../../../shared/domain/evidence';
import { DrydockFailure } from '../errors';
import type { Db } from '../store/database';

interface CaseRow {
  id: string;
  name: string;
  examiner: string;
  organisation: string;
  time_zone: string;
  description: string;
  status: 'open' | 'closed';
  read_only: number;
  created_at: string;
  closed_at: string | null;
}

const CURRENT_CASE = 'current_case';

export function rowToCase(row: CaseRow): CaseInfo {
  return {
    id: row.id,
    name: row.name,
    examiner: row.examiner,
    organisation: row.organisation,
    timeZone: row.time_zone,
    description: row.description,
    status: row.status,
    readOnly: row.read_only === 1,
    createdAt: row.created_at,
    ...(row.closed_at !== null ? { closedAt: row.closed_at } : {}),
  };
}

/** The fields of a case that its audit chain vouches for (all but the local read-only flag). */
export function caseRecord(info: CaseInfo): Record<string, unknown> {
  return {
    id: info.id,
    name: info.name,
    examiner: info.examiner,
    organisation: info.organisation,
    timeZone: info.timeZone,
    description: info.description,
    createdAt: info.createdAt,
  };
}

/** Cases and the store's notion of the current case. */
export class CaseStore {
  private readonly byId;
  private readonly byName;
  private readonly everything;
  private readonly insertRow;
  private readonly closeRow;
  private readonly getSetting;
  private readonly writeSetting;
  private readonly dropSetting;

  constructor(db: Db) {
    this.byId = db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE id = ?');
    this.byName = db.prepare<[string], CaseRow>('SELECT * FROM cases WHERE name = ? ORDER BY created_at');
    this.everything = db.prepare<[], CaseRow>('SELECT * FROM cases ORDER BY created_at, id');
    this.insertRow = db.prepare(
      'INSERT INTO cases (id, name, examiner, organisation, time_zone, description, status, read_only, created_at, closed_at) VALUES (@id, @name, @examiner, @organisation, @timeZone, @description, @status, @readOnly, @createdAt, @closedAt)',
    );
    this.closeRow = db.prepare("UPDATE cases SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'");
    this.getSetting = db.prepare<[string], { value: string }>('SELECT value FROM evidence_settings WHERE key = ?');
    this.writeSetting = db.prepare(
      'INSERT INTO evidence_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.dropSetting = db.prepare('DELETE FROM evidence_settings WHERE key = ?');
  }

  insert(info: CaseInfo): void {
    this.insertRow.run({ ...info, readOnly: info.readOnly ? 1 : 0, closedAt: info.closedAt ?? null });
  }

  get(id: string): CaseInfo | undefined {
    const row = this.byId.get(id);
    return row ? rowToCase(row) : undefined;
  }

  list(): CaseInfo[] {
    return this.everything.all().map(rowToCase);
  }

  named(name: string): CaseInfo[] {
    return this.byName.all(name).map(rowToCase);
  }

  /** A case by ID, else by exact name; several cases of that name must be told apart by ID. */
  resolve(ref: string): CaseInfo {
    const byId = this.get(ref);
    if (byId) return byId;
    const named = this.named(ref);
    if (named.length === 1 && named[0]) return named[0];
    if (named.length > 1) {
      throw new DrydockFailure(
        'conflict',
        `Several cases are named ${JSON.stringify(ref)} (IDs ${named.map((c) => c.id).join(', ')}); use the case ID`,
      );
    }
    throw new DrydockFailure('not-found', `No case ${JSON.stringify(ref)} in this evidence store (give a case ID or its exact name)`);
  }

  markClosed(id: string, at: string): void {
    this.closeRow.run(at, id);
  }

  currentId(): string | null {
    return this.getSetting.get(CURRENT_CASE)?.value ?? null;
  }

  current(): CaseInfo | null {
    const id = this.currentId();
    return id === null ? null : (this.get(id) ?? null);
  }

  /** A store-wide setting's value (evidence_settings), or undefined. */
  setting(key: string): string | undefined {
    return this.getSetting.get(key)?.value;
  }

  putSetting(key: string, value: string): void {
    this.writeSetting.run(key, value);
  }

  setCurrent(id: string | null): void {
    if (id === null) this.dropSetting.run(CURRENT_CASE);
    else this.writeSetting.run(CURRENT_CASE, id);
  }
}
