import { createHash, randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { z } from 'zod';
import {
  type ArtifactPreview,
  type BundleExportResult,
  type BundleImportResult,
  type CaseList,
  caseInput,
  type ExportResult,
  PREVIEW_DEFAULT_BYTES,
  PREVIEW_MAX_BYTES,
} from '../../../shared/contract/evidence';
import type { ActingExaminer, ArtifactInfo, ArtifactKind, AuditEntry, CaseInfo, VerifyReport } from '../../../shared/domain/evidence';
import type { FootprintSummary } from '../../../shared/domain/footprint';
import type { AuditFn } from '../audit-fn';
import type { ArtifactWriterPort, EvidencePort, NewArtifact } from './port';
import { type Clock, isoNow } from '../clock';
import { DrydockFailure } from '../errors';
import type { ExaminerIdentity } from '../examiner';
import type { EventHub } from '../event-hub';
import type { Db } from '../store/database';
import { buildPreview, readHead } from './artifact-preview';
import { ArtifactStore, ownerAlive, registerOwner, releaseOwner } from './artifact-store';
import { AuditLog } from './audit-chain';
import { BlobStore } from './blob-store';
import { storeIoFailure } from '../store/io-failure';
import { wellFormed } from './canonical-json';
import { CaseStore, caseRecord } from './case-store';
import { BundleSigning } from './signing';
import { FLEET_COLLECTOR_ACTIONS, fleetCollectorIds } from './fleet-collectors';
import { FOOTPRINT_ACTIONS, collectorFootprint, footprintByHost } from './footprint';
import { drydockVersion } from './drydock-version';
import { writeNewFile } from './new-file';
import { caseLabel, describeProblem, verifyStore } from './verify';

export interface EvidenceServiceDeps {
  db: Db;
  storeDir: string;
  clock: Clock;
  /** Who is acting: resolved per entry (explicit choice, DRYDOCK_EXAMINER, the case's examiner, the OS user). */
  examiner: ExaminerIdentity;
  events: EventHub;
}

export type CaseCreateInput = z.input<typeof caseInput>;

/** Signs a bundle manifest's exact bytes: returns manifest.sig.json (see bundle-signature.ts). */
export interface BundleSigner {
  fingerprint: string;
  sign(manifestBytes: Buffer): Buffer;
}

/** A run bundle merged into a case (mergeRunBundle). */
export interface RunBundleMerge {
  /** The bundle file, stored verbatim as a 'fleet-bundle' artifact. */
  artifactId: string;
  sha256: string;
  bytes: number;
  sourceCaseId: string;
  /** Each artifact of the bundle: its ID there, its ID in the case, its kind. */
  artifacts: { from: string; to: string; kind: string }[];
  signedBy: string;
  countersignedBy: string;
}

const NOTE_MAX = 10_000;
/** evidence_settings key: the ad-hoc case Drydock opened last and its UTC day, as JSON. */
const AD_HOC_CASE = 'adhoc_case';

/**
 * The offline evidence store: cases, content-addressed artifacts, the hash-chained audit log,
 * verification and case bundles. Every other capability records through it (EvidencePort,
 * AuditFn); the UI and the CLI read through it.
 */
export class EvidenceService implements EvidencePort {
  readonly drydockVersion: string = drydockVersion();
  private readonly cases: CaseStore;
  private readonly log: AuditLog;
  private readonly blobs: BlobStore;
  private readonly artifacts: ArtifactStore;
  /** Examiner keys, trusted keys and bundle signatures. */
  readonly signing: BundleSigning;
  private readonly ownerToken = randomUUID();
  /** Crash recovery of interrupted acquisitions, started on open; readers of the whole store wait for it. */
  private readonly recovered: Promise<void>;
  private closed = false;

  constructor(private readonly deps: EvidenceServiceDeps) {
    this.cases = new CaseStore(deps.db);
    this.log = new AuditLog(deps.db);
    this.blobs = new BlobStore(deps.storeDir);
    registerOwner(this.ownerToken);
    this.artifacts = new ArtifactStore({
      db: deps.db,
      blobs: this.blobs,
      audit: this.log,
      examiner: (caseId) => this.examinerFor(caseId).name,
      drydockVersion: this.drydockVersion,
      ownerToken: this.ownerToken,
      now: () => this.now(),
      committed: (info, entry) => {
        deps.events.emit('evidence.audit-appended', entry);
        deps.events.emit('evidence.artifact-added', info);
      },
      audited: (entry) => deps.events.emit('evidence.audit-appended', entry),
    });
    this.signing = new BundleSigning({
      db: deps.db,
      storeDir: deps.storeDir,
      examiner: () => this.examinerFor(null).name,
      now: () => this.now(),
      audit: (action, details) => this.append(null, action, details),
    });
    this.recovered = this.recover();
  }

  // ---- audit ---------------------------------------------------------------------------------

  /**
   * audit() as a plain function, for the rooms that only write audit entries.
   */
  auditFn(): AuditFn {
    return (action, details, caseId) => {
      this.audit(action, details, caseId);
    };
  }

  /**
   * Appends a chained entry. Without a case ID it goes to the current case when that is open and
   * writable, else to the store's own chain. A read-only (imported) case is never written to:
   * entries about it go to the store chain, naming it.
   */
  audit(action: string, details: Record<string, unknown>, caseId?: string): AuditEntry {
    const target = this.auditTarget(caseId, details);
    return this.append(target.caseId, action, target.details);
  }

  private auditTarget(
    caseId: string | undefined,
    details: Record<string, unknown>,
  ): { caseId: string | null; details: Record<string, unknown> } {
    if (caseId === undefined) {
      const current = this.cases.current();
      return { caseId: current && current.status === 'open' && !current.readOnly ? current.id : null, details };
    }
    const kase = this.cases.get(caseId);
    if (kase && !kase.readOnly) return { caseId: kase.id, details };
    return { caseId: null, details: { ...details, caseId } };
  }

  private append(caseId: string | null, action: string, details: Record<string, unknown>): AuditEntry {
    let entry: AuditEntry;
    try {
      entry = this.log.append({ caseId, at: this.now(), examiner: this.examinerFor(caseId).name, action, details });
    } catch (err) {
      throw storeIoFailure(err, `append to the audit log of the evidence store at ${this.deps.storeDir}`);
    }
    this.deps.events.emit('evidence.audit-appended', entry);
    return entry;
  }

  // ---- examiner ------------------------------------------------------------------------------

  /** The acting examiner for an entry in `caseId` (null: the store's own chain). */
  examinerFor(caseId: string | null): ActingExaminer {
    const kase = caseId === null ? undefined : this.cases.get(caseId);
    return this.deps.examiner.resolve(kase?.examiner);
  }

  /** The acting examiner for the current case, as the header shows it. */
  actingExaminer(): ActingExaminer {
    return this.examinerFor(this.cases.currentId());
  }

  /**
   * Sets (or clears, with an empty name) the explicit examiner choice; a change is itself an audit
   * entry, written by the new examiner and naming the previous one.
   */
  chooseExaminer(name: string): ActingExaminer {
    const before = this.actingExaminer();
    this.deps.examiner.choose(name);
    const after = this.actingExaminer();
    if (after.name !== before.name) this.audit('examiner.changed', { from: before.name, to: after.name, source: after.source });
    this.deps.events.emit('evidence.examiner-changed', after);
    return after;
  }

  // ---- cases ---------------------------------------------------------------------------------

  /**
   * Opens a new case (audited as its chain's first entry) and makes it current; `createdAt` ISO 8601 UTC,
   * `timeZone` the IANA name it is shown in.
   * @throws DrydockFailure('invalid-input') for a bad field or an unknown time zone; ('conflict') when a case of that name exists; ('store'), ('disk-full'), ('store-readonly') when it cannot be written.
   */
  createCase(input: CaseCreateInput): CaseInfo {
    const parsed = caseInput.safeParse(input);
    if (!parsed.success) {
      throw new DrydockFailure(
        'invalid-input',
        `Invalid case: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'case'}: ${i.message}`).join('; ')}`,
      );
    }
    const value = parsed.data;
    const timeZone = canonicalTimeZone(value.timeZone);
    if (this.cases.named(wellFormed(value.name)).length > 0)
      throw new DrydockFailure('conflict', `A case named ${JSON.stringify(value.name)} already exists; choose another name`);
    const info: CaseInfo = {
      id: randomUUID(),
      name: wellFormed(value.name),
      examiner: wellFormed(value.examiner?.trim() ? value.examiner : this.examinerFor(null).name),
      organisation: wellFormed(value.organisation),
      timeZone,
      description: wellFormed(value.description),
      status: 'open',
      readOnly: false,
      createdAt: this.now(),
    };
    let entry: AuditEntry;
    try {
      entry = this.deps.db
        .transaction(() => {
          this.cases.insert(info);
          this.cases.setCurrent(info.id);
          return this.log.append({
            caseId: info.id,
            at: info.createdAt,
            examiner: this.deps.examiner.resolve(info.examiner).name,
            action: 'case.created',
            details: { case: caseRecord(info) },
          });
        })
        .immediate();
    } catch (err) {
      throw storeIoFailure(err, `create case ${JSON.stringify(info.name)} in the evidence store at ${this.deps.storeDir}`);
    }
    this.deps.events.emit('evidence.audit-appended', entry);
    this.deps.events.emit('evidence.case-changed', { current: info });
    return info;
  }

  /**
   * Every case in the store and the current case's ID (null when none is selected).
   */
  async listCases(): Promise<CaseList> {
    return { cases: this.cases.list(), currentCaseId: this.cases.current()?.id ?? null };
  }

  /**
   * Makes the case named by `ref` (ID or name) current and announces it.
   * @throws DrydockFailure('not-found') for a ref that names no case; ('conflict') for a name several cases share.
   */
  async useCase(ref: string): Promise<CaseInfo> {
    const kase = this.cases.resolve(ref);
    this.cases.setCurrent(kase.id);
    this.deps.events.emit('evidence.case-changed', { current: kase });
    return kase;
  }

  /**
   * The current case, or null when none is selected.
   */
  async currentCase(): Promise<CaseInfo | null> {
    return this.cases.current();
  }

  /**
   * Closes a case (the current one by default; audited) and returns it closed (`closedAt` ISO 8601 UTC); nothing more is acquired into it.
   * @throws DrydockFailure('not-found') for a ref that names no case; ('conflict') for a name several cases share; ('conflict') with no case selected, for a read-only (imported) case or one already closed; ('store'), ('disk-full') when it cannot be written.
   */
  async closeCase(ref?: string): Promise<CaseInfo> {
    const kase = this.selectCase(ref);
    if (kase.readOnly)
      throw new DrydockFailure('conflict', `${caseLabel(kase)} is read-only (imported from a bundle); it cannot be closed here`);
    if (kase.status === 'closed')
      throw new DrydockFailure('conflict', `${caseLabel(kase)} is already closed (since ${kase.closedAt ?? '?'})`);
    const closedAt = this.now();
    let entry: AuditEntry;
    try {
      entry = this.deps.db
        .transaction(() => {
          this.cases.markClosed(kase.id, closedAt);
          return this.log.append({
            caseId: kase.id,
            at: closedAt,
            examiner: this.examinerFor(kase.id).name,
            action: 'case.closed',
            details: { closedAt },
          });
        })
        .immediate();
    } catch (err) {
      throw storeIoFailure(err, `close ${caseLabel(kase)}`);
    }
    const closed: CaseInfo = { ...kase, status: 'closed', closedAt };
    this.deps.events.emit('evidence.audit-appended', entry);
    if (this.cases.currentId() === kase.id) this.deps.events.emit('evidence.case-changed', { current: closed });
    return closed;
  }

  /**
   * The case new evidence goes into: the named one, else the current one; open and writable.
   * For an acquisition (`acquisition` given) with no case named and no open current case — or
   * only an ad-hoc case of an earlier UTC day — an ad-hoc case is opened for the host and today's
   * UTC date, made current and announced ('evidence.adhoc-case-opened', audited), so nothing is
   * acquired outside a case and the responder at a burning host has nothing to set up first.
   * @throws DrydockFailure('not-found') for an unknown ref; ('conflict') for a closed or read-only case, or no case at all outside an acquisition.
   */
  resolveWritableCase(ref?: string, acquisition?: { host: string }): CaseInfo {
    if (ref === undefined && acquisition) {
      const current = this.cases.current();
      const usable = current !== null && current.status === 'open' && !current.readOnly;
      const adHoc = this.adHocCase();
      const today = this.now().slice(0, 10);
      if (!usable)
        return this.openAdHocCase(
          acquisition.host,
          current ? `the current ${caseLabel(current)} is ${current.readOnly ? 'read-only' : 'closed'}` : 'no case was open',
        );
      if (adHoc && adHoc.caseId === current.id && adHoc.day !== today)
        return this.openAdHocCase(acquisition.host, `the current ${caseLabel(current)} is an ad-hoc case of ${adHoc.day}`);
    }
    const kase = ref !== undefined ? this.cases.resolve(ref) : this.cases.current();
    if (!kase)
      throw new DrydockFailure(
        'conflict',
        'No case is open: create one (drydock case create --name NAME) or select one (drydock case use NAME) before acquiring evidence',
      );
    if (kase.readOnly)
      throw new DrydockFailure(
        'conflict',
        `${caseLabel(kase)} is read-only (imported from a bundle); acquire evidence into a case of your own`,
      );
    if (kase.status === 'closed')
      throw new DrydockFailure('conflict', `${caseLabel(kase)} is closed (since ${kase.closedAt ?? '?'}); create or select an open case`);
    return kase;
  }

  private adHocCase(): { caseId: string; day: string } | undefined {
    const raw = this.cases.setting(AD_HOC_CASE);
    if (!raw) return undefined;
    try {
      const value = JSON.parse(raw) as { caseId?: unknown; day?: unknown };
      return typeof value.caseId === 'string' && typeof value.day === 'string' ? { caseId: value.caseId, day: value.day } : undefined;
    } catch {
      // A damaged setting only loses today's ad-hoc case: the next acquisition opens a new one (and says so).
      return undefined;
    }
  }

  private openAdHocCase(host: string, why: string): CaseInfo {
    const day = this.now().slice(0, 10);
    const base = `${host} ${day}`;
    let name = base;
    for (let n = 2; this.cases.named(name).length > 0; n++) name = `${base} (${n})`;
    const kase = this.createCase({
      name,
      description: `Opened by Drydock for an acquisition from host ${host}: ${why}.`,
      examiner: this.examinerFor(null).name,
    });
    this.cases.putSetting(AD_HOC_CASE, JSON.stringify({ caseId: kase.id, day }));
    const reason = `${why}: opened the ad-hoc case ${JSON.stringify(kase.name)} for host ${host} and made it the current case`;
    this.audit('case.adhoc-opened', { host, reason }, kase.id);
    this.deps.events.emit('evidence.adhoc-case-opened', { case: kase, host, reason });
    return kase;
  }

  /**
   * The case `ref` names (ID or name), else the current case.
   * @throws DrydockFailure('not-found') for a ref that names no case; ('conflict') for a name several cases share, or with no ref and no case selected.
   */
  async resolveCase(ref?: string): Promise<CaseInfo> {
    return this.selectCase(ref);
  }

  /** A named case, else the current one (any status). */
  private selectCase(ref: string | undefined): CaseInfo {
    if (ref !== undefined) return this.cases.resolve(ref);
    const current = this.cases.current();
    if (!current)
      throw new DrydockFailure(
        'conflict',
        this.cases.list().length
          ? 'No case is selected: name one, or select one first (drydock case use NAME)'
          : 'There is no case yet: open one first (drydock case new --name NAME)',
      );
    return current;
  }

  // ---- artifacts -----------------------------------------------------------------------------

  /**
   * Streams an acquisition into the store. If the source fails or is cancelled, the bytes
   * received are kept as an 'incomplete' artifact with the reason; a store failure (disk full)
   * throws and stores nothing.
   */
  async ingest(meta: NewArtifact, stream: Readable, options: { signal?: AbortSignal } = {}): Promise<ArtifactInfo> {
    const writer = await this.openWriter(meta);
    let storeFailure: unknown;
    // Flowing mode hands the source's chunks over as they are (an async iterator would copy them).
    const sink = new Writable({
      highWaterMark: 1024 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        Promise.resolve(writer.write(chunk)).then(
          () => callback(),
          (err: unknown) => {
            storeFailure = err;
            callback(err instanceof Error ? err : new Error(String(err)));
          },
        );
      },
    });
    try {
      await pipeline(stream, sink, options.signal ? { signal: options.signal } : {});
    } catch (err) {
      if (storeFailure !== undefined) throw storeFailure;
      const reason = options.signal?.aborted
        ? `cancelled after ${writer.bytes} bytes`
        : `the source stream failed after ${writer.bytes} bytes: ${err instanceof Error ? err.message : String(err)}`;
      return writer.abandon(reason);
    }
    return writer.finish();
  }

  /**
   * A writer that streams one artifact into the case, hashing as it goes (finish() stores it, abandon() keeps it as incomplete).
   * @throws DrydockFailure('store') when the store is closed; ('not-found')/('conflict') from resolveWritableCase; ('store'), ('disk-full') when the temporary file cannot be made.
   */
  async openWriter(meta: NewArtifact): Promise<ArtifactWriterPort> {
    this.assertOpen();
    const kase = this.resolveWritableCase(meta.caseId);
    return this.artifacts.openWriter({ ...meta, caseId: kase.id }, kase);
  }

  /**
   * Stores `value` as one JSON artifact and returns it (size in bytes, sha256 hex).
   * @throws DrydockFailure('invalid-input') when the value has no JSON form; as openWriter otherwise.
   */
  async ingestJson(meta: NewArtifact, value: unknown): Promise<ArtifactInfo> {
    const text = JSON.stringify(value);
    if (text === undefined) throw new DrydockFailure('invalid-input', 'The value has no JSON form');
    const writer = await this.openWriter(meta);
    await writer.write(Buffer.from(text, 'utf8'));
    return writer.finish();
  }

  /**
   * The artifact's record (size in bytes, sha256 hex, `acquiredAt` ISO 8601 UTC), or undefined when there is none.
   */
  async getArtifact(id: string): Promise<ArtifactInfo | undefined> {
    return this.artifacts.get(id);
  }

  /**
   * The whole ID of the artifact `ref` names: its ID, or a unique prefix of it (at least the first 8
   * hex characters, as git takes short hashes); hex in upper case is taken as the lower case Drydock writes.
   * @throws DrydockFailure('invalid-input') for a hex prefix shorter than 8 characters; ('not-found')
   *   when no artifact has that ID or prefix; ('conflict') for a prefix several artifacts share, listing them.
   */
  resolveArtifactId(ref: string): string {
    const lower = ref.toLowerCase();
    const info = this.artifacts.get(ref) ?? (lower !== ref ? this.artifacts.get(lower) : undefined);
    if (info) return info.id;
    if (/^[0-9a-f]{1,7}$/.test(lower))
      throw new DrydockFailure('invalid-input', `${ref} is too short: an artifact ID prefix needs at least 8 hex characters`);
    return this.requireArtifact(ref).id;
  }

  /**
   * The artifacts of a case (the current one by default; none when no case is selected), of one kind when asked, at most `limit` (default 1000).
   * @throws DrydockFailure('not-found') for a ref that names no case; ('conflict') for a name several cases share.
   */
  async listArtifacts(request: { caseRef?: string; kind?: ArtifactKind; limit?: number } = {}): Promise<ArtifactInfo[]> {
    const kase = request.caseRef !== undefined ? this.cases.resolve(request.caseRef) : this.cases.current();
    if (!kase) return [];
    return this.artifacts.list(kase.id, request.kind, request.limit ?? 1000);
  }

  /**
   * The artifact's bytes as a stream, from its blob.
   * @throws DrydockFailure('not-found') for an unknown artifact; ('integrity') when its blob is missing from the store.
   */
  async openArtifact(id: string): Promise<Readable> {
    const info = this.requireArtifact(id);
    return this.blobs.open(info.sha256, `artifact ${id}`);
  }

  /**
   * Bytes [start, end] (inclusive, clamped to the artifact) of an artifact, streamed: for pagers
   * over artifacts of gigabytes. An empty range (start beyond the end) gives an empty stream.
   * @throws DrydockFailure('not-found') for an unknown artifact; ('integrity') when its blob is missing.
   */
  async openArtifactRange(id: string, start: number, end: number): Promise<Readable> {
    const info = this.requireArtifact(id);
    const last = Math.min(end, info.size - 1);
    if (start > last) return Readable.from([]);
    return this.blobs.openRange(info.sha256, Math.max(0, start), last, `artifact ${id}`);
  }

  /**
   * The first maxBytes of an artifact (plus one byte, to know whether there is more), shown as text, JSON or hex.
   * @throws DrydockFailure('invalid-input') for maxBytes outside 1..PREVIEW_MAX_BYTES; ('not-found') for an unknown artifact; ('integrity') when its blob is missing.
   */
  async preview(id: string, maxBytes: number = PREVIEW_DEFAULT_BYTES): Promise<ArtifactPreview> {
    if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > PREVIEW_MAX_BYTES) {
      throw new DrydockFailure('invalid-input', `A preview covers 1 to ${PREVIEW_MAX_BYTES} bytes, not ${maxBytes}`);
    }
    const info = this.requireArtifact(id);
    const head = await readHead(this.blobs.openHead(info.sha256, maxBytes + 1, `artifact ${id}`), maxBytes);
    return buildPreview(head.data, { mediaType: info.mediaType, size: info.size, truncated: head.truncated });
  }

  private requireArtifact(id: string): ArtifactInfo {
    const info = this.artifacts.get(id);
    if (!info) throw new DrydockFailure('not-found', `No artifact ${JSON.stringify(id)} in this evidence store`);
    return info;
  }

  // ---- audit log, notes ----------------------------------------------------------------------

  /**
   * A page of a case's chain (the current case's by default; the store's own with no case): at most
   * `limit` entries (default 1000) after `afterSeq`, oldest first, times ISO 8601 UTC.
   * @throws DrydockFailure('not-found') for a ref that names no case; ('conflict') for a name several cases share.
   */
  async auditEntries(request: { caseRef?: string; afterSeq?: number; limit?: number } = {}): Promise<AuditEntry[]> {
    const caseId = request.caseRef !== undefined ? this.cases.resolve(request.caseRef).id : (this.cases.current()?.id ?? null);
    return this.log.entries(caseId, request.afterSeq ?? 0, request.limit ?? 1000);
  }

  /**
   * The newest entry of a case's chain: its sequence number and hash (the chain's head, which a
   * report quotes so a reader can check the chain it was made from). Undefined for an empty chain.
   * @throws DrydockFailure('not-found') for a ref that names no case; ('conflict') for a name several cases share, or no case selected.
   */
  async auditHead(caseRef?: string): Promise<{ seq: number; hash: string } | undefined> {
    const head = this.log.head(this.selectCase(caseRef).id);
    return head ? { seq: head.seq, hash: head.hash } : undefined;
  }

  /**
   * Appends the examiner's note to a case's chain (the current case by default) and returns the entry.
   * @throws DrydockFailure('invalid-input') for an empty note, one over the length limit or with control characters; ('not-found') for a ref that names no case; ('conflict') for a name several cases share; ('conflict') with no case selected or for a read-only case.
   */
  async addNote(text: string, caseRef?: string): Promise<AuditEntry> {
    const note = text.trim();
    if (!note) throw new DrydockFailure('invalid-input', 'A note needs some text');
    if (note.length > NOTE_MAX) throw new DrydockFailure('invalid-input', `A note is at most ${NOTE_MAX} characters`);
    if ([...note].some((ch) => ((ch.codePointAt(0) ?? 0) < 0x20 && ch !== '\n' && ch !== '\t') || ch === '\u007f')) {
      throw new DrydockFailure('invalid-input', 'A note cannot contain control characters');
    }
    const kase = this.selectCase(caseRef);
    if (kase.readOnly)
      throw new DrydockFailure('conflict', `${caseLabel(kase)} is read-only (imported from a bundle); notes cannot be added to it`);
    return this.append(kase.id, 'note.added', { text: note });
  }

  /**
   * What Drydock did on each host (helpers created and removed, the helper image loaded, quarantine
   * networks, pause, commit, stop, start, a fleet triage's image, Swarm secret, service and collector
   * containers and what each collector did on its node...), read from the audit log: of one case's chain when
   * `caseRef` is given, else of every chain in the store; `host` keeps that host only.
   * @throws DrydockFailure 'not-found' for a caseRef that names no case.
   */
  async footprint(request: { host?: string; caseRef?: string } = {}): Promise<FootprintSummary> {
    const kase = request.caseRef !== undefined ? this.cases.resolve(request.caseRef) : undefined;
    const entries = this.log.withActions(FOOTPRINT_ACTIONS, kase ? { caseId: kase.id } : 'every');
    return { caseId: kase?.id ?? null, hosts: footprintByHost(entries, request.host) };
  }

  /**
   * The fleet collector containers the case's audit names (see fleet-collectors.ts): keys
   * `${runId} ${containerId}`; empty for a case with no fleet run.
   * @throws DrydockFailure 'not-found' for a caseRef that names no case.
   */
  fleetCollectorIds(caseRef: string): Set<string> {
    const kase = this.cases.resolve(caseRef);
    return fleetCollectorIds(this.log.withActions(FLEET_COLLECTOR_ACTIONS, { caseId: kase.id }));
  }

  // ---- verification, exports -----------------------------------------------------------------

  /** One case, or with no case the whole store (every chain, row and blob). */
  async verify(caseRef?: string): Promise<VerifyReport> {
    await this.recovered;
    const kase = caseRef !== undefined ? this.cases.resolve(caseRef) : undefined;
    const report = await this.runVerify(kase?.id);
    const first = report.problems[0];
    try {
      const details = {
        ok: report.ok,
        checkedArtifacts: report.checkedArtifacts,
        checkedEntries: report.checkedEntries,
        problems: report.problems.length,
        ...(first ? { firstProblem: describeProblem(first) } : {}),
      };
      if (kase) this.audit('case.verified', details, kase.id);
      else this.append(null, 'store.verified', details);
    } catch {
      // A store opened read-only can still be verified; the record of it is then not kept.
    }
    return report;
  }

  private runVerify(caseId: string | undefined): Promise<VerifyReport> {
    return verifyStore({ db: this.deps.db, cases: this.cases, artifacts: this.artifacts, audit: this.log, blobs: this.blobs }, caseId, () =>
      this.now(),
    );
  }

  /**
   * Copies one artifact out, re-hashing: the copy is proved identical or not written at all.
   * Returns the file written, its size in bytes and its sha256 (hex).
   * @throws DrydockFailure('not-found') for an unknown artifact; ('invalid-input') for a target that is
   * not absolute or in no existing folder; ('conflict') when the target exists; ('integrity') when the
   * bytes read back differ from the stored hash; ('store'), ('disk-full'), ('permission-denied') when
   * the file cannot be written.
   */
  async exportArtifact(id: string, target: string): Promise<ExportResult> {
    const info = this.requireArtifact(id);
    const blobs = this.blobs;
    async function* verified(): AsyncGenerator<Buffer> {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of blobs.open(info.sha256, `artifact ${id}`)) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      const actual = hash.digest('hex');
      if (actual !== info.sha256 || bytes !== info.size) {
        throw new DrydockFailure(
          'integrity',
          `Artifact ${id} reads back as sha256 ${actual} (${bytes} bytes) but was stored as ${info.sha256} (${info.size} bytes); nothing was exported`,
        );
      }
    }
    const written = await writeNewFile(target, verified());
    this.audit('artifact.exported', { artifactId: id, path: target, sha256: written.sha256, bytes: written.bytes }, info.caseId);
    return { path: target, bytes: written.bytes, sha256: written.sha256 };
  }

  /**
   * Writes a case bundle; with sign, the manifest is signed with the store's examiner key, unlocked
   * with the passphrase before anything is written (see BundleSigning.signer for the refusals).
   */
  async exportCase(
    ref: string | undefined,
    target: string,
    sign: { passphrase?: string } | { signer: BundleSigner } | undefined = undefined,
  ): Promise<BundleExportResult> {
    const kase = this.selectCase(ref);
    // A run key's signer (a fleet collector's) is passed in whole; the store's own key is unlocked here.
    const signer = sign ? ('signer' in sign ? sign.signer : this.signing.signer(sign.passphrase)) : undefined;
    // Bundles (tar-stream and the manifest's schemas) load when one is written, not with the core.
    const { exportBundle } = await import('./bundle-export');
    const result = await exportBundle(
      {
        artifacts: this.artifacts,
        audit: this.log,
        blobs: this.blobs,
        drydockVersion: this.drydockVersion,
        examiner: this.examinerFor(kase.id).name,
        now: () => this.now(),
        snapshot: (read) => this.deps.db.transaction(read)(),
        ...(signer ? { sign: signer.sign } : {}),
      },
      kase,
      target,
    );
    const signed = signer ? { signedBy: signer.fingerprint } : {};
    this.audit(
      'case.exported',
      {
        path: target,
        sha256: result.sha256,
        bytes: result.bytes,
        artifacts: result.artifacts,
        auditEntries: result.auditEntries,
        ...signed,
      },
      kase.id,
    );
    return { ...result, ...signed };
  }

  /**
   * Verifies a bundle completely, then adds its case read-only; a bundle that fails changes nothing.
   * A bad signature is always refused; with requireSignature, so is a bundle not signed by a
   * trusted key. How it was signed is recorded for the case (caseSignature) and in the audit entry.
   */
  async importCase(file: string, options: { requireSignature?: boolean } = {}): Promise<BundleImportResult> {
    await this.recovered;
    const assertNew = (id: string, name: string) => {
      const existing = this.cases.get(id);
      if (existing) {
        throw new DrydockFailure(
          'conflict',
          `Case ${JSON.stringify(name).slice(0, 120)} (${id}) is already in this evidence store (${existing.readOnly ? 'imported earlier' : 'created here'}); nothing was imported`,
        );
      }
    };
    const { discardStaged, readBundle } = await import('./bundle-import');
    const bundle = await readBundle(this.blobs, file, {
      assertNew: (m) => assertNew(m.case.id, m.case.name),
      checkSignature: this.signing.checker(
        options.requireSignature === true,
        (message) => new DrydockFailure('integrity', `Bundle ${file} refused, nothing was imported: ${message}`),
      ),
    });
    const { manifest } = bundle;
    const kase: CaseInfo = { ...manifest.case, readOnly: true };
    let entry: AuditEntry;
    try {
      assertNew(kase.id, kase.name);
      // Blobs first: an unreferenced blob is harmless, a row without its blob is not.
      for (const s of bundle.staged) await this.blobs.commit(s.tempPath, s.sha256, s.size);
      entry = this.deps.db
        .transaction(() => {
          assertNew(kase.id, kase.name);
          this.cases.insert(kase);
          for (const a of manifest.artifacts) this.artifacts.insertVerbatim(a);
          this.log.insertVerbatim(kase.id, manifest.audit);
          this.signing.recordSignature(kase.id, bundle.signature);
          return this.log.append({
            caseId: null,
            at: this.now(),
            examiner: this.examinerFor(null).name,
            action: 'case.imported',
            details: {
              caseId: kase.id,
              caseName: kase.name,
              bundle: file,
              bundleSha256: bundle.sha256,
              bundleBytes: bundle.bytes,
              artifacts: manifest.artifacts.length,
              auditEntries: manifest.audit.length,
              chainHead: manifest.chainHead,
              exportedAt: manifest.exportedAt,
              exportedBy: manifest.exportedBy,
              exportedWith: manifest.drydockVersion,
              signature: bundle.signature,
            },
          });
        })
        .immediate();
    } catch (err) {
      await discardStaged(bundle.staged);
      throw storeIoFailure(err, `import bundle ${file}`);
    }
    this.deps.events.emit('evidence.audit-appended', entry);
    const report = await this.runVerify(kase.id);
    return { case: kase, report, signature: bundle.signature };
  }

  /**
   * Merges a bundle signed with a run key (a fleet collector's) into the writable case `caseId`:
   * the bundle is read end to end and proven first (readBundle: chain, rows, every blob's hash) and
   * its signature must verify and be by `runKey` (anything else is refused, 'integrity', and nothing
   * is stored). Then the bundle file itself is stored verbatim as a 'fleet-bundle' artifact (with
   * the examiner's countersignature over its manifest), and each of its artifacts is copied into
   * the case (same bytes and kind; its source host named `origin.host` or the node's hostname; the
   * original ID, case, source and acquisition time kept in attributes.fleet). Audited as
   * 'fleet.bundle-merged' in the case.
   * @throws DrydockFailure as readBundle ('not-found', 'invalid-input', 'integrity', 'unsupported'),
   *   ('integrity') for a signature by another key, and as openWriter.
   */
  async mergeRunBundle(
    file: string,
    options: {
      caseId: string;
      runKey: { fingerprint: string; publicKey: string; name: string };
      countersign: BundleSigner;
      origin: { runId: string; nodeId: string; hostname: string; host?: string };
      /**
       * Judges the verified manifest (its case and audit chain) before anything is stored: a reason
       * refuses the bundle ('integrity'), undefined accepts it. The fleet checks the bundle says it
       * was collected on this node in this run (a node holding the run key could sign another's).
       */
      accept?(manifest: { case: CaseInfo; audit: AuditEntry[] }): string | undefined;
    },
  ): Promise<RunBundleMerge> {
    await this.recovered;
    const kase = this.resolveWritableCase(options.caseId);
    const { origin, runKey } = options;
    const node = `node ${origin.hostname} (${origin.nodeId})`;
    const refuse = (message: string) =>
      new DrydockFailure('integrity', `The bundle of ${node} was refused, nothing of it was merged: ${message}`);
    const { discardStaged, readBundle } = await import('./bundle-import');
    const { checkSignature } = await import('./bundle-signature');
    let manifestBytes: Buffer = Buffer.alloc(0);
    const trustedAt = this.now();
    const refused = (err: unknown) =>
      err instanceof DrydockFailure && err.message.startsWith(`Bundle ${file} refused, nothing was imported: `)
        ? new DrydockFailure(err.kind, `${refuse('').message}${err.message.slice(`Bundle ${file} refused, nothing was imported: `.length)}`)
        : err;
    const bundle = await readBundle(this.blobs, file, {
      assertNew: () => undefined,
      checkSignature: (bytes, entry) => {
        manifestBytes = bytes;
        // Only the run key is trusted here, and a signature is required: the examiner's trusted keys do not count.
        return checkSignature(bytes, entry, {
          trusted: (fp) =>
            fp === runKey.fingerprint ? { fingerprint: fp, publicKey: runKey.publicKey, name: runKey.name, trustedAt } : undefined,
          requireSignature: true,
          refuse,
        });
      },
    }).catch((err: unknown) => {
      // readBundle names the temporary file; the examiner needs the node.
      throw refused(err);
    });
    if (bundle.signature.status !== 'trusted' || bundle.signature.fingerprint !== runKey.fingerprint) {
      await discardStaged(bundle.staged);
      throw refuse(`it is not signed by the run key ${runKey.fingerprint}`);
    }
    const unacceptable = options.accept?.(bundle.manifest);
    if (unacceptable !== undefined) {
      await discardStaged(bundle.staged);
      throw refuse(unacceptable);
    }
    const signature = bundle.signature;
    try {
      for (const st of bundle.staged) await this.blobs.commit(st.tempPath, st.sha256, st.size);
    } catch (err) {
      await discardStaged(bundle.staged);
      throw storeIoFailure(err, `merge the bundle of ${node}`);
    }
    const countersignature = JSON.parse(options.countersign.sign(manifestBytes).toString('utf8')) as Record<string, unknown>;
    const { createReadStream } = await import('node:fs');
    const { manifest } = bundle;
    const host = origin.host ?? origin.hostname;
    const stored = await this.ingest(
      {
        caseId: kase.id,
        kind: 'fleet-bundle',
        source: { host },
        method: `Case bundle written by Drydock's fleet collector on swarm ${node} (fleet run ${origin.runId}), fetched from the collector task's container through the node's engine (GET /containers/{id}/archive), verified against the run key ${runKey.fingerprint} and countersigned by the examiner key`,
        mediaType: 'application/x-tar',
        attributes: {
          runId: origin.runId,
          nodeId: origin.nodeId,
          hostname: origin.hostname,
          sourceCaseId: manifest.case.id,
          exportedAt: manifest.exportedAt,
          exportedWith: manifest.drydockVersion,
          chainHead: manifest.chainHead,
          signature,
          countersignature,
        },
      },
      createReadStream(file),
    );
    if (stored.sha256 !== bundle.sha256)
      throw new DrydockFailure('integrity', `The bundle of ${node} changed while it was merged (${bundle.sha256}, then ${stored.sha256})`);
    const copied: RunBundleMerge['artifacts'] = [];
    for (const a of manifest.artifacts) {
      const writer = await this.openWriter({
        caseId: kase.id,
        kind: a.kind,
        source: { ...a.source, host },
        method: `${a.method} (on swarm ${node}, by the fleet collector of run ${origin.runId}; merged from bundle artifact ${stored.id})`,
        mediaType: a.mediaType,
        attributes: {
          ...a.attributes,
          fleet: {
            runId: origin.runId,
            nodeId: origin.nodeId,
            hostname: origin.hostname,
            bundleArtifactId: stored.id,
            originalArtifactId: a.id,
            originalCaseId: a.caseId,
            originalSource: a.source,
            acquiredAt: a.acquiredAt,
          },
        },
      });
      for await (const chunk of this.blobs.open(a.sha256, `artifact ${a.id} of the bundle of ${node}`)) await writer.write(chunk as Buffer);
      const info = a.status === 'incomplete' ? await writer.abandon(a.statusReason ?? 'incomplete on the node') : await writer.finish();
      if (info.sha256 !== a.sha256)
        throw new DrydockFailure('integrity', `Artifact ${a.id} of the bundle of ${node} reads back as ${info.sha256}, not ${a.sha256}`);
      copied.push({ from: a.id, to: info.id, kind: a.kind });
    }
    this.audit(
      'fleet.bundle-merged',
      {
        runId: origin.runId,
        nodeId: origin.nodeId,
        hostname: origin.hostname,
        host,
        bundleArtifactId: stored.id,
        bundleSha256: bundle.sha256,
        bundleBytes: bundle.bytes,
        sourceCaseId: manifest.case.id,
        signedBy: signature.fingerprint,
        countersignedBy: options.countersign.fingerprint,
        artifacts: copied,
        collectorFootprint: collectorFootprint(manifest.audit),
      },
      kase.id,
    );
    return {
      artifactId: stored.id,
      sha256: bundle.sha256,
      bytes: bundle.bytes,
      sourceCaseId: manifest.case.id,
      artifacts: copied,
      signedBy: signature.fingerprint,
      countersignedBy: options.countersign.fingerprint,
    };
  }

  /** How an imported case's bundle was signed; 'not-found' for a case created here. */
  async caseSignature(ref?: string) {
    const kase = this.selectCase(ref);
    return this.signing.caseSignature(kase.id, caseLabel(kase));
  }

  /** Stops writers (their bytes are recovered as incomplete on the next open); the caller closes the db. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.artifacts.abortAll();
    releaseOwner(this.ownerToken);
  }

  // ---- internals -----------------------------------------------------------------------------

  private now(): string {
    return isoNow(this.deps.clock);
  }

  private assertOpen(): void {
    if (this.closed) throw new DrydockFailure('store', 'The evidence store is closed');
  }

  private async recover(): Promise<void> {
    try {
      await this.artifacts.recoverInterrupted();
      await this.sweepTemporaries();
    } catch {
      // A read-only or damaged store: verify reports what matters; opening must not fail here.
    }
  }

  /** Temporary files of processes that no longer run (their acquisitions were recovered above). */
  private async sweepTemporaries(): Promise<void> {
    // No temp directory yet: nothing to sweep.
    const names = await readdir(this.blobs.tempDir).catch(() => [] as string[]);
    const pending = this.artifacts.pendingTempNames();
    for (const name of names) {
      if (pending.has(name)) continue;
      const pid = Number(/^(\d+)-/.exec(name)?.[1]);
      if (!Number.isInteger(pid) || pid === process.pid || ownerAlive(pid, undefined)) continue;
      await rm(path.join(this.blobs.tempDir, name), { force: true, recursive: true });
    }
  }
}

function canonicalTimeZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw new DrydockFailure(
      'invalid-input',
      `Unknown time zone ${JSON.stringify(timeZone).slice(0, 80)}: use an IANA name such as Europe/Berlin or UTC`,
    );
  }
}
