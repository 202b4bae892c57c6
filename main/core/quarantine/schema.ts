import type { SchemaComponent } from '../store/database';

/**
 * One row per quarantine of a container: the state recorded before any step acted, each step's
 * progress and the release. Containers cannot be relabelled after creation, so this table is
 * where "quarantined" lives; the inventory reads it through QuarantineRecordStore.marksFor.
 */
export const quarantineSchema: SchemaComponent = {
  name: 'quarantine',
  migrations: [
    (db) => {
      db.exec(`
        CREATE TABLE quarantine_records (
          id TEXT PRIMARY KEY,
          host TEXT NOT NULL,
          container_id TEXT NOT NULL,
          container_name TEXT NOT NULL,
          state TEXT NOT NULL,
          case_id TEXT,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          record TEXT NOT NULL
        );
        CREATE INDEX quarantine_records_container ON quarantine_records (host, container_id, state);
        CREATE INDEX quarantine_records_host_state ON quarantine_records (host, state);
      `);
    },
  ],
};
