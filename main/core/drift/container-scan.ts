import type Dockerode from 'dockerode';
import type { ContainerInspectInfo, ImageInspectInfo } from 'dockerode';
import type {
  DriftContent,
  DriftEntry,
  DriftFileMeta,
  DriftReason,
  DriftReport,
  ExecutableKind,
  ImageIndexInfo,
  NoiseRule,
  PackageDrift,
  ScanPhase,
  PackageIntegrity,
} from '../../../shared/domain/drift';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import type { RiskFlag } from '../../../shared/domain/inventory';
import type { ArtifactWriterPort, EvidencePort, NewArtifact } from '../evidence/port';
import { DrydockFailure } from '../errors';
import { assessRisks } from '../inventory/risk-flags';
import { accountFileOf } from './accounts';
import { classifyEntry, isCredentialPath } from './classify';
import { compareEntry } from './compare';
import { configDrift, type ConfigFacts } from './config-drift';
import { readRoot, type ContainerFile } from './container-read';
import { MAX_CHANGES, readChangeList, statPath, type EngineChange } from './engine-changes';
import { planReads, rootOf } from './fetch-plan';
import type { ImageFile, ImageIndexStore } from './image-index';
import type { IndexBuilds } from './index-builds';
import { blindSpots } from './mounts-blind-spots';
import { applyNoiseRules } from './noise-rules';
import {
  apkFileOwners,
  diffPackages,
  dpkgListPackage,
  isPackageDatabase,
  PACKAGE_DATABASES,
  PACKAGE_DB_LIMIT,
  parsePackageDatabase,
  RPM_DATABASE,
} from './packages';
import type { PathText } from './path-text';
import { pairChanges } from './change-pairs';
import { checkPackageIntegrity } from './package-integrity';
import { impliedDeletions, markMoves, MAX_IMPLIED_DELETIONS } from './moves';
import type { StoreQueue } from './store-queue';
import { countEntries, maxSeverity, score, sortEntries } from './report-math';

export interface ContainerScanContext {
  docker: Dockerode;
  host: string;
  scanId: string;
  caseId: string;
  /** Files up to this size are stored; larger ones are hashed only. */
  contentCapBytes: number;
  /** The cap for key evidence instead (executables, scripts, credential files), when larger. */
  keyEvidenceCapBytes: number;
  rules: readonly NoiseRule[];
  index: ImageIndexStore;
  builds: IndexBuilds;
  evidence: EvidencePort;
  /** Shared by the scan's containers: small files are stored through it, off the read path. */
  storeQueue: StoreQueue;
  signal: AbortSignal;
  now: () => string;
  onProgress: (phase: ScanPhase, filesDone: number, filesTotal: number) => void;
}

export interface ContainerScanResult {
  report: DriftReport;
  artifact: ArtifactInfo;
}

/** Roots read at once per container: the engine serialises archive requests per container (its lock), so two keep one queued while ours is read. */
const ROOT_CONCURRENCY = 2;
const SMALL_TEXT_LIMIT = 1024 * 1024;
/** Files stored per container; past it (a package manager's worth of files) the rest are hashed only. */
const MAX_STORED_FILES = 2000;
/**
 * Archive requests (reads and stats) per container. Without an image index, or in directories too
 * big to read whole, each changed file is a request of its own: a change list of 100,000 files
 * would keep the engine busy for many minutes (each request is a tar the engine builds, 10 ms or
 * more). Past this the rest are reported unread, and said so.
 */
export const MAX_ARCHIVE_REQUESTS = 1000;
/** Files up to this size are collected in memory and stored off the read path (StoreQueue). */
const SMALL_FILE = 64 * 1024;
/** Executables, scripts and credential files are stored up to this size by default (issue 11). */
export const DEFAULT_KEY_EVIDENCE_CAP = 256 * 1024 * 1024;
/** Every report states it: what the storage driver's change list cannot see (issue 12, fault 5). */
export const CHANGE_LIST_BLIND_SPOT =
  "The engine's change list compares each file's size, modification time, mode and owner with the image's, not its content: a file rewritten with its size and modification time put back (touch -r) is not listed, so not in this report. Reading the upper directories finds it (drift --via upper-dir, or a data root).";

/** Failures of the evidence store end the scan; anything else ends only this container's reading. */
/**
 * The rest of a drift entry once the classifier's reasons are known: the implied-deletion and
 * package-owner reasons, the classes, the severity after the noise rules, the content state. Live
 * drift and drift read from a data root's layers both end here, so the two reports classify alike.
 * `path` is the change's exact path (the noise rules match it), `seen` what the entry reports.
 */
export function finishEntry(o: {
  seen: Pick<DriftEntry, 'path' | 'change' | 'verdict' | 'differences'> & Partial<Pick<DriftEntry, 'pathBase64' | 'container' | 'image'>>;
  path: string;
  reasons: DriftReason[];
  rules: readonly NoiseRule[];
  owner: string | undefined;
  impliedBy: string | undefined;
  content: DriftContent | undefined;
}): DriftEntry {
  const { seen, reasons, owner, impliedBy } = o;
  if (impliedBy !== undefined)
    reasons.push({
      class: 'deleted',
      severity: 'info',
      reason: `inside the deleted directory ${impliedBy}: listed from the image (the engine lists only the directory)`,
    });
  if (owner && seen.verdict !== 'identical' && seen.verdict !== 'deleted')
    reasons.push({ class: 'package-db', severity: 'info', reason: `listed in the file list of package ${owner}` });
  const classes = [...new Set(reasons.map((r) => r.class))];
  const raw = maxSeverity(reasons.map((r) => r.severity)) ?? 'info';
  const noise = applyNoiseRules(o.rules, { path: o.path, change: seen.change, severity: raw, classes });
  return {
    ...seen,
    severity: noise.severity,
    ...(noise.demoted ? { demoted: noise.demoted } : {}),
    classes,
    reasons,
    content: o.content ?? {
      state: seen.change === 'deleted' ? 'not-read' : seen.container && seen.container.type !== 'file' ? 'not-regular' : 'not-read',
    },
    ...(owner ? { package: owner } : {}),
    ...(impliedBy !== undefined ? { impliedBy } : {}),
  };
}

export function isStoreFailure(err: unknown): boolean {
  return (
    err instanceof DrydockFailure &&
    ['store', 'disk-full', 'store-readonly', 'store-newer-schema', 'conflict', 'integrity'].includes(err.kind)
  );
}

export function captureLimit(path: string, size: number): number {
  if (isPackageDatabase(path)) return Math.min(size, PACKAGE_DB_LIMIT);
  if (dpkgListPackage(path) || accountFileOf(path)) return Math.min(size, SMALL_TEXT_LIMIT);
  return 0;
}

/**
 * One container, start to stored report. The inspect must succeed (else there is nothing to
 * report on); after that, whatever goes wrong — the engine dying, a cancel — the report is still
 * stored, as incomplete, with every entry the scan got to and the rest marked unread.
 */
export async function scanContainer(ref: string, ctx: ContainerScanContext): Promise<ContainerScanResult> {
  const startedAt = ctx.now();
  ctx.onProgress('inspect', 0, 0);
  const container = ctx.docker.getContainer(ref);
  const inspect = await container.inspect({ abortSignal: ctx.signal });
  const name = inspect.Name.replace(/^\//, '');
  const imageId = inspect.Image;
  const limitations: string[] = [CHANGE_LIST_BLIND_SPOT];
  let failure: string | undefined;
  let imageInspect: ImageInspectInfo | undefined;
  let imageMissing = false;
  let indexInfo: ImageIndexInfo | undefined;
  let changes: EngineChange[] | undefined;
  const files = new Map<string, ContainerFile[]>();
  const stats = new Map<string, DriftFileMeta>();
  const statted = new Set<string>();
  const readRoots = new Set<string>();
  let plannedRoots: string[] = [];
  let filesDone = 0;
  let storedCount = 0;
  let filesTotal = 0;

  const progress = (phase: ScanPhase) => ctx.onProgress(phase, filesDone, filesTotal);
  try {
    try {
      imageInspect = await ctx.docker.getImage(imageId).inspect({ abortSignal: ctx.signal } as Dockerode.ImageInspectOptions);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      imageMissing = true;
      limitations.push(
        `The image ${imageId} is no longer on the host: nothing to compare against; changed files are hashed and classified, but "modified" cannot be told from "identical"`,
      );
    }
    if (!imageMissing) {
      progress('image-index');
      const { summary, built } = await ctx.builds.ensure(ctx.docker, ctx.host, imageId, ctx.signal);
      indexInfo = { imageId, entries: summary.entries, builtAt: summary.builtAt, built };
    }
    progress('changes');
    const changeList = await readChangeList(container, ctx.signal);
    changes = changeList.changes;
    if (changeList.truncated)
      limitations.push(`The engine listed more than ${MAX_CHANGES} changes: only the first ${MAX_CHANGES} were read and are reported`);
    const toRead = changes.filter((c) => c.kind !== 'deleted');
    filesTotal = toRead.length;
    const wanted = new Set(toRead.map((c) => c.path));
    const plan = planReads(changes, {
      cost: (dir) =>
        indexInfo ? ctx.index.subtreeCost(imageId, dir) : { entries: Number.MAX_SAFE_INTEGER, bytes: Number.MAX_SAFE_INTEGER },
      imageType: (path) => (indexInfo ? ctx.index.lookup(imageId, path)[0]?.type : undefined),
      wholeFilesystem: !!indexInfo && (inspect.Mounts ?? []).every((m) => m.Type === 'tmpfs'),
    });
    plannedRoots = plan.roots;
    const rootReads = plan.roots.slice(0, MAX_ARCHIVE_REQUESTS);
    const statReads = plan.statOnly.slice(0, MAX_ARCHIVE_REQUESTS - rootReads.length);
    const skipped = plan.roots.length - rootReads.length + plan.statOnly.length - statReads.length;
    if (skipped > 0) {
      limitations.push(
        `The changes needed ${plan.roots.length + plan.statOnly.length} archive requests, over the ${MAX_ARCHIVE_REQUESTS} made per container: the changed paths under the other ${skipped} were not read and are listed as unread`,
      );
    }
    progress('reading');
    const openStore = async (file: {
      text: { path: string; pathBase64?: string };
      meta: DriftFileMeta;
      executable?: ExecutableKind;
    }): Promise<ArtifactWriterPort | { skipped: DriftContent } | 'buffer'> => {
      const key = file.executable !== undefined || isCredentialPath(file.text.path);
      const cap = key ? Math.max(ctx.contentCapBytes, ctx.keyEvidenceCapBytes) : ctx.contentCapBytes;
      if (file.meta.size > cap) {
        const what = key ? `the ${cap}-byte cap for executables, scripts and credential files` : `the ${cap}-byte cap`;
        return {
          skipped: {
            state: 'over-cap',
            note: `${file.meta.size} bytes, over ${what}: hashed only (drydock artifact acquire can fetch it)`,
          },
        };
      }
      if (storedCount >= MAX_STORED_FILES)
        return { skipped: { state: 'over-cap', note: `more than ${MAX_STORED_FILES} changed files in this container: hashed only` } };
      storedCount++;
      if (file.meta.size <= SMALL_FILE) return 'buffer';
      return ctx.evidence.openWriter(fileArtifactMeta(ctx, inspect, name, file));
    };
    const storeBuffered = (file: { text: { path: string; pathBase64?: string }; meta: DriftFileMeta }, bytes: Buffer) =>
      ctx.storeQueue.enqueue(bytes.length, async (): Promise<DriftContent> => {
        const writer = await ctx.evidence.openWriter(fileArtifactMeta(ctx, inspect, name, file));
        await writer.write(bytes);
        const info = await writer.finish();
        return { state: 'stored', artifactId: info.id };
      });
    await eachLimited(rootReads, ROOT_CONCURRENCY, ctx.signal, async (root) => {
      const read = await readRoot(container, root, {
        wanted: (path) => wanted.has(path),
        openStore,
        storeBuffered,
        captureLimit,
        onFile: (file) => {
          const list = files.get(file.text.path) ?? [];
          list.push(file);
          files.set(file.text.path, list);
          filesDone++;
          progress('reading');
        },
        signal: ctx.signal,
      });
      if (read.refused > 0)
        limitations.push(
          `The archive of ${root} held ${read.refused} entries named outside it (absolute, with '..' or under another name): not read, nothing written for them`,
        );
      if (read.stopped) limitations.push(`Not read to its end: ${read.stopped}`);
      else readRoots.add(root);
    });
    for (const dir of statReads) {
      if (ctx.signal.aborted) throw new Error('cancelled');
      const meta = await statPath(container, dir, ctx.signal);
      statted.add(dir);
      if (meta) stats.set(dir, meta);
      filesDone++;
      progress('reading');
    }
  } catch (err) {
    if (isStoreFailure(err)) throw err;
    failure = ctx.signal.aborted ? 'cancelled by the examiner' : `the scan was cut short: ${describe(err)}`;
  }
  // Small files still being stored: their artifacts belong in the report (a store failure ends the scan).
  for (const list of files.values()) {
    for (const file of list) {
      if (!file.pendingContent) continue;
      file.content = await file.pendingContent;
      delete file.pendingContent;
    }
  }

  progress('classifying');
  const entries: DriftEntry[] = [];
  const packages: PackageDrift[] = [];
  let integrity: PackageIntegrity | undefined;
  if (changes) {
    const owners = packageOwners(files);
    const paired = pairChanges(changes, files, (path) => (indexInfo ? ctx.index.lookup(imageId, path) : []));
    // Looked up through each path's ancestors: a find over the roots per entry was quadratic.
    const rootSet = new Set(plannedRoots);
    const mountPoints = new Set((inspect.Mounts ?? []).map((m) => m.Destination).filter((d): d is string => typeof d === 'string'));
    const implied = indexInfo
      ? impliedDeletions(paired, (dir, limit) => ctx.index.under(imageId, dir, limit))
      : { pairs: [], truncated: [] };
    for (const dir of implied.truncated)
      limitations.push(
        `The deleted directory ${dir} held more than the ${MAX_IMPLIED_DELETIONS} files listed as deleted per report: the rest are not listed`,
      );
    for (const { change, file, image: imageFile, impliedBy } of [...paired, ...implied.pairs]) {
      const text = file?.text ?? (imageFile ? imagePathText(imageFile) : { path: change.path });
      const containerMeta = file?.meta ?? stats.get(change.path);
      const root = rootOf(change.path, rootSet);
      const reached = root !== undefined ? readRoots.has(root) : statted.has(change.path);
      const unread = change.kind !== 'deleted' && !containerMeta && !reached;
      const compared = unread
        ? { verdict: 'unread' as const, differences: [] }
        : compareEntry(change.kind, containerMeta, imageMeta(imageFile));
      const imageText = imageFile && accountFileOf(change.path) ? ctx.index.content(imageId, change.path) : undefined;
      // What the classifier reads and the entry reports alike.
      const seen = {
        path: text.path,
        ...(text.pathBase64 !== undefined ? { pathBase64: text.pathBase64 } : {}),
        change: change.kind,
        verdict: compared.verdict,
        differences: compared.differences,
        ...(containerMeta ? { container: containerMeta } : {}),
        ...(imageFile ? { image: imageMeta(imageFile) } : {}),
      };
      const reasons = mountPoints.has(change.path)
        ? // The engine creates a mount point in the container layer to mount over it: not a change of the
          // container's own, and what is mounted there is reported under blind spots, not here.
          [
            {
              class: 'change' as const,
              severity: 'info' as const,
              reason: 'a mount point the engine created to mount over it; what is mounted there is not in this diff (see Not covered)',
            },
          ]
        : classifyEntry({
            ...seen,
            ...(file?.captured ? { containerText: file.captured } : {}),
            ...(imageText ? { imageText } : {}),
          });
      entries.push(
        finishEntry({
          seen,
          path: change.path,
          reasons,
          rules: ctx.rules,
          owner: owners.get(change.path),
          impliedBy,
          content: file?.content,
        }),
      );
      if (isPackageDatabase(change.path) || RPM_DATABASE.test(change.path)) {
        const drift = packageDrift(change, files.get(change.path)?.[0], indexInfo ? ctx.index.packages(imageId) : {});
        if (drift) packages.push(drift);
      }
    }
    // debsums for the container: package-owned changed files against the digests their packages recorded.
    // Only when the image's package databases are known (its index) or a package operation was seen:
    // the databases are read through the archive endpoint, and every request counts.
    const touched = new Set(packages.flatMap((d) => [...d.added.map((p) => p.name), ...d.upgraded.map((p) => p.name)]));
    if (!indexInfo && touched.size === 0)
      limitations.push('Package integrity was not checked: the image could not be indexed and no package operation was seen');
    else
      try {
        const checked = await checkPackageIntegrity({
          container,
          signal: ctx.signal,
          entries,
          touched,
          digestsOf: (path) => {
            const file = files.get(path)?.[0];
            return file?.digests ? { ...file.digests, ...(file.meta.sha256 ? { sha256: file.meta.sha256 } : {}) } : undefined;
          },
          ...(apkInstalledText(files, indexInfo ? (path) => ctx.index.content(imageId, path) : () => undefined) ?? {}),
          ...(rpmDatabaseOf(changes, indexInfo ? (path) => ctx.index.lookup(imageId, path).length > 0 : () => false) ?? {}),
        });
        integrity = checked.integrity;
        limitations.push(...checked.limitations);
      } catch (err) {
        if (isStoreFailure(err)) throw err;
        limitations.push(`Package integrity was not checked: ${describe(err)}`);
      }
    raisePackageFindings(entries, packages, integrity);
    markMoves(entries);
  } else if (failure) {
    limitations.push('The engine change list was never read: the report holds the configuration only');
  }

  const risks: RiskFlag[] = assessRisks(inspect, {
    missing: imageMissing,
    dangling: !!imageInspect && (imageInspect.RepoTags ?? []).filter((t) => t !== '<none>:<none>').length === 0,
  });
  const config = imageInspect ? configDrift(imageInspect.Config as ConfigFacts, inspect.Config as ConfigFacts) : [];
  sortEntries(entries);
  const stored = entries.filter((e) => e.content.state === 'stored').length;
  const overCap = entries.filter((e) => e.content.state === 'over-cap').length;
  const base = { entries, config, risks };
  const report: DriftReport = {
    readFrom: {
      kind: 'engine-api',
      detail: "the engine's change list (GET /containers/{id}/changes) and archive endpoint (GET /containers/{id}/archive)",
    },
    scanId: ctx.scanId,
    host: ctx.host,
    containerId: inspect.Id,
    containerName: name,
    image: inspect.Config.Image,
    imageId,
    containerState: inspect.State.Status,
    startedAt,
    finishedAt: ctx.now(),
    status: failure ? 'incomplete' : 'complete',
    ...(failure ? { statusReason: failure } : {}),
    engineChanges: changes?.length ?? 0,
    entries,
    packages,
    config,
    risks,
    blindSpots: blindSpots(inspect),
    counts: countEntries(entries),
    topSeverity: maxSeverity([...entries.map((e) => e.severity), ...config.map((c) => c.severity), ...risks.map((r) => r.severity)]),
    score: score(base),
    ...(indexInfo ? { imageIndex: indexInfo } : {}),
    contentCapBytes: ctx.contentCapBytes,
    keyEvidenceCapBytes: ctx.keyEvidenceCapBytes,
    storedFiles: stored,
    overCapFiles: overCap,
    limitations,
    ...(integrity ? { integrity } : {}),
  };
  ctx.onProgress('storing', filesDone, filesTotal);
  const artifact = await storeReport(ctx, inspect, report);
  return { report, artifact };
}

function fileArtifactMeta(
  ctx: ContainerScanContext,
  inspect: ContainerInspectInfo,
  name: string,
  file: { text: { path: string; pathBase64?: string }; meta: DriftFileMeta },
): NewArtifact {
  return {
    caseId: ctx.caseId,
    kind: 'container-file',
    source: { host: ctx.host, containerId: inspect.Id, containerName: name, path: file.text.path },
    method: 'Engine API archive endpoint (GET /containers/{id}/archive), streamed and hashed during a drift scan',
    mediaType: 'application/octet-stream',
    attributes: {
      scanId: ctx.scanId,
      ...(file.text.pathBase64 !== undefined ? { pathBase64: file.text.pathBase64 } : {}),
      mode: file.meta.mode,
      uid: file.meta.uid,
      gid: file.meta.gid,
      ...(file.meta.mtime ? { mtime: file.meta.mtime } : {}),
    },
  };
}

async function storeReport(ctx: ContainerScanContext, inspect: ContainerInspectInfo, report: DriftReport): Promise<ArtifactInfo> {
  const meta: NewArtifact = {
    caseId: ctx.caseId,
    kind: 'drift-report',
    source: { host: ctx.host, containerId: inspect.Id, containerName: report.containerName },
    method:
      'Engine API: change list, archive endpoint of the container, image read through a created (never started) container; Drydock drift scan',
    mediaType: 'application/json',
    attributes: {
      scanId: ctx.scanId,
      containerId: inspect.Id,
      imageId: report.imageId,
      status: report.status,
      counts: report.counts,
      topSeverity: report.topSeverity,
      score: report.score,
      entries: report.entries.length,
      storedFiles: report.storedFiles,
    },
  };
  if (report.status === 'complete') return ctx.evidence.ingestJson(meta, report);
  const writer = await ctx.evidence.openWriter(meta);
  await writer.write(Buffer.from(JSON.stringify(report), 'utf8'));
  return writer.abandon(report.statusReason ?? 'incomplete');
}

export function imageMeta(file: ImageFile | undefined): DriftFileMeta | undefined {
  if (!file) return undefined;
  const { path: _path, pathRaw: _pathRaw, linkRaw: _linkRaw, ...meta } = file;
  return meta;
}

/** The image file's path as text, with its bytes when they are not UTF-8. */
export function imagePathText(file: ImageFile): PathText {
  return file.pathRaw ? { path: file.path, pathBase64: file.pathRaw.toString('base64') } : { path: file.path };
}

/** apk's installed database to verify against: the container's own when it changed, else the image's. */
function apkInstalledText(
  files: Map<string, ContainerFile[]>,
  imageContent: (path: string) => Buffer | undefined,
): { apkInstalled: Buffer } | undefined {
  const text = files.get('/lib/apk/db/installed')?.[0]?.captured ?? imageContent('/lib/apk/db/installed');
  return text ? { apkInstalled: text } : undefined;
}

/** The rpm database the container has (changed, or from the image), whose digests are not checked. */
function rpmDatabaseOf(changes: EngineChange[], inImage: (path: string) => boolean): { rpmDatabase: string } | undefined {
  const changed = changes.find((c) => RPM_DATABASE.test(c.path) && c.kind !== 'deleted')?.path;
  const path = changed ?? ['/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/rpmdb.sqlite', '/var/lib/rpm/Packages'].find(inImage);
  return path ? { rpmDatabase: path } : undefined;
}

export function packageOwners(files: Map<string, ContainerFile[]>): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [path, list] of files) {
    const text = list[0]?.captured?.toString('utf8');
    if (!text) continue;
    const pkg = dpkgListPackage(path);
    if (pkg) {
      for (const line of text.split('\n')) if (line.startsWith('/') && line !== '/.') owners.set(line, pkg);
    } else if (path === '/lib/apk/db/installed') {
      for (const [file, name] of apkFileOwners(text)) owners.set(file, name);
    }
  }
  return owners;
}

export function packageDrift(
  change: EngineChange,
  file: ContainerFile | undefined,
  imagePackages: Record<string, { name: string; version: string; architecture?: string }[]>,
): PackageDrift | undefined {
  if (RPM_DATABASE.test(change.path)) {
    return {
      manager: 'rpm',
      database: change.path,
      added: [],
      removed: [],
      upgraded: [],
      note: 'rpm keeps a binary database: the change is reported, the packages are not itemised',
    };
  }
  if (!isPackageDatabase(change.path)) return undefined;
  const manager = PACKAGE_DATABASES[change.path];
  const before = imagePackages[change.path] ?? [];
  if (change.kind === 'deleted') return { ...diffPackages(manager, change.path, before, []), note: 'the package database was deleted' };
  if (!file?.captured)
    return {
      manager,
      database: change.path,
      added: [],
      removed: [],
      upgraded: [],
      note: 'the database was not read (over the parsing limit, or the scan stopped first)',
    };
  if (file.captured.length < file.meta.size)
    return {
      manager,
      database: change.path,
      added: [],
      removed: [],
      upgraded: [],
      note: `the database is over the ${PACKAGE_DB_LIMIT}-byte parsing limit`,
    };
  return diffPackages(manager, change.path, before, parsePackageDatabase(manager, file.captured.toString('utf8')));
}

/**
 * Package changes as one finding per package operation on the database's own entry, so they rank
 * with the files: "N packages installed after start: …", with how many of their files the package
 * integrity check found matching (those files are then info, explained by this finding).
 */
export function raisePackageFindings(entries: DriftEntry[], packages: PackageDrift[], integrity?: PackageIntegrity): void {
  for (const drift of packages) {
    const entry = entries.find((e) => e.path === drift.database);
    if (!entry) continue;
    const parts: string[] = [];
    const names = (list: { name: string }[]) =>
      `${list
        .slice(0, 40)
        .map((p) => p.name)
        .join(', ')}${list.length > 40 ? `, … ${list.length - 40} more` : ''}`;
    if (drift.added.length)
      parts.push(
        `${drift.added.length} package${drift.added.length === 1 ? '' : 's'} installed after start: ${names(drift.added.map((p) => ({ name: `${p.name} ${p.version}` })))}`,
      );
    if (drift.removed.length) parts.push(`${drift.removed.length} removed after start: ${names(drift.removed)}`);
    if (drift.upgraded.length)
      parts.push(`${drift.upgraded.length} changed after start: ${drift.upgraded.map((p) => `${p.name} ${p.from} → ${p.to}`).join(', ')}`);
    if (!parts.length) continue;
    const touched = new Set([...drift.added, ...drift.upgraded].map((p) => p.name));
    const matched = (integrity?.explained ?? []).filter((e) => touched.has(e.package)).reduce((n, e) => n + e.files, 0);
    entry.reasons.unshift({
      class: 'package-db',
      severity: 'high',
      reason: `${parts.join('; ')} (${drift.manager})${matched ? `; ${matched} of their files match the digests their packages recorded and are listed as explained by this` : ''}`,
    });
    if (!entry.classes.includes('package-db')) entry.classes.push('package-db');
    if (entry.severity !== 'critical' && !entry.demoted) entry.severity = 'high';
  }
}

function describe(err: unknown): string {
  if (err instanceof DrydockFailure) return err.message;
  const e = err as { message?: string; code?: string; statusCode?: number; json?: { message?: string } };
  return [e.json?.message ?? e.message ?? String(err), e.code].filter(Boolean).join(' ');
}

/** Runs fn over items, at most `limit` at a time; the first failure stops new work and is rethrown. */
async function eachLimited<T>(items: readonly T[], limit: number, signal: AbortSignal, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      if (signal.aborted) {
        failed ??= new Error('cancelled');
        return;
      }
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== undefined) throw failed;
}
