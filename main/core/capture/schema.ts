import type { SchemaComponent } from '../store/database';

/**
 * Captures as sessions (the pcap itself is an artifact): what was asked, who ran it, how it
 * ended, which artifacts it produced. Settings hold the user's helper image choice.
 */
export const captureSchema: SchemaComponent = {
  name: 'capture',
  migrations: [
    (db) => {
      db.exec(`
        CREATE TABLE captures (
          id TEXT PRIMARY KEY,
          case_id TEXT NOT NULL,
          host TEXT NOT NULL,
          container_id TEXT NOT NULL,
          container_name TEXT NOT NULL,
          state TEXT NOT NULL,
          started_at TEXT NOT NULL,
          ended_at TEXT,
          owner_machine TEXT NOT NULL,
          owner_pid INTEGER NOT NULL,
          owner_started INTEGER NOT NULL,
          pcap_artifact_id TEXT,
          summary_artifact_id TEXT,
          info TEXT NOT NULL
        );
        CREATE INDEX captures_started ON captures (started_at);
        CREATE INDEX captures_pcap ON captures (pcap_artifact_id);
        CREATE TABLE capture_settings (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
      `);
    },
  ],
};
