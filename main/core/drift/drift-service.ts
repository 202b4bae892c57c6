import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { z } from 'zod';
import type { noiseRule, scanRequest } from '../../../shared/contract/drift';
import type {
  ContainerScanStatus,
  DriftReadVia,
  DriftReport,
  DriftScanInfo,
  FilePreview,
  MountInventoryResult,
  NoiseRule,
  PreviewView,
} from '../../../shared/domain/drift';
import type { ArtifactInfo, ArtifactKind, CaseInfo } from '../../../shared/domain/evidence';
import type { AuditFn } from '../audit-fn';
import { engineCall, engineWhere, type DockerSource } from '../hosts/engine-call';
import type { EvidencePort } from '../evidence/port';
import { ensureHelperImage } from '../helper/image';
import type { HelperLedger } from '../helper/ledger';
import { type Clock, isoNow } from '../clock';
import { DrydockFailure } from '../errors';
import type { EventHub } from '../event-hub';
import type { Db } from '../store/database';
import type { DriftFacts, DriftLookup } from '../processes/drift-crossref';
import { acquireFile } from './acquire';
import { preview, readRange } from './file-preview';
import { ImageIndexStore } from './image-index';
import { IndexBuilds } from './index-builds';
import { inventoryMount } from './mount-inventory';
import { ScanRun } from './scan-runner';
import { ScanStore } from './scan-store';

/** The evidence service as drift uses it: the capture port plus listing artifacts and cases. */
export interface DriftEvidence extends EvidencePort {
  listArtifacts(request: { caseRef?: string; kind?: ArtifactKind; limit?: number }): Promise<ArtifactInfo[]>;
  listCases(): Promise<{ cases: CaseInfo[] }>;
}

export interface DriftServiceDeps {
  db: Db;
  hosts: DockerSource;
  evidence: DriftEvidence;
  events: EventHub;
  clock: Clock;
  audit: AuditFn;
  /** Drydock's record of its helper containers (the image-index helpers are recorded there). */
  helpers: HelperLedger;
  /** The user's own helper image from the capture settings, read at each scan; null = the bundled one. */
  helperImageOverride?: () => string | null;
}

export type ScanRequest = z.output<typeof scanRequest>;
type RuleInput = z.output<typeof noiseRule>;

/** Reports larger than this are not read back whole (the UI pages through artifacts instead). */
const MAX_REPORT_BYTES = 256 * 1024 * 1024;
const HEX_LIMIT = 64 * 1024;

/**
 * Drift: every running container against the image it came from. Scans run in the background
 * (ScanRun); reports and file contents go to the case as artifacts; the image side is indexed
 * once per image ID and cached in the store.
 */
export class DriftService {
  private readonly index: ImageIndexStore;
  private readonly builds: IndexBuilds;
  private readonly scans: ScanStore;
  private readonly active = new Map<string, ScanRun>();
  private readonly factsCache = new Map<string, DriftFacts>();

  constructor(private readonly deps: DriftServiceDeps) {
    this.index = new ImageIndexStore(deps.db);
    this.scans = new ScanStore(deps.db);
    this.builds = new IndexBuilds(this.index, () => isoNow(deps.clock), deps.helpers);
  }

  /**
   * Starts a drift scan of the named containers (all running ones when none is named) against their
   * images, in the background; returns it as started (`startedAt` ISO 8601 UTC, caps in bytes), then
   * 'drift.progress' and 'drift.scan-ended' follow, and wait(id) gives its end. Reports and files land
   * in the case.
   * @throws DrydockFailure ('not-found')/('conflict') from resolveWritableCase (unknown, closed or read-only case); ('not-found') for an unknown host or container; ('disconnected') or the engine kinds of engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine').
   */
  async scan(request: Omit<ScanRequest, 'via'> & { via?: DriftReadVia }): Promise<DriftScanInfo> {
    const kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host: request.host });
    const docker = await this.deps.hosts.docker(request.host);
    const targets = await this.resolveTargets(docker, request.host, request.containers);
    const id = `ds-${this.deps.clock.now().getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
    const info: DriftScanInfo = {
      id,
      host: request.host,
      caseId: kase.id,
      requested: request.containers,
      contentCapBytes: request.contentCapBytes,
      keyEvidenceCapBytes: request.keyEvidenceCapBytes,
      concurrency: request.concurrency,
      via: request.via ?? 'engine-api',
      startedAt: isoNow(this.deps.clock),
      state: 'running',
      total: targets.length,
      done: 0,
      containers: targets,
    };
    this.deps.audit(
      'drift.scan-started',
      {
        scanId: id,
        host: request.host,
        containers: targets.map((t) => ({ containerId: t.containerId, name: t.containerName })),
        requested: request.containers,
        contentCapBytes: request.contentCapBytes,
        keyEvidenceCapBytes: request.keyEvidenceCapBytes,
        concurrency: request.concurrency,
        via: request.via ?? 'engine-api',
      },
      kase.id,
    );
    return this.start(docker, info);
  }

  /**
   * Restarts an interrupted scan, skipping the containers it completed; returns it as restarted.
   * @throws DrydockFailure('conflict') while it still runs; ('not-found') for an unknown scan ID;
   * ('not-found')/('conflict') from resolveWritableCase (unknown, closed or read-only case); ('disconnected') or the engine kinds of engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine').
   */
  async resume(scanId: string, concurrency?: number): Promise<DriftScanInfo> {
    if (this.active.has(scanId)) throw new DrydockFailure('conflict', `Drift scan ${scanId} is still running`);
    const stored = this.scans.get(scanId);
    if (!stored) throw new DrydockFailure('not-found', `No drift scan ${scanId} in this store`);
    await this.deps.evidence.resolveWritableCase(stored.caseId);
    const docker = await this.deps.hosts.docker(stored.host);
    const containers = stored.containers.map((c): ContainerScanStatus =>
      c.state === 'complete'
        ? c
        : { containerId: c.containerId, containerName: c.containerName, state: 'queued', filesDone: 0, filesTotal: 0 },
    );
    const info: DriftScanInfo = {
      ...stored,
      concurrency: concurrency ?? stored.concurrency,
      state: 'running',
      containers,
      done: containers.filter((c) => c.state === 'complete').length,
    };
    delete info.finishedAt;
    delete info.stateReason;
    delete info.summaryArtifactId;
    this.deps.audit(
      'drift.scan-resumed',
      { scanId, host: info.host, remaining: containers.filter((c) => c.state === 'queued').map((c) => c.containerId) },
      info.caseId,
    );
    return this.start(docker, info);
  }

  private start(docker: Dockerode, info: DriftScanInfo): DriftScanInfo {
    const run = new ScanRun(
      {
        docker,
        evidence: this.deps.evidence,
        events: this.deps.events,
        audit: this.deps.audit,
        now: () => isoNow(this.deps.clock),
        index: this.index,
        builds: this.builds,
        store: this.scans,
        rules: this.scans.rules(),
        helpers: this.deps.helpers,
        helperImage: async () =>
          (
            await ensureHelperImage(docker, {
              host: info.host,
              override: this.deps.helperImageOverride?.() ?? null,
              audit: this.deps.audit,
            })
          ).image,
      },
      info,
    );
    this.active.set(info.id, run);
    void run.finished.finally(() => this.active.delete(info.id));
    return structuredClone(info);
  }

  /**
   * Waits for a scan to end (CLI, tests) and returns it as ended.
   * @throws DrydockFailure('not-found') for an unknown scan ID.
   */
  async wait(scanId: string): Promise<DriftScanInfo> {
    const run = this.active.get(scanId);
    if (run) return structuredClone(await run.finished);
    return this.result(scanId);
  }

  /**
   * Cancels a running scan (what was scanned stays stored); `cancelled` is false for one not running, with the stored scan when there is one.
   */
  cancel(scanId: string): { cancelled: boolean; scan?: DriftScanInfo } {
    const run = this.active.get(scanId);
    if (!run) {
      const stored = this.scans.get(scanId);
      return { cancelled: false, ...(stored ? { scan: stored } : {}) };
    }
    run.cancel();
    return { cancelled: true, scan: structuredClone(run.info) };
  }

  /**
   * The whole ID of the scan `ref` names: its ID, or a unique prefix of it ('ds-' and at least 8
   * more characters, as git takes short hashes), among running and stored scans; upper case is taken
   * as the lower case Drydock writes.
   * @throws DrydockFailure('invalid-input') for 'ds-' and fewer than 8 more characters; ('not-found')
   *   when no scan has that ID or prefix; ('conflict') for a prefix several scans share, listing them.
   */
  resolveScanId(given: string): string {
    const ref = given.toLowerCase();
    if (/^ds-[a-z0-9-]{0,7}$/.test(ref))
      throw new DrydockFailure('invalid-input', `${given} is too short: a drift scan ID prefix needs ds- and at least 8 more characters`);
    if (this.active.has(ref) || this.scans.idsStartingWith(ref, 1)[0] === ref) return ref;
    const found = /^ds-[a-z0-9-]{8,}$/.test(ref)
      ? [...new Set([...[...this.active.keys()].filter((id) => id.startsWith(ref)), ...this.scans.idsStartingWith(ref, 11)])].sort()
      : [];
    if (found.length > 1)
      throw new DrydockFailure(
        'conflict',
        `Drift scan ID prefix ${ref} is ambiguous: it starts ${found.length > 10 ? 'more than 10' : found.length} scans (${found.slice(0, 10).join(', ')}); give more of the ID`,
      );
    if (found[0] === undefined) throw new DrydockFailure('not-found', `No drift scan ${ref} in this store`);
    return found[0];
  }

  /**
   * The scan as it stands (live while it runs, else as stored).
   * @throws DrydockFailure('not-found') for an unknown scan ID.
   */
  result(scanId: string): DriftScanInfo {
    const run = this.active.get(scanId);
    if (run) return structuredClone(run.info);
    const stored = this.scans.get(scanId);
    if (!stored) throw new DrydockFailure('not-found', `No drift scan ${scanId} in this store`);
    return stored;
  }

  /**
   * The most recent scans, newest first, at most `limit`, of one host and/or case when named.
   * @throws DrydockFailure('not-found') for an unknown case.
   */
  async list(request: { host?: string; caseRef?: string; limit: number }): Promise<DriftScanInfo[]> {
    let caseId: string | undefined;
    if (request.caseRef !== undefined) {
      const { cases } = await this.deps.evidence.listCases();
      const kase = cases.find((c) => c.id === request.caseRef) ?? cases.find((c) => c.name === request.caseRef);
      if (!kase) throw new DrydockFailure('not-found', `No case ${JSON.stringify(request.caseRef)}`);
      caseId = kase.id;
    }
    return this.scans
      .list({ ...(request.host ? { host: request.host } : {}), ...(caseId ? { caseId } : {}), limit: request.limit })
      .map((s) => {
        const run = this.active.get(s.id);
        return run ? structuredClone(run.info) : s;
      });
  }

  /**
   * A stored container drift report, parsed.
   * @throws DrydockFailure('not-found') when the artifact is not a container drift report; ('unsupported') when it is too large to read here (export it).
   */
  async report(artifactId: string): Promise<DriftReport> {
    const info = await this.deps.evidence.getArtifact(artifactId);
    if (!info || info.kind !== 'drift-report' || info.attributes.summary === true)
      throw new DrydockFailure('not-found', `Artifact ${artifactId} is not a container drift report`);
    if (info.size > MAX_REPORT_BYTES)
      throw new DrydockFailure('unsupported', `Drift report ${artifactId} is ${info.size} bytes: export it to read it`);
    const bytes = await readRange(await this.deps.evidence.openArtifact(artifactId), 0, info.size);
    return JSON.parse(bytes.toString('utf8')) as DriftReport;
  }

  /**
   * The noise rules (patterns whose changes are demoted), in the order they apply.
   */
  rules(): NoiseRule[] {
    return this.scans.rules();
  }

  /**
   * Replaces the noise rules (audited) and returns them as stored; later scans apply them.
   * @throws DrydockFailure('invalid-input') when two rules share an id.
   */
  setRules(rules: RuleInput[]): NoiseRule[] {
    const ids = new Set<string>();
    for (const rule of rules) {
      if (ids.has(rule.id)) throw new DrydockFailure('invalid-input', `Two noise rules share the id ${rule.id}`);
      ids.add(rule.id);
    }
    const clean: NoiseRule[] = rules.map((r) => ({
      id: r.id,
      pattern: r.pattern,
      demoteTo: r.demoteTo,
      description: r.description,
      enabled: r.enabled,
      includeExecutables: r.includeExecutables,
    }));
    this.scans.setRules(clean);
    this.deps.audit('drift.rules-changed', { rules: clean });
    return clean;
  }

  /**
   * A window of a stored container file, or of the image's version kept in the index: `length` bytes
   * from `offset` (hex views capped), as text or hex, with the file's sha256 and size in bytes.
   * @throws DrydockFailure('not-found') when the artifact is not a stored container file or the image's version is not kept.
   */
  async file(request: {
    source: { artifactId: string } | { imageId: string; path: string; pathBase64?: string };
    view: PreviewView;
    offset: number;
    length: number;
  }): Promise<FilePreview> {
    const length = request.view === 'hex' ? Math.min(request.length, HEX_LIMIT) : request.length;
    if ('artifactId' in request.source) {
      const id = request.source.artifactId;
      const info = await this.deps.evidence.getArtifact(id);
      if (!info || (info.kind !== 'container-file' && info.kind !== 'image-file'))
        throw new DrydockFailure('not-found', `Artifact ${id} is not a stored container or image file`);
      const bytes = await readRange(await this.deps.evidence.openArtifact(id), request.offset, length);
      return preview(bytes, { artifactId: id, sha256: info.sha256, size: info.size }, request.view, request.offset);
    }
    const { imageId, path } = request.source;
    const content = this.index.content(imageId, path);
    const file = this.index.lookup(imageId, path)[0];
    if (!content || !file?.sha256) {
      throw new DrydockFailure(
        'not-found',
        `The image's version of ${JSON.stringify(path)} is not kept in the index of ${imageId.slice(0, 19)} (only small files under /etc, /root, /home, cron spools and web roots are)`,
      );
    }
    return preview(
      content.subarray(request.offset, request.offset + length),
      { sha256: file.sha256, size: content.length },
      request.view,
      request.offset,
    );
  }

  /**
   * Lists every file under a mount point of the container, each hashed (SHA-256) as the archive
   * streams, into the case as an NDJSON artifact; `files` and `bytes` count what was read, `status`
   * 'incomplete' when the stream failed part way (what was read is kept).
   * @throws DrydockFailure ('not-found')/('conflict') from resolveWritableCase (unknown, closed or read-only case); ('invalid-input') when `destination` is not a mount of the container;
   * ('not-found') for an unknown host or container; ('disconnected') or the engine kinds of engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine'); ('store'), ('disk-full').
   */
  async mountInventory(request: { host: string; container: string; destination: string; caseRef?: string }): Promise<MountInventoryResult> {
    const kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host: request.host });
    const docker = await this.deps.hosts.docker(request.host);
    const container = docker.getContainer(request.container);
    const inspect = await this.engine(request.host, request.container, 'inspect the container', () => container.inspect());
    const name = inspect.Name.replace(/^\//, '');
    const tmpfs = Object.keys(((inspect.HostConfig ?? {}) as { Tmpfs?: Record<string, string> | null }).Tmpfs ?? {});
    const mounts = [...(inspect.Mounts ?? []).map((m) => m.Destination), ...tmpfs];
    if (!mounts.includes(request.destination)) {
      throw new DrydockFailure(
        'invalid-input',
        `${JSON.stringify(request.destination)} is not a mount of container ${name} on host ${request.host} (mounts: ${mounts.join(', ') || 'none'})`,
        { host: request.host, container: name },
      );
    }
    const writer = await this.deps.evidence.openWriter({
      caseId: kase.id,
      kind: 'mount-inventory',
      source: { host: request.host, containerId: inspect.Id, containerName: name, path: request.destination },
      method: 'Engine API archive endpoint of the mount point, every file hashed (SHA-256) while streaming; one JSON line per entry',
      mediaType: 'application/x-ndjson',
    });
    const result = await inventoryMount(container, request.destination, writer);
    this.deps.audit(
      'drift.mount-inventoried',
      {
        host: request.host,
        containerId: inspect.Id,
        destination: request.destination,
        artifactId: result.artifact.id,
        files: result.files,
        bytes: result.bytes,
        complete: result.complete,
      },
      kase.id,
    );
    return {
      host: request.host,
      containerId: inspect.Id,
      destination: request.destination,
      files: result.files,
      bytes: result.bytes,
      artifactId: result.artifact.id,
      sha256: result.artifact.sha256,
      status: result.complete ? 'complete' : 'incomplete',
    };
  }

  /**
   * Acquires one file of a running container into the case as a 'container-file' artifact (what a
   * scan left hashed only). `path` is the text path; `pathBase64` its exact bytes when not UTF-8.
   * Returns the artifact (size in bytes, SHA-256 of the bytes read).
   * @throws DrydockFailure 'not-found' when the container has no regular file there, 'invalid-input'
   * for a path that is not a regular file, an engine failure naming host and container otherwise.
   */
  async acquire(request: { host: string; container: string; path: string; pathBase64?: string; caseRef?: string }): Promise<ArtifactInfo> {
    const kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host: request.host });
    const docker = await this.deps.hosts.docker(request.host);
    const container = docker.getContainer(request.container);
    const inspect = await this.engine(request.host, request.container, 'inspect the container', () => container.inspect());
    const name = inspect.Name.replace(/^\//, '');
    const target = { path: request.path, ...(request.pathBase64 !== undefined ? { pathBase64: request.pathBase64 } : {}) };
    const shown = JSON.stringify(request.path);
    const file = await this.engine(request.host, name, `read ${shown} through the archive endpoint`, () =>
      acquireFile(container, target, async (f) =>
        this.deps.evidence.openWriter({
          caseId: kase.id,
          kind: 'container-file',
          source: { host: request.host, containerId: inspect.Id, containerName: name, path: f.text.path },
          method: 'Engine API archive endpoint (GET /containers/{id}/archive), streamed and hashed; acquired on request after a drift scan',
          mediaType: 'application/octet-stream',
          attributes: {
            acquired: true,
            ...(f.text.pathBase64 !== undefined ? { pathBase64: f.text.pathBase64 } : {}),
            mode: f.meta.mode,
            uid: f.meta.uid,
            gid: f.meta.gid,
            ...(f.meta.mtime ? { mtime: f.meta.mtime } : {}),
          },
        }),
      ),
    );
    if (!file)
      throw new DrydockFailure('not-found', `No file ${shown} in container ${name} on host ${request.host}`, {
        host: request.host,
        container: name,
      });
    if (file.content.state !== 'stored' || !file.content.artifactId) {
      throw new DrydockFailure(
        'invalid-input',
        `${shown} in container ${name} on host ${request.host} is a ${file.meta.type}, not a regular file: nothing to acquire`,
        { host: request.host, container: name },
      );
    }
    const info = await this.deps.evidence.getArtifact(file.content.artifactId);
    if (!info) throw new Error(`artifact ${file.content.artifactId} vanished right after it was stored`);
    this.deps.audit(
      'drift.file-acquired',
      {
        host: request.host,
        containerId: inspect.Id,
        path: request.path,
        ...(request.pathBase64 !== undefined ? { pathBase64: request.pathBase64 } : {}),
        artifactId: info.id,
        sha256: info.sha256,
        bytes: info.size,
      },
      kase.id,
    );
    return info;
  }

  /** For process snapshots: the latest drift report of the container in the case. */
  readonly lookup: DriftLookup = async ({ host, containerId, caseId }) => {
    const reports = await this.deps.evidence.listArtifacts({ caseRef: caseId, kind: 'drift-report', limit: 100_000 });
    const latest = reports
      .filter((a) => a.source.containerId === containerId && a.source.host === host && a.attributes.summary !== true)
      .sort((a, b) => (a.acquiredAt < b.acquiredAt ? 1 : a.acquiredAt > b.acquiredAt ? -1 : 0))[0];
    if (!latest) return null;
    const cached = this.factsCache.get(latest.id);
    if (cached) return cached;
    const report = await this.report(latest.id);
    const changedPaths = new Map<string, 'added' | 'modified'>();
    for (const e of report.entries) {
      if (e.container?.type !== 'file' && e.container?.type !== 'hardlink') continue;
      if (e.verdict === 'added') changedPaths.set(e.path, 'added');
      else if (e.verdict === 'content-changed' || e.verdict === 'type-changed') changedPaths.set(e.path, 'modified');
    }
    const facts: DriftFacts = { reportArtifactId: latest.id, changedPaths };
    this.factsCache.set(latest.id, facts);
    return facts;
  };

  /**
   * Cancels every running scan and waits for them to end.
   */
  async close(): Promise<void> {
    const runs = [...this.active.values()];
    for (const run of runs) run.cancel();
    this.builds.close();
    await Promise.allSettled(runs.map((r) => r.finished));
  }

  private async resolveTargets(docker: Dockerode, host: string, containers: string[] | 'all'): Promise<ContainerScanStatus[]> {
    const status = (id: string, name: string): ContainerScanStatus => ({
      containerId: id,
      containerName: name,
      state: 'queued',
      filesDone: 0,
      filesTotal: 0,
    });
    if (containers === 'all') {
      const list = await this.engine(host, undefined, 'list running containers', () =>
        docker.listContainers({ filters: { status: ['running'] } }),
      );
      // Only Drydock's recorded helpers are skipped: a container that merely carries its labels is scanned like any other.
      const ours = (c: Dockerode.ContainerInfo) =>
        this.deps.helpers.judge({ id: c.Id, imageId: c.ImageID, name: (c.Names?.[0] ?? '').replace(/^\//, ''), labels: c.Labels }).kind ===
        'helper';
      return list.filter((c) => !ours(c)).map((c) => status(c.Id, (c.Names?.[0] ?? c.Id).replace(/^\//, '')));
    }
    const out: ContainerScanStatus[] = [];
    const seen = new Set<string>();
    for (const ref of containers) {
      const inspect = await this.engine(host, ref, 'inspect the container', () => docker.getContainer(ref).inspect());
      if (seen.has(inspect.Id)) continue;
      seen.add(inspect.Id);
      out.push(status(inspect.Id, inspect.Name.replace(/^\//, '')));
    }
    return out;
  }

  private engine<T>(host: string, container: string | undefined, action: string, run: () => Promise<T>): Promise<T> {
    return engineCall(engineWhere(host, container, action), run);
  }
}
