import type { SchemaComponent } from '../store/database';

/**
 * A case's timeline as last built: derived data (rebuilt from the case's artifacts, audit chain
 * and the journals of its hosts whenever any of them changed), kept in the store so a timeline of
 * a million rows pages, filters and bins in SQLite instead of in memory.
 */
export const timelineSchema: SchemaComponent = {
  name: 'timeline',
  migrations: [
    (db) =>
      db.exec(`
        CREATE TABLE timeline_rows (
          case_id TEXT NOT NULL,
          key TEXT NOT NULL,
          time_nano INTEGER NOT NULL,
          source TEXT NOT NULL,
          severity INTEGER NOT NULL,
          host TEXT,
          container TEXT,
          search TEXT NOT NULL,
          row_json TEXT NOT NULL,
          PRIMARY KEY (case_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX timeline_rows_time ON timeline_rows (case_id, time_nano, key);
        CREATE TABLE timeline_builds (
          case_id TEXT PRIMARY KEY,
          fingerprint TEXT NOT NULL,
          built_at TEXT NOT NULL,
          limitations_json TEXT NOT NULL
        );
      `),
    // The build's summary (counts per source, lanes, first and last time), computed once per build.
    (db) => db.exec('ALTER TABLE timeline_builds ADD COLUMN summary_json TEXT'),
  ],
};
