import type { Db, SchemaComponent } from '../store/database';

// Text from containers (paths, names) can hold anything, including lone surrogates that SQLite's
// UTF-8 TEXT would replace: such values live inside JSON columns (source_json, attributes_json,
// details), whose escapes keep them exact.

function v1(db: Db): void {
  db.exec(`
    CREATE TABLE cases (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      examiner TEXT NOT NULL,
      organisation TEXT NOT NULL,
      time_zone TEXT NOT NULL,
      description TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
      read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),
      created_at TEXT NOT NULL,
      closed_at TEXT
    );
    CREATE INDEX cases_name ON cases (name);

    CREATE TABLE artifacts (
      id TEXT PRIMARY KEY,
      case_id TEXT NOT NULL REFERENCES cases (id),
      kind TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('complete', 'incomplete')),
      status_reason TEXT,
      source_json TEXT NOT NULL,
      method TEXT NOT NULL,
      media_type TEXT NOT NULL,
      drydock_version TEXT NOT NULL,
      acquired_at TEXT NOT NULL,
      size INTEGER NOT NULL,
      sha256 TEXT NOT NULL,
      attributes_json TEXT NOT NULL
    );
    CREATE INDEX artifacts_case ON artifacts (case_id, acquired_at);
    CREATE INDEX artifacts_sha256 ON artifacts (sha256);

    -- One chain per case, plus the store's own chain (chain = '') for actions under no case.
    CREATE TABLE audit_log (
      chain TEXT NOT NULL,
      seq INTEGER NOT NULL,
      case_id TEXT REFERENCES cases (id),
      at TEXT NOT NULL,
      examiner TEXT NOT NULL,
      action TEXT NOT NULL,
      details TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL,
      PRIMARY KEY (chain, seq)
    ) WITHOUT ROWID;

    -- The last entry of each chain, so deleting the newest entries is detected too.
    CREATE TABLE audit_heads (
      chain TEXT PRIMARY KEY,
      seq INTEGER NOT NULL,
      hash TEXT NOT NULL
    );

    -- An acquisition being written: if its process dies, the next start stores the bytes it
    -- received as an incomplete artifact instead of losing them silently.
    CREATE TABLE pending_writes (
      id TEXT PRIMARY KEY,
      case_id TEXT NOT NULL REFERENCES cases (id),
      meta_json TEXT NOT NULL,
      temp_path TEXT NOT NULL,
      owner_pid INTEGER NOT NULL,
      owner_token TEXT NOT NULL,
      started_at TEXT NOT NULL
    );

    CREATE TABLE evidence_settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
  `);
}

// Signed bundles: the public keys this store's reviewer trusts, and how each imported case's
// bundle was signed (status, key fingerprint, claimed signer and time), for the case report.
function v2(db: Db): void {
  db.exec(`
    CREATE TABLE trusted_keys (
      fingerprint TEXT PRIMARY KEY,
      public_key TEXT NOT NULL,
      name TEXT NOT NULL,
      trusted_at TEXT NOT NULL
    );
    CREATE TABLE case_signatures (
      case_id TEXT PRIMARY KEY REFERENCES cases (id),
      status TEXT NOT NULL CHECK (status IN ('unsigned', 'trusted', 'untrusted')),
      fingerprint TEXT,
      signer TEXT,
      signed_at TEXT,
      trusted_as TEXT,
      checked_at TEXT NOT NULL
    );
  `);
}

export const evidenceSchema: SchemaComponent = {
  name: 'evidence',
  migrations: [v1, v2],
};
