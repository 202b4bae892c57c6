import { setMaxListeners } from 'node:events';
import type Dockerode from 'dockerode';
import type { ContainerScanStatus, DriftReport, DriftScanInfo, NoiseRule, ScanPhase } from '../../../shared/domain/drift';
import type { AuditFn } from '../audit-fn';
import { engineFailure } from '../hosts/engine-errors';
import type { EvidencePort } from '../evidence/port';
import type { EventHub } from '../event-hub';
import { counted } from '../../../shared/counted';
import { DEFAULT_KEY_EVIDENCE_CAP, isStoreFailure, scanContainer } from './container-scan';
import type { HelperLedger } from '../helper/ledger';
import type { ImageIndexStore } from './image-index';
import type { IndexBuilds } from './index-builds';
import { driftFromLayers, type LayerContainer } from './layer-drift';
import { helperLayerWalk, planUpperDirScan, UPPER_DIR_BATCH, type HelperWalkNotes } from './upper-dir-scan';
import type { ScanStore } from './scan-store';
import { StoreQueue } from './store-queue';

export interface ScanRunDeps {
  docker: Dockerode;
  evidence: EvidencePort;
  events: EventHub;
  audit: AuditFn;
  now: () => string;
  index: ImageIndexStore;
  builds: IndexBuilds;
  store: ScanStore;
  rules: readonly NoiseRule[];
  /** For the upper-dir read path: Drydock's helper ledger and the helper image on this host (ensureHelperImage). */
  helpers: HelperLedger;
  helperImage: () => Promise<string>;
}

const PROGRESS_INTERVAL_MS = 200;

/**
 * One scan over a host's containers: at most `concurrency` containers at a time, progress as
 * events, cancellable. Each container's report is stored as soon as it is done, so whatever
 * happens later (cancel, a dead engine, a crash) the finished ones are kept and a resume picks up
 * the rest. At the end the host summary — containers ranked by drift score — is stored too.
 */
export class ScanRun {
  readonly controller = new AbortController();
  readonly finished: Promise<DriftScanInfo>;
  private storeFailure: unknown;
  private readonly lastEmit = new Map<string, number>();
  private readonly trailing = new Map<string, NodeJS.Timeout>();
  /** Small files of every container in this scan are stored through one queue: 16 at once, 32 MiB waiting at most. */
  private readonly storeQueue = new StoreQueue(16, 32 * 1024 * 1024);

  constructor(
    private readonly deps: ScanRunDeps,
    readonly info: DriftScanInfo,
  ) {
    // Every engine request of the scan listens to this one signal.
    setMaxListeners(0, this.controller.signal);
    this.finished = this.run();
  }

  cancel(): void {
    this.controller.abort();
  }

  private async run(): Promise<DriftScanInfo> {
    const { info } = this;
    this.deps.store.save(info);
    this.emit(undefined);
    let queue = info.containers.filter((c) => c.state === 'queued');
    if ((info.via ?? 'engine-api') !== 'engine-api' && queue.length > 0 && !this.controller.signal.aborted)
      queue = await this.readUpperDirs(queue);
    let next = 0;
    const worker = async () => {
      while (next < queue.length) {
        const status = queue[next++] as ContainerScanStatus;
        if (this.controller.signal.aborted) {
          status.state = 'cancelled';
          this.progressed(status, true);
          continue;
        }
        await this.scanOne(status);
      }
    };
    await Promise.all(Array.from({ length: Math.min(info.concurrency, Math.max(1, queue.length)) }, worker));
    return this.finish();
  }

  /**
   * Scans what it can through the containers' overlay2 directories (upper-dir-scan.ts), a batch
   * of containers per helper; returns the containers left for the engine's API — all of them,
   * with the reason in `upperDirNote`, when the host or the helper does not allow the upper-dir
   * path and the scan asked for 'auto'; with 'upper-dir' they fail with that reason instead.
   */
  private async readUpperDirs(queue: ContainerScanStatus[]): Promise<ContainerScanStatus[]> {
    const { info } = this;
    const { docker } = this.deps;
    const strict = info.via === 'upper-dir';
    const notes: string[] = [];
    const giveUp = (statuses: ContainerScanStatus[], reason: string): ContainerScanStatus[] => {
      notes.push(reason);
      info.upperDirNote = notes.join('; ');
      if (!strict) return statuses;
      for (const status of statuses) {
        status.state = 'failed';
        status.error = `Not read through its upper directory: ${reason}`;
        this.progressed(status, true);
      }
      return [];
    };
    const signal = this.controller.signal;
    let plan: ReturnType<typeof planUpperDirScan>;
    let image: string;
    try {
      const engineInfo = (await docker.info()) as Parameters<typeof planUpperDirScan>[0];
      const inspects: Dockerode.ContainerInspectInfo[] = [];
      const left: ContainerScanStatus[] = [];
      for (const status of queue) {
        // A container that cannot be inspected now is left to the engine path, which reports why.
        const inspect = await docker
          .getContainer(status.containerId)
          .inspect({ abortSignal: signal })
          .catch(() => undefined);
        if (inspect) inspects.push(inspect);
        else left.push(status);
      }
      const images = new Map<string, { Config?: unknown; RepoTags?: string[] | null } | undefined>();
      for (const id of new Set(inspects.map((i) => i.Image)))
        images.set(
          id,
          await docker
            .getImage(id)
            .inspect()
            .catch(() => undefined),
        );
      plan = planUpperDirScan(engineInfo, inspects, images);
      if (!plan.ok) return [...giveUp(queue, plan.reason)];
      image = await this.deps.helperImage();
      const byId = new Map(queue.map((s) => [s.containerId, s]));
      const rest = [...left, ...[...plan.skipped.keys()].map((id) => byId.get(id) as ContainerScanStatus)];
      if (plan.skipped.size)
        notes.push(`${counted(plan.skipped.size, 'container')} not on overlay2 paths (${[...plan.skipped.values()][0] ?? ''})`);
      for (let i = 0; i < plan.containers.length && !signal.aborted; i += UPPER_DIR_BATCH) {
        const batch = plan.containers.slice(i, i + UPPER_DIR_BATCH);
        rest.push(...(await this.readBatch(batch, byId, plan.dataRoot, image, giveUp)));
      }
      if (signal.aborted) {
        for (const status of queue) if (status.state === 'queued' || status.state === 'scanning') status.state = 'cancelled';
        return [];
      }
      if (notes.length) info.upperDirNote = notes.join('; ');
      return rest.filter((s) => s.state === 'queued');
    } catch (err) {
      if (signal.aborted) return queue;
      return giveUp(
        queue,
        `the engine or the helper image could not be reached for it: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  /** One helper's worth of containers read from their layers; returns those to scan through the engine instead. */
  private async readBatch(
    batch: LayerContainer[],
    byId: Map<string, ContainerScanStatus>,
    dataRoot: string,
    image: string,
    giveUp: (statuses: ContainerScanStatus[], reason: string) => ContainerScanStatus[],
  ): Promise<ContainerScanStatus[]> {
    const { info } = this;
    const statuses = batch.map((c) => byId.get(c.inspect.Id) as ContainerScanStatus);
    for (const status of statuses) {
      status.state = 'scanning';
      status.phase = 'reading';
      this.progressed(status, true);
    }
    const notes: HelperWalkNotes = { warnings: [] };
    try {
      const results = await driftFromLayers(
        helperLayerWalk(
          this.deps.docker,
          { host: info.host, ledger: this.deps.helpers, caseId: info.caseId, image, dataRoot, signal: this.controller.signal },
          notes,
          new Set(batch.flatMap((c) => [c.upper, ...(c.init ? [c.init] : [])])),
        ),
        batch,
        {
          host: info.host,
          scanId: info.id,
          caseId: info.caseId,
          contentCapBytes: info.contentCapBytes,
          keyEvidenceCapBytes: info.keyEvidenceCapBytes ?? DEFAULT_KEY_EVIDENCE_CAP,
          rules: this.deps.rules,
          evidence: this.deps.evidence,
          now: this.deps.now,
          method: `a helper on host ${info.host} with the engine's ${dataRoot}/overlay2 bound read-only, streaming the layer directories with GNU tar`,
          readerWarnings: notes.warnings,
        },
      );
      results.forEach(({ report, artifact }, i) => {
        const status = statuses[i] as ContainerScanStatus;
        status.state = report.status === 'complete' ? 'complete' : 'incomplete';
        recordReport(status, report, artifact.id, 'upper-dir');
        delete status.phase;
        this.progressed(status, true);
      });
      this.deps.store.save(info);
      return [];
    } catch (err) {
      if (isStoreFailure(err)) {
        this.storeFailure ??= err;
        this.controller.abort();
      }
      for (const status of statuses) {
        status.state = 'queued';
        delete status.phase;
      }
      if (this.controller.signal.aborted) return [];
      return giveUp(statuses, err instanceof Error ? err.message : String(err));
    }
  }

  private async scanOne(status: ContainerScanStatus): Promise<void> {
    status.state = 'scanning';
    status.phase = 'inspect';
    this.progressed(status, true);
    try {
      const { report, artifact } = await scanContainer(status.containerId, {
        docker: this.deps.docker,
        host: this.info.host,
        scanId: this.info.id,
        caseId: this.info.caseId,
        contentCapBytes: this.info.contentCapBytes,
        keyEvidenceCapBytes: this.info.keyEvidenceCapBytes ?? DEFAULT_KEY_EVIDENCE_CAP,
        rules: this.deps.rules,
        index: this.deps.index,
        builds: this.deps.builds,
        evidence: this.deps.evidence,
        storeQueue: this.storeQueue,
        signal: this.controller.signal,
        now: this.deps.now,
        onProgress: (phase: ScanPhase, done: number, total: number) => {
          const changed = status.phase !== phase;
          status.phase = phase;
          status.filesDone = done;
          status.filesTotal = total;
          this.progressed(status, changed);
        },
      });
      status.state = report.status === 'complete' ? 'complete' : this.controller.signal.aborted ? 'cancelled' : 'incomplete';
      recordReport(status, report, artifact.id, 'engine-api');
    } catch (err) {
      if (isStoreFailure(err)) {
        this.storeFailure ??= err;
        this.controller.abort();
      }
      status.state = this.controller.signal.aborted && !isStoreFailure(err) ? 'cancelled' : 'failed';
      status.error = engineFailure(err, { host: this.info.host, container: status.containerName, action: 'drift scan' }).message;
    }
    delete status.phase;
    this.progressed(status, true);
    this.deps.store.save(this.info);
  }

  private async finish(): Promise<DriftScanInfo> {
    const { info } = this;
    info.containers.sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || a.containerName.localeCompare(b.containerName));
    const states = info.containers.map((c) => c.state);
    if (this.storeFailure !== undefined) {
      info.state = 'failed';
      info.stateReason = this.storeFailure instanceof Error ? this.storeFailure.message : String(this.storeFailure);
    } else if (this.controller.signal.aborted) {
      info.state = 'cancelled';
      info.stateReason = 'cancelled by the examiner; resume the scan to finish it';
    } else if (states.some((s) => s !== 'complete')) {
      info.state = 'incomplete';
      const failed = info.containers.filter((c) => c.state !== 'complete').length;
      info.stateReason = `${failed} of ${info.total} containers were not scanned completely`;
    } else {
      info.state = 'complete';
    }
    info.finishedAt = this.deps.now();
    if (info.state !== 'failed') {
      try {
        const summary = await this.deps.evidence.ingestJson(
          {
            caseId: info.caseId,
            kind: 'drift-report',
            source: { host: info.host },
            method: 'Drydock drift scan: host summary, containers ranked by drift score',
            mediaType: 'application/json',
            attributes: { scanId: info.id, summary: true, state: info.state, containers: info.total },
          },
          { summary: true, scan: info },
        );
        info.summaryArtifactId = summary.id;
      } catch (err) {
        info.state = 'failed';
        info.stateReason = `the host summary could not be stored: ${(err as Error).message}`;
      }
    }
    this.deps.store.save(info);
    this.deps.audit(
      'drift.scan-finished',
      {
        scanId: info.id,
        host: info.host,
        state: info.state,
        ...(info.stateReason ? { reason: info.stateReason } : {}),
        containers: info.containers.map((c) => ({
          containerId: c.containerId,
          name: c.containerName,
          state: c.state,
          ...(c.reportArtifactId ? { reportArtifactId: c.reportArtifactId } : {}),
          ...(c.topSeverity ? { topSeverity: c.topSeverity } : {}),
        })),
        ...(info.summaryArtifactId ? { summaryArtifactId: info.summaryArtifactId } : {}),
      },
      info.caseId,
    );
    this.deps.events.emit('drift.scan-ended', structuredClone(info));
    return info;
  }

  private progressed(status: ContainerScanStatus, force: boolean): void {
    const now = Date.now();
    const wait = PROGRESS_INTERVAL_MS - (now - (this.lastEmit.get(status.containerId) ?? 0));
    if (!force && wait > 0) {
      // Throttled, not dropped: the latest state goes out when the interval has passed.
      if (!this.trailing.has(status.containerId)) {
        const timer = setTimeout(() => {
          this.trailing.delete(status.containerId);
          if (status.state === 'scanning') this.progressed(status, true);
        }, wait);
        timer.unref();
        this.trailing.set(status.containerId, timer);
      }
      return;
    }
    const pending = this.trailing.get(status.containerId);
    if (pending) {
      clearTimeout(pending);
      this.trailing.delete(status.containerId);
    }
    this.lastEmit.set(status.containerId, now);
    this.info.done = this.info.containers.filter((c) => c.state !== 'queued' && c.state !== 'scanning').length;
    this.emit(status);
  }

  private emit(status: ContainerScanStatus | undefined): void {
    this.deps.events.emit('drift.progress', {
      scanId: this.info.id,
      host: this.info.host,
      state: this.info.state,
      total: this.info.total,
      done: this.info.done,
      ...(status ? { container: { ...status } } : {}),
    });
  }
}

/** What a container's row of the scan shows of its stored report, and where the report was read. */
function recordReport(status: ContainerScanStatus, report: DriftReport, artifactId: string, readFrom: 'engine-api' | 'upper-dir'): void {
  status.reportArtifactId = artifactId;
  status.counts = report.counts;
  status.topSeverity = report.topSeverity;
  status.score = report.score;
  status.containerName = report.containerName;
  status.readFrom = readFrom;
  if (report.statusReason) status.error = report.statusReason;
}
