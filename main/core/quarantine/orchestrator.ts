import type Dockerode from 'dockerode';
import type { OrchestratorAction, SwarmServicePolicy, SwarmTaskTarget } from '../../../shared/domain/quarantine';
import { counted } from '../../../shared/counted';
import { DrydockFailure } from '../errors';
import { engineCall } from '../hosts/engine-call';

// What the Swarm orchestrator may do to a quarantined task, and the two actions a responder may take
// on it through the manager (drain the task's node, scale the service). Each action records what it
// changed (the node's availability, the replica count) so release can put it back. The manager's
// answers are hostile input like any engine's: only the typed fields below are read.

interface ServiceSpecFacts {
  Mode?: { Replicated?: { Replicas?: unknown }; Global?: unknown; ReplicatedJob?: unknown; GlobalJob?: unknown };
  TaskTemplate?: {
    RestartPolicy?: { Condition?: unknown; Delay?: unknown; MaxAttempts?: unknown; Window?: unknown };
    ContainerSpec?: { Healthcheck?: { Test?: unknown } };
  };
  UpdateConfig?: { Parallelism?: unknown; FailureAction?: unknown; Order?: unknown; Monitor?: unknown };
}

interface Versioned<S> {
  Version?: { Index?: unknown };
  Spec?: S;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown, max = 64) => (typeof v === 'string' ? v.slice(0, max) : undefined);
const seconds = (ns: unknown) => {
  const n = num(ns);
  return n === undefined ? undefined : Math.round(n / 1e7) / 100;
};

function modeOf(spec: ServiceSpecFacts): string {
  const m = spec.Mode ?? {};
  if (m.Replicated) return 'replicated';
  if (m.Global) return 'global';
  if (m.ReplicatedJob) return 'replicated-job';
  if (m.GlobalJob) return 'global-job';
  return 'unknown';
}

/** The service's mode, restart policy, update config and health check, from its spec (units: seconds). */
export function servicePolicy(spec: ServiceSpecFacts): SwarmServicePolicy {
  const rp = spec.TaskTemplate?.RestartPolicy ?? {};
  const uc = spec.UpdateConfig ?? {};
  const replicas = num(spec.Mode?.Replicated?.Replicas);
  const test = spec.TaskTemplate?.ContainerSpec?.Healthcheck?.Test;
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return {
    mode: modeOf(spec),
    ...(replicas !== undefined ? { replicas } : {}),
    // The engine's default condition is "any" when the spec leaves it out.
    restart: defined({
      condition: str(rp.Condition) ?? 'any',
      delaySeconds: seconds(rp.Delay),
      maxAttempts: num(rp.MaxAttempts),
      windowSeconds: seconds(rp.Window),
    }),
    update: defined({
      parallelism: num(uc.Parallelism),
      failureAction: str(uc.FailureAction),
      order: str(uc.Order),
      monitorSeconds: seconds(uc.Monitor),
    }),
    ...(Array.isArray(test) && test.every((t) => typeof t === 'string')
      ? { healthcheck: (test as string[]).slice(0, 20).map((t) => t.slice(0, 500)) }
      : {}),
  };
}

/**
 * Reads the service's policy through its manager.
 * @throws DrydockFailure naming the manager host ('not-found' for a service gone, the engine kinds otherwise).
 */
export async function readServicePolicy(manager: Dockerode, task: SwarmTaskTarget): Promise<SwarmServicePolicy> {
  const info = (await engineCall({ host: task.manager, action: `reading service ${task.serviceName}'s spec` }, () =>
    manager.getService(task.serviceId).inspect(),
  )) as Versioned<ServiceSpecFacts>;
  return servicePolicy(info.Spec ?? {});
}

/** What the orchestrator does to a quarantined task under this policy, in sentences for the responder. */
export function policyConsequences(task: SwarmTaskTarget, policy: SwarmServicePolicy | undefined, modes: readonly string[]): string[] {
  const lines: string[] = [];
  const node = task.nodeHostname || task.nodeId;
  if (!policy) {
    lines.push(
      `The service's restart and update policy could not be read: assume the orchestrator may replace ${task.taskName} at any time.`,
    );
    return lines;
  }
  const rp = policy.restart;
  lines.push(
    `Service ${task.serviceName}: mode ${policy.mode}${policy.replicas !== undefined ? `, ${counted(policy.replicas, 'replica')}` : ''}; restart condition ${rp.condition}${rp.maxAttempts ? `, at most ${counted(rp.maxAttempts, 'attempt')}` : ''}${rp.delaySeconds !== undefined ? `, delay ${rp.delaySeconds} s` : ''}; update parallelism ${policy.update.parallelism ?? 1}, on failure ${policy.update.failureAction ?? 'pause'}, order ${policy.update.order ?? 'stop-first'}.`,
  );
  // Each line below is for a mode the responder chose: nothing is said about modes not asked for.
  if (modes.includes('isolate'))
    lines.push(
      `Isolation here is a packet filter inside the task's own network namespace: the task keeps running, stays attached to its networks as the manager sees them, and serves no one. Its loopback still works, so a health check that only talks to localhost keeps passing.`,
    );
  if (modes.includes('isolate') && policy.healthcheck?.length)
    lines.push(
      `It has a health check (${policy.healthcheck.join(' ')}): if that check needs anything beyond loopback it will fail, and the orchestrator then shuts the task down and starts a replacement (the quarantined container is kept, stopped, until the task history limit prunes it).`,
    );
  if (modes.includes('pause'))
    lines.push(
      `A paused task fails its health checks and may be marked failed: the orchestrator then starts a replacement elsewhere${rp.condition === 'none' ? '' : ' (restart condition ' + rp.condition + ')'} and stops the paused container.`,
    );
  if (modes.includes('stop'))
    lines.push(
      rp.condition === 'none'
        ? 'A stopped task is not restarted (restart condition none), and no replacement is started.'
        : `A stopped task counts as exited: the orchestrator starts a replacement (restart condition ${rp.condition}); the stopped container is kept until the task history limit prunes it.`,
    );
  lines.push(
    `A service update (new image, new config) replaces every task, this one included, ${policy.update.order === 'start-first' ? 'starting the new one first' : 'stopping it first'}: hold updates of ${task.serviceName} while it is quarantined. Node ${node} going down also ends it.`,
  );
  return lines;
}

/** The swarm around a node to drain, as its manager sees it. */
export interface DrainContext {
  /** Other nodes that are ready and active: where the manager can start replacements. */
  otherAvailable: number;
  /** The node to drain is the swarm's leader. */
  leader: boolean;
  /** How many managers the swarm has. */
  managers: number;
}

interface NodeFacts {
  ID?: unknown;
  Spec?: { Availability?: unknown };
  Status?: { State?: unknown };
  ManagerStatus?: { Leader?: unknown };
}

/**
 * How many other nodes could take the drained node's tasks, and whether it is the leader, from the
 * manager's node list.
 * @throws DrydockFailure naming the manager host (the engine kinds of engineCall).
 */
export async function readDrainContext(manager: Dockerode, task: SwarmTaskTarget): Promise<DrainContext> {
  const nodes = (await engineCall({ host: task.manager, action: 'listing the swarm nodes' }, () => manager.listNodes())) as unknown;
  const list = (Array.isArray(nodes) ? nodes : []) as NodeFacts[];
  const self = list.find((n) => n.ID === task.nodeId);
  return {
    otherAvailable: list.filter((n) => n.ID !== task.nodeId && n.Spec?.Availability === 'active' && n.Status?.State === 'ready').length,
    leader: self?.ManagerStatus?.Leader === true,
    managers: list.filter((n) => n.ManagerStatus !== undefined && n.ManagerStatus !== null).length,
  };
}

/**
 * What draining the node or scaling the service does, said before the responder confirms it. For a
 * drain, `drain` (when the node list could be read) says whether any other node can take its tasks.
 */
export function actionConsequence(
  kind: OrchestratorAction['kind'],
  task: SwarmTaskTarget,
  to: string | number,
  policy?: SwarmServicePolicy,
  drain?: DrainContext,
): string {
  const node = task.nodeHostname || task.nodeId;
  if (kind === 'drain-node') {
    const release = 'Take memory and a snapshot first. Release sets the availability back to what it was.';
    if (drain && drain.otherAvailable === 0) {
      const role = drain.leader
        ? drain.managers <= 1
          ? ' It is the leader and only manager of the swarm: it keeps managing it, with no task running anywhere.'
          : ' It is the leader of the swarm: it keeps managing it.'
        : '';
      return `Drain node ${node} (availability drain), the only available node of the swarm: every task of every service on it is stopped, THIS ONE INCLUDED (its container is stopped, its memory lost; the stopped container stays until the task history limit prunes it), with nowhere to go: no other node is ready and active, so no replacement starts and those services serve nothing until a node is available.${role} ${release}`;
    }
    return `Drain node ${node} (availability drain): the manager moves every task off it, THIS ONE INCLUDED (its container is stopped, its memory lost; the stopped container stays until the task history limit prunes it), and starts their replacements on ${drain ? `the ${counted(drain.otherAvailable, 'other available node')}` : 'other nodes'}; nothing new is scheduled there. ${release}`;
  }
  const before = policy?.replicas;
  const n = Number(to);
  if (before !== undefined && n < before)
    return `Scale service ${task.serviceName} from ${before} to ${counted(n, 'replica')}: the manager chooses which tasks to remove and may choose this one (its container is then stopped). Release sets the replica count back to ${before}.`;
  return `Scale service ${task.serviceName} from ${before ?? '?'} to ${counted(n, 'replica')}: the manager starts ${before !== undefined ? counted(n - before, 'new task') : 'more new tasks'} to serve in its place; the quarantined task keeps its slot. Release sets the replica count back to ${before ?? 'what it was'}.`;
}

async function inspectVersioned<S>(host: string, what: string, run: () => Promise<unknown>): Promise<{ version: number; spec: S }> {
  const info = (await engineCall({ host, action: `reading ${what}` }, run)) as Versioned<S>;
  const version = num(info.Version?.Index);
  if (version === undefined || !info.Spec)
    throw new DrydockFailure('engine', `The manager on host ${host} answered ${what} without a version or a spec`, { host });
  return { version, spec: info.Spec };
}

/**
 * Sets the node's availability (active, pause, drain) through the manager; returns the one before.
 * @throws DrydockFailure naming the manager host (the engine kinds of engineCall).
 */
export async function setNodeAvailability(manager: Dockerode, host: string, nodeId: string, availability: string): Promise<string> {
  const node = manager.getNode(nodeId);
  const { version, spec } = await inspectVersioned<Record<string, unknown>>(host, `node ${nodeId}`, () => node.inspect());
  const previous = str(spec.Availability) ?? 'active';
  if (previous !== availability)
    await engineCall({ host, action: `setting node ${nodeId} to ${availability}` }, () =>
      node.update({ _query: { version }, ...spec, Availability: availability }),
    );
  return previous;
}

/**
 * Sets a replicated service's replica count through the manager; returns the count before.
 * @throws DrydockFailure('unsupported') for a service that is not replicated; the engine kinds otherwise.
 */
export async function setReplicas(manager: Dockerode, host: string, serviceId: string, replicas: number): Promise<number> {
  const service = manager.getService(serviceId);
  const { version, spec } = await inspectVersioned<ServiceSpecFacts & Record<string, unknown>>(host, `service ${serviceId}`, () =>
    service.inspect(),
  );
  const previous = num(spec.Mode?.Replicated?.Replicas);
  if (previous === undefined)
    throw new DrydockFailure(
      'unsupported',
      `Service ${serviceId} on the swarm managed by host ${host} is not replicated: it cannot be scaled`,
      {
        host,
      },
    );
  if (previous !== replicas)
    await engineCall({ host, action: `scaling service ${serviceId} to ${replicas}` }, () =>
      service.update({ _query: { version }, ...spec, Mode: { Replicated: { Replicas: replicas } } }),
    );
  return previous;
}
