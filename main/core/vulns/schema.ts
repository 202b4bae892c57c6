import type { SchemaComponent } from '../store/database';

/**
 * The imported OSV databases. Reference data, not evidence: what a scan matched against is named
 * in its report (SHA-256, source, age) and the import itself in the audit log. An import's rows
 * are written in batches while its state is 'importing' and only count once it is 'complete'.
 */
export const vulnsSchema: SchemaComponent = {
  name: 'vulns',
  migrations: [
    (db) => {
      db.exec(`
        CREATE TABLE vulndb_imports (
          id INTEGER PRIMARY KEY,
          source TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          bytes INTEGER NOT NULL,
          records INTEGER NOT NULL,
          ecosystems TEXT NOT NULL,
          imported_at TEXT NOT NULL,
          newest_record TEXT NOT NULL,
          state TEXT NOT NULL,
          superseded_for TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE vulndb_records (
          import_id INTEGER NOT NULL REFERENCES vulndb_imports (id) ON DELETE CASCADE,
          osv_id TEXT NOT NULL,
          aliases TEXT NOT NULL,
          summary TEXT,
          severity TEXT,
          modified TEXT NOT NULL,
          PRIMARY KEY (import_id, osv_id)
        );
        CREATE TABLE vulndb_affected (
          import_id INTEGER NOT NULL REFERENCES vulndb_imports (id) ON DELETE CASCADE,
          osv_id TEXT NOT NULL,
          ecosystem TEXT NOT NULL,
          base TEXT NOT NULL,
          package TEXT NOT NULL,
          ranges TEXT NOT NULL,
          versions TEXT NOT NULL,
          severity TEXT
        );
        CREATE INDEX vulndb_affected_lookup ON vulndb_affected (base, package, import_id);
      `);
    },
  ],
};
