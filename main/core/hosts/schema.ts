import type { SchemaComponent } from '../store/database';

/** Host profiles: where an engine is and which files on the examiner's disk authenticate to it. */
export const hostSchema: SchemaComponent = {
  name: 'hosts',
  migrations: [
    (db) =>
      db.exec(`
        CREATE TABLE hosts (
          name TEXT PRIMARY KEY,
          url TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('socket', 'tcp', 'ssh')),
          tls_json TEXT,
          ssh_json TEXT,
          created_at TEXT NOT NULL
        );
      `),
  ],
};
