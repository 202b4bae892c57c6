import type { SchemaComponent } from '../store/database';

/**
 * The per-host event journal. time_nano is the engine's own timeNano (for a gap: its start); the
 * unique key drops an event seen twice (the engine's replay after a reconnect overlaps what was
 * already journaled).
 */
export const journalSchema: SchemaComponent = {
  name: 'journal',
  migrations: [
    (db) =>
      db.exec(`
        CREATE TABLE journal_entries (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          host TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('event', 'gap')),
          time_nano INTEGER NOT NULL,
          received_at TEXT NOT NULL,
          type TEXT NOT NULL,
          action TEXT NOT NULL,
          action_detail TEXT,
          actor_id TEXT NOT NULL,
          name TEXT,
          exit_code INTEGER,
          exec_id TEXT,
          exec_json TEXT,
          attributes_json TEXT NOT NULL,
          gap_until_nano INTEGER,
          note TEXT,
          UNIQUE (host, kind, time_nano, type, action, actor_id)
        );
        CREATE INDEX journal_entries_host_time ON journal_entries (host, time_nano, seq);
      `),
  ],
};
