import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { ProcessFlag, ProcessSnapshot, ProcessSnapshotResult, ProcessWatchInfo, StoredRef } from '../../../shared/domain/processes';
import type { AuditFn } from '../audit-fn';
import { engineCall, type DockerSource } from '../hosts/engine-call';
import { engineFailure } from '../hosts/engine-errors';
import type { EvidencePort } from '../evidence/port';
import type { Clock } from '../clock';
import { DrydockFailure } from '../errors';
import type { EventHub } from '../event-hub';
import { readContainerUsers } from './container-users';
import { driftFlags, type DriftLookup } from './drift-crossref';
import { execSessionPids } from './exec-sessions';
import { diffProcesses } from './process-diff';
import { buildProcessTree } from './process-tree';
import { parseTop, PS_ARGS_CHAIN, type TopOutput } from './ps-table';

export interface ProcessServiceDeps {
  hosts: DockerSource;
  evidence: EvidencePort;
  events: EventHub;
  clock: Clock;
  audit: AuditFn;
  /** The drift capability's latest report for a container; absent until drift is wired in. */
  drift?: DriftLookup;
}

interface Watch {
  info: ProcessWatchInfo;
  timer: NodeJS.Timeout | undefined;
  previous: ProcessSnapshot | undefined;
  failures: number;
  stopped: boolean;
}

const MAX_WATCH_FAILURES = 3;

/**
 * Process trees from the host's process table (the Engine's top runs ps on the host: nothing is
 * executed in the suspect container), enriched with the engine's exec sessions, the container's
 * own user names and, when the case holds one, its drift report. Snapshots are artifacts; watches
 * sample on an interval and report what appeared, vanished or was re-parented.
 */
export class ProcessService {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly deps: ProcessServiceDeps) {}

  async snapshot(request: { host: string; container: string; caseRef?: string; store: boolean }): Promise<ProcessSnapshotResult> {
    const kase = request.store ? await this.deps.evidence.resolveWritableCase(request.caseRef, { host: request.host }) : undefined;
    const snapshot = await this.take(request.host, request.container, kase?.id);
    if (!kase) return { snapshot };
    const stored = await this.store(kase.id, snapshot, { kind: 'snapshot' });
    this.deps.audit('processes.snapshot', { host: request.host, containerId: snapshot.containerId, containerName: snapshot.containerName, artifactId: stored.artifactId, processes: snapshot.processes.length, flagged: snapshot.flagged.length }, kase.id);
    return { snapshot, stored };
  }

  async watch(request: { host: string; container: string; intervalSeconds: number; caseRef?: string }): Promise<ProcessWatchInfo> {
    const kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host: request.host });
    const first = await this.take(request.host, request.container, kase.id);
    const id = `pw-${this.deps.clock.now().getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
    const watch: Watch = {
      info: { id, host: request.host, containerId: first.containerId, containerName: first.containerName, intervalSeconds: request.intervalSeconds, startedAt: first.takenAt, samples: 0, storedSamples: 0, caseId: kase.id },
      timer: undefined,
      previous: undefined,
      failures: 0,
      stopped: false,
    };
    this.watches.set(id, watch);
    this.deps.audit('processes.watch-started', { watchId: id, host: request.host, containerId: first.containerId, containerName: first.containerName, intervalSeconds: request.intervalSeconds }, kase.id);
    this.deps.events.emit('processes.watch-started', { ...watch.info });
    await this.record(watch, first);
    this.schedule(watch);
    return { ...watch.info };
  }

  unwatch(watchId: string): { stopped: boolean; watch?: ProcessWatchInfo } {
    const watch = this.watches.get(watchId);
    if (!watch) return { stopped: false };
    this.end(watch, 'stopped');
    return { stopped: true, watch: { ...watch.info } };
  }

  list(): ProcessWatchInfo[] {
    return [...this.watches.values()].map((w) => ({ ...w.info }));
  }

  async close(): Promise<void> {
    for (const watch of [...this.watches.values()]) this.end(watch, 'stopped');
  }

  private schedule(watch: Watch): void {
    if (watch.stopped) return;
    watch.timer = setTimeout(() => void this.tick(watch), watch.info.intervalSeconds * 1000);
  }

  private async tick(watch: Watch): Promise<void> {
    if (watch.stopped) return;
    try {
      const snapshot = await this.take(watch.info.host, watch.info.containerId, watch.info.caseId);
      watch.failures = 0;
      if (watch.stopped) return;
      await this.record(watch, snapshot);
    } catch (err) {
      if (watch.stopped) return;
      if (err instanceof DrydockFailure && (err.kind === 'not-found' || err.kind === 'conflict')) {
        this.end(watch, 'container-gone', err.message);
        return;
      }
      if (++watch.failures >= MAX_WATCH_FAILURES) {
        const kind = err instanceof DrydockFailure ? err.kind : 'internal';
        this.end(watch, kind === 'unreachable' || kind === 'disconnected' ? 'host-disconnected' : 'failed', (err as Error).message);
        return;
      }
    }
    this.schedule(watch);
  }

  /** Emits the sample; stores it when it is the first or when something changed. */
  private async record(watch: Watch, snapshot: ProcessSnapshot): Promise<void> {
    const changes = watch.previous ? diffProcesses(watch.previous.processes, snapshot.processes) : [];
    const sample = ++watch.info.samples;
    let stored: StoredRef | undefined;
    if (sample === 1 || changes.length > 0) {
      stored = await this.store(watch.info.caseId, snapshot, { kind: 'watch-sample', watchId: watch.info.id, sample, changes });
      watch.info.storedSamples++;
    }
    watch.previous = snapshot;
    this.deps.events.emit('processes.sample', { watchId: watch.info.id, sample, snapshot, changes, ...(stored ? { stored } : {}) });
  }

  private end(watch: Watch, reason: 'stopped' | 'container-gone' | 'host-disconnected' | 'failed', message?: string): void {
    if (watch.stopped) return;
    watch.stopped = true;
    if (watch.timer) clearTimeout(watch.timer);
    this.watches.delete(watch.info.id);
    this.deps.audit('processes.watch-ended', { watchId: watch.info.id, reason, samples: watch.info.samples, storedSamples: watch.info.storedSamples, ...(message ? { message } : {}) }, watch.info.caseId);
    this.deps.events.emit('processes.watch-ended', { watchId: watch.info.id, reason, samples: watch.info.samples, ...(message ? { message } : {}) });
  }

  private async store(caseId: string, snapshot: ProcessSnapshot, extra: Record<string, unknown>): Promise<StoredRef> {
    const artifact = await this.deps.evidence.ingestJson(
      {
        caseId,
        kind: 'process-snapshot',
        source: { host: snapshot.host, containerId: snapshot.containerId, containerName: snapshot.containerName },
        method: `Engine API top (ps ${snapshot.psArgs} on the host); no exec in the container`,
        mediaType: 'application/json',
        attributes: { processes: snapshot.processes.length, flagged: snapshot.flagged.length, initPid: snapshot.initPid, ...('watchId' in extra ? { watchId: extra.watchId, sample: extra.sample } : {}) },
      },
      { ...extra, snapshot },
    );
    return { artifactId: artifact.id, sha256: artifact.sha256, caseId };
  }

  private async take(host: string, ref: string, caseId: string | undefined): Promise<ProcessSnapshot> {
    const docker = await this.deps.hosts.docker(host);
    const container = docker.getContainer(ref);
    const inspect = await this.engine(host, ref, 'inspect the container', () => container.inspect());
    const name = inspect.Name.replace(/^\//, '');
    if (!inspect.State.Running) throw new DrydockFailure('conflict', `Container ${name} on host ${host} is not running: it has no processes`, { host, container: name });
    const takenAt = this.deps.clock.now();
    const [top, users, execs] = await Promise.all([
      this.top(docker, host, name, inspect.Id),
      readContainerUsers(container),
      execSessionPids(docker, (inspect as { ExecIDs?: string[] | null }).ExecIDs),
    ]);
    const parsed = parseTop(top.output);
    const limitations = parsed.missing.map((field) => `the host's ps gave no ${field} column`);
    if (parsed.skipped) limitations.push(`${parsed.skipped} row(s) of the engine's top answer were malformed (wrong number of columns or no valid PID) and are not shown`);
    let drift: ProcessSnapshot['drift'] = { checked: false, note: 'no drift capability is wired into this build' };
    let extraFlags: Map<number, ProcessFlag[]> | undefined;
    if (this.deps.drift && caseId) {
      const facts = await this.deps.drift({ host, containerId: inspect.Id, caseId });
      if (facts) {
        const pathEnv = (inspect.Config.Env ?? []).find((e) => e.startsWith('PATH='))?.slice(5);
        extraFlags = driftFlags(parsed.rows, facts, pathEnv);
        drift = { checked: true, reportArtifactId: facts.reportArtifactId };
      } else {
        drift = { checked: false, note: 'no drift report of this container in the case: run a drift scan to find processes whose binary is not from the image' };
      }
    }
    const tree = buildProcessTree({ rows: parsed.rows, initPid: inspect.State.Pid || null, execSessions: execs, users, takenAt, ...(extraFlags ? { extraFlags } : {}) });
    return {
      host,
      containerId: inspect.Id,
      containerName: name,
      image: inspect.Config.Image,
      takenAt: takenAt.toISOString(),
      initPid: inspect.State.Pid || null,
      psArgs: top.psArgs,
      processes: tree.processes,
      roots: tree.roots,
      flagged: tree.flagged,
      drift,
      limitations,
    };
  }

  /** The most detailed ps arguments the host's ps accepts. */
  private async top(docker: Dockerode, host: string, name: string, id: string): Promise<{ output: TopOutput; psArgs: string }> {
    let lastError: unknown;
    for (const psArgs of PS_ARGS_CHAIN) {
      try {
        const output = (await docker.getContainer(id).top({ ps_args: psArgs })) as TopOutput;
        if (Array.isArray(output?.Titles) && Array.isArray(output.Processes)) return { output, psArgs };
      } catch (err) {
        lastError = err;
        const status = (err as { statusCode?: number }).statusCode;
        // Only a ps that rejects the arguments is worth another try; anything else is final.
        if (status !== 500) break;
      }
    }
    throw engineFailure(lastError, { host, container: name, action: 'read the process table' });
  }

  private engine<T>(host: string, container: string, action: string, run: () => Promise<T>): Promise<T> {
    return engineCall({ host, container, action }, run);
  }
}
