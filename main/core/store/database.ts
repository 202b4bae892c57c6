import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DrydockFailure } from '../errors';

export type Db = Database.Database;

/**
 * A capability's own schema history. Each component (hosts, evidence, drift...) owns its tables
 * and its migration list, so capabilities evolve without editing one shared list. Versions only
 * grow; a store written by a newer Drydock is refused rather than half-understood.
 */
export interface SchemaComponent {
  name: string;
  migrations: readonly ((db: Db) => void)[];
}

export interface OpenOptions {
  /** better-sqlite3's binding built for Electron's ABI, when running inside Electron. */
  nativeBinding?: string;
  readonly?: boolean;
}

export function openDatabase(storeDir: string, components: readonly SchemaComponent[], options: OpenOptions = {}): Db {
  const file = path.join(storeDir, 'drydock.sqlite');
  let db: Db;
  try {
    if (!options.readonly) mkdirSync(storeDir, { recursive: true });
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
  } catch (err) {
    throw storeOpenFailure(storeDir, err);
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    if (!options.readonly) migrate(db, components, storeDir);
    return db;
  } catch (err) {
    db.close();
    throw err instanceof DrydockFailure ? err : storeOpenFailure(storeDir, err);
  }
}

function migrate(db: Db, components: readonly SchemaComponent[], storeDir: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  const current = db.prepare<[string], { version: number }>('SELECT version FROM schema_versions WHERE component = ?');
  const setVersion = db.prepare(
    'INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version',
  );
  for (const component of components) {
    const have = current.get(component.name)?.version ?? 0;
    const known = component.migrations.length;
    if (have > known) {
      throw new DrydockFailure(
        'store-newer-schema',
        `The evidence store at ${storeDir} was written by a newer Drydock (${component.name} schema v${have}, this build knows v${known}). Open it with that version; nothing was changed.`,
      );
    }
    for (let version = have + 1; version <= known; version++) {
      const step = component.migrations[version - 1];
      if (!step) continue;
      db.transaction(() => {
        step(db);
        setVersion.run(component.name, version);
      })();
    }
  }
}

function storeOpenFailure(storeDir: string, err: unknown): DrydockFailure {
  const code = (err as { code?: string }).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'EACCES' || code === 'EROFS' || code === 'SQLITE_READONLY' || /readonly|read-only/i.test(message)) {
    return new DrydockFailure('store-readonly', `The evidence store at ${storeDir} is read-only: ${message}`, { detail: code, cause: err });
  }
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') {
    return new DrydockFailure('disk-full', `No space left for the evidence store at ${storeDir}`, { detail: code, cause: err });
  }
  return new DrydockFailure('store', `Cannot open the evidence store at ${storeDir}: ${message}`, { detail: code, cause: err });
}
