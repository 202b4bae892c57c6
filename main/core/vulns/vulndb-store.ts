import type { VulnDbImport } from '../../../shared/domain/vulns';
import type { Db } from '../store/database';
import type { OsvRange, OsvRecord } from './osv-record';

// The store's side of the OSV databases: imports, records and affected-package rows.

interface ImportRow {
  id: number;
  source: string;
  sha256: string;
  bytes: number;
  records: number;
  ecosystems: string;
  imported_at: string;
  newest_record: string;
  superseded_for: string;
}

function toImport(row: ImportRow): VulnDbImport {
  return {
    id: row.id,
    source: row.source,
    sha256: row.sha256,
    bytes: row.bytes,
    records: row.records,
    ecosystems: JSON.parse(row.ecosystems) as Record<string, number>,
    importedAt: row.imported_at,
    newestRecord: row.newest_record,
    supersededFor: JSON.parse(row.superseded_for) as string[],
  };
}

export interface AffectedRow {
  osvId: string;
  ecosystem: string;
  name: string;
  ranges: OsvRange[];
  versions: string[];
  severity?: string;
  aliases: string[];
  summary?: string;
  recordSeverity?: string;
}

const BATCH = 2000;

export class VulnDbStore {
  constructor(private readonly db: Db) {}

  /** Starts an import: its rows count only once complete() is called. */
  begin(source: string, sha256: string, bytes: number, at: string): ImportWriter {
    const id = Number(
      this.db
        .prepare(
          "INSERT INTO vulndb_imports (source, sha256, bytes, records, ecosystems, imported_at, newest_record, state) VALUES (?, ?, ?, 0, '{}', ?, '', 'importing')",
        )
        .run(source, sha256, bytes, at).lastInsertRowid,
    );
    return new ImportWriter(this.db, id);
  }

  /** Drops an import that did not complete (and any left by a crashed run). */
  discard(id: number): void {
    this.db.prepare('DELETE FROM vulndb_imports WHERE id = ?').run(id);
  }

  imports(): VulnDbImport[] {
    return this.db.prepare<[], ImportRow>("SELECT * FROM vulndb_imports WHERE state = 'complete' ORDER BY id").all().map(toImport);
  }

  /** Per OSV ecosystem, the latest complete import that holds it. */
  current(): Map<string, VulnDbImport> {
    const out = new Map<string, VulnDbImport>();
    for (const imp of this.imports()) for (const base of Object.keys(imp.ecosystems)) out.set(base, imp);
    return out;
  }

  /** The affected rows of one import for a package name in an OSV ecosystem (the part before ':'). */
  affected(importId: number, base: string, name: string): AffectedRow[] {
    return this.db
      .prepare<
        [number, string, string],
        {
          osv_id: string;
          ecosystem: string;
          package: string;
          ranges: string;
          versions: string;
          severity: string | null;
          aliases: string;
          summary: string | null;
          record_severity: string | null;
        }
      >(
        `SELECT a.osv_id, a.ecosystem, a.package, a.ranges, a.versions, a.severity, r.aliases, r.summary, r.severity AS record_severity
         FROM vulndb_affected a JOIN vulndb_records r ON r.import_id = a.import_id AND r.osv_id = a.osv_id
         WHERE a.import_id = ? AND a.base = ? AND a.package = ?`,
      )
      .all(importId, base, name)
      .map((row) => ({
        osvId: row.osv_id,
        ecosystem: row.ecosystem,
        name: row.package,
        ranges: JSON.parse(row.ranges) as OsvRange[],
        versions: JSON.parse(row.versions) as string[],
        ...(row.severity ? { severity: row.severity } : {}),
        aliases: JSON.parse(row.aliases) as string[],
        ...(row.summary ? { summary: row.summary } : {}),
        ...(row.record_severity ? { recordSeverity: row.record_severity } : {}),
      }));
  }
}

export class ImportWriter {
  private pending: OsvRecord[] = [];
  records = 0;
  newest = '';
  readonly ecosystems: Record<string, number> = {};

  constructor(
    private readonly db: Db,
    readonly id: number,
  ) {}

  add(record: OsvRecord): void {
    this.pending.push(record);
    this.records++;
    if (record.modified > this.newest) this.newest = record.modified;
    for (const base of new Set(record.affected.map((a) => a.base))) this.ecosystems[base] = (this.ecosystems[base] ?? 0) + 1;
    if (this.pending.length >= BATCH) this.flush();
  }

  flush(): void {
    const batch = this.pending;
    this.pending = [];
    const insertRecord = this.db.prepare(
      'INSERT OR REPLACE INTO vulndb_records (import_id, osv_id, aliases, summary, severity, modified) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const insertAffected = this.db.prepare(
      'INSERT INTO vulndb_affected (import_id, osv_id, ecosystem, base, package, ranges, versions, severity) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const r of batch) {
        insertRecord.run(this.id, r.id, JSON.stringify(r.aliases), r.summary ?? null, r.severity ?? null, r.modified);
        for (const a of r.affected)
          insertAffected.run(
            this.id,
            r.id,
            a.ecosystem,
            a.base,
            a.name,
            JSON.stringify(a.ranges),
            JSON.stringify(a.versions),
            a.severity ?? null,
          );
      }
    })();
  }

  /**
   * Marks the import complete and drops the rows of earlier imports for the ecosystems it holds
   * (their import rows stay, listing what was superseded).
   */
  complete(): void {
    this.flush();
    const bases = Object.keys(this.ecosystems);
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE vulndb_imports SET state = 'complete', records = ?, ecosystems = ?, newest_record = ? WHERE id = ?")
        .run(this.records, JSON.stringify(this.ecosystems), this.newest, this.id);
      const older = this.db
        .prepare<[number], { id: number; superseded_for: string }>(
          "SELECT id, superseded_for FROM vulndb_imports WHERE id < ? AND state = 'complete'",
        )
        .all(this.id);
      for (const row of older) {
        const dropped = this.db
          .prepare(`DELETE FROM vulndb_affected WHERE import_id = ? AND base IN (${bases.map(() => '?').join(',') || "''"})`)
          .run(row.id, ...bases).changes;
        if (dropped === 0) continue;
        const superseded = new Set([...(JSON.parse(row.superseded_for) as string[]), ...bases]);
        this.db.prepare('UPDATE vulndb_imports SET superseded_for = ? WHERE id = ?').run(JSON.stringify([...superseded]), row.id);
        this.db
          .prepare(
            'DELETE FROM vulndb_records WHERE import_id = ? AND osv_id NOT IN (SELECT osv_id FROM vulndb_affected WHERE import_id = ?)',
          )
          .run(row.id, row.id);
      }
      // Imports interrupted before (a crash mid-import) are dropped with their rows.
      this.db.prepare("DELETE FROM vulndb_imports WHERE state = 'importing' AND id < ?").run(this.id);
    })();
  }
}
