import type { SchemaComponent } from '../store/database';

/**
 * Drift's own tables. The image index is a cache (rebuilt from the engine whenever missing), not
 * evidence: the reports and file contents go to the evidence store as artifacts. Paths are kept
 * as text (invalid UTF-8 as U+FFFD, the key the engine's change list uses) with the raw bytes
 * beside them when they differ.
 */
export const driftSchema: SchemaComponent = {
  name: 'drift',
  migrations: [
    (db) => {
      db.exec(`
        CREATE TABLE drift_images (
          image_id TEXT PRIMARY KEY,
          built_at TEXT NOT NULL,
          used_at TEXT NOT NULL,
          entries INTEGER NOT NULL,
          bytes INTEGER NOT NULL,
          packages TEXT NOT NULL
        );
        CREATE TABLE drift_image_files (
          image_id TEXT NOT NULL REFERENCES drift_images (image_id) ON DELETE CASCADE,
          path TEXT NOT NULL,
          path_raw BLOB,
          type TEXT NOT NULL,
          mode INTEGER NOT NULL,
          uid INTEGER NOT NULL,
          gid INTEGER NOT NULL,
          size INTEGER NOT NULL,
          mtime TEXT,
          sha256 TEXT,
          link TEXT,
          link_raw BLOB,
          exec TEXT
        );
        CREATE INDEX drift_image_files_path ON drift_image_files (image_id, path);
        CREATE TABLE drift_image_content (
          image_id TEXT NOT NULL REFERENCES drift_images (image_id) ON DELETE CASCADE,
          path TEXT NOT NULL,
          content BLOB NOT NULL,
          PRIMARY KEY (image_id, path)
        );
        CREATE TABLE drift_scans (
          id TEXT PRIMARY KEY,
          host TEXT NOT NULL,
          case_id TEXT NOT NULL,
          state TEXT NOT NULL,
          started_at TEXT NOT NULL,
          owner_pid INTEGER NOT NULL,
          info TEXT NOT NULL
        );
        CREATE INDEX drift_scans_started ON drift_scans (started_at);
        CREATE TABLE drift_settings (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
      `);
    },
  ],
};
