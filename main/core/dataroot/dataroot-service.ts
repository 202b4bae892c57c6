import { randomUUID } from 'node:crypto';
import type {
  CompareDiskResult,
  DataRootContainer,
  DiskFinding,
  DataRootDriftResult,
  DataRootImage,
  DataRootImages,
  DataRootInfo,
  DataRootInventory,
  DataRootLogsResult,
  DataRootProblem,
  DataRootProcessConfig,
  DataRootSourceEntry,
  DataRootTimelineAcquisition,
  DataRootUpperFiles,
  LayerOwnerResult,
  LayerOwnership,
} from '../../../shared/domain/dataroot';
import type { NoiseRule } from '../../../shared/domain/drift';
import type { ArtifactKind } from '../../../shared/domain/evidence';
import { isoNow, type Clock } from '../clock';
import { changeListsFromLayers, driftFromLayers, type LayerContainer } from '../drift/layer-drift';
import { DrydockFailure } from '../errors';
import type { EvidencePort } from '../evidence/port';
import { engineCall, type DockerSource } from '../hosts/engine-call';
import { summarizeContainer } from '../inventory/container-summary';
import { acquisitionCounts, LOG_FORMAT, LogLineWriter } from '../logs/log-lines';
import { counted } from '../../../shared/counted';
import { jsonFileMessages, localFileMessages, rotationOrder, type LogMessage } from './log-files';
import { readContainers, readImages, type ContainerRecord, type ImageRecord } from './records';
import { processConfigOf } from './process-config';
import { openDataRoot, type DataRootSource } from './source';
import { recomputeDiffId } from './tar-split';
import { readUpperFiles, UPPER_ENTRIES_PER_CONTAINER } from './upper-files';

export interface DataRootServiceDeps {
  evidence: EvidencePort;
  /** Live engines, for comparing what a host's API reports with what its data root holds. */
  hosts: DockerSource;
  clock: Clock;
  /** The drift noise rules in force (the drift room's, so a data root's reports demote as live ones do). */
  driftRules: () => readonly NoiseRule[];
}

interface Where {
  dataRoot: string;
  caseRef?: string;
}

/** How every acquisition from a data root describes its source in artifacts and audit entries. */
function sourceDetails(info: DataRootInfo): Record<string, unknown> {
  return { kind: 'data-root', path: info.path, form: info.kind, readOnly: true, storageDrivers: info.storageDrivers };
}

function methodOf(info: DataRootInfo): string {
  return info.kind === 'directory'
    ? `Docker data root directory ${info.path}, read in place, read-only (O_RDONLY|O_NOATIME|O_NOFOLLOW, no symlink followed, nothing mounted)`
    : `Docker data root in the tar archive ${info.path}, streamed, read-only (never unpacked)`;
}

/**
 * Dead-box analysis: a Docker data root read with no daemon, into the same case as live
 * acquisitions and in the same shapes (inventory with risk flags, drift reports, logs).
 */
export class DataRootService {
  /** The data roots opened as sources this session (the host list's read-only entries), by path. */
  private readonly sources = new Map<string, DataRootSourceEntry>();

  constructor(private readonly deps: DataRootServiceDeps) {}

  /**
   * Opens a data root as a read-only source of the host list: checks it is one, counts what it
   * holds (nothing stored, the opening audited with the source named), and keeps it listed.
   * @throws DrydockFailure as inventory (no data root there, not a data root, permission).
   */
  async open(dataRoot: string): Promise<DataRootSourceEntry> {
    const src = await openDataRoot(dataRoot);
    const problems: DataRootProblem[] = [];
    const images = await readImages(src, problems);
    const records = await readContainers(src, problems);
    const entry: DataRootSourceEntry = {
      source: this.finishInfo(src),
      openedAt: isoNow(this.deps.clock),
      containers: records.length,
      images: images.size,
      problems: problems.length,
    };
    this.sources.set(entry.source.path, entry);
    this.deps.evidence.audit('dataroot.opened', {
      source: sourceDetails(entry.source),
      containers: entry.containers,
      images: entry.images,
    });
    return entry;
  }

  /** The data roots opened this session, in the order they were opened. */
  list(): DataRootSourceEntry[] {
    return [...this.sources.values()];
  }

  /**
   * Every container recorded in the data root, with the live inventory's risk flags, its layers,
   * log file and volumes; stored as an 'inventory-snapshot' artifact when `record`. `opened`: the
   * data root already opened (one read of several), else it is opened from `request.dataRoot`.
   * @throws DrydockFailure('not-found') no data root there; ('invalid-input') not a data root;
   *   ('permission-denied'); ('conflict') no writable case; ('store'), ('disk-full').
   */
  async inventory(request: Where & { record: boolean }, opened?: DataRootSource): Promise<DataRootInventory> {
    const src = opened ?? (await openDataRoot(request.dataRoot));
    const problems: DataRootProblem[] = [];
    const images = await readImages(src, problems);
    const records = await readContainers(src, problems);
    const containers: DataRootContainer[] = [];
    for (const r of records) {
      const image = images.get(r.inspect.Image);
      const summary = summarizeContainer(
        src.info.host,
        r.inspect,
        image ? { missing: false, dangling: image.tags.length === 0 } : { missing: true, dangling: false },
      );
      containers.push({
        ...summary,
        ...(r.mountId ? { mountId: r.mountId } : {}),
        logDriver: r.logDriver,
        ...(r.logPath ? { logPath: r.logPath } : {}),
        volumes: await volumesOf(src, r),
      });
    }
    const snapshot: DataRootInventory = { source: this.finishInfo(src), takenAt: isoNow(this.deps.clock), containers, problems };
    if (!request.record) return snapshot;
    const stored = await this.store(request, src.info, 'inventory-snapshot', snapshot, 'dataroot.inventory-read', {
      containers: containers.length,
      problems: problems.length,
    });
    return { ...snapshot, stored };
  }

  /** Every image of the data root with tags, history and layers. @throws as inventory. */
  async images(request: Where & { record: boolean }, opened?: DataRootSource): Promise<DataRootImages> {
    const src = opened ?? (await openDataRoot(request.dataRoot));
    const problems: DataRootProblem[] = [];
    const images = await readImages(src, problems);
    const records = await readContainers(src, problems);
    const out: DataRootImage[] = [...images.values()].map((img) => describeImage(img, records));
    const result: DataRootImages = { source: this.finishInfo(src), takenAt: isoNow(this.deps.clock), images: out, problems };
    if (!request.record) return result;
    const stored = await this.store(request, src.info, 'inventory-snapshot', result, 'dataroot.images-read', { images: out.length });
    return { ...result, stored };
  }

  /**
   * What an overlay2 directory, layer (chain or diff ID), init or mount ID belongs to: `id` may be
   * a full ID, a unique prefix of at least 4 hex digits, a 26-character overlay2/l link name, or a
   * path holding overlay2/<id>.
   * @throws DrydockFailure('not-found') when nothing matches; ('invalid-input') for an ambiguous prefix; as inventory.
   */
  async layerOwner(request: Where & { id: string; record: boolean }): Promise<LayerOwnerResult> {
    const src = await openDataRoot(request.dataRoot);
    const problems: DataRootProblem[] = [];
    const images = await readImages(src, problems);
    const records = await readContainers(src, problems);
    const query = request.id.trim();
    const fromPath = /overlay2\/(l\/)?([0-9A-Za-z]+(?:-init)?)/.exec(query);
    let key = (fromPath ? fromPath[2] : query)?.replace(/^sha256:/, '') ?? '';
    if (fromPath?.[1] || /^[A-Z0-9]{26}$/.test(key)) key = (await linkTarget(src, key)) ?? key;
    if (key.length < 4)
      throw new DrydockFailure('invalid-input', `${JSON.stringify(request.id)} is too short to name a layer (4 hex digits at least)`);
    const candidates: LayerOwnership[] = [];
    const name = (r: ContainerRecord) => r.inspect.Name.replace(/^\//, '');
    for (const r of records) {
      if (r.mountId?.startsWith(key))
        candidates.push({
          query,
          matchedAs: 'container-mount',
          cacheId: r.mountId,
          containers: [{ id: r.id, name: name(r), role: 'writable layer' }],
          images: [],
        });
      // An init layer is named by its own ID ('<mount-id>-init'): a mount ID's prefix means the writable layer.
      if (key.endsWith('-init') && r.initId?.startsWith(key))
        candidates.push({
          query,
          matchedAs: 'container-init',
          cacheId: r.initId,
          containers: [{ id: r.id, name: name(r), role: 'init layer' }],
          images: [],
        });
    }
    const layers = new Map<string, LayerOwnership>();
    for (const img of images.values()) {
      for (const layer of img.layers) {
        const hit = [layer.cacheId, layer.chainId.slice(7), layer.diffId.slice(7)].some((v) => v?.startsWith(key));
        if (!hit || !layer.cacheId) continue;
        const owner = layers.get(layer.cacheId) ?? {
          query,
          matchedAs: 'image-layer' as const,
          cacheId: layer.cacheId,
          chainId: layer.chainId,
          diffId: layer.diffId,
          containers: records
            .filter((r) => r.imageLayers.includes(layer.cacheId as string))
            .map((r) => ({ id: r.id, name: name(r), role: 'image layer' as const })),
          images: [],
        };
        owner.images.push({ id: img.id, tags: img.tags });
        layers.set(layer.cacheId, owner);
      }
    }
    candidates.push(...layers.values());
    const distinct = new Set(candidates.map((c) => c.cacheId));
    if (distinct.size === 0)
      throw new DrydockFailure(
        'not-found',
        `Nothing in the data root ${src.info.path} has the layer, mount or overlay2 ID ${JSON.stringify(request.id)}`,
      );
    if (distinct.size > 1 && ![...distinct].includes(key))
      throw new DrydockFailure(
        'invalid-input',
        `${JSON.stringify(request.id)} is the prefix of ${distinct.size} layer directories (${[...distinct].map((d) => d.slice(0, 16)).join(', ')}): give more of it`,
      );
    const owners = distinct.size > 1 ? candidates.filter((c) => c.cacheId === key) : candidates;
    const result: LayerOwnerResult = { source: this.finishInfo(src), owners };
    if (!request.record) return result;
    const stored = await this.store(request, src.info, 'inventory-snapshot', result, 'dataroot.layer-owner', {
      query,
      owners: owners.map((o) => o.cacheId),
    });
    return { ...result, stored };
  }

  /**
   * Drift of containers read from their overlay2 layers (see drift/layer-drift.ts): reports of the
   * live drift's shape, stored in the case with the changed files.
   * @throws DrydockFailure('not-found') for a container the data root does not hold; ('invalid-input')
   *   for an ambiguous one; ('unsupported') for one whose writable layer is not overlay2; as inventory.
   */
  async drift(
    request: Where & { containers: string[] | 'all'; contentCapBytes: number; keyEvidenceCapBytes: number },
  ): Promise<DataRootDriftResult> {
    const src = await openDataRoot(request.dataRoot);
    const problems: DataRootProblem[] = [];
    const images = await readImages(src, problems);
    const records = await readContainers(src, problems);
    const chosen = request.containers === 'all' ? records : request.containers.map((ref) => pick(records, ref, src.info));
    const inputs: LayerContainer[] = [];
    for (const r of chosen) {
      if (!r.mountId) {
        problems.push({
          path: `containers/${r.id}`,
          problem: 'no overlay2 writable layer recorded (layerdb/mounts/<id>/mount-id): its drift cannot be read',
        });
        if (request.containers !== 'all')
          throw new DrydockFailure(
            'unsupported',
            `Container ${r.inspect.Name.replace(/^\//, '')} in ${src.info.path} has no overlay2 writable layer recorded: its drift cannot be read`,
          );
        continue;
      }
      const image = images.get(r.inspect.Image);
      inputs.push({
        inspect: r.inspect,
        upper: r.mountId,
        ...(r.initId ? { init: r.initId } : {}),
        imageLayers: r.imageLayers,
        ...(image ? { image: { config: (image.config.config ?? {}) as Record<string, unknown>, tags: image.tags } } : {}),
      });
    }
    const kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host: src.info.host });
    const scanId = randomUUID();
    const results = await driftFromLayers(src.walkLayers, inputs, {
      host: src.info.host,
      scanId,
      caseId: kase.id,
      contentCapBytes: request.contentCapBytes,
      keyEvidenceCapBytes: request.keyEvidenceCapBytes,
      rules: this.deps.driftRules(),
      evidence: this.deps.evidence,
      now: () => isoNow(this.deps.clock),
      method: methodOf(src.info),
    });
    const info = this.finishInfo(src);
    this.deps.evidence.audit(
      'dataroot.drift-read',
      {
        source: sourceDetails(info),
        scanId,
        containers: results.map((r) => ({
          containerId: r.report.containerId,
          artifactId: r.artifact.id,
          sha256: r.artifact.sha256,
          entries: r.report.entries.length,
        })),
        problems: problems.length,
      },
      kase.id,
    );
    return {
      source: info,
      reports: results.map((r) => ({ ...r.report, artifactId: r.artifact.id, sha256: r.artifact.sha256 })),
      problems,
      caseId: kase.id,
    };
  }

  /**
   * One container's logs from the engine's files (json-file, local), stored as one 'logs' artifact
   * in Drydock's log format, exactly as the live logs acquisition stores them.
   * @throws DrydockFailure('not-found') no such container or no log file; ('unsupported') a driver
   *   that keeps no file in the data root; ('integrity') a file not as the driver writes it; as inventory.
   */
  async logs(request: Where & { container: string }, opened?: DataRootSource): Promise<DataRootLogsResult> {
    const src = opened ?? (await openDataRoot(request.dataRoot));
    const problems: DataRootProblem[] = [];
    const record = pick(await readContainers(src, problems), request.container, src.info);
    const name = record.inspect.Name.replace(/^\//, '');
    const tty = (record.inspect.Config as { Tty?: boolean }).Tty === true;
    const driver = record.logDriver;
    const dir = driver === 'local' ? `containers/${record.id}/local-logs` : `containers/${record.id}`;
    const base = driver === 'local' ? 'container.log' : `${record.id}-json.log`;
    if (driver !== 'json-file' && driver !== 'local')
      throw new DrydockFailure(
        'unsupported',
        `The logs of container ${name} in ${src.info.path} were shipped by the '${driver}' driver: the data root holds no file of them`,
        { host: src.info.host, container: name },
      );
    const files = rotationOrder((await src.list(dir)) ?? [], base);
    if (!files.length)
      throw new DrydockFailure('not-found', `Container ${name} in ${src.info.path} has no ${driver} log file (${dir}/${base})`, {
        host: src.info.host,
        container: name,
      });
    const kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host: src.info.host });
    const writer = await this.deps.evidence.openWriter({
      caseId: kase.id,
      kind: 'logs',
      source: { host: src.info.host, containerId: record.id, containerName: name },
      method: `${methodOf(src.info)}: the ${driver} driver's files (${files.join(', ')}), each message with its recorded timestamp`,
      mediaType: 'text/plain',
      attributes: { format: LOG_FORMAT, driver, tty, files, source: sourceDetails(src.info) },
    });
    const lines = new LogLineWriter((r) => writer.write(r));
    try {
      for (const file of files) {
        const body = await src.stream(`${dir}/${file}`);
        if (!body) continue;
        const messages: AsyncGenerator<LogMessage> =
          driver === 'local' ? localFileMessages(file, body, tty) : jsonFileMessages(file, body, tty);
        for await (const m of messages) await lines.push(m.stream, m.bytes, !tty);
      }
    } catch (err) {
      const counts = await lines.end().catch(() => undefined);
      const kept = await writer.abandon((err as Error).message, counts ? { lines: counts.lines } : {});
      throw new DrydockFailure(
        err instanceof DrydockFailure ? err.kind : 'integrity',
        `The logs of container ${name} in ${src.info.path} could not be read to their end: ${(err as Error).message} (the ${kept.size} bytes read before are kept as incomplete artifact ${kept.id})`,
        { host: src.info.host, container: name, cause: err },
      );
    }
    const counts = await lines.end();
    const limitations: string[] = [];
    if (counts.unterminated.length)
      limitations.push(`The last line of ${counts.unterminated.join(' and ')} had no newline; one was added when storing it`);
    const stored = await writer.finish({
      lines: counts.lines,
      perStream: counts.perStream,
      joinedPieces: counts.joinedPieces,
      splitLines: counts.splitLines,
      unterminated: counts.unterminated,
      ...(counts.firstTimestamp ? { firstTimestamp: counts.firstTimestamp, lastTimestamp: counts.lastTimestamp } : {}),
      limitations,
    });
    const info = this.finishInfo(src);
    this.deps.evidence.audit(
      'dataroot.logs-read',
      {
        source: sourceDetails(info),
        containerId: record.id,
        containerName: name,
        driver,
        files,
        artifactId: stored.id,
        lines: counts.lines,
      },
      kase.id,
    );
    return {
      source: info,
      files,
      host: src.info.host,
      containerId: record.id,
      containerName: name,
      driver,
      tty,
      artifactId: stored.id,
      sha256: stored.sha256,
      caseId: kase.id,
      caseName: kase.name,
      bytes: stored.size,
      ...acquisitionCounts(counts),
      limitations,
    };
  }

  /**
   * A live engine against its own data root (on this machine, or bound read-only): containers on
   * disk the API does not list (and the reverse), image layers whose content on disk no longer
   * hashes to their diff ID (re-assembled from tar-split, directory sources only), and containers
   * whose writable layer on disk holds changes the engine's GET /containers/{id}/changes does not
   * list (a rewrite with its timestamps put back) or the reverse. Each difference is a finding.
   * @throws DrydockFailure as inventory, and the engine kinds of engineCall for the host.
   */
  async compareDisk(request: Where & { host: string; record: boolean }): Promise<CompareDiskResult> {
    const { host } = request;
    const src = await openDataRoot(request.dataRoot);
    const problems: DataRootProblem[] = [];
    const images = await readImages(src, problems);
    const records = await readContainers(src, problems);
    const docker = await this.deps.hosts.docker(host);
    const listed = await engineCall({ host, action: 'listing containers' }, () => docker.listContainers({ all: true }));
    const liveIds = new Set(listed.map((c) => c.Id));
    const diskIds = new Set(records.map((r) => r.id));
    const findings: DiskFinding[] = [];
    const name = (r: ContainerRecord) => r.inspect.Name.replace(/^\//, '');
    for (const r of records)
      if (!liveIds.has(r.id))
        findings.push({
          kind: 'hidden-from-api',
          severity: 'critical',
          containerId: r.id,
          containerName: name(r),
          detail: `Container ${name(r)} (${r.id.slice(0, 12)}) is recorded in the data root but the engine's API on ${host} does not list it`,
        });
    for (const c of listed)
      if (!diskIds.has(c.Id))
        findings.push({
          kind: 'missing-on-disk',
          severity: 'medium',
          containerId: c.Id,
          containerName: (c.Names?.[0] ?? '').replace(/^\//, ''),
          detail: `Container ${(c.Names?.[0] ?? c.Id).replace(/^\//, '')} is listed by the engine's API on ${host} but not recorded in the data root ${src.info.path} (another data root, or removed from disk)`,
        });
    const both = records.filter((r) => liveIds.has(r.id) && r.mountId);
    const disk = await changeListsFromLayers(
      src.walkLayers,
      both.map((r) => ({
        inspect: r.inspect,
        upper: r.mountId as string,
        ...(r.initId ? { init: r.initId } : {}),
        imageLayers: r.imageLayers,
      })),
    );
    const KIND: Record<number, string> = { 0: 'modified', 1: 'added', 2: 'deleted' };
    for (const r of both) {
      const api = await engineCall({ host, container: name(r), action: 'reading the change list' }, () =>
        docker.getContainer(r.id).changes(),
      ).catch(() => undefined);
      if (!api) continue;
      // dockerode hands the body over unparsed when the engine does not label it JSON.
      const parsed: unknown = Buffer.isBuffer(api) ? JSON.parse(api.toString('utf8')) : api;
      const list = Array.isArray(parsed) ? (parsed as { Path?: unknown; Kind?: unknown }[]) : [];
      const apiSet = new Set(list.map((c) => `${KIND[Number(c.Kind)] ?? String(c.Kind)} ${String(c.Path)}`));
      const mine = disk.get(r.id) ?? [];
      const diskSet = new Set(mine.map((c) => `${c.kind} ${c.path}`));
      const onlyOnDisk = [...diskSet].filter((k) => !apiSet.has(k)).sort();
      const onlyInApi = [...apiSet].filter((k) => !diskSet.has(k)).sort();
      if (!onlyOnDisk.length && !onlyInApi.length) continue;
      const hidden = mine.filter((c) => c.hidden).map((c) => c.path);
      findings.push({
        kind: 'changes-differ',
        severity: 'high',
        containerId: r.id,
        containerName: name(r),
        detail: `The writable layer of ${name(r)} on disk and the engine's change list differ: ${counted(onlyOnDisk.length, 'change')} only on disk${hidden.length ? ` (${hidden.length} a file whose size and modification time equal the image's: ${hidden.slice(0, 5).join(', ')})` : ''}, ${onlyInApi.length} only in the API`,
        onlyOnDisk: onlyOnDisk.slice(0, 1000),
        onlyInApi: onlyInApi.slice(0, 1000),
      });
    }
    let layersVerified = 0;
    if (src.info.kind === 'directory') {
      const seen = new Set<string>();
      for (const img of images.values()) {
        for (const layer of img.layers) {
          if (!layer.cacheId || seen.has(layer.chainId)) continue;
          seen.add(layer.chainId);
          try {
            const check = await recomputeDiffId(src, layer.chainId.slice(7), layer.cacheId);
            layersVerified++;
            if (check.computed !== layer.diffId || check.sizeMismatches.length > 0 || check.missing.length > 0)
              findings.push({
                kind: 'layer-content-mismatch',
                severity: 'critical',
                layer: { ...layer, computed: check.computed },
                detail: `The layer overlay2/${layer.cacheId} of ${img.tags.join(', ') || img.id.slice(7, 19)} no longer hashes to its diff ID ${layer.diffId} (re-assembled: ${check.computed})${check.sizeMismatches.length ? `; files of another size: ${check.sizeMismatches.slice(0, 5).join(', ')}` : ''}${check.missing.length ? `; files gone: ${check.missing.slice(0, 5).join(', ')}` : ''}: every container on it sees files the image did not ship`,
              });
          } catch (err) {
            problems.push({ path: `image/overlay2/layerdb/sha256/${layer.chainId.slice(7)}`, problem: (err as Error).message });
          }
        }
      }
    } else
      problems.push({
        path: src.info.path,
        problem: 'Layer contents are verified against their diff IDs from a data root directory only, not from a tar archive',
      });
    const result: CompareDiskResult = {
      host,
      source: this.finishInfo(src),
      takenAt: isoNow(this.deps.clock),
      containersCompared: both.length,
      layersVerified,
      findings,
      problems,
    };
    if (!request.record) return result;
    const stored = await this.store(request, src.info, 'inventory-snapshot', result, 'dataroot.compare-disk', {
      host,
      findings: findings.map((f) => f.kind),
    });
    return { ...result, stored };
  }

  /**
   * A container's processes as last recorded (a dead box has none running): the command the engine
   * started, user, working directory, environment and the state last written, with notes saying no
   * process list exists on disk and what the recorded PID means; stored as an 'inventory-snapshot'
   * artifact when `record`.
   * @throws DrydockFailure('not-found') no such container; ('invalid-input') an ambiguous prefix; as inventory.
   */
  async processConfig(request: Where & { container: string; record: boolean }): Promise<DataRootProcessConfig> {
    const src = await openDataRoot(request.dataRoot);
    const problems: DataRootProblem[] = [];
    const record = pick(await readContainers(src, problems), request.container, src.info);
    const result = processConfigOf(record, this.finishInfo(src));
    if (!request.record) return result;
    const stored = await this.store(request, src.info, 'inventory-snapshot', result, 'dataroot.process-config-read', {
      containerId: result.containerId,
      containerName: result.containerName,
    });
    return { ...result, stored };
  }

  /**
   * Reads into the case what a timeline of the data root needs, each as the data-root acquisitions
   * store it: the containers' records (created, started, finished), the images (created, history),
   * every json-file or local log, and the entries of every writable layer with their mtimes
   * (stored as an 'inventory-snapshot' artifact of UpperFiles). The case's timeline then shows
   * them, each row with the data root as its host (`host` of the result).
   * @throws DrydockFailure as inventory; a container whose logs cannot be read is listed in logsNotRead.
   */
  async timelineSources(request: Where): Promise<DataRootTimelineAcquisition> {
    const src = await openDataRoot(request.dataRoot);
    const kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host: src.info.host });
    const where = { dataRoot: request.dataRoot, caseRef: kase.id };
    const stored: DataRootTimelineAcquisition['stored'] = [];
    // One source for every read: a tar archive is indexed once (each log and the layer walk are a pass of their own).
    const inventory = await this.inventory({ ...where, record: true }, src);
    if (inventory.stored) stored.push({ what: 'containers', artifactId: inventory.stored.artifactId, sha256: inventory.stored.sha256 });
    const images = await this.images({ ...where, record: true }, src);
    if (images.stored) stored.push({ what: 'images', artifactId: images.stored.artifactId, sha256: images.stored.sha256 });
    const logsNotRead: DataRootTimelineAcquisition['logsNotRead'] = [];
    for (const c of inventory.containers) {
      if (c.logDriver !== 'json-file' && c.logDriver !== 'local') {
        logsNotRead.push({ container: c.name, reason: `the '${c.logDriver}' driver keeps no file in the data root` });
        continue;
      }
      try {
        const logs = await this.logs({ ...where, container: c.id }, src);
        stored.push({ what: `logs of ${c.name}`, artifactId: logs.artifactId, sha256: logs.sha256 });
      } catch (err) {
        if (!(err instanceof DrydockFailure)) throw err;
        logsNotRead.push({ container: c.name, reason: err.message });
      }
    }
    const problems: DataRootProblem[] = [...inventory.problems];
    const records = await readContainers(src, []);
    const upper: DataRootUpperFiles = {
      source: this.finishInfo(src),
      takenAt: isoNow(this.deps.clock),
      upperFiles: await readUpperFiles(src, records, problems),
      problems,
    };
    const files = await this.store(where, src.info, 'inventory-snapshot', upper, 'dataroot.upper-files-read', {
      containers: upper.upperFiles.length,
      entries: upper.upperFiles.reduce((n, u) => n + u.entries.length, 0),
    });
    stored.push({ what: 'writable layer entries', artifactId: files.artifactId, sha256: files.sha256 });
    const limitations = [
      "File rows are dated by each entry's modification time in the writable layer (nanoseconds as the source keeps them): an mtime can be set to anything (touch -r), and ctime and atime are not used: in a copied tree or a tarball they are the copy's",
      "A whiteout's time is when the file was deleted in the container (overlayfs creates it then)",
      'Container times are the last ones the engine recorded in config.v2.json: a later start overwrites the earlier start and finish',
    ];
    const cut = upper.upperFiles.filter((u) => u.truncated);
    if (cut.length)
      limitations.push(
        `The writable layers of ${cut.map((u) => u.containerName).join(', ')} hold more than ${UPPER_ENTRIES_PER_CONTAINER} entries: only the first are listed`,
      );
    return {
      source: this.finishInfo(src),
      host: src.info.host,
      caseId: kase.id,
      caseName: kase.name,
      stored,
      logsNotRead,
      problems,
      limitations,
    };
  }

  private finishInfo(src: DataRootSource): DataRootInfo {
    return { ...src.info, warnings: [...src.info.warnings, ...src.lateWarnings()] };
  }

  private async store(
    request: Where,
    info: DataRootInfo,
    kind: ArtifactKind,
    value: unknown,
    action: string,
    details: Record<string, unknown>,
  ): Promise<{ caseId: string; artifactId: string; sha256: string }> {
    const kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host: info.host });
    const artifact = await this.deps.evidence.ingestJson(
      {
        caseId: kase.id,
        kind,
        source: { host: info.host },
        method: methodOf(info),
        mediaType: 'application/json',
        attributes: { view: action, source: sourceDetails(info), ...details },
      },
      value,
    );
    this.deps.evidence.audit(
      action,
      { source: sourceDetails(info), artifactId: artifact.id, sha256: artifact.sha256, ...details },
      kase.id,
    );
    return { caseId: kase.id, artifactId: artifact.id, sha256: artifact.sha256 };
  }
}

/** A container by full ID, unique ID prefix or name. */
function pick(records: readonly ContainerRecord[], ref: string, info: DataRootInfo): ContainerRecord {
  const clean = ref.replace(/^\//, '');
  const byName = records.filter((r) => r.inspect.Name.replace(/^\//, '') === clean);
  if (byName.length === 1) return byName[0] as ContainerRecord;
  const byId = records.filter((r) => r.id.startsWith(clean.toLowerCase()));
  if (byId.length === 1 && /^[0-9a-f]+$/i.test(clean)) return byId[0] as ContainerRecord;
  if (byId.length > 1 && /^[0-9a-f]+$/i.test(clean))
    throw new DrydockFailure('invalid-input', `${clean} is the prefix of ${byId.length} containers in ${info.path}: give more of the ID`, {
      host: info.host,
      container: clean,
    });
  throw new DrydockFailure('not-found', `No container ${clean} in the data root ${info.path}`, { host: info.host, container: clean });
}

async function volumesOf(src: DataRootSource, r: ContainerRecord): Promise<DataRootContainer['volumes']> {
  const out: DataRootContainer['volumes'] = [];
  for (const m of r.inspect.Mounts ?? []) {
    const name = m.Name;
    out.push({
      destination: m.Destination,
      ...(name ? { name } : {}),
      type: m.Type,
      source: m.Source,
      readOnly: !m.RW,
      ...(m.Type === 'volume' && name && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)
        ? { presentInDataRoot: await src.exists(`volumes/${name}/_data`) }
        : {}),
    });
  }
  return out;
}

async function linkTarget(src: DataRootSource, short: string): Promise<string | undefined> {
  if (!/^[A-Z0-9]{26}$/.test(short)) return undefined;
  for (const dir of (await src.list('overlay2')) ?? []) {
    if (dir === 'l' || !/^[0-9a-f]{64}(-init)?$/.test(dir)) continue;
    const link = await src.readFile(`overlay2/${dir}/link`, 64).catch(() => undefined);
    if (link?.toString('utf8').trim() === short) return dir;
  }
  return undefined;
}

function describeImage(img: ImageRecord, records: readonly ContainerRecord[]): DataRootImage {
  const c = img.config;
  const history = Array.isArray(c.history) ? (c.history as Record<string, unknown>[]) : [];
  return {
    id: img.id,
    tags: img.tags,
    digests: img.digests,
    ...(typeof c.created === 'string' ? { created: c.created } : {}),
    ...(typeof c.architecture === 'string' ? { architecture: c.architecture } : {}),
    ...(typeof c.os === 'string' ? { os: c.os } : {}),
    history: history.map((h) => ({
      ...(typeof h.created === 'string' ? { created: h.created } : {}),
      ...(typeof h.created_by === 'string' ? { createdBy: h.created_by } : {}),
      emptyLayer: h.empty_layer === true,
    })),
    layers: img.layers,
    containers: records.filter((r) => r.inspect.Image === img.id).map((r) => `${r.id.slice(0, 12)} ${r.inspect.Name.replace(/^\//, '')}`),
  };
}
