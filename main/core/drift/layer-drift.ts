import { createHash } from 'node:crypto';
import type { ContainerInspectInfo } from 'dockerode';
import type { DriftContent, DriftEntry, DriftReport, NoiseRule, PackageDrift, PackageIntegrity } from '../../../shared/domain/drift';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import type { ArtifactWriterPort, EvidencePort, NewArtifact } from '../evidence/port';
import { assessRisks } from '../inventory/risk-flags';
import { counted } from '../../../shared/counted';
import { accountFileOf } from './accounts';
import { pairChanges } from './change-pairs';
import { classifyEntry, isCredentialPath } from './classify';
import { compareEntry } from './compare';
import { configDrift, type ConfigFacts } from './config-drift';
import type { ContainerFile } from './container-read';
import { captureLimit, finishEntry, imageMeta, imagePathText, packageDrift, packageOwners, raisePackageFindings } from './container-scan';
import { MAX_CHANGES } from './engine-changes';
import { executableKind, HeadCollector } from './file-sniff';
import { keepsBaseline, type ImageFile, type ImagePackages } from './image-index';
import { blindSpots } from './mounts-blind-spots';
import { impliedDeletions, markMoves, MAX_IMPLIED_DELETIONS } from './moves';
import {
  apkDigests,
  dpkgDigests,
  DPKG_INFO_FILE_LIMIT,
  isDpkgDigestFile,
  verifyWithDatabases,
  type PackageFileDigests,
} from './package-integrity';
import { isPackageDatabase, PACKAGE_DATABASES, parsePackageDatabase, RPM_DATABASE } from './packages';
import { isUnder, pathText } from './path-text';
import { countEntries, maxSeverity, score, sortEntries } from './report-math';
import { StoreQueue } from './store-queue';
import {
  keyText,
  layerKey,
  layerMeta,
  LayerTree,
  mergeLayers,
  upperChanges,
  type LayerEntry,
  type LayerFile,
  type UpperChange,
} from './upper-changes';

// Drift published to other rooms (eslint.config.mjs `published`): a container's drift read from its
// overlay2 layers on disk instead of through the engine — a data root with no daemon, or a host's
// data root bound read-only into a helper. The change list is recomputed from the upper directory
// as the engine computes it (upper-changes.ts); pairing, comparison, classification, noise rules,
// package drift and moves are the live scan's own functions, so a report from disk and a report
// from the engine agree entry by entry, hash by hash. What differs is said in `readFrom`.

export type { LayerEntry, UpperChange } from './upper-changes';

/**
 * Walks the trees of the given layers (overlay2/<id>/diff) in one pass, parents before children
 * within a layer, handing each entry and, for a regular file, a way to read its bytes (read at most
 * once; a body not read is skipped).
 */
export type LayerWalk = (
  layers: readonly string[],
  visit: (layer: number, entry: LayerEntry, open: (() => AsyncIterable<Buffer>) | undefined) => Promise<void>,
  /** contents false: only the trees' metadata is wanted (no body will be opened). */
  options?: { contents: boolean },
) => Promise<void>;

export interface LayerContainer {
  /** The container's record in the engine's inspect shape (from config.v2.json and hostconfig.json on disk). */
  inspect: ContainerInspectInfo;
  /** The writable layer's overlay2 directory (layerdb/mounts/<id>/mount-id). */
  upper: string;
  /** The init layer's (mount-id + '-init'), when there is one. */
  init?: string;
  /** The image's layers' overlay2 directories, top layer first. */
  imageLayers: string[];
  /** The image's config (config.Config of the image JSON) and tags; absent when the image is gone. */
  image?: { config: ConfigFacts; tags: string[] };
}

export interface LayerDriftContext {
  host: string;
  scanId: string;
  caseId: string;
  contentCapBytes: number;
  keyEvidenceCapBytes: number;
  rules: readonly NoiseRule[];
  evidence: EvidencePort;
  now: () => string;
  /** How the layers were read, for the artifacts' method and the report's readFrom. */
  method: string;
  /** Said in every report's limitations, read once the walk is over (the reader's warnings fill it during the walk). */
  readerWarnings?: readonly string[];
}

/** Files stored per container, as the live scan. */
const MAX_STORED_FILES = 2000;
/** Lower-layer bytes kept for account files and package databases, in all. */
const BASELINE_TOTAL_LIMIT = 64 * 1024 * 1024;
/** dpkg's file lists and md5sums kept for package integrity, in all layers together (bytes). */
const DPKG_INFO_TOTAL_LIMIT = 128 * 1024 * 1024;

interface UpperFile extends LayerFile {
  content: DriftContent;
  /** MD5 and SHA-1 of a file the container wrote: what dpkg's md5sums and apk's Z: checksums record. */
  digests?: { md5: string; sha1: string };
}

/**
 * Drift reports for containers read from their layers: one walk over every layer involved, then
 * one report per container, each stored in the case as a 'drift-report' artifact (changed files
 * stored as 'container-file' artifacts under the same caps as a live scan).
 * @throws whatever the walk throws (the source's DrydockFailures); ('store'), ('disk-full') from the evidence store.
 */
export async function driftFromLayers(
  walk: LayerWalk,
  containers: readonly LayerContainer[],
  ctx: LayerDriftContext,
): Promise<{ report: DriftReport; artifact: ArtifactInfo }[]> {
  const startedAt = ctx.now();
  const layers: string[] = [];
  const indexOf = new Map<string, number>();
  const need = (id: string) => {
    if (!indexOf.has(id)) {
      indexOf.set(id, layers.length);
      layers.push(id);
    }
    return indexOf.get(id) as number;
  };
  const upperOf = new Map<number, LayerContainer>();
  for (const c of containers) {
    upperOf.set(need(c.upper), c);
    if (c.init) need(c.init);
    c.imageLayers.forEach(need);
  }
  const trees = layers.map(() => new LayerTree());
  const stored = new Map<LayerContainer, number>();
  let baselineBytes = 0;
  let dpkgInfoBytes = 0;
  let dpkgInfoSkipped = 0;
  // Finishing a stored file waits for two fsyncs and a record: awaited one by one they paced the
  // whole walk at the disk's flush latency. The bytes are already written, so only the finish waits
  // in the queue (size 0), 16 at a time, while the walk goes on.
  const finishing = new StoreQueue(16, 0);
  const finished: Promise<void>[] = [];
  const walked = walk(layers, async (layer, entry, open) => {
    const tree = trees[layer] as LayerTree;
    const text = pathText(entry.raw);
    const file: UpperFile = {
      ...entry,
      path: text.path,
      ...(text.pathBase64 !== undefined ? { pathBase64: text.pathBase64 } : {}),
      content: { state: 'not-regular' },
    };
    const owner = upperOf.get(layer);
    if (entry.type === 'file' && open) {
      const hash = createHash('sha256');
      // Package databases record MD5 (dpkg) and SHA-1 (apk): computed for the container's own files only.
      const md5 = owner ? createHash('md5') : undefined;
      const sha1 = owner ? createHash('sha1') : undefined;
      const head = new HeadCollector();
      // dpkg's lists and md5sums of every layer, whole, for package integrity (under a budget of their own).
      const dpkgInfo = isDpkgDigestFile(file.path);
      const infoFits = dpkgInfo && entry.size <= DPKG_INFO_FILE_LIMIT && dpkgInfoBytes + entry.size <= DPKG_INFO_TOTAL_LIMIT;
      if (dpkgInfo && !infoFits) dpkgInfoSkipped++;
      const capture = Math.max(
        infoFits ? entry.size : 0,
        owner
          ? captureLimit(file.path, entry.size)
          : keepsBaseline(file.path, entry.size) && baselineBytes + entry.size <= BASELINE_TOTAL_LIMIT
            ? entry.size
            : 0,
      );
      const parts: Buffer[] = [];
      let kept = 0;
      let writer: ArtifactWriterPort | undefined;
      let decided = !owner;
      for await (const chunk of open()) {
        hash.update(chunk);
        md5?.update(chunk);
        sha1?.update(chunk);
        head.push(chunk);
        if (!decided && owner) {
          decided = true;
          const decision = storeDecision(ctx, file, executableKind(head.head, entry.mode), stored.get(owner) ?? 0);
          if ('skipped' in decision) file.content = decision.skipped;
          else {
            stored.set(owner, (stored.get(owner) ?? 0) + 1);
            writer = await ctx.evidence.openWriter(fileArtifact(ctx, owner, file));
          }
        }
        if (writer) await writer.write(chunk);
        if (kept < capture) {
          const part = chunk.subarray(0, capture - kept);
          parts.push(Buffer.from(part));
          kept += part.length;
        }
      }
      if (owner && !decided) {
        // An empty file: stored like any other (its hash is the empty string's).
        const decision = storeDecision(ctx, file, undefined, stored.get(owner) ?? 0);
        if ('skipped' in decision) file.content = decision.skipped;
        else {
          stored.set(owner, (stored.get(owner) ?? 0) + 1);
          writer = await ctx.evidence.openWriter(fileArtifact(ctx, owner, file));
        }
      }
      file.sha256 = hash.digest('hex');
      if (md5 && sha1) file.digests = { md5: md5.digest('hex'), sha1: sha1.digest('hex') };
      const kind = executableKind(head.head, entry.mode);
      if (kind) file.executable = kind;
      if (writer) {
        const done = writer;
        const { done: finish } = await finishing.enqueue(0, async () => {
          file.content = { state: 'stored', artifactId: (await done.finish()).id };
        });
        finished.push(finish);
      } else if (owner && file.content.state === 'not-regular') file.content = { state: 'not-read' };
      if (capture > 0) {
        file.captured = Buffer.concat(parts, kept);
        if (infoFits) dpkgInfoBytes += kept;
        else if (!owner) baselineBytes += kept;
      }
    } else if (entry.type === 'hardlink' && entry.linkRaw) {
      // A hard link in an archive refers to an earlier entry of the same layer: compared as that file.
      const partner = tree.files.get(layerKey(entry.linkRaw));
      if (partner?.sha256) {
        file.type = 'file';
        file.size = partner.size;
        file.sha256 = partner.sha256;
        if (partner.executable) file.executable = partner.executable;
        if (partner.captured) file.captured = partner.captured;
      }
      file.content = { state: 'not-regular', note: `hard link to ${pathText(entry.linkRaw).path}` };
    }
    tree.add(file);
  });
  // A failed walk is the failure to report; the stores under way are waited for all the same.
  await walked.catch(async (err: unknown) => {
    await Promise.allSettled(finished);
    throw err;
  });
  await Promise.all(finished);
  const results: { report: DriftReport; artifact: ArtifactInfo }[] = [];
  for (const c of containers) {
    const upper = trees[indexOf.get(c.upper) as number] as LayerTree;
    const lowers = [...(c.init ? [c.init] : []), ...c.imageLayers].map((id) => trees[indexOf.get(id) as number] as LayerTree);
    results.push(await containerReport(c, upper, lowers, ctx, startedAt, dpkgInfoSkipped));
  }
  return results;
}

function storeDecision(
  ctx: LayerDriftContext,
  file: LayerFile,
  executable: LayerFile['executable'],
  storedSoFar: number,
): { store: true } | { skipped: DriftContent } {
  const key = executable !== undefined || isCredentialPath(file.path);
  const cap = key ? Math.max(ctx.contentCapBytes, ctx.keyEvidenceCapBytes) : ctx.contentCapBytes;
  if (file.size > cap) {
    const what = key ? `the ${cap}-byte cap for executables, scripts and credential files` : `the ${cap}-byte cap`;
    return { skipped: { state: 'over-cap', note: `${file.size} bytes, over ${what}: hashed only` } };
  }
  if (storedSoFar >= MAX_STORED_FILES)
    return { skipped: { state: 'over-cap', note: `more than ${MAX_STORED_FILES} changed files in this container: hashed only` } };
  return { store: true };
}

function fileArtifact(ctx: LayerDriftContext, c: LayerContainer, file: LayerFile): NewArtifact {
  return {
    caseId: ctx.caseId,
    kind: 'container-file',
    source: { host: ctx.host, containerId: c.inspect.Id, containerName: c.inspect.Name.replace(/^\//, ''), path: file.path },
    method: `${ctx.method}: the file in the container's upper directory, streamed and hashed during a drift scan`,
    mediaType: 'application/octet-stream',
    attributes: {
      scanId: ctx.scanId,
      ...(file.pathBase64 !== undefined ? { pathBase64: file.pathBase64 } : {}),
      mode: file.mode,
      uid: file.uid,
      gid: file.gid,
      mtime: layerMeta(file).mtime,
    },
  };
}

function asImageFile(file: LayerFile): ImageFile {
  return {
    path: file.path,
    ...(file.pathBase64 !== undefined ? { pathRaw: Buffer.from(file.pathBase64, 'base64') } : {}),
    ...layerMeta(file),
  };
}

async function containerReport(
  c: LayerContainer,
  upper: LayerTree,
  lowers: LayerTree[],
  ctx: LayerDriftContext,
  startedAt: string,
  /** dpkg info files of the walk not kept (over the per-file or total limit). */
  dpkgInfoSkipped = 0,
): Promise<{ report: DriftReport; artifact: ArtifactInfo }> {
  const inspect = c.inspect;
  const name = inspect.Name.replace(/^\//, '');
  const imageId = inspect.Image;
  const limitations: string[] = [
    `Read from the container's overlay2 upper directory against its lower layers (${ctx.method}): every file the container wrote is listed whatever its timestamps, and hashed`,
  ];
  for (const tree of [upper, ...lowers]) limitations.push(...tree.problems);
  for (const warning of ctx.readerWarnings ?? []) limitations.push(`While the layers were read: ${warning}`);
  if (!c.image)
    limitations.push(
      `The image ${imageId} is not in this data root: its layers were read as the container's lower layers, but its configuration is not compared`,
    );
  // Changes come keyed by raw bytes; the live scan's functions below take the engine's text paths
  // (several byte names may share one text) with every byte name's file beside them.
  let keyed = upperChanges(upper, lowers);
  if (keyed.length > MAX_CHANGES) {
    limitations.push(`The upper directory holds more than ${MAX_CHANGES} changes: only the first ${MAX_CHANGES} are reported`);
    keyed = keyed.slice(0, MAX_CHANGES);
  }
  const changes: UpperChange[] = keyed.map((c) => ({ ...c, path: keyText(c.path).path }));
  const hidden = changes.filter((c) => c.hidden).length;
  if (hidden)
    limitations.push(
      `${counted(hidden, 'file')} of the upper directory ${hidden === 1 ? 'is' : 'are'} not in the change list the engine computes (it compares size, modification time, mode and owner, not content): listed here, each with the reason`,
    );
  const merged = mergeLayers(lowers);
  const byText = new Map<string, LayerFile[]>();
  for (const file of merged.values()) {
    const list = byText.get(file.path);
    if (list) list.push(file);
    else byText.set(file.path, [file]);
  }
  const sorted = [...byText.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const lookup = (path: string): ImageFile[] => (byText.get(path) ?? []).map(asImageFile);
  const under = (dir: string, limit: number): ImageFile[] => {
    const out: ImageFile[] = [];
    const low = dir === '/' ? '/' : `${dir}/`;
    let i = lowerBound(sorted, low);
    for (; i < sorted.length && out.length < limit; i++) {
      const path = sorted[i] as string;
      if (!isUnder(path, dir) || path === dir) break;
      for (const file of byText.get(path) ?? []) if (out.length < limit) out.push(asImageFile(file));
    }
    return out;
  };
  const imagePackages: ImagePackages = {};
  for (const file of merged.values())
    if (isPackageDatabase(file.path) && file.captured)
      imagePackages[file.path] = parsePackageDatabase(PACKAGE_DATABASES[file.path], file.captured.toString('utf8'));

  const files = new Map<string, ContainerFile[]>();
  const filed = new Set<string>();
  for (const change of keyed) {
    if (change.kind === 'deleted' || filed.has(change.path)) continue;
    const f = upper.files.get(change.path) as UpperFile | undefined;
    if (!f) continue;
    filed.add(change.path);
    const raw = Buffer.from(change.path, 'latin1');
    let list = files.get(f.path);
    if (!list) files.set(f.path, (list = []));
    list.push({
      text: { path: f.path, ...(f.pathBase64 !== undefined ? { pathBase64: f.pathBase64 } : {}) },
      raw,
      meta: { ...layerMeta(f), ...(f.sha256 !== undefined ? { sha256: f.sha256 } : {}) },
      content: f.content,
      ...(f.digests ? { digests: f.digests } : {}),
      ...(f.captured && captureLimit(f.path, f.size) > 0 ? { captured: f.captured } : {}),
    });
  }

  const entries: DriftEntry[] = [];
  const packages: PackageDrift[] = [];
  const owners = packageOwners(files);
  const paired = pairChanges(changes, files, lookup);
  const mountPoints = new Set((inspect.Mounts ?? []).map((m) => m.Destination).filter((d): d is string => typeof d === 'string'));
  const implied = impliedDeletions(paired, under);
  for (const dir of implied.truncated)
    limitations.push(
      `The deleted directory ${dir} held more than the ${MAX_IMPLIED_DELETIONS} files listed as deleted per report: the rest are not listed`,
    );
  for (const { change, file, image: imageFile, impliedBy } of [...paired, ...implied.pairs]) {
    const text = file?.text ?? (imageFile ? imagePathText(imageFile) : { path: change.path });
    const containerMeta = file?.meta;
    const compared = compareEntry(change.kind, containerMeta, imageMeta(imageFile));
    const imageText = imageFile && accountFileOf(change.path) ? byText.get(change.path)?.[0]?.captured : undefined;
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
      ? [
          {
            class: 'change' as const,
            severity: 'info' as const,
            reason: 'a mount point the engine created to mount over it; what is mounted there is not in this diff (see Not covered)',
          },
        ]
      : classifyEntry({ ...seen, ...(file?.captured ? { containerText: file.captured } : {}), ...(imageText ? { imageText } : {}) });
    if (file && seen.container?.type === 'directory' && upper.files.get(layerKey(file.raw))?.opaque)
      // Severity as the engine path gives this directory (the deletions below it carry theirs): the two reports stay comparable.
      reasons.push({
        class: 'change',
        severity: 'info',
        reason:
          'replaced: an opaque directory (trusted.overlay.opaque) hides everything the image had under it, which is listed as deleted',
      });
    if ((change as UpperChange).hidden)
      reasons.push(
        compared.verdict === 'content-changed' || compared.verdict === 'added'
          ? {
              class: 'change',
              severity: 'medium',
              reason:
                "not in the engine's change list: its size, mode, owner and modification time are the image's, only its content differs (timestamps put back?); found in the upper directory on disk",
            }
          : {
              class: 'change',
              severity: 'info',
              reason: "in the upper directory (copied up) but not in the engine's change list: nothing of it differs from the image",
            },
      );
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
      const drift = packageDrift(change, files.get(change.path)?.[0], imagePackages);
      if (drift) packages.push(drift);
    }
  }
  const integrity = layerIntegrity(entries, keyed, upper, merged, files, packages, limitations, dpkgInfoSkipped);
  raisePackageFindings(entries, packages, integrity);
  markMoves(entries);
  await storeImageSides(entries, byText, c, ctx, limitations);

  const risks = assessRisks(inspect, { missing: !c.image, dangling: !!c.image && c.image.tags.length === 0 });
  const config = c.image ? configDrift(c.image.config, inspect.Config as ConfigFacts) : [];
  sortEntries(entries);
  const base = { entries, config, risks };
  const report: DriftReport = {
    scanId: ctx.scanId,
    host: ctx.host,
    containerId: inspect.Id,
    containerName: name,
    image: inspect.Config.Image,
    imageId,
    containerState: inspect.State.Status,
    startedAt,
    finishedAt: ctx.now(),
    status: 'complete',
    engineChanges: changes.length - hidden,
    entries,
    packages,
    config,
    risks,
    blindSpots: blindSpots(inspect),
    counts: countEntries(entries),
    topSeverity: maxSeverity([...entries.map((e) => e.severity), ...config.map((x) => x.severity), ...risks.map((r) => r.severity)]),
    score: score(base),
    imageIndex: { imageId, entries: merged.size, builtAt: startedAt, built: true },
    contentCapBytes: ctx.contentCapBytes,
    keyEvidenceCapBytes: ctx.keyEvidenceCapBytes,
    storedFiles: entries.filter((e) => e.content.state === 'stored').length,
    overCapFiles: entries.filter((e) => e.content.state === 'over-cap').length,
    limitations,
    ...(integrity ? { integrity } : {}),
    readFrom: { kind: 'upper-dir', detail: ctx.method },
  };
  const artifact = await ctx.evidence.ingestJson(
    {
      caseId: ctx.caseId,
      kind: 'drift-report',
      source: { host: ctx.host, containerId: inspect.Id, containerName: name },
      method: `${ctx.method}; Drydock drift scan (the engine's change list recomputed from the upper directory)`,
      mediaType: 'application/json',
      attributes: {
        scanId: ctx.scanId,
        containerId: inspect.Id,
        imageId,
        status: report.status,
        counts: report.counts,
        topSeverity: report.topSeverity,
        score: report.score,
        entries: entries.length,
        storedFiles: report.storedFiles,
        readFrom: 'upper-dir',
      },
    },
    report,
  );
  return { report, artifact };
}

function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as string) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The change list of each container as the engine would compute it from these layers, plus the
 * upper directory's files it would miss (`hidden`); no file is read, only the trees' metadata.
 * Keyed by the container ID of `inspect`.
 */
export async function changeListsFromLayers(
  walk: LayerWalk,
  containers: readonly Pick<LayerContainer, 'inspect' | 'upper' | 'init' | 'imageLayers'>[],
): Promise<Map<string, UpperChange[]>> {
  const layers: string[] = [];
  const indexOf = new Map<string, number>();
  const need = (id: string) => {
    if (!indexOf.has(id)) {
      indexOf.set(id, layers.length);
      layers.push(id);
    }
  };
  for (const c of containers) [c.upper, ...(c.init ? [c.init] : []), ...c.imageLayers].forEach(need);
  const trees = layers.map(() => new LayerTree());
  await walk(
    layers,
    async (layer, entry) => {
      const text = pathText(entry.raw);
      (trees[layer] as LayerTree).add({
        ...entry,
        path: text.path,
        ...(text.pathBase64 !== undefined ? { pathBase64: text.pathBase64 } : {}),
      });
    },
    { contents: false },
  );
  const tree = (id: string) => trees[indexOf.get(id) as number] as LayerTree;
  const out = new Map<string, UpperChange[]>();
  for (const c of containers) {
    const keyed = upperChanges(tree(c.upper), [...(c.init ? [c.init] : []), ...c.imageLayers].map(tree));
    // As the engine's list gives them: text, invalid UTF-8 as U+FFFD.
    out.set(
      c.inspect.Id,
      keyed.map((change) => ({ ...change, path: keyText(change.path).path })),
    );
  }
  return out;
}

/**
 * debsums for a container read from its layers: the package databases as the container sees them
 * (dpkg's lists and md5sums and apk's installed file of the lower layers, overlaid by what the
 * upper directory wrote or deleted) against the MD5/SHA-1 of each changed file, as the live scan
 * checks them (package-integrity.ts). Limitations are added to `limitations`.
 */
function layerIntegrity(
  entries: DriftEntry[],
  keyed: readonly UpperChange[],
  upper: LayerTree,
  merged: ReadonlyMap<string, LayerFile>,
  files: ReadonlyMap<string, ContainerFile[]>,
  packages: readonly PackageDrift[],
  limitations: string[],
  dpkgInfoSkipped: number,
): PackageIntegrity | undefined {
  const candidates = entries.some(
    (e) => e.change !== 'deleted' && e.container?.type === 'file' && e.verdict !== 'identical' && e.verdict !== 'metadata-only',
  );
  if (!candidates) return undefined;
  const info = new Map<string, Buffer>();
  for (const file of merged.values()) if (file.captured && isDpkgDigestFile(file.path)) info.set(file.path, file.captured);
  let apk = [...merged.values()].find((f) => f.path === '/lib/apk/db/installed')?.captured;
  let rpm = [...merged.values()].some((f) => RPM_DATABASE.test(f.path));
  for (const change of keyed) {
    const path = keyText(change.path).path;
    if (RPM_DATABASE.test(path) && change.kind !== 'deleted') rpm = true;
    if (!isDpkgDigestFile(path) && path !== '/lib/apk/db/installed') continue;
    const written = change.kind === 'deleted' ? undefined : upper.files.get(change.path)?.captured;
    if (path === '/lib/apk/db/installed') apk = change.kind === 'deleted' ? undefined : (written ?? apk);
    else if (written) info.set(path, written);
    else info.delete(path);
  }
  const databases: PackageFileDigests[] = [];
  if (info.size > 0) databases.push(dpkgDigests(info));
  if (apk) databases.push(apkDigests(apk.toString('utf8'), '/lib/apk/db/installed'));
  if (rpm)
    limitations.push(
      "rpm's database is not read from layers: files owned by rpm packages are classified without package verification (read the container through the engine's API for rpm -V)",
    );
  if (dpkgInfoSkipped > 0)
    limitations.push(
      `${dpkgInfoSkipped} of dpkg's file lists or md5sums were over the read limit and not used: the files of those packages are not verified`,
    );
  const touched = new Set(packages.flatMap((d) => [...d.added.map((p) => p.name), ...d.upgraded.map((p) => p.name)]));
  const digestsOf = (path: string) => {
    const file = files.get(path)?.[0];
    return file?.digests ? { ...file.digests, ...(file.meta.sha256 ? { sha256: file.meta.sha256 } : {}) } : undefined;
  };
  const verified = verifyWithDatabases(entries, digestsOf, databases, touched);
  limitations.push(...verified.limitations);
  return verified.integrity;
}

/** Image sides stored per report, at most (each a small text file under the baseline directories). */
const MAX_IMAGE_SIDES = 200;

/**
 * The image's version of each changed text file whose container version is stored, from the lower
 * layers' bytes kept during the walk (small files under /etc, /root, home directories, cron spools
 * and web roots — what the API path keeps in its image index), stored as 'image-file' artifacts so
 * the side-by-side view works for reports read from layers; each entry's image side names its artifact.
 * @throws ('store'), ('disk-full') from the evidence store.
 */
async function storeImageSides(
  entries: DriftEntry[],
  byText: ReadonlyMap<string, LayerFile[]>,
  c: LayerContainer,
  ctx: LayerDriftContext,
  limitations: string[],
): Promise<void> {
  let stored = 0;
  let over = 0;
  for (const entry of entries) {
    if (entry.verdict !== 'content-changed' || entry.content.state !== 'stored' || entry.container?.executable) continue;
    if (entry.image?.type !== 'file' || !entry.image.sha256) continue;
    const lower = (byText.get(entry.path) ?? []).find((f) => f.sha256 === entry.image?.sha256 && f.captured?.length === f.size);
    if (!lower?.captured) continue;
    if (stored >= MAX_IMAGE_SIDES) {
      over++;
      continue;
    }
    const writer = await ctx.evidence.openWriter({
      caseId: ctx.caseId,
      kind: 'image-file',
      source: { host: ctx.host, containerId: c.inspect.Id, containerName: c.inspect.Name.replace(/^\//, ''), path: entry.path },
      method: `${ctx.method}: the image's version of a changed file, from the container's lower layers, kept for the side-by-side view`,
      mediaType: 'application/octet-stream',
      attributes: {
        scanId: ctx.scanId,
        imageId: c.inspect.Image,
        ...(entry.pathBase64 !== undefined ? { pathBase64: entry.pathBase64 } : {}),
        ...layerMeta(lower),
      },
    });
    await writer.write(lower.captured);
    entry.image.artifactId = (await writer.finish()).id;
    stored++;
  }
  if (over)
    limitations.push(
      `The image's version of ${counted(over, 'more changed file')} was not stored (at most ${MAX_IMAGE_SIDES} per report): no side-by-side view for ${over === 1 ? 'it' : 'them'}`,
    );
}
