import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { ProcessFlag, ProcessSnapshot, ProcessSnapshotResult, ProcessWatchInfo, StoredRef } from '../../../shared/domain/processes';
import type { AuditFn } from '../audit-fn';
import { engineCall, type DockerSource } from '../hosts/engine-call';
import { engineFailure } from '../hosts/engine-errors';
import type { EvidencePort } from '../evidence/port';
import type { Clock } from '../clock';
import { DrydockFailure } from '../errors';
import { WatchLease } from '../watch-lease';
import type { EventHub } from '../event-hub';
import { ensureHelperImage } from '../helper/image';
import type { HelperLedger } from '../helper/ledger';
import { counted } from '../../../shared/counted';
import { readContainerUsers } from './container-users';
import { driftFlags, type DriftLookup } from './drift-crossref';
import { execSessionPids } from './exec-sessions';
import { readNamespaceProcesses, type ProcReadResult } from './namespace-processes';
import { diffProcesses } from './process-diff';
import { mergeProcessTables, type Merged } from './process-merge';
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
  /** Drydock's record of its helper containers; without it snapshots read the engine's top only. */
  helpers?: HelperLedger;
  /** The user's own helper image from the capture settings; null = the bundled one. */
  helperImageOverride?: () => string | null;
  /** Replaces the namespace read (tests of the fallback). */
  readNamespace?: (docker: Dockerode, request: Parameters<typeof readNamespaceProcesses>[1]) => Promise<ProcReadResult>;
}

/** How a snapshot reads: the PID namespace through a helper (one-off snapshots), or top alone (watch samples). */
type ReadMode = 'pid-namespace' | 'engine-top';

interface Watch {
  info: ProcessWatchInfo;
  /** Timer, failures and the one end (shared with network watches). */
  lease: WatchLease;
  previous: ProcessSnapshot | undefined;
}

/**
 * Process trees of a container without exec into it. A snapshot reads /proc of the container's PID
 * namespace through a short-lived helper and merges it with the engine's top (ps on the host over
 * the container's cgroup, which misses what left the cgroup: zombies, another container's
 * processes in a shared namespace); when the helper cannot run, top alone, with the reason stated.
 * Watches sample top only (a helper per sample would flood the host and the audit log) and say so.
 * Enriched with the engine's exec sessions, the container's own user names and, when the case
 * holds one, its drift report. Snapshots are artifacts; watches report what appeared, vanished or
 * was re-parented.
 */
export class ProcessService {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly deps: ProcessServiceDeps) {}

  /**
   * The container's process tree, read from its PID namespace by a helper (the engine's top when the
   * helper cannot run, said in the snapshot), with exec sessions, user names and flags; `takenAt` ISO
   * 8601 UTC. With `store`, stored as an artifact of the case (`stored`).
   * @throws DrydockFailure('not-found') for an unknown host or container; ('conflict') when the container
   * is not running; ('disconnected') or the engine kinds of engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine'); ('not-found')/('conflict') from resolveWritableCase (unknown, closed or read-only case) when `store`; ('store'), ('disk-full') when the evidence store cannot write.
   */
  async snapshot(request: { host: string; container: string; caseRef?: string; store: boolean }): Promise<ProcessSnapshotResult> {
    const kase = request.store ? await this.deps.evidence.resolveWritableCase(request.caseRef, { host: request.host }) : undefined;
    const snapshot = await this.take(request.host, request.container, kase?.id, 'pid-namespace');
    if (!kase) return { snapshot };
    const stored = await this.store(kase.id, snapshot, { kind: 'snapshot' });
    this.deps.audit(
      'processes.snapshot',
      {
        host: request.host,
        containerId: snapshot.containerId,
        containerName: snapshot.containerName,
        artifactId: stored.artifactId,
        processes: snapshot.processes.length,
        flagged: snapshot.flagged.length,
      },
      kase.id,
    );
    return { snapshot, stored };
  }

  /**
   * Samples the container's processes every `intervalSeconds` seconds into the case (the first sample
   * before the reply), emitting 'processes.sample' with what appeared, vanished or was re-parented,
   * until unwatched, shut down, the container goes, its lease runs out or samples fail too often.
   * @throws DrydockFailure ('not-found')/('conflict') from resolveWritableCase (unknown, closed or read-only case); ('not-found') for an unknown host or container; ('conflict') when
   * the container is not running; ('disconnected') or the engine kinds of engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine'); ('store'), ('disk-full') when the evidence store cannot write.
   */
  async watch(request: { host: string; container: string; intervalSeconds: number; caseRef?: string }): Promise<ProcessWatchInfo> {
    const kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host: request.host });
    const first = await this.take(request.host, request.container, kase.id, 'engine-top');
    const id = `pw-${this.deps.clock.now().getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
    const info: ProcessWatchInfo = {
      id,
      host: request.host,
      containerId: first.containerId,
      containerName: first.containerName,
      intervalSeconds: request.intervalSeconds,
      startedAt: first.takenAt,
      samples: 0,
      storedSamples: 0,
      caseId: kase.id,
    };
    const watch: Watch = {
      info,
      lease: new WatchLease({
        clock: this.deps.clock,
        refresh: () => this.tick(watch),
        ended: {
          record: (reason, message) => {
            this.watches.delete(id);
            this.deps.audit(
              'processes.watch-ended',
              { watchId: id, reason, samples: info.samples, storedSamples: info.storedSamples, ...(message ? { message } : {}) },
              info.caseId,
            );
          },
          announce: (reason, message) =>
            this.deps.events.emit('processes.watch-ended', { watchId: id, reason, samples: info.samples, ...(message ? { message } : {}) }),
        },
      }),
      previous: undefined,
    };
    this.watches.set(id, watch);
    this.deps.audit(
      'processes.watch-started',
      {
        watchId: id,
        host: request.host,
        containerId: first.containerId,
        containerName: first.containerName,
        intervalSeconds: request.intervalSeconds,
      },
      kase.id,
    );
    this.deps.events.emit('processes.watch-started', { ...watch.info });
    await this.record(watch, first);
    watch.lease.schedule(watch.info.intervalSeconds * 1000);
    return { ...watch.info };
  }

  /**
   * Stops a watch; `stopped` is false (and no `watch`) when there was none with that ID.
   */
  unwatch(watchId: string): { stopped: boolean; watch?: ProcessWatchInfo } {
    const watch = this.watches.get(watchId);
    if (!watch) return { stopped: false };
    watch.lease.end('stopped');
    return { stopped: true, watch: { ...watch.info } };
  }

  /**
   * The watches running now.
   */
  list(): ProcessWatchInfo[] {
    return [...this.watches.values()].map((w) => ({ ...w.info }));
  }

  /**
   * Ends every watch ('shutdown') and waits for samples under way.
   */
  async close(): Promise<void> {
    const watches = [...this.watches.values()];
    for (const watch of watches) watch.lease.end('shutdown');
    await Promise.all(watches.map((w) => w.lease.settled()));
  }

  private async tick(watch: Watch): Promise<void> {
    if (watch.lease.stopped) return;
    try {
      const snapshot = await this.take(watch.info.host, watch.info.containerId, watch.info.caseId, 'engine-top');
      watch.lease.succeeded();
      if (watch.lease.stopped) return;
      await this.record(watch, snapshot);
    } catch (err) {
      if (watch.lease.stopped) return;
      if (err instanceof DrydockFailure && (err.kind === 'not-found' || err.kind === 'conflict')) {
        watch.lease.end('container-gone', err.message);
        return;
      }
      if (watch.lease.failedTooOften()) {
        const kind = err instanceof DrydockFailure ? err.kind : 'internal';
        watch.lease.end(kind === 'unreachable' || kind === 'disconnected' ? 'host-disconnected' : 'failed', (err as Error).message);
        return;
      }
    }
    watch.lease.schedule(watch.info.intervalSeconds * 1000);
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

  private async store(caseId: string, snapshot: ProcessSnapshot, extra: Record<string, unknown>): Promise<StoredRef> {
    const artifact = await this.deps.evidence.ingestJson(
      {
        caseId,
        kind: 'process-snapshot',
        source: { host: snapshot.host, containerId: snapshot.containerId, containerName: snapshot.containerName },
        method:
          snapshot.source === 'pid-namespace'
            ? `/proc of the container's PID namespace read by a helper container (--pid container:, no capabilities, read-only), merged with Engine API top (ps ${snapshot.psArgs} on the host); no exec in the container`
            : `Engine API top (ps ${snapshot.psArgs} on the host); no exec in the container`,
        mediaType: 'application/json',
        attributes: {
          processes: snapshot.processes.length,
          flagged: snapshot.flagged.length,
          initPid: snapshot.initPid,
          source: snapshot.source,
          ...('watchId' in extra ? { watchId: extra.watchId, sample: extra.sample } : {}),
        },
      },
      { ...extra, snapshot },
    );
    return { artifactId: artifact.id, sha256: artifact.sha256, caseId };
  }

  private async take(host: string, ref: string, caseId: string | undefined, mode: ReadMode): Promise<ProcessSnapshot> {
    const docker = await this.deps.hosts.docker(host);
    const container = docker.getContainer(ref);
    const inspect = await this.engine(host, ref, 'inspect the container', () => container.inspect());
    const name = inspect.Name.replace(/^\//, '');
    if (!inspect.State.Running)
      throw new DrydockFailure('conflict', `Container ${name} on host ${host} is not running: it has no processes`, {
        host,
        container: name,
      });
    const takenAt = this.deps.clock.now();
    const initHostPid = inspect.State.Pid || null;
    const pidMode = inspect.HostConfig?.PidMode ?? '';
    const [top, users, execs, namespace] = await Promise.all([
      this.top(docker, host, name, inspect.Id),
      readContainerUsers(container),
      execSessionPids(docker, (inspect as { ExecIDs?: string[] | null }).ExecIDs),
      mode === 'pid-namespace'
        ? this.readNamespace(docker, host, name, inspect.Id, pidMode, caseId)
        : Promise.resolve({
            skipped:
              "watch samples read the engine's top only (a helper container per sample would be too heavy): processes outside the container's cgroup, such as zombies, are not seen; take a snapshot to read the PID namespace",
          }),
    ]);
    const parsed = parseTop(top.output);
    const limitations: string[] = [];
    let merged: Merged | undefined;
    if ('table' in namespace) {
      merged = mergeProcessTables({
        proc: namespace.table,
        top: parsed.rows,
        initHostPid,
        ownNamespace: pidMode === '' || pidMode === 'private',
      });
      const table = namespace.table;
      if (table.limited) limitations.push(`the PID namespace holds more processes than the ${table.rows.length} read`);
      if (namespace.table.truncated || !table.complete)
        limitations.push("the process-table helper's output was cut before its end: processes after the cut are missing");
      if (table.skipped)
        limitations.push(
          `${counted(table.skipped, 'process', 'processes')} of the PID namespace could not be read (exited during the read, or unparsable) and ${table.skipped === 1 ? 'is' : 'are'} not shown`,
        );
      limitations.push(...merged.limitations);
    } else {
      limitations.push(`Read from the engine's top only: ${namespace.skipped}`);
    }
    limitations.push(...parsed.missing.map((field) => `the host's ps gave no ${field} column`));
    if (parsed.skipped)
      limitations.push(
        `${counted(parsed.skipped, 'row')} of the engine's top answer ${parsed.skipped === 1 ? 'was' : 'were'} malformed (wrong number of columns or no valid PID) and ${parsed.skipped === 1 ? 'is' : 'are'} not shown`,
      );
    const rows = merged?.rows ?? parsed.rows;
    const execSessions = merged
      ? new Map(
          [...execs].flatMap(([hostPid, id]) =>
            merged.hostToTree.has(hostPid) ? [[merged.hostToTree.get(hostPid) as number, id] as const] : [],
          ),
        )
      : execs;
    let drift: ProcessSnapshot['drift'] = { checked: false, note: 'no drift capability is wired into this build' };
    const extraFlags = new Map<number, ProcessFlag[]>(merged?.flags ?? []);
    if (this.deps.drift && caseId) {
      const facts = await this.deps.drift({ host, containerId: inspect.Id, caseId });
      if (facts) {
        const pathEnv = (inspect.Config.Env ?? []).find((e) => e.startsWith('PATH='))?.slice(5);
        for (const [pid, flags] of driftFlags(rows, facts, pathEnv)) extraFlags.set(pid, [...(extraFlags.get(pid) ?? []), ...flags]);
        drift = { checked: true, reportArtifactId: facts.reportArtifactId };
      } else {
        drift = {
          checked: false,
          note: 'no drift report of this container in the case: run a drift scan to find processes whose binary is not from the image',
        };
      }
    }
    const tree = buildProcessTree({
      rows,
      initPid: merged ? merged.initPid : initHostPid,
      execSessions,
      users,
      takenAt,
      extraFlags,
      ...(merged ? { seen: merged.seen, foreign: merged.foreign } : {}),
    });
    return {
      host,
      containerId: inspect.Id,
      containerName: name,
      image: inspect.Config.Image,
      takenAt: takenAt.toISOString(),
      initPid: initHostPid,
      source: merged ? 'pid-namespace' : 'engine-top',
      psArgs: top.psArgs,
      processes: tree.processes,
      roots: tree.roots,
      flagged: tree.flagged,
      drift,
      limitations,
    };
  }

  /**
   * The namespace's own process table, or why not: a failure here is not the snapshot's failure,
   * top still answers, and the snapshot says what it could not see and why.
   */
  private async readNamespace(
    docker: Dockerode,
    host: string,
    name: string,
    id: string,
    pidMode: string,
    caseId: string | undefined,
  ): Promise<{ table: ProcReadResult } | { skipped: string }> {
    if (pidMode === 'host')
      return { skipped: `container ${name} shares the host's PID namespace, whose /proc lists every process on host ${host}` };
    const helpers = this.deps.helpers;
    if (!helpers) return { skipped: 'no helper ledger is wired into this build, so no helper container reads the PID namespace' };
    try {
      const image = (await ensureHelperImage(docker, { host, override: this.deps.helperImageOverride?.() ?? null, audit: this.deps.audit }))
        .image;
      const request = { host, ledger: helpers, containerId: id, containerName: name, image, ...(caseId !== undefined ? { caseId } : {}) };
      const table = await (this.deps.readNamespace ?? readNamespaceProcesses)(docker, request);
      return { table };
    } catch (err) {
      const message =
        err instanceof DrydockFailure
          ? err.message
          : `reading the PID namespace of container ${name} on host ${host} failed: ${(err as Error).message}`;
      return {
        skipped: `the PID-namespace helper could not run (${message}); processes outside the container's cgroup, such as zombies, are not seen`,
      };
    }
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
