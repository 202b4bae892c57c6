import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactInfo, ArtifactKind, ArtifactStatus, AuditEntry, CaseInfo } from '../../../shared/domain/evidence';
import type { ArtifactWriterPort, NewArtifact } from './port';
import { DrydockFailure } from '../errors';
import type { Db } from '../store/database';
import type { AuditLog } from './audit-chain';
import type { BlobStore, BlobWriter, StoredBlob } from './blob-store';
import { storeIoFailure } from '../store/io-failure';
import { canonicalClone, canonicalHash, canonicalJson, wellFormed } from './canonical-json';

/**
 * An artifact ID prefix accepted in place of the whole ID: at least its first group (8 lowercase hex
 * characters of the UUID Drydock writes), shorter than the whole.
 */
const ARTIFACT_PREFIX = /^[0-9a-f]{8}[0-9a-f-]{0,27}$/;

interface ArtifactRow {
  id: string;
  case_id: string;
  kind: string;
  status: string;
  status_reason: string | null;
  source_json: string;
  method: string;
  media_type: string;
  drydock_version: string;
  acquired_at: string;
  size: number;
  sha256: string;
  attributes_json: string;
}

interface PendingRow {
  id: string;
  case_id: string;
  meta_json: string;
  temp_path: string;
  owner_pid: number;
  owner_token: string;
  started_at: string;
}

/** An artifact row read back, or why it could not be (a hand-edited JSON column). */
export interface ArtifactRowView {
  id: string;
  info?: ArtifactInfo;
  error?: string;
}

export function rowToArtifact(row: ArtifactRow): ArtifactInfo {
  return {
    id: row.id,
    caseId: row.case_id,
    kind: row.kind as ArtifactKind,
    status: row.status as ArtifactStatus,
    ...(row.status_reason !== null ? { statusReason: row.status_reason } : {}),
    source: JSON.parse(row.source_json) as ArtifactInfo['source'],
    method: row.method,
    mediaType: row.media_type,
    drydockVersion: row.drydock_version,
    acquiredAt: row.acquired_at,
    size: row.size,
    sha256: row.sha256,
    attributes: JSON.parse(row.attributes_json) as Record<string, unknown>,
  };
}

function viewRow(row: ArtifactRow): ArtifactRowView {
  try {
    return { id: row.id, info: rowToArtifact(row) };
  } catch (err) {
    return { id: row.id, error: `a JSON column is unreadable (${(err as Error).message})` };
  }
}

/** The hash an 'artifact.added' audit entry records for its row: any later edit shows. */
export function artifactRowHash(info: ArtifactInfo): string {
  return canonicalHash(info);
}

/** Process-wide tokens of open evidence services: their pending writes are alive. */
const liveOwners = new Set<string>();

export function registerOwner(token: string): void {
  liveOwners.add(token);
}

export function releaseOwner(token: string): void {
  liveOwners.delete(token);
}

export function ownerAlive(pid: number, token: string | undefined): boolean {
  if (pid === process.pid) return token === undefined || liveOwners.has(token);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ArtifactStoreDeps {
  db: Db;
  blobs: BlobStore;
  audit: AuditLog;
  /** The acting examiner's name for an entry in a case. */
  examiner(caseId: string): string;
  drydockVersion: string;
  ownerToken: string;
  now(): string;
  /** Called after a row and its audit entry are committed. */
  committed(info: ArtifactInfo, entry: AuditEntry): void;
  /** Called after an audit entry alone is committed. */
  audited(entry: AuditEntry): void;
}

/** Artifact rows, their writers, and recovery of acquisitions cut short by a crash. */
export class ArtifactStore {
  private readonly byId;
  private readonly byPrefix;
  private readonly byCase;
  private readonly byCaseKind;
  private readonly allOfCase;
  private readonly insertRow;
  private readonly insertPending;
  private readonly deletePending;
  private readonly pendingRows;
  private readonly claimPending;
  private readonly active = new Set<ArtifactWriter>();

  constructor(private readonly deps: ArtifactStoreDeps) {
    const db = deps.db;
    this.byId = db.prepare<[string], ArtifactRow>('SELECT * FROM artifacts WHERE id = ?');
    // A range on the primary key ('~' sorts after every character of an ID): the index answers it.
    this.byPrefix = db.prepare<[string, string, number], { id: string }>(
      'SELECT id FROM artifacts WHERE id >= ? AND id < ? ORDER BY id LIMIT ?',
    );
    this.byCase = db.prepare<[string, number], ArtifactRow>('SELECT * FROM artifacts WHERE case_id = ? ORDER BY acquired_at, id LIMIT ?');
    this.byCaseKind = db.prepare<[string, string, number], ArtifactRow>(
      'SELECT * FROM artifacts WHERE case_id = ? AND kind = ? ORDER BY acquired_at, id LIMIT ?',
    );
    this.allOfCase = db.prepare<[string], ArtifactRow>('SELECT * FROM artifacts WHERE case_id = ? ORDER BY acquired_at, id');
    this.insertRow = db.prepare(
      'INSERT INTO artifacts (id, case_id, kind, status, status_reason, source_json, method, media_type, drydock_version, acquired_at, size, sha256, attributes_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertPending = db.prepare(
      'INSERT INTO pending_writes (id, case_id, meta_json, temp_path, owner_pid, owner_token, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.deletePending = db.prepare('DELETE FROM pending_writes WHERE id = ?');
    this.pendingRows = db.prepare<[], PendingRow>('SELECT * FROM pending_writes ORDER BY started_at');
    this.claimPending = db.prepare('UPDATE pending_writes SET owner_pid = ?, owner_token = ? WHERE id = ? AND owner_token = ?');
  }

  /**
   * The artifact with this ID, or with the one ID that starts with `id` when `id` is a prefix of at
   * least 8 lowercase hex characters (like git's short hashes: `3f2a9c1d` for
   * 3f2a9c1d-…); undefined when none matches.
   * @throws DrydockFailure('conflict') for a prefix several artifacts share, listing them (up to 10);
   *   ('integrity') for a damaged row.
   */
  get(id: string): ArtifactInfo | undefined {
    const row = this.byId.get(id) ?? this.byUniquePrefix(id);
    if (!row) return undefined;
    const view = viewRow(row);
    if (!view.info) throw new DrydockFailure('integrity', `The row of artifact ${id} is damaged: ${view.error}; run verify`);
    return view.info;
  }

  private byUniquePrefix(prefix: string): ArtifactRow | undefined {
    if (!ARTIFACT_PREFIX.test(prefix)) return undefined;
    const found = this.byPrefix.all(prefix, `${prefix}~`, 11).map((r) => r.id);
    if (found.length > 1)
      throw new DrydockFailure(
        'conflict',
        `Artifact ID prefix ${prefix} is ambiguous: it starts ${found.length > 10 ? 'more than 10' : found.length} artifacts (${found.slice(0, 10).join(', ')}); give more of the ID`,
      );
    return found[0] === undefined ? undefined : this.byId.get(found[0]);
  }

  list(caseId: string, kind: ArtifactKind | undefined, limit: number): ArtifactInfo[] {
    const rows = kind === undefined ? this.byCase.all(caseId, limit) : this.byCaseKind.all(caseId, kind, limit);
    return rows.map((row) => {
      const view = viewRow(row);
      if (!view.info) throw new DrydockFailure('integrity', `The row of artifact ${row.id} is damaged: ${view.error}; run verify`);
      return view.info;
    });
  }

  /** Every row of a case, readable or not, for verification and export. */
  *rowsOf(caseId: string): Generator<ArtifactRowView> {
    for (const row of this.allOfCase.iterate(caseId)) yield viewRow(row);
  }

  /** Copies a row verified elsewhere (a bundle) exactly. */
  insertVerbatim(info: ArtifactInfo): void {
    this.insertRow.run(
      info.id,
      info.caseId,
      info.kind,
      info.status,
      info.statusReason ?? null,
      canonicalJson(info.source),
      info.method,
      info.mediaType,
      info.drydockVersion,
      info.acquiredAt,
      info.size,
      info.sha256,
      canonicalJson(info.attributes),
    );
  }

  async openWriter(meta: NewArtifact, kase: CaseInfo): Promise<ArtifactWriterPort> {
    const id = randomUUID();
    const startedAt = this.deps.now();
    const tempPath = this.deps.blobs.tempPath();
    // Registered before the first byte, so a crash from here on is found and recorded.
    try {
      this.insertPending.run(
        id,
        kase.id,
        canonicalJson(meta),
        path.relative(this.deps.blobs.storeDir, tempPath),
        process.pid,
        this.deps.ownerToken,
        startedAt,
      );
    } catch (err) {
      throw storeIoFailure(err, `register an acquisition in the evidence store at ${this.deps.blobs.storeDir}`);
    }
    let blob: BlobWriter;
    try {
      blob = await this.deps.blobs.createWriter(tempPath);
    } catch (err) {
      this.deletePending.run(id);
      throw err;
    }
    const writer = new ArtifactWriter(this, id, { ...meta, caseId: kase.id }, startedAt, blob);
    this.active.add(writer);
    return writer;
  }

  /** Stores the row and its 'artifact.added' entry in one transaction, then announces both. */
  record(
    id: string,
    meta: NewArtifact,
    acquiredAt: string,
    blob: StoredBlob,
    status: ArtifactStatus,
    reason: string | undefined,
    extra: Record<string, unknown> | undefined,
  ): ArtifactInfo {
    const info: ArtifactInfo = {
      id,
      caseId: meta.caseId,
      kind: meta.kind,
      status,
      ...(status === 'incomplete' ? { statusReason: wellFormed(reason && reason.trim() ? reason : 'interrupted') } : {}),
      // Container-derived text lives in the JSON columns (exact); the plain columns hold well-formed text.
      source: canonicalClone(meta.source ?? {}),
      method: wellFormed(meta.method),
      mediaType: wellFormed(meta.mediaType),
      drydockVersion: this.deps.drydockVersion,
      acquiredAt,
      size: blob.size,
      sha256: blob.sha256,
      attributes: canonicalClone({ ...(meta.attributes ?? {}), ...(extra ?? {}) }),
    };
    let entry: AuditEntry;
    try {
      entry = this.deps.db
        .transaction(() => {
          this.insertVerbatim(info);
          this.deletePending.run(id);
          return this.deps.audit.append({
            caseId: info.caseId,
            at: this.deps.now(),
            examiner: this.deps.examiner(info.caseId),
            action: 'artifact.added',
            details: {
              artifactId: id,
              kind: info.kind,
              status,
              ...(info.statusReason !== undefined ? { statusReason: info.statusReason } : {}),
              size: info.size,
              sha256: info.sha256,
              rowHash: artifactRowHash(info),
              ...(blob.deduplicated ? { deduplicated: true } : {}),
            },
          });
        })
        .immediate();
    } catch (err) {
      throw storeIoFailure(err, `record artifact ${id} in the evidence store at ${this.deps.blobs.storeDir}`);
    }
    this.deps.committed(info, entry);
    return info;
  }

  /** A writer gave up with nothing stored (disk full, store error): its registration goes too. */
  forget(writer: ArtifactWriter, failure: DrydockFailure, meta: NewArtifact): void {
    this.active.delete(writer);
    try {
      this.deletePending.run(writer.id);
    } catch {
      // The next start finds no temporary file and records the acquisition as lost.
    }
    try {
      const entry = this.deps.audit.append({
        caseId: meta.caseId,
        at: this.deps.now(),
        examiner: this.deps.examiner(meta.caseId),
        action: 'artifact.failed',
        details: { artifactId: writer.id, kind: meta.kind, error: failure.kind, message: failure.message, bytesReceived: writer.bytes },
      });
      this.deps.audited(entry);
    } catch {
      // A full disk may refuse even this small entry; the failure itself still reaches the caller.
    }
  }

  /** Temporary files some acquisition (live, or being recovered) still owns. */
  pendingTempNames(): Set<string> {
    return new Set(this.pendingRows.all().map((row) => path.basename(row.temp_path)));
  }

  finished(writer: ArtifactWriter): void {
    this.active.delete(writer);
  }

  /** Stops writers of a closing service; their registrations stay for the next start to recover. */
  abortAll(): void {
    for (const writer of this.active) writer.kill();
    this.active.clear();
  }

  /**
   * Acquisitions whose process died mid-write: the bytes that reached the temporary file are
   * stored as an incomplete artifact with the reason, so nothing vanishes silently.
   */
  async recoverInterrupted(): Promise<ArtifactInfo[]> {
    const recovered: ArtifactInfo[] = [];
    for (const row of this.pendingRows.all()) {
      if (ownerAlive(row.owner_pid, row.owner_token)) continue;
      const claimed = this.claimPending.run(process.pid, this.deps.ownerToken, row.id, row.owner_token).changes === 1;
      if (!claimed) continue;
      const meta = JSON.parse(row.meta_json) as NewArtifact;
      // Only ever a file directly in the store's temporary folder, whatever the row says.
      const tempPath = path.join(this.deps.blobs.tempDir, path.basename(row.temp_path));
      const blob = await this.adopt(tempPath);
      const reason =
        blob.size > 0
          ? `Drydock stopped (process ${row.owner_pid} ended) before this acquisition finished; the ${blob.size} bytes received were kept`
          : `Drydock stopped (process ${row.owner_pid} ended) before this acquisition finished; no bytes had reached the store`;
      recovered.push(
        this.record(row.id, { ...meta, caseId: row.case_id }, row.started_at, blob, 'incomplete', reason, { recoveredAt: this.deps.now() }),
      );
    }
    return recovered;
  }

  /** Hashes a temporary file left by a dead process and moves it into place. */
  private async adopt(tempPath: string): Promise<StoredBlob> {
    // Gone (its writer died before creating it): adopted as the empty blob.
    const present = await stat(tempPath).catch(() => undefined);
    if (!present) {
      const empty = await this.deps.blobs.createWriter();
      return empty.complete();
    }
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(tempPath)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    const handle = await open(tempPath, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(tempPath, 0o444);
    return this.deps.blobs.commit(tempPath, hash.digest('hex'), size);
  }
}

/** One acquisition being streamed into the store (the capture and snapshot writers' port). */
export class ArtifactWriter implements ArtifactWriterPort {
  private done = false;
  private killed = false;
  /** Once the store failed, every later call reports that failure, not a misleading state. */
  private failure: DrydockFailure | undefined;

  constructor(
    private readonly store: ArtifactStore,
    readonly id: string,
    private readonly meta: NewArtifact,
    private readonly acquiredAt: string,
    private readonly blob: BlobWriter,
  ) {}

  get bytes(): number {
    return this.blob.bytes;
  }

  async write(chunk: Buffer): Promise<void> {
    this.assertUsable();
    try {
      await this.blob.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    } catch (err) {
      throw this.fail(err);
    }
  }

  finish(extraAttributes?: Record<string, unknown>): Promise<ArtifactInfo> {
    return this.seal('complete', undefined, extraAttributes);
  }

  abandon(reason: string, extraAttributes?: Record<string, unknown>): Promise<ArtifactInfo> {
    return this.seal('incomplete', reason, extraAttributes);
  }

  /** The service is closing: stop, and leave the temporary file for the next start to recover. */
  kill(): void {
    this.killed = true;
    void this.blob.release();
  }

  private async seal(
    status: ArtifactStatus,
    reason: string | undefined,
    extra: Record<string, unknown> | undefined,
  ): Promise<ArtifactInfo> {
    this.assertUsable();
    this.done = true;
    let stored: StoredBlob;
    try {
      stored = await this.blob.complete();
    } catch (err) {
      throw this.fail(err);
    }
    try {
      return this.store.record(this.id, this.meta, this.acquiredAt, stored, status, reason, extra);
    } finally {
      this.store.finished(this);
    }
  }

  private assertUsable(): void {
    if (this.failure) throw this.failure;
    if (this.killed)
      throw new DrydockFailure(
        'cancelled',
        `The evidence store was closed while artifact ${this.id} was being written; it will be recorded as incomplete when the store is next opened`,
      );
    if (this.done) throw new DrydockFailure('conflict', `Artifact ${this.id} is already finished`);
  }

  private fail(err: unknown): DrydockFailure {
    this.done = true;
    const failure = err instanceof DrydockFailure ? err : storeIoFailure(err, `write artifact ${this.id} to the evidence store`);
    const detailed = new DrydockFailure(
      failure.kind,
      `${failure.message} (artifact ${this.id}, ${this.meta.kind}, ${this.bytes} bytes received)`,
      { ...(failure.detail ? { detail: failure.detail } : {}), cause: failure },
    );
    this.failure = detailed;
    this.store.forget(this, detailed, this.meta);
    return detailed;
  }
}
