import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import {
  COLLECT_STEPS,
  VOLATILE_STEPS,
  type CollectMemorySelection,
  type CollectResult,
  type CollectStep,
  type CollectStepOutcome,
} from '../../../shared/domain/collect';
import type { AuditFn } from '../audit-fn';
import type { Clock } from '../clock';
import { DrydockFailure, toDrydockError } from '../errors';
import type { EventHub } from '../event-hub';
import type { EvidencePort } from '../evidence/port';
import { engineCall, type DockerSource } from '../hosts/engine-call';

// The collect room orchestrates; it acquires nothing of its own but the engine's inspect. Each step
// is another capability's acquisition, passed in by main/app/core.ts (capabilities do not import
// each other), so the processes, memory, capture... rooms keep the one way they store and audit.

/** Where a step works: the container by its full ID, and the case every step writes into. */
export interface StepTarget {
  host: string;
  containerId: string;
  containerName: string;
  caseId: string;
}

/**
 * What a step stored; `partial` when it stored some and failed for the rest (e.g. one process's memory);
 * `cancelled` when the collection's signal stopped it (what it stored is still in `artifactIds`).
 */
export interface StepRun {
  artifactIds: string[];
  note?: string;
  partial?: DrydockFailure;
  cancelled?: boolean;
}

/**
 * The other capabilities' acquisitions, one function each (built in main/app/collect-steps.ts). The
 * long ones take the collection's AbortSignal and, when it aborts, stop through their capability's
 * own cancel path and resolve with what was stored (`cancelled: true`); the short ones run to the end.
 */
export interface CollectSteps {
  processes(target: StepTarget): Promise<StepRun>;
  processDetail(target: StepTarget): Promise<StepRun>;
  connections(target: StepTarget): Promise<StepRun>;
  memory(target: StepTarget, pids: 'all' | number[], signal: AbortSignal): Promise<StepRun>;
  capture(target: StepTarget, seconds: number, signal: AbortSignal): Promise<StepRun>;
  drift(target: StepTarget, signal: AbortSignal): Promise<StepRun>;
  logs(target: StepTarget): Promise<StepRun>;
}

/** A collection under way: what collect.cancel needs to stop and audit it. */
interface RunningCollect {
  controller: AbortController;
  /** Known once the container is resolved. */
  target?: StepTarget;
  step: CollectStep | null;
  cancelled?: { at: string; step: CollectStep | null };
}

export interface CollectServiceDeps {
  hosts: DockerSource;
  evidence: EvidencePort;
  events: EventHub;
  clock: Clock;
  audit: AuditFn;
  steps: CollectSteps;
}

export interface CollectRequest {
  host: string;
  container: string;
  caseRef?: string;
  /** Which processes' memory: 'all' (default), 'none' (the step is skipped) or these PIDs. */
  memory: CollectMemorySelection;
  /** Seconds of packet capture; 0 skips the step. */
  captureSeconds: number;
  collectId?: string;
}

/**
 * One container's evidence, in order of volatility (RFC 3227 2.1: what vanishes first is taken
 * first): COLLECT_STEPS (processes, process detail, connections, memory, capture, drift, logs,
 * inspect), all into one case.
 */
export class CollectService {
  private readonly running = new Map<string, RunningCollect>();

  constructor(private readonly deps: CollectServiceDeps) {}

  /**
   * Runs every step in order and resolves with each one's outcome (state, artifact IDs, start as ISO
   * 8601 UTC, duration in milliseconds, the failure or the skip reason). A failing step never stops
   * the next; a stopped container's volatile steps (VOLATILE_STEPS) are skipped with the reason, and
   * so are 'memory' with `memory: 'none'` and 'capture' with `captureSeconds: 0`. Audited as
   * 'collect.started' (the plan) and 'collect.finished' (outcomes, failed steps); 'collect.progress'
   * as each step starts and ends. cancel(collectId) stops it between or during steps (see cancel);
   * the result then has `cancelled` set.
   * @throws DrydockFailure only before any step: ('not-found') for an unknown host or container, the
   *   kinds of resolveWritableCase ('not-found', 'conflict') and of engineCall for the first inspect;
   *   ('conflict') when a collection with this ID already runs.
   */
  async run(request: CollectRequest): Promise<CollectResult> {
    const collectId = request.collectId ?? `col-${this.deps.clock.now().getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
    if (this.running.has(collectId)) throw new DrydockFailure('conflict', `Collection ${collectId} is already running`);
    // Registered before the first await, so a cancel that comes while the case and container are resolved counts.
    const live: RunningCollect = { controller: new AbortController(), step: null };
    this.running.set(collectId, live);
    try {
      return await this.resolveAndRun(collectId, request, live);
    } finally {
      this.running.delete(collectId);
    }
  }

  private async resolveAndRun(collectId: string, request: CollectRequest, live: RunningCollect): Promise<CollectResult> {
    const kase = await this.deps.evidence.resolveWritableCase(request.caseRef, { host: request.host });
    const docker = await this.deps.hosts.docker(request.host);
    const inspect = await engineCall({ host: request.host, container: request.container, action: 'inspect the container' }, () =>
      docker.getContainer(request.container).inspect(),
    );
    const target: StepTarget = {
      host: request.host,
      containerId: inspect.Id,
      containerName: inspect.Name.replace(/^\//, ''),
      caseId: kase.id,
    };
    const running = inspect.State.Running === true;
    live.target = target;
    if (live.cancelled) this.auditCancel(collectId, live);
    return this.runSteps(collectId, request, target, kase, docker, running, inspect.State.Status, live);
  }

  /**
   * Cancels a collection under way: the step running stops through its capability's cancel path (a
   * memory acquisition keeps the image being read as incomplete, a capture stops and stores its pcap,
   * a drift scan keeps what it scanned; the short steps finish), and no later step starts. Audited at
   * once as 'collect.cancelled' (the step then running). `cancelled` is false when no collection with
   * that ID runs, or it was cancelled already.
   */
  cancel(collectId: string): { cancelled: boolean } {
    const live = this.running.get(collectId);
    if (!live || live.controller.signal.aborted) return { cancelled: false };
    live.cancelled = { at: this.deps.clock.now().toISOString(), step: live.step };
    live.controller.abort();
    // Before the container is resolved there is no case to audit into yet: run() audits it then.
    if (live.target) this.auditCancel(collectId, live);
    return { cancelled: true };
  }

  private auditCancel(collectId: string, live: RunningCollect): void {
    if (!live.target) return;
    this.deps.audit(
      'collect.cancelled',
      {
        collectId,
        host: live.target.host,
        containerId: live.target.containerId,
        containerName: live.target.containerName,
        step: live.cancelled?.step ?? null,
        at: live.cancelled?.at ?? null,
      },
      live.target.caseId,
    );
  }

  /** Cancels every collection under way (the core is closing). */
  close(): void {
    for (const collectId of this.running.keys()) this.cancel(collectId);
  }

  private async runSteps(
    collectId: string,
    request: CollectRequest,
    target: StepTarget,
    kase: { id: string; name: string },
    docker: Dockerode,
    running: boolean,
    status: string,
    live: RunningCollect,
  ): Promise<CollectResult> {
    const signal = live.controller.signal;
    const startedAt = this.deps.clock.now().toISOString();
    const plan = COLLECT_STEPS.map((step) => ({ step, skip: this.skipReason(step, running, status, request) }));
    this.deps.audit(
      'collect.started',
      {
        collectId,
        host: target.host,
        containerId: target.containerId,
        containerName: target.containerName,
        running,
        memory: request.memory,
        captureSeconds: request.captureSeconds,
        plan: plan.map((p) => (p.skip ? { step: p.step, skip: p.skip } : { step: p.step })),
      },
      kase.id,
    );
    const steps: CollectStepOutcome[] = [];
    for (const [i, { step, skip }] of plan.entries()) {
      const progress = { collectId, host: target.host, containerName: target.containerName, step, index: i + 1, total: plan.length };
      if (skip) {
        steps.push({ step, state: 'skipped', artifactIds: [], durationMs: 0, reason: skip });
        this.deps.events.emit('collect.progress', { ...progress, state: 'skipped', artifactIds: [], reason: skip });
        continue;
      }
      if (signal.aborted) {
        const reason = `not started: the collection was cancelled${live.cancelled?.step ? ` during ${live.cancelled.step}` : ''}`;
        steps.push({ step, state: 'cancelled', artifactIds: [], durationMs: 0, reason });
        this.deps.events.emit('collect.progress', { ...progress, state: 'cancelled', artifactIds: [], reason });
        continue;
      }
      live.step = step;
      this.deps.events.emit('collect.progress', { ...progress, state: 'running', artifactIds: [] });
      const outcome = await this.runStep(step, target, request, docker, signal);
      live.step = null;
      steps.push(outcome);
      this.deps.events.emit('collect.progress', {
        ...progress,
        state: outcome.state,
        artifactIds: outcome.artifactIds,
        ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
      });
    }
    const failed = steps.filter((s) => s.state === 'failed').map((s) => s.step);
    this.deps.audit(
      'collect.finished',
      {
        collectId,
        host: target.host,
        containerId: target.containerId,
        containerName: target.containerName,
        failed,
        ...(live.cancelled ? { cancelled: live.cancelled } : {}),
        steps: steps.map((s) => ({
          step: s.step,
          state: s.state,
          artifactIds: s.artifactIds,
          durationMs: s.durationMs,
          ...(s.reason !== undefined ? { reason: s.reason } : {}),
          ...(s.error ? { error: s.error.message } : {}),
        })),
      },
      kase.id,
    );
    return {
      collectId,
      host: target.host,
      containerId: target.containerId,
      containerName: target.containerName,
      running,
      caseId: kase.id,
      caseName: kase.name,
      startedAt,
      finishedAt: this.deps.clock.now().toISOString(),
      steps,
      failed,
      ...(live.cancelled ? { cancelled: live.cancelled } : {}),
    };
  }

  private skipReason(step: CollectStep, running: boolean, status: string, request: CollectRequest): string | undefined {
    if (!running && VOLATILE_STEPS.includes(step))
      return `the container is not running (${status}): it has no live processes, connections, memory or packets`;
    if (step === 'memory' && request.memory === 'none') return 'memory was not asked for (--memory none)';
    if (step === 'capture' && request.captureSeconds === 0) return 'capture was not asked for (0 seconds)';
    return undefined;
  }

  private async runStep(
    step: CollectStep,
    target: StepTarget,
    request: CollectRequest,
    docker: Dockerode,
    signal: AbortSignal,
  ): Promise<CollectStepOutcome> {
    const started = this.deps.clock.now();
    const steps = this.deps.steps;
    let run: StepRun | undefined;
    let error: unknown;
    try {
      switch (step) {
        case 'processes':
          run = await steps.processes(target);
          break;
        case 'process-detail':
          run = await steps.processDetail(target);
          break;
        case 'connections':
          run = await steps.connections(target);
          break;
        case 'memory':
          run = await steps.memory(target, request.memory === 'none' ? [] : request.memory, signal);
          break;
        case 'capture':
          run = await steps.capture(target, request.captureSeconds, signal);
          break;
        case 'drift':
          run = await steps.drift(target, signal);
          break;
        case 'logs':
          run = await steps.logs(target);
          break;
        case 'inspect':
          run = await this.inspect(target, docker);
          break;
      }
    } catch (err) {
      error = err;
    }
    const base = { step, startedAt: started.toISOString(), durationMs: this.deps.clock.now().getTime() - started.getTime() };
    // Stopped by collect.cancel: what the step stored is kept; a failure it met on the way is kept too.
    if (run?.cancelled || (signal.aborted && error instanceof DrydockFailure && error.kind === 'cancelled'))
      return {
        ...base,
        state: 'cancelled',
        artifactIds: run?.artifactIds ?? [],
        reason: `cancelled while it ran${run?.artifactIds.length ? '; what it stored is kept' : ''}`,
        ...(run?.partial ? { error: toDrydockError(run.partial) } : {}),
        ...(run?.note !== undefined ? { note: run.note } : {}),
      };
    if (run && !run.partial)
      return { ...base, state: 'done', artifactIds: run.artifactIds, ...(run.note !== undefined ? { note: run.note } : {}) };
    return {
      ...base,
      state: 'failed',
      artifactIds: run?.artifactIds ?? [],
      error: toDrydockError(run?.partial ?? error),
      ...(run?.note !== undefined ? { note: run.note } : {}),
    };
  }

  /** The engine's inspect of the container and of its image, as the engine sent them, stored as one 'container-inspect'. */
  private async inspect(target: StepTarget, docker: Dockerode): Promise<StepRun> {
    const where = { host: target.host, container: target.containerName };
    const container = await engineCall({ ...where, action: 'inspect the container' }, () =>
      docker.getContainer(target.containerId).inspect(),
    );
    let image: unknown = null;
    let imageProblem: string | undefined;
    try {
      image = await engineCall({ ...where, action: "inspect the container's image" }, () => docker.getImage(container.Image).inspect());
    } catch (err) {
      if (!(err instanceof DrydockFailure)) throw err;
      imageProblem = err.message;
    }
    const takenAt = this.deps.clock.now().toISOString();
    const artifact = await this.deps.evidence.ingestJson(
      {
        caseId: target.caseId,
        kind: 'container-inspect',
        source: { host: target.host, containerId: target.containerId, containerName: target.containerName },
        method: 'Docker Engine API: inspect the container (GET /containers/{id}/json) and its image (GET /images/{id}/json)',
        mediaType: 'application/json',
        attributes: { takenAt, imageId: container.Image, ...(imageProblem !== undefined ? { imageProblem } : {}) },
      },
      { host: target.host, takenAt, container, image, ...(imageProblem !== undefined ? { imageProblem } : {}) },
    );
    this.deps.audit(
      'collect.inspect-stored',
      {
        host: target.host,
        containerId: target.containerId,
        containerName: target.containerName,
        artifactId: artifact.id,
        sha256: artifact.sha256,
      },
      target.caseId,
    );
    return {
      artifactIds: [artifact.id],
      ...(imageProblem !== undefined ? { note: `the image could not be inspected: ${imageProblem}` } : {}),
    };
  }
}
