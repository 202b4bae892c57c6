import type { SchemaComponent } from '../store/database';

/**
 * Every helper container Drydock created, as it recorded it at creation: the container ID the
 * engine returned, the image ID it runs and the owning process. This, not a label on the host
 * (anyone can set one), is how Drydock tells its own helpers from containers that claim to be.
 */
export const helperSchema: SchemaComponent = {
  name: 'helper',
  migrations: [
    (db) => {
      db.exec(`
        CREATE TABLE helper_containers (
          container_id TEXT PRIMARY KEY,
          host TEXT NOT NULL,
          name TEXT NOT NULL,
          helper_id TEXT NOT NULL,
          purpose TEXT NOT NULL,
          image_id TEXT NOT NULL,
          target TEXT NOT NULL,
          owner_machine TEXT NOT NULL,
          owner_pid INTEGER NOT NULL,
          owner_started INTEGER NOT NULL,
          deadline TEXT NOT NULL,
          case_id TEXT,
          created_at TEXT NOT NULL,
          removed_at TEXT,
          removed_reason TEXT
        );
        CREATE INDEX helper_containers_open ON helper_containers (host, removed_at);
      `);
    },
    (db) => {
      // Scratch volumes (tmpfs) a helper writes into for Drydock to fetch through the archive
      // endpoint, recorded by the name Drydock gave them, like helper containers by ID.
      db.exec(`
        CREATE TABLE helper_volumes (
          name TEXT PRIMARY KEY,
          host TEXT NOT NULL,
          helper_id TEXT NOT NULL,
          purpose TEXT NOT NULL,
          target TEXT NOT NULL,
          size_bytes INTEGER NOT NULL,
          owner_machine TEXT NOT NULL,
          owner_pid INTEGER NOT NULL,
          owner_started INTEGER NOT NULL,
          deadline TEXT NOT NULL,
          case_id TEXT,
          created_at TEXT NOT NULL,
          removed_at TEXT,
          removed_reason TEXT
        );
        CREATE INDEX helper_volumes_open ON helper_volumes (host, removed_at);
      `);
    },
  ],
};
