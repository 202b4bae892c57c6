import type { SchemaComponent } from '../store/database';

/** Per-case choice of whether the journal follows the logs of containers as they start (absent: on). */
export const logsSchema: SchemaComponent = {
  name: 'logs',
  migrations: [
    (db) =>
      db.exec(`
        CREATE TABLE logs_case_settings (
          case_id TEXT PRIMARY KEY,
          follow_on_start INTEGER NOT NULL CHECK (follow_on_start IN (0, 1))
        );
      `),
  ],
};
