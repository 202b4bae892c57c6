import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { CaptureInfo, CaptureOptions, CaptureSettings, FlowSummary } from '../../../shared/domain/capture';
import type { AuditFn } from '../audit-fn';
import type { Clock } from '../clock';
import { DrydockFailure } from '../errors';
import type { EventHub } from '../event-hub';
import { engineCall, engineWhere, type DockerSource } from '../hosts/engine-call';
import type { Db } from '../store/database';
import { CaptureRecords } from './capture-records';
import { CaptureSession, tcpdumpCommand } from './capture-session';
import type { EvidencePort } from '../evidence/port';
import { checkFilter } from './filter-check';
import { summarizeStoredPcap } from './stored-summary';
import { findHelperBundle } from '../helper/bundle';
import { ensureHelperImage, type HelperImageChoice } from '../helper/image';
import type { HelperLedger } from '../helper/ledger';
import { sweepHelpers, type Impersonator } from '../helper/sweeper';
import { openPauses, PAUSE_SWEEP_ACTIONS, unpauseAbandoned, type PauseSweepResult } from '../helper/pause-sweep';
import { AuditLog } from '../evidence/audit-chain';
import { pauseIntents } from './pause-intents';

/** What one sweep of a host did (see CaptureService.sweep). */
export interface SweepOutcome {
  removed: string[];
  kept: number;
  impersonators: Impersonator[];
  unpaused: PauseSweepResult['unpaused'];
  unpauseFailed: PauseSweepResult['failed'];
  pausesSettled: PauseSweepResult['settled'];
}

export interface CaptureServiceDeps {
  db: Db;
  hosts: DockerSource;
  evidence: EvidencePort;
  events: EventHub;
  clock: Clock;
  audit: AuditFn;
  /** Drydock's record of the helper containers it creates (the only way it recognises them). */
  helpers: HelperLedger;
}

export interface StartRequest {
  host: string;
  container: string;
  options: CaptureOptions;
  caseRef?: string;
  summarize: boolean;
}

/** Without a duration the helper still ends itself after a day: nothing runs forever unwatched. */
const DEFAULT_SAFETY_SECONDS = 24 * 3600;
const HELPER_IMAGE_SETTING = 'helper-image';

/**
 * Packet capture from a container's network namespace, without touching the container itself:
 * validate the filter with the helper's own tcpdump, make sure the helper image is on the host,
 * run the capture session, summarise the stored pcap. Sessions live in memory while running and
 * in the captures table for good; helpers are swept whenever a host (re)connects.
 */
export class CaptureService {
  private readonly records: CaptureRecords;
  private readonly sessions = new Map<string, CaptureSession>();
  private readonly finals = new Map<string, Promise<CaptureInfo>>();
  private readonly unsubscribe: () => void;
  private closing = false;
  /** The sweep under way (or queued last) per host. */
  private readonly sweeps = new Map<string, Promise<SweepOutcome>>();

  constructor(private readonly deps: CaptureServiceDeps) {
    this.records = new CaptureRecords(deps.db);
    for (const info of this.records.closeOrphaned(deps.clock.now().toISOString())) {
      deps.audit(
        'capture.interrupted',
        { captureId: info.id, host: info.host, container: info.containerName, reason: info.error?.message ?? '' },
        info.caseId,
      );
    }
    this.unsubscribe = deps.events.subscribe((event, payload) => {
      if (event !== 'host.status') return;
      const status = payload as { name?: string; state?: string };
      // Best effort on connect: a sweep that fails (host gone again) is retried on the next connect, and `capture sweep` reports its failures.
      if (status.state === 'connected' && status.name) void this.sweep(status.name, 'connect').catch(() => undefined);
    });
  }

  /**
   * Starts a packet capture in a helper sharing the container's network namespace; the pcap streams
   * into the case as it arrives. Returns the capture as it started (`startedAt`
   * ISO 8601 UTC, counters in packets, bytes and milliseconds); 'capture.state' and 'capture.progress'
   * follow, and wait(id) gives its end.
   * @throws DrydockFailure('cancelled') while shutting down; ('not-found')/('conflict') from resolveWritableCase (unknown, closed or read-only case); ('not-found') for an unknown host or container; ('conflict') when the container is not running or paused; ('unsupported') when it uses the host's network namespace; ('not-found') when the helper bundle is missing, ('unsupported') when it is built for another architecture, ('integrity') when it does not match its manifest;
   * ('invalid-input') for a filter tcpdump refuses or an unknown interface; ('disconnected') or the engine kinds of engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine').
   */
  async start(request: StartRequest): Promise<CaptureInfo> {
    if (this.closing) throw new DrydockFailure('cancelled', 'Drydock is shutting down');
    const kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host: request.host });
    const { host } = request;
    const docker = await this.deps.hosts.docker(host);
    const target = await this.inspectTarget(docker, host, request.container);
    const image = await this.helperImage(docker, host);
    if (request.options.filter?.trim() || request.options.interface !== 'any') {
      await this.engine(host, target.name, 'check the capture filter', () =>
        checkFilter(docker, {
          host,
          ledger: this.deps.helpers,
          caseId: kase.id,
          containerId: target.id,
          containerName: target.name,
          image: image.image,
          interface: request.options.interface,
          filter: request.options.filter ?? '',
        }),
      );
    }

    const id = `cap-${this.deps.clock.now().getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
    const safetySeconds = request.options.durationSeconds !== undefined ? request.options.durationSeconds + 120 : DEFAULT_SAFETY_SECONDS;
    const info: CaptureInfo = {
      id,
      host,
      containerId: target.id,
      containerName: target.name,
      caseId: kase.id,
      options: request.options,
      state: 'starting',
      startedAt: this.deps.clock.now().toISOString(),
      counters: { packets: 0, bytes: 0, elapsedMs: 0 },
      helperImage: image.image,
    };
    const session = new CaptureSession(
      {
        docker,
        ledger: this.deps.helpers,
        clock: this.deps.clock,
        image,
        safetySeconds,
        openWriter: async (meta) => this.deps.evidence.openWriter(meta),
        artifactMeta: {
          caseId: kase.id,
          kind: 'pcap',
          source: { host, containerId: target.id, containerName: target.name },
          method: 'tcpdump in a helper container sharing the network namespace, streamed through the Engine API attach endpoint',
          mediaType: 'application/vnd.tcpdump.pcap',
          attributes: {
            captureId: id,
            options: request.options,
            helperImage: image.image,
            helperImageSource: image.source,
            // The helper's argv as it runs (it said -U, which tcpdump has not been given since output became block-buffered).
            command: tcpdumpCommand(request.options, safetySeconds),
          },
        },
        onChange: (changed, kind) => this.changed(changed, kind),
      },
      info,
    );
    this.sessions.set(id, session);
    this.records.save(info);
    try {
      await this.engine(host, target.name, 'start the capture helper', () => session.start());
    } catch (err) {
      this.sessions.delete(id);
      info.state = 'failed';
      info.endedAt = this.deps.clock.now().toISOString();
      info.error = { kind: err instanceof DrydockFailure ? err.kind : 'internal', message: (err as Error).message };
      this.records.save(info);
      this.deps.events.emit('capture.state', { ...info });
      throw err;
    }
    this.deps.audit(
      'capture.started',
      {
        captureId: id,
        host,
        containerId: target.id,
        containerName: target.name,
        options: request.options,
        helperImage: image.image,
        helperImageSource: image.source,
      },
      kase.id,
    );
    this.finals.set(id, this.afterSession(session, request.summarize));
    return { ...info };
  }

  /**
   * Stops a running capture and resolves once its pcap is stored (an ended one is returned as recorded).
   * @throws DrydockFailure('not-found') for an unknown capture ID.
   */
  async stop(id: string): Promise<CaptureInfo> {
    const session = this.sessions.get(id);
    if (!session) {
      const known = this.records.get(id);
      if (!known) throw new DrydockFailure('not-found', `No capture ${id}`);
      return known;
    }
    await session.stop('user');
    return this.wait(id);
  }

  /**
   * Resolves with the capture once it has ended and its pcap (and summary, when asked) is stored.
   * @throws DrydockFailure('not-found') for an unknown capture ID.
   */
  async wait(id: string): Promise<CaptureInfo> {
    const final = this.finals.get(id);
    if (final) return final;
    const known = this.records.get(id);
    if (!known) throw new DrydockFailure('not-found', `No capture ${id}`);
    return known;
  }

  /**
   * The capture as it stands now (live counters while it runs).
   * @throws DrydockFailure('not-found') for an unknown capture ID.
   */
  get(id: string): CaptureInfo {
    const live = this.sessions.get(id);
    if (live) return { ...live.info };
    const known = this.records.get(id);
    if (!known) throw new DrydockFailure('not-found', `No capture ${id}`);
    return known;
  }

  /**
   * Running captures first, then the most recent ended ones, `limit` in all (never fewer than the running ones).
   */
  list(limit: number): CaptureInfo[] {
    const live = [...this.sessions.values()].map((s) => ({ ...s.info }));
    const liveIds = new Set(live.map((i) => i.id));
    return [...live, ...this.records.recent(limit).filter((i) => !liveIds.has(i.id))].slice(0, Math.max(limit, live.length));
  }

  /**
   * Compiles a BPF filter with tcpdump in a short-lived helper, against the container's interfaces;
   * `instructions` is the length of the compiled program.
   * @throws DrydockFailure('invalid-input') for a filter tcpdump refuses or an unknown interface; ('not-found') for an unknown host or container; ('conflict') when the container is not running or paused; ('unsupported') when it uses the host's network namespace;
   * ('not-found') when the helper bundle is missing, ('unsupported') when it is built for another architecture, ('integrity') when it does not match its manifest; ('unsupported') when the helper has no usable tcpdump; ('disconnected') or the engine kinds of engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine').
   */
  async checkFilter(request: {
    host: string;
    container: string;
    interface: string;
    filter: string;
  }): Promise<{ valid: true; instructions: number }> {
    const docker = await this.deps.hosts.docker(request.host);
    const target = await this.inspectTarget(docker, request.host, request.container);
    const image = await this.helperImage(docker, request.host);
    const { instructions } = await this.engine(request.host, target.name, 'check the capture filter', () =>
      checkFilter(docker, {
        host: request.host,
        ledger: this.deps.helpers,
        containerId: target.id,
        containerName: target.name,
        image: image.image,
        interface: request.interface,
        filter: request.filter,
      }),
    );
    return { valid: true, instructions };
  }

  /**
   * The stored flow summary of a pcap, deriving and storing it first when there is none yet.
   * @throws DrydockFailure('not-found') for an unknown artifact; ('invalid-input') when it is not a pcap; ('integrity') when it cannot be read as one.
   */
  async summary(pcapArtifactId: string): Promise<{ summary: FlowSummary; artifactId: string }> {
    const existing = this.records.summaryFor(pcapArtifactId);
    const result = await summarizeStoredPcap(this.deps.evidence, pcapArtifactId, existing);
    if (result.created) {
      this.records.setSummary(pcapArtifactId, result.artifactId);
      this.deps.audit(
        'capture.flow-summary',
        { pcapArtifactId, summaryArtifactId: result.artifactId, flows: result.summary.flows.length, packets: result.summary.packets },
        result.caseId,
      );
    }
    return { summary: result.summary, artifactId: result.artifactId };
  }

  /**
   * The store's own export: re-hashed on the way, never over an existing file, audited there.
   * Returns the file written, its size in bytes and its sha256 (hex).
   * @throws DrydockFailure as EvidenceService.exportArtifact does.
   */
  export(artifactId: string, target: string): Promise<{ path: string; bytes: number; sha256: string }> {
    return Promise.resolve(this.deps.evidence.exportArtifact(artifactId, target));
  }

  /**
   * The helper image set in settings (null: the bundled one) and the bundled helper as found on disk (or why not).
   */
  settings(): CaptureSettings {
    const lookup = findHelperBundle();
    return {
      helperImage: this.records.getSetting(HELPER_IMAGE_SETTING),
      bundle: lookup.bundle
        ? {
            tag: lookup.bundle.tag,
            sha256: lookup.bundle.sha256,
            architecture: lookup.bundle.architecture,
            tcpdumpVersion: lookup.bundle.tcpdumpVersion,
            path: lookup.bundle.tarPath,
          }
        : { tag: null, sha256: null, architecture: null, tcpdumpVersion: null, path: lookup.path, problem: lookup.problem },
    };
  }

  /**
   * Sets (or with null clears) the helper image captures run instead of the bundle; audited. Returns the settings after.
   */
  setSettings(helperImage: string | null): CaptureSettings {
    const before = this.records.getSetting(HELPER_IMAGE_SETTING);
    this.records.setSetting(HELPER_IMAGE_SETTING, helperImage);
    this.deps.audit('capture.settings-changed', { helperImage: { before, after: helperImage } });
    return this.settings();
  }

  /**
   * Removes abandoned helpers on a host (runs on every connect and reconnect too): only containers
   * whose IDs the helper ledger recorded, with image and owner still matching. Containers that
   * carry Drydock's labels or names without being recorded are kept and reported as impersonators.
   * First, containers a memory acquisition paused and whose Drydock process died before thawing them
   * are unpaused (see unpauseAbandoned): a helper joined to a frozen container's PID namespace could
   * not end. `removed` names the containers removed, `kept` counts Drydock's helpers still in use,
   * `unpaused` the containers unpaused. Sweeps of one host run one after another; a sweep that
   * waited for one under way (the sweep on connect) reports what that one did too.
   * @throws DrydockFailure('not-found') for an unknown host; ('disconnected') or the engine kinds of engineCall
   * ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine') when the engine cannot be listed, naming the host.
   */
  sweep(host: string, trigger: 'connect' | 'request' = 'request'): Promise<SweepOutcome> {
    const before = this.sweeps.get(host);
    // A sweep under way opened (or reopened) the connection whose 'connected' starts this one: it is
    // the sweep of that connection. Another would find, and audit, the same things again.
    if (before && trigger === 'connect') return before;
    const run = (async () => {
      const earlier = before ? await before.catch(() => undefined) : undefined;
      const mine = await this.sweepOnce(host, trigger);
      if (!earlier) return mine;
      return {
        ...mine,
        removed: [...new Set([...earlier.removed, ...mine.removed])],
        unpaused: [...earlier.unpaused, ...mine.unpaused],
        pausesSettled: [...earlier.pausesSettled, ...mine.pausesSettled],
      };
    })();
    this.sweeps.set(host, run);
    const forget = () => {
      if (this.sweeps.get(host) === run) this.sweeps.delete(host);
    };
    run.then(forget, forget);
    return run;
  }

  private async sweepOnce(host: string, trigger: 'connect' | 'request'): Promise<SweepOutcome> {
    const docker = await this.deps.hosts.docker(host);
    // Before the helpers: a helper joined to a frozen container's PID namespace could not end. Engine errors are per container, in the result.
    const open = openPauses(
      new AuditLog(this.deps.db).withActions(PAUSE_SWEEP_ACTIONS, 'every'),
      host,
      this.deps.helpers,
      pauseIntents(this.deps.db, host),
    );
    const pauses = await unpauseAbandoned(docker, host, open, this.deps.audit);
    const result = await this.engine(host, undefined, 'sweep helpers', () => sweepHelpers(docker, host, this.deps.helpers));
    if (result.removed.length || result.failed.length || result.impersonators.length || pauses.unpaused.length || pauses.failed.length) {
      this.deps.audit('capture.helpers-swept', {
        host,
        removed: result.removed.map((d) => ({
          container: d.containerId,
          name: d.name,
          helper: d.helperId,
          purpose: d.purpose,
          reason: d.reason,
        })),
        failed: result.failed.map((f) => ({ container: f.decision.containerId, error: f.error })),
        impersonatorsKept: result.impersonators.map((i) => ({ container: i.containerId, name: i.name, reason: i.reason })),
        ...(pauses.unpaused.length
          ? { unpaused: pauses.unpaused.map((u) => ({ container: u.containerId, name: u.containerName, reason: u.reason })) }
          : {}),
        ...(pauses.failed.length
          ? { unpauseFailed: pauses.failed.map((f) => ({ container: f.containerId, name: f.containerName, error: f.error })) }
          : {}),
      });
    }
    const removed = result.removed.map((d) => d.name || d.containerId);
    this.deps.events.emit('capture.helpers-swept', { host, removed, kept: result.kept, trigger });
    return {
      removed,
      kept: result.kept,
      impersonators: result.impersonators,
      unpaused: pauses.unpaused,
      unpauseFailed: pauses.failed,
      pausesSettled: pauses.settled,
    };
  }

  /** Stops every running capture (kept, marked incomplete) and waits for them to be stored. */
  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe();
    await Promise.all([...this.sessions.values()].map((s) => s.stop('shutdown')));
    // Shutting down: a capture that failed to be stored has recorded its failure in its own info and audit entry.
    await Promise.all([...this.finals.values()].map((f) => f.catch(() => undefined)));
  }

  private async afterSession(session: CaptureSession, summarize: boolean): Promise<CaptureInfo> {
    const info = await session.done;
    this.sessions.delete(session.id);
    this.records.save(info);
    const pcap = info.pcap;
    this.deps.audit(
      'capture.stopped',
      {
        captureId: info.id,
        host: info.host,
        containerName: info.containerName,
        stopReason: info.stopReason ?? null,
        packets: info.counters.packets,
        bytes: info.counters.bytes,
        tcpdump: info.tcpdump ?? {},
        pcap: pcap ?? null,
        error: info.error ?? null,
      },
      info.caseId,
    );
    if (summarize && pcap && pcap.sha256) {
      try {
        const { artifactId } = await this.summary(pcap.artifactId);
        info.flowSummaryArtifactId = artifactId;
        this.records.save(info);
      } catch (err) {
        info.error = { kind: 'internal', message: `The flow summary could not be derived: ${(err as Error).message}` };
      }
    }
    this.deps.events.emit('capture.state', { ...info });
    return { ...info };
  }

  private changed(info: CaptureInfo, kind: 'state' | 'progress'): void {
    if (kind === 'progress') {
      this.deps.events.emit('capture.progress', { captureId: info.id, state: info.state, counters: { ...info.counters } });
      return;
    }
    this.records.save(info);
    this.deps.events.emit('capture.state', { ...info });
  }

  private async inspectTarget(docker: Dockerode, host: string, ref: string): Promise<{ id: string; name: string }> {
    const inspect = await this.engine(host, ref, 'inspect the container', () => docker.getContainer(ref).inspect());
    const name = inspect.Name.replace(/^\//, '');
    if (!inspect.State.Running)
      throw new DrydockFailure(
        'conflict',
        `Container ${name} on host ${host} is not running: there is no network namespace to capture from`,
        { host, container: name },
      );
    if (inspect.State.Paused)
      throw new DrydockFailure(
        'conflict',
        `Container ${name} on host ${host} is paused: the engine cannot start a helper in its namespace until it is unpaused`,
        { host, container: name },
      );
    if (inspect.HostConfig.NetworkMode === 'host') {
      throw new DrydockFailure(
        'unsupported',
        `Container ${name} on host ${host} uses the host's network namespace: a capture there would record the whole host; capture on the host itself instead`,
        { host, container: name },
      );
    }
    return { id: inspect.Id, name };
  }

  private async helperImage(docker: Dockerode, host: string): Promise<HelperImageChoice> {
    return this.engine(host, undefined, 'prepare the capture helper image', () =>
      ensureHelperImage(docker, { host, override: this.records.getSetting(HELPER_IMAGE_SETTING), audit: this.deps.audit }),
    );
  }

  /** Runs an engine call, naming host, container and action in any failure that is not already one of ours. */
  private engine<T>(host: string, container: string | undefined, action: string, run: () => Promise<T>): Promise<T> {
    return engineCall(engineWhere(host, container, action), run);
  }
}
