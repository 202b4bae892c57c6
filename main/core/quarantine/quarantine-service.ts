import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { ContainerInspectInfo } from 'dockerode';
import {
  QUARANTINE_MODES,
  type NetworkNamespacePeer,
  type OrchestratorAction,
  type QuarantineMode,
  type QuarantinePlan,
  type QuarantineRecord,
  type QuarantineStep,
  type ReleaseStep,
  type ReleaseStepName,
  type SwarmTaskTarget,
} from '../../../shared/domain/quarantine';
import { ensureHelperImage } from '../helper/image';
import type { HelperLedger } from '../helper/ledger';
import { engineCall, type DockerSource } from '../hosts/engine-call';
import { isoNow, type Clock } from '../clock';
import { DrydockFailure } from '../errors';
import type { EventHub } from '../event-hub';
import { auditState, containerName, stateBefore, swarmTask } from './container-state';
import { isolate } from './isolate';
import {
  actionConsequence,
  policyConsequences,
  readDrainContext,
  readServicePolicy,
  setNodeAvailability,
  setReplicas,
  type DrainContext,
} from './orchestrator';
import { isolateInNamespace, removePacketFilter } from './packet-filter';
import { KeyedLock } from './keyed-lock';
import { pause } from './pause';
import { buildPlan } from './plan';
import { networkNamespacePeers } from './shared-namespace';
import { DEFAULT_QUARANTINE_NETWORK } from './quarantine-network';
import type { QuarantineRecordStore } from './record-store';
import { removeNetworkIfUnused, restartIfQuarantineStopped, restoredNetworks, restoreNetworks, unpauseIfQuarantined } from './release';
import { snapshot } from './snapshot';
import type { QuarantineHooks, SnapshotEvidence, StepContext, StepOutcome } from './step-context';
import { stop } from './stop';

export interface QuarantineEvidence extends SnapshotEvidence {
  resolveWritableCase(ref?: string): { id: string; name: string };
  audit(action: string, details: Record<string, unknown>, caseId?: string): unknown;
}

export interface QuarantineServiceDeps {
  records: QuarantineRecordStore;
  hosts: DockerSource;
  evidence: QuarantineEvidence;
  events: EventHub;
  clock: Clock;
  examiner: string;
  /** Drydock's record of the helper containers it creates (snapshot export containers). */
  helpers: HelperLedger;
  /** Re-inspects a container so the inventory shows the quarantine flag at once. */
  inventory?: { refreshContainer(host: string, containerId: string, action: string): void };
  hooks?: QuarantineHooks;
  /** The per-host quarantine network's name. */
  networkName?: string;
  /** The user's helper image from the capture settings (null: the bundled one), read at each use. */
  helperImageOverride?: () => string | null;
}

export interface ApplyRequest {
  host: string;
  container: string;
  modes: QuarantineMode[];
  caseRef?: string;
  /** The Swarm task this container is, when it was named as a task or service.slot through its manager. */
  task?: SwarmTaskTarget;
  /** Drain the task's node through the manager (a Swarm task only; recorded, undone on release). */
  drainNode?: boolean;
  /** Scale the task's service to this many replicas through the manager (recorded, undone on release). */
  scale?: number;
}

export interface ReleaseRequest {
  host: string;
  container: string;
  caseRef?: string;
  /** Why the responder releases it; recorded as "not given" when absent. */
  reason?: string;
  /** Change nothing: return the record release would act on (the active one), as it is now. */
  dryRun?: boolean;
}

/** What the record and the audit log say when a release came without a reason. */
export const NO_RELEASE_REASON = 'not given';

const RELEASE_STEPS: readonly ReleaseStepName[] = ['packet-filter', 'networks', 'unpause', 'start', 'quarantine-network', 'orchestrator'];

const finished = (state: string) => state === 'done' || state === 'skipped';

/**
 * Quarantine and release of suspect containers. The container's state is recorded before any
 * step acts and every step marks its progress in the store, so after a crash half-way apply and
 * release both pick up where they stopped; each step is audited with the state just before it.
 * Apply and release of one container run one at a time; different containers run side by side.
 */
export class QuarantineService {
  private readonly containerLock = new KeyedLock();
  private readonly hostLock = new KeyedLock();
  private readonly networkName: string;
  private readonly inflight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(private readonly deps: QuarantineServiceDeps) {
    this.networkName = deps.networkName ?? DEFAULT_QUARANTINE_NETWORK;
  }

  /**
   * What apply would do to the container, step by step (each mode: done already, to do, or blocked and
   * why), changing nothing; a case that cannot take the record is said in the plan, not thrown.
   * @throws DrydockFailure('not-found') for an unknown host or container; ('not-found')/('conflict') from
   * resolveWritableCase for a case named and unusable; ('disconnected') or the engine kinds of engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine').
   */
  async plan(request: ApplyRequest): Promise<QuarantinePlan> {
    const docker = await this.deps.hosts.docker(request.host);
    const inspect = await this.inspect(docker, request.host, request.container);
    const existing = this.deps.records.active(request.host, inspect.Id);
    const { kase, problem } = this.caseFor(request.caseRef, existing?.caseId);
    const peers = await this.peers(docker, request.host, inspect);
    const plan = buildPlan({
      host: request.host,
      inspect,
      modes: request.modes,
      ...(existing ? { existing } : {}),
      ...(kase ? { kase } : {}),
      ...(problem ? { caseProblem: problem } : {}),
      networkName: this.networkName,
      now: this.now(),
      peers,
    });
    const task = request.task ?? existing?.swarm;
    if (task) {
      let policy;
      let policyProblem: string | undefined;
      try {
        policy = await readServicePolicy(await this.deps.hosts.docker(task.manager), task);
      } catch (err) {
        if (!(err instanceof DrydockFailure)) throw err;
        policyProblem = err.message;
      }
      const actions: NonNullable<QuarantinePlan['swarm']>['actions'] = [];
      if (request.drainNode)
        actions.push({
          kind: 'drain-node',
          to: 'drain',
          consequence: actionConsequence('drain-node', task, 'drain', policy, await this.drainContext(task)),
        });
      if (request.scale !== undefined)
        actions.push({
          kind: 'scale-service',
          to: request.scale,
          consequence: actionConsequence('scale-service', task, request.scale, policy),
        });
      plan.swarm = {
        task: taskTarget(task),
        ...(policy ? { policy } : {}),
        ...(policyProblem ? { policyProblem } : {}),
        consequences: policyConsequences(task, policy, request.modes),
        actions,
      };
    } else if (request.drainNode || request.scale !== undefined) {
      plan.notices.push({
        severity: 'danger',
        text: 'Draining a node or scaling a service needs the container named as a Swarm task (TASK_ID or SERVICE.SLOT) with its manager as host: apply refuses it as asked.',
      });
    }
    return plan;
  }

  /**
   * Quarantines the container in the modes asked (isolate, pause, stop, snapshot), one apply or release
   * at a time per container, each step audited; returns the record (`createdAt`, `updatedAt` ISO 8601 UTC).
   * @throws DrydockFailure('cancelled') while shutting down; ('not-found') for an unknown host or container;
   * ('conflict') when a release is under way, a snapshot/stop step is blocked, or it is already quarantined
   * in every mode asked (and every orchestrator action asked is done): "… is already quarantined by
   * Drydock (q-…, since …): nothing done", nothing changed or audited; ('unsupported') when
   * another step is blocked (nothing is changed then); ('not-found')/('conflict') from resolveWritableCase
   * for a case named and unusable; ('disconnected') or the engine kinds of engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine'); ('store'), ('disk-full') for a snapshot.
   */
  async apply(request: ApplyRequest): Promise<QuarantineRecord> {
    this.assertOpen();
    const docker = await this.deps.hosts.docker(request.host);
    const { Id } = await this.inspect(docker, request.host, request.container);
    return this.track(this.containerLock.run(`${request.host}\0${Id}`, () => this.applyLocked(docker, request, Id)));
  }

  /**
   * Puts the container back as recorded, each step doing only what the quarantine changed (a
   * skipped step says why). Returns the released record (the last one, unchanged, when it was
   * already released). With `dryRun`, changes nothing and returns the record it would act on as it is now.
   * @throws DrydockFailure('cancelled') while shutting down; ('not-found') when the container was
   * never quarantined (or the host is unknown); ('conflict') when a network cannot be restored;
   * ('disconnected') or the engine kinds of engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine'), naming host and container.
   */
  async release(request: ReleaseRequest): Promise<QuarantineRecord> {
    this.assertOpen();
    const docker = await this.deps.hosts.docker(request.host);
    let id: string;
    try {
      id = (await this.inspect(docker, request.host, request.container)).Id;
    } catch (err) {
      const gone =
        err instanceof DrydockFailure && err.kind === 'not-found'
          ? this.deps.records.forContainer(request.host, request.container).find((r) => r.state !== 'released')
          : undefined;
      if (
        !gone &&
        err instanceof DrydockFailure &&
        err.kind === 'not-found' &&
        !this.deps.records.forContainer(request.host, request.container).length
      )
        throw new DrydockFailure(
          'not-found',
          `${request.container} is not quarantined by Drydock: no container of that name on host ${request.host}, and no quarantine recorded for it`,
          {
            host: request.host,
            container: request.container,
          },
        );
      if (!gone) throw err;
      if (request.dryRun) return gone;
      return this.track(
        this.containerLock.run(`${request.host}\0${gone.containerId}`, () =>
          this.releaseGone(docker, gone, request.reason ?? NO_RELEASE_REASON),
        ),
      );
    }
    if (request.dryRun) return this.releaseTarget(request.host, request.container, id);
    return this.track(this.containerLock.run(`${request.host}\0${id}`, () => this.releaseLocked(docker, request, id)));
  }

  /** The record a release of this container would act on: the active one, else the last one (released). */
  private releaseTarget(host: string, ref: string, id: string): QuarantineRecord {
    const record = this.deps.records.active(host, id) ?? this.deps.records.forContainer(host, id)[0];
    if (!record) throw new DrydockFailure('not-found', `${ref} on host ${host} is not quarantined by Drydock`, { host, container: ref });
    return record;
  }

  /**
   * The host's quarantine records (of one container, by the name recorded or its ID now), released ones
   * only when `includeReleased`. Reads the store only, except to look up a renamed container.
   */
  async status(request: { host: string; container?: string; includeReleased: boolean }): Promise<QuarantineRecord[]> {
    const { host, container, includeReleased } = request;
    if (container === undefined) return this.deps.records.list(host, includeReleased);
    let records = this.deps.records.forContainer(host, container);
    if (!records.length) {
      // A name given now may differ from the one recorded (renamed since): ask the engine for the ID.
      const id = await this.deps.hosts
        .docker(host)
        .then((docker) => this.inspect(docker, host, container))
        .then((i) => i.Id)
        // The engine cannot name it (gone, host down): only the records under the name as given are shown.
        .catch(() => undefined);
      if (id) records = this.deps.records.forContainer(host, id);
    }
    return includeReleased ? records : records.filter((r) => r.state !== 'released');
  }

  /** The active quarantine of a Swarm task named through its manager (task ID, a unique prefix of it, or SERVICE.SLOT); reads the store only. */
  activeForTask(manager: string, ref: string): QuarantineRecord | undefined {
    return this.deps.records.activeForTask(manager, ref);
  }

  /** Every quarantine record (released ones too) of a Swarm task named through its manager, newest first; reads the store only. */
  forTask(manager: string, ref: string): QuarantineRecord[] {
    return this.deps.records.forTask(manager, ref);
  }

  /** Whether the host has an active quarantine recorded under this container name or ID; reads the store only. */
  hasActiveRecordFor(host: string, container: string): boolean {
    return this.deps.records.forContainer(host, container).some((r) => r.state !== 'released');
  }

  /** Waits for applies and releases under way (they are short), then refuses new ones. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.inflight]);
  }

  // ---- apply ---------------------------------------------------------------------------------

  private async applyLocked(docker: Dockerode, request: ApplyRequest, id: string): Promise<QuarantineRecord> {
    const { host } = request;
    const inspect = await this.inspect(docker, host, id);
    let record = this.deps.records.active(host, id);
    if (record?.state === 'releasing') {
      throw new DrydockFailure(
        'conflict',
        `A release of ${record.containerName} on host ${host} is under way or was interrupted: run release again to finish it before quarantining it again`,
        { host, container: record.containerName },
      );
    }
    const task = request.task ?? record?.swarm;
    if ((request.drainNode || request.scale !== undefined) && !task)
      throw new DrydockFailure(
        'unsupported',
        `Cannot drain the node or scale the service of ${containerName(inspect)} on host ${host}: name it as a Swarm task (TASK_ID or SERVICE.SLOT) through its manager. Nothing was changed.`,
        { host, container: containerName(inspect) },
      );
    const wanted = QUARANTINE_MODES.filter((m) => request.modes.includes(m) || record?.modes.includes(m));
    const pending = wanted.filter((m) => !record?.steps.some((s) => s.mode === m && finished(s.state)));
    const orchestration = this.orchestratorWanted(request, record);
    // Nothing left to do: said as a refusal, never reported as a quarantine done (nothing is audited).
    if (record && pending.length === 0 && record.state === 'quarantined' && !orchestration.length)
      throw new DrydockFailure('conflict', `${alreadyQuarantined(record)}: nothing done`, { host, container: record.containerName });

    const { kase, problem } = this.caseFor(request.caseRef, record?.caseId);
    const peers = await this.peers(docker, host, inspect);
    const plan = buildPlan({
      host,
      inspect,
      modes: wanted,
      ...(record ? { existing: record } : {}),
      ...(kase ? { kase } : {}),
      ...(problem ? { caseProblem: problem } : {}),
      networkName: this.networkName,
      now: this.now(),
      peers,
    });
    const blocked = plan.steps.filter((s) => s.blocked && !s.alreadyDone);
    if (blocked.length) {
      const kind = blocked.some((s) => s.mode === 'snapshot' || s.mode === 'stop') ? 'conflict' : 'unsupported';
      throw new DrydockFailure(
        kind,
        `Cannot quarantine ${plan.containerName} on host ${host}: ${blocked.map((s) => `${s.mode}: ${s.blocked}`).join(' ')} Nothing was changed.`,
        { host, container: plan.containerName },
      );
    }

    const now = this.now();
    if (!record) {
      record = {
        id: `q-${this.deps.clock.now().getTime().toString(36)}-${randomBytes(4).toString('hex')}`,
        host,
        containerId: inspect.Id,
        containerName: containerName(inspect),
        caseId: kase?.id ?? null,
        state: 'applying',
        modes: wanted,
        before: stateBefore(inspect, now, this.networkName),
        steps: wanted.map((mode) => ({ mode, state: 'pending' })),
        warnings: plan.notices.map((n) => n.text),
        sharedNetworkNamespace: peers,
        ...(request.task ? { swarm: { ...taskTarget(request.task), ...(await this.policyOf(request.task)), actions: [] } } : {}),
        createdAt: now,
        updatedAt: now,
      };
      // The plan and the state to restore are on disk before anything is touched.
      this.deps.records.insert(record);
      this.audit(record, 'quarantine.recorded', {
        modes: wanted,
        before: record.before,
        ...(record.swarm ? { swarm: record.swarm } : {}),
        warnings: record.warnings,
        sharedNetworkNamespace: peers,
        isolationEscapes: plan.isolationEscapes,
      });
    } else {
      const added = wanted.filter((m) => !record!.modes.includes(m));
      const steps: QuarantineStep[] = wanted.map((mode) => record!.steps.find((s) => s.mode === mode) ?? { mode, state: 'pending' });
      record.steps = steps;
      record.modes = wanted;
      record.state = 'applying';
      record.sharedNetworkNamespace = peers;
      for (const n of plan.notices) if (!record.warnings.includes(n.text)) record.warnings.push(n.text);
      if (record.caseId === null && kase) record.caseId = kase.id;
      if (!record.swarm && request.task)
        record.swarm = { ...taskTarget(request.task), ...(await this.policyOf(request.task)), actions: [] };
      record.updatedAt = now;
      this.deps.records.save(record);
      this.audit(record, added.length ? 'quarantine.extended' : 'quarantine.resumed', {
        modes: wanted,
        added,
        current: auditState(inspect),
        sharedNetworkNamespace: peers,
        isolationEscapes: plan.isolationEscapes,
      });
    }
    this.changed(record);

    const ctx = this.context(docker, record, 'apply');
    for (const step of record.steps) {
      if (finished(step.state)) continue;
      await this.runStep(ctx, step, () => this.stepFor(step.mode, ctx, record!.caseId));
    }
    for (const action of orchestration) await this.orchestrate(ctx, action);
    record.state = 'quarantined';
    delete record.lastError;
    ctx.save();
    this.audit(record, 'quarantine.applied', {
      steps: record.steps.map((s) => ({ mode: s.mode, state: s.state })),
      quarantineNetwork: record.quarantineNetwork?.name ?? null,
    });
    return record;
  }

  private stepFor(mode: QuarantineMode, ctx: StepContext, caseId: string | null): Promise<StepOutcome> {
    switch (mode) {
      case 'isolate':
        // A task cannot be disconnected from its swarm-scoped networks: it is cut inside its namespace.
        return ctx.inspect().then((i) => (swarmTask(i) ? isolateInNamespace(ctx) : isolate(ctx)));
      case 'pause':
        return pause(ctx);
      case 'snapshot':
        if (caseId === null)
          return Promise.reject(ctx.failure('conflict', 'A snapshot needs an open case to store the filesystem export in'));
        return snapshot(ctx, this.deps.evidence, caseId, this.deps.examiner);
      case 'stop':
        return stop(ctx);
    }
  }

  private async runStep(ctx: StepContext, step: QuarantineStep | ReleaseStep, run: () => Promise<StepOutcome>): Promise<void> {
    const record = ctx.record;
    const name = 'mode' in step ? step.mode : `release.${step.name}`;
    const before = await ctx.inspect();
    step.state = 'running';
    delete step.detail;
    if ('mode' in step) step.startedAt = this.now();
    ctx.save();
    try {
      const outcome = await run();
      step.state = outcome.state;
      step.detail = outcome.detail;
      step.endedAt = this.now();
      ctx.save();
      this.audit(record, `quarantine.${name}`, {
        before: auditState(before),
        outcome: outcome.state,
        detail: outcome.detail,
        ...(outcome.facts ? { facts: outcome.facts } : {}),
      });
      // What the step checked after acting is audited after the step itself, so the log reads in order.
      for (const entry of outcome.afterwards ?? []) this.audit(record, entry.action, entry.details);
    } catch (err) {
      const failure =
        err instanceof DrydockFailure
          ? err
          : ctx.failure('internal', `${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      step.state = 'failed';
      step.detail = failure.message;
      step.endedAt = this.now();
      record.lastError = failure.message;
      ctx.save();
      this.audit(record, `quarantine.${name}-failed`, {
        before: auditState(before),
        error: failure.message,
        // The footprint says which kind of isolation may have been left half-done.
        ...(record.packetFilter ? { packetFilterTable: record.packetFilter.table } : {}),
      });
      throw failure;
    }
  }

  // ---- release -------------------------------------------------------------------------------

  private async releaseLocked(docker: Dockerode, request: ReleaseRequest, id: string): Promise<QuarantineRecord> {
    const { host } = request;
    const record = this.deps.records.active(host, id);
    if (!record) {
      const last = this.deps.records.forContainer(host, id)[0];
      if (last) return last;
      throw new DrydockFailure('not-found', `${request.container} on host ${host} is not quarantined by Drydock`, {
        host,
        container: request.container,
      });
    }
    if (request.caseRef !== undefined) {
      const kase = this.deps.evidence.resolveWritableCase(request.caseRef);
      if (record.caseId === null) record.caseId = kase.id;
    }
    const ctx = this.context(docker, record, 'release');
    const inspect = await ctx.inspect();
    if (record.state !== 'releasing' || !record.release) {
      record.state = 'releasing';
      record.release = {
        steps: RELEASE_STEPS.map((name) => ({ name, state: 'pending' })),
        restored: [],
        reason: request.reason ?? NO_RELEASE_REASON,
      };
      ctx.save();
      this.audit(record, 'quarantine.release-started', {
        reason: record.release.reason,
        recorded: record.before,
        current: auditState(inspect),
      });
    } else {
      // The first run's reason stands; a reason given now is kept beside it in the audit entry.
      this.audit(record, 'quarantine.release-resumed', { reason: request.reason ?? NO_RELEASE_REASON, current: auditState(inspect) });
    }
    for (const step of record.release.steps) {
      if (finished(step.state)) continue;
      await this.runStep(ctx, step, () => this.releaseStep(step.name, ctx));
    }
    // Only networks this release put back are "restored": a task's packet filter, or a quarantine
    // that never isolated, leaves them as they were, and release must not claim otherwise.
    const networksStep = record.release.steps.find((s) => s.name === 'networks');
    record.release.restored = networksStep?.state === 'done' ? restoredNetworks(await ctx.inspect(), record.before.networks) : [];
    record.state = 'released';
    record.releasedAt = this.now();
    delete record.lastError;
    ctx.save();
    this.audit(record, 'quarantine.released', { reason: record.release.reason ?? NO_RELEASE_REASON, restored: record.release.restored });
    return record;
  }

  private releaseStep(name: ReleaseStepName, ctx: StepContext): Promise<StepOutcome> {
    switch (name) {
      case 'packet-filter':
        return removePacketFilter(ctx);
      case 'orchestrator':
        return this.undoOrchestration(ctx);
      case 'networks':
        return restoreNetworks(ctx);
      case 'unpause':
        return unpauseIfQuarantined(ctx);
      case 'start':
        return restartIfQuarantineStopped(ctx);
      case 'quarantine-network':
        return removeNetworkIfUnused(ctx);
    }
  }

  /** The container was removed while quarantined: nothing to restore, the record is closed. */
  private async releaseGone(docker: Dockerode, record: QuarantineRecord, reason: string): Promise<QuarantineRecord> {
    const ctx = this.context(docker, record, 'release');
    const network = await removeNetworkIfUnused(ctx);
    record.state = 'released';
    record.releasedAt = this.now();
    record.release = {
      steps: [{ name: 'quarantine-network', state: network.state, detail: network.detail, endedAt: this.now() }],
      restored: [],
      note: 'The container no longer exists on the host: nothing to restore',
      reason,
    };
    ctx.save();
    this.audit(record, 'quarantine.released', {
      reason,
      note: record.release.note,
      networkStep: { outcome: network.state, detail: network.detail },
    });
    return record;
  }

  // ---- the orchestrator (Swarm tasks) ----------------------------------------------------------

  /** The other nodes a drain could move tasks to, read through the manager; undefined when it cannot be read. */
  private async drainContext(task: SwarmTaskTarget): Promise<DrainContext | undefined> {
    try {
      return await readDrainContext(await this.deps.hosts.docker(task.manager), task);
    } catch (err) {
      if (err instanceof DrydockFailure) return undefined;
      throw err;
    }
  }

  private async policyOf(task: SwarmTaskTarget): Promise<{ policy?: NonNullable<QuarantineRecord['swarm']>['policy'] }> {
    try {
      return { policy: await readServicePolicy(await this.deps.hosts.docker(task.manager), task) };
    } catch (err) {
      if (err instanceof DrydockFailure) return {};
      throw err;
    }
  }

  /** The drain / scale actions asked now and not done yet (a re-run after a crash redoes what did not finish). */
  private orchestratorWanted(
    request: ApplyRequest,
    record: QuarantineRecord | undefined,
  ): { kind: OrchestratorAction['kind']; to: string | number }[] {
    const done = (kind: OrchestratorAction['kind'], to: string | number) =>
      record?.swarm?.actions.some((a) => a.kind === kind && a.to === to && a.state === 'done' && a.restored === undefined) ?? false;
    const wanted: { kind: OrchestratorAction['kind']; to: string | number }[] = [];
    if (request.drainNode && !done('drain-node', 'drain')) wanted.push({ kind: 'drain-node', to: 'drain' });
    if (request.scale !== undefined && !done('scale-service', request.scale)) wanted.push({ kind: 'scale-service', to: request.scale });
    return wanted;
  }

  /** One orchestrator action through the manager: recorded before it acts (with the value to restore), audited after. */
  private async orchestrate(ctx: StepContext, wanted: { kind: OrchestratorAction['kind']; to: string | number }): Promise<void> {
    const swarm = ctx.record.swarm;
    if (!swarm) return;
    const manager = await this.deps.hosts.docker(swarm.manager);
    const target = wanted.kind === 'drain-node' ? swarm.nodeId : swarm.serviceId;
    // An earlier scale or drain of this quarantine keeps the value it recorded: release restores the first one.
    const earlier = swarm.actions.find((a) => a.kind === wanted.kind && a.state === 'done' && a.restored === undefined);
    const action: OrchestratorAction = { kind: wanted.kind, target, previous: earlier?.previous ?? '', to: wanted.to, state: 'running' };
    swarm.actions.push(action);
    ctx.save();
    try {
      const previous =
        wanted.kind === 'drain-node'
          ? await setNodeAvailability(manager, swarm.manager, swarm.nodeId, 'drain')
          : await setReplicas(manager, swarm.manager, swarm.serviceId, Number(wanted.to));
      if (action.previous === '') action.previous = previous;
      if (earlier) swarm.actions.splice(swarm.actions.indexOf(earlier), 1);
      action.state = 'done';
      action.detail =
        wanted.kind === 'drain-node'
          ? `Node ${swarm.nodeHostname || swarm.nodeId} set to drain through manager ${swarm.manager} (was ${String(previous)})`
          : `Service ${swarm.serviceName} scaled to ${String(wanted.to)} through manager ${swarm.manager} (was ${String(previous)})`;
      ctx.save();
      ctx.audit(`quarantine.${wanted.kind}`, {
        manager: swarm.manager,
        target,
        previous: action.previous,
        to: wanted.to,
        consequence: actionConsequence(
          wanted.kind,
          swarm,
          wanted.to,
          swarm.policy,
          wanted.kind === 'drain-node' ? await this.drainContext(swarm) : undefined,
        ),
      });
    } catch (err) {
      const failure = err instanceof DrydockFailure ? err : ctx.failure('internal', String(err));
      action.state = 'failed';
      action.detail = failure.message;
      ctx.record.lastError = failure.message;
      ctx.save();
      ctx.audit(`quarantine.${wanted.kind}-failed`, { manager: swarm.manager, target, to: wanted.to, error: failure.message });
      throw failure;
    }
  }

  /** Release: puts back the node's availability and the replica count this quarantine changed. */
  private async undoOrchestration(ctx: StepContext): Promise<StepOutcome> {
    const swarm = ctx.record.swarm;
    const todo = (swarm?.actions ?? []).filter(
      (a) => (a.state === 'done' || a.state === 'failed') && a.previous !== '' && a.restored === undefined,
    );
    if (!swarm || !todo.length) return { state: 'skipped', detail: 'skipped: the quarantine took no action on the orchestrator' };
    const manager = await this.deps.hosts.docker(swarm.manager);
    const done: string[] = [];
    for (const action of todo) {
      if (action.kind === 'drain-node') await setNodeAvailability(manager, swarm.manager, action.target, String(action.previous));
      else await setReplicas(manager, swarm.manager, action.target, Number(action.previous));
      action.restored = String(action.previous);
      ctx.save();
      done.push(
        action.kind === 'drain-node'
          ? `availability of node ${swarm.nodeHostname || action.target} restored to ${String(action.previous)}`
          : `replica count of service ${swarm.serviceName} restored to ${String(action.previous)}`,
      );
      await ctx.checkpoint('release', `restored ${action.kind}`);
    }
    return { state: 'done', detail: `Through manager ${swarm.manager}: ${done.join('; ')}`, facts: { restored: todo } };
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private context(docker: Dockerode, record: QuarantineRecord, phase: 'apply' | 'release'): StepContext {
    const { host } = record;
    return {
      docker,
      host,
      record,
      save: () => {
        record.updatedAt = this.now();
        this.deps.records.save(record);
        this.changed(record);
      },
      inspect: () => this.inspect(docker, host, record.containerId, record.containerName),
      engine: (action, run) => this.engine(host, record.containerName, action, run),
      helpers: this.deps.helpers,
      helperImage: () =>
        ensureHelperImage(docker, {
          host,
          override: this.deps.helperImageOverride?.() ?? null,
          audit: (action, details, caseId) => this.deps.evidence.audit(action, details, caseId ?? record.caseId ?? undefined),
        }).then((choice) => choice.image),
      failure: (kind, message, detail) =>
        new DrydockFailure(kind, `Quarantine of ${record.containerName} on host ${host}: ${message}`, {
          host,
          container: record.containerName,
          ...(detail ? { detail } : {}),
        }),
      audit: (action, details) => this.audit(record, action, details),
      checkpoint: async (step, point) => {
        await this.deps.hooks?.checkpoint?.({ phase, step, point });
      },
      hostLock: this.hostLock,
      networkName: this.networkName,
      now: () => this.now(),
    };
  }

  /** A case resolves when named, else the record's, else the current one; quarantine itself does not need one. */
  private caseFor(
    caseRef: string | undefined,
    recordCaseId: string | null | undefined,
  ): { kase?: { id: string; name: string }; problem?: string } {
    if (caseRef !== undefined) return { kase: this.deps.evidence.resolveWritableCase(caseRef) };
    for (const ref of recordCaseId ? [recordCaseId, undefined] : [undefined]) {
      try {
        return { kase: this.deps.evidence.resolveWritableCase(ref) };
      } catch (err) {
        if (!(err instanceof DrydockFailure)) throw err;
        if (ref === undefined) return { problem: err.message };
      }
    }
    return {};
  }

  private audit(record: QuarantineRecord, action: string, details: Record<string, unknown>): void {
    this.deps.evidence.audit(
      action,
      { recordId: record.id, host: record.host, containerId: record.containerId, containerName: record.containerName, ...details },
      record.caseId ?? undefined,
    );
  }

  private changed(record: QuarantineRecord): void {
    const copy = JSON.parse(JSON.stringify(record)) as QuarantineRecord;
    this.deps.events.emit('quarantine.changed', {
      host: record.host,
      containerId: record.containerId,
      containerName: record.containerName,
      record: copy,
      at: this.now(),
    });
    this.deps.inventory?.refreshContainer(record.host, record.containerId, 'quarantine');
  }

  /** The other containers in its network namespace, read from the engine's container list. */
  private peers(docker: Dockerode, host: string, inspect: ContainerInspectInfo): Promise<NetworkNamespacePeer[]> {
    return networkNamespacePeers(
      () =>
        this.engine(host, containerName(inspect), 'listing the containers that share its network namespace', () =>
          docker.listContainers({ all: true }),
        ),
      inspect,
    );
  }

  private inspect(docker: Dockerode, host: string, ref: string, label = ref): Promise<ContainerInspectInfo> {
    return this.engine(host, label, 'inspecting the container', () => docker.getContainer(ref).inspect());
  }

  private engine<T>(host: string, container: string, action: string, run: () => Promise<T>): Promise<T> {
    return engineCall({ host, container, action }, run);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inflight.add(work);
    const done = () => this.inflight.delete(work);
    work.then(done, done);
    return work;
  }

  private assertOpen(): void {
    if (this.closing) throw new DrydockFailure('cancelled', 'Drydock is shutting down');
  }

  private now(): string {
    return isoNow(this.deps.clock);
  }
}

function taskTarget(t: SwarmTaskTarget): SwarmTaskTarget {
  return {
    manager: t.manager,
    taskId: t.taskId,
    taskName: t.taskName,
    serviceId: t.serviceId,
    serviceName: t.serviceName,
    ...(t.slot !== undefined ? { slot: t.slot } : {}),
    nodeId: t.nodeId,
    nodeHostname: t.nodeHostname,
  };
}

/** "sl.1 is already quarantined by Drydock (q-…, since …Z)": the task's name for a Swarm task, else the container's. */
export function alreadyQuarantined(record: QuarantineRecord): string {
  return `${record.swarm?.taskName ?? record.containerName} is already quarantined by Drydock (${record.id}, since ${record.createdAt})`;
}
