import type { SwarmTaskTarget } from '../../shared/domain/quarantine';
import { mapNodeEngines } from '../core/cluster/node-engines';
import { DrydockFailure } from '../core/errors';
import type { Core } from './core';

// `drydock quarantine web.2 --host MANAGER`: a Swarm task named by its ID or as SERVICE.SLOT through
// its manager, resolved to the node it runs on, the saved host profile whose engine answers as that
// node (node-engines.ts: matched by the engine's own Swarm node ID, never guessed) and its container.
// The quarantine room then works on that node's engine; the cluster room is wired here because rooms
// do not import each other.

/** Where a quarantine acts: the host profile and container, and the Swarm task when named as one. */
export interface QuarantineTarget {
  host: string;
  container: string;
  task?: SwarmTaskTarget;
}

const TASK_ID = /^[a-z0-9]{25}$/;
const TASK_ID_PREFIX = /^[a-z0-9]{1,24}$/;
const SERVICE_SLOT = /^(.+)\.(\d{1,6})$/;

/** Whether a reference names a task without doubt: a whole task ID or SERVICE.SLOT. */
export function looksLikeTask(ref: string): boolean {
  return TASK_ID.test(ref) || SERVICE_SLOT.test(ref);
}

/** Whether a reference may be a task ID prefix (the 12 characters `docker service ps` prints, or fewer). */
export function mayBeTaskIdPrefix(ref: string): boolean {
  return TASK_ID_PREFIX.test(ref);
}

/**
 * The task a reference names among `tasks`, the way the engine resolves one: a whole task ID, then a
 * task name (SERVICE.SLOT; the newest when several), then a unique task ID prefix. Pure.
 * @returns the task, or undefined when none matches.
 * @throws DrydockFailure('invalid-input') for a prefix several tasks start with, naming them.
 */
export function findTask<T extends { id: string; name: string; createdAt?: string }>(
  tasks: readonly T[],
  ref: string,
  host: string,
): T | undefined {
  const newest = (list: T[]) => list.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0];
  const exact = tasks.find((t) => t.id === ref);
  if (exact) return exact;
  const named = tasks.filter((t) => t.name === ref);
  if (named.length) return newest(named);
  if (!mayBeTaskIdPrefix(ref)) return undefined;
  const prefixed = tasks.filter((t) => t.id.startsWith(ref));
  if (prefixed.length > 1)
    throw new DrydockFailure(
      'invalid-input',
      `Task ID prefix ${ref} is ambiguous in the swarm host ${host} manages: it starts ${prefixed.length} tasks (${prefixed
        .slice(0, 10)
        .map((t) => `${t.name} ${t.id.slice(0, 12)}`)
        .join(', ')}${prefixed.length > 10 ? ', …' : ''}); give more of the ID`,
      { host },
    );
  return prefixed[0];
}

/**
 * Resolves a container reference on `host`, or, when no container answers to it there and it looks
 * like a task ID or SERVICE.SLOT, the running task of that name in the swarm `host` manages.
 * A task may be named by a unique task ID prefix too (the 12 characters `docker service ps` prints).
 * @throws DrydockFailure('invalid-input') for a task ID prefix several running tasks start with (naming
 * them); ('not-found') for neither a container nor a running task, or for a task whose
 * node has no saved host profile (the message says what to add); ('unsupported') when `host` is not a
 * swarm manager; the engine kinds otherwise.
 */
export async function resolveQuarantineTarget(core: Core, host: string, ref: string): Promise<QuarantineTarget> {
  const surelyTask = looksLikeTask(ref);
  if (!surelyTask && !mayBeTaskIdPrefix(ref)) return { host, container: ref };
  const docker = await core.hosts.docker(host);
  try {
    await docker.getContainer(ref).inspect();
    return { host, container: ref };
  } catch (err) {
    // Any other answer is the quarantine's to report, as for any container.
    if ((err as { statusCode?: number }).statusCode !== 404) return { host, container: ref };
  }
  let tasks;
  try {
    tasks = (await core.cluster.tasks(host)).tasks;
  } catch (err) {
    // A name that only might be a task ID prefix, on a host that is not a manager: the quarantine
    // reports the container it does not find, as for any name.
    if (!surelyTask && err instanceof DrydockFailure && err.kind === 'unsupported') return { host, container: ref };
    throw err;
  }
  const task = findTask(
    tasks.filter((t) => t.desiredState === 'running'),
    ref,
    host,
  );
  if (!task)
    throw new DrydockFailure('not-found', `No container ${ref} on host ${host}, and no running task ${ref} in the swarm it manages`, {
      host,
      container: ref,
    });
  if (!task.containerId || !task.nodeId)
    throw new DrydockFailure('not-found', `Task ${task.name} (${task.id}) has no container yet (state ${task.state})`, {
      host,
      container: ref,
    });
  const node = (await core.cluster.nodes(host)).nodes.find((n) => n.id === task.nodeId);
  if (!node)
    throw new DrydockFailure('not-found', `The manager on host ${host} does not know node ${task.nodeId} of task ${task.name}`, { host });
  const { engines } = await mapNodeEngines({ profiles: () => core.hosts.list(), docker: (h) => core.hosts.docker(h) }, [node]);
  const engine = engines[0];
  if (!engine?.host)
    throw new DrydockFailure(
      'not-found',
      engine?.state === 'node-down'
        ? `Task ${task.name} runs on node ${node.hostname || node.id}, which is down as the manager on host ${host} sees it`
        : `Task ${task.name} runs on node ${node.hostname || node.id}, and no saved host profile answers as that node: add one for its engine${engine?.suggestion ? ` (a guess from its address: ${engine.suggestion})` : ''}`,
      { host, container: ref },
    );
  return {
    host: engine.host,
    container: task.containerId,
    task: {
      manager: host,
      taskId: task.id,
      taskName: task.name,
      serviceId: task.serviceId,
      serviceName: task.serviceName,
      ...(task.slot !== undefined ? { slot: task.slot } : {}),
      nodeId: task.nodeId,
      nodeHostname: task.nodeHostname,
    },
  };
}

/**
 * For release: a container on `host`, else the active quarantine of the task (by ID or SERVICE.SLOT)
 * resolved through the manager `host` when it was applied, wherever its node is (the task may have
 * been replaced since: the record names the quarantined container).
 * A task may be named by a unique task ID prefix too.
 * @throws DrydockFailure('not-found') "task SERVICE.SLOT (ID) is not quarantined by Drydock" for a task
 * with no active quarantine through that manager ("<ref> is not quarantined…" when the manager no longer
 * lists it) and no container of that name on `host`; ('invalid-input') for an ambiguous task ID prefix; the engine
 * kinds of the host's connection otherwise.
 */
export async function resolveReleaseTarget(core: Core, host: string, ref: string): Promise<{ host: string; container: string }> {
  const surelyTask = looksLikeTask(ref);
  if (!surelyTask && !mayBeTaskIdPrefix(ref)) return { host, container: ref };
  const record = core.quarantine.activeForTask(host, ref);
  if (record) return { host: record.host, container: record.containerId };
  const docker = await core.hosts.docker(host);
  try {
    await docker.getContainer(ref).inspect();
  } catch (err) {
    // Any other answer is the release's to report, as for any container.
    if ((err as { statusCode?: number }).statusCode !== 404) return { host, container: ref };
    // A container quarantined under that name and removed since is closed by release itself.
    if (!core.quarantine.hasActiveRecordFor(host, ref)) {
      const task = await taskNamed(core, host, ref);
      if (task)
        throw new DrydockFailure(
          'not-found',
          `task ${task.name} (${task.id.slice(0, 12)}) is not quarantined by Drydock: no active quarantine of it through manager ${host}`,
          { host, container: ref },
        );
      if (surelyTask)
        throw new DrydockFailure(
          'not-found',
          `${ref} is not quarantined by Drydock: no active quarantine of task ${ref} through manager ${host}, and no container of that name on host ${host}`,
          { host, container: ref },
        );
    }
  }
  return { host, container: ref };
}

/** The task a reference names in the swarm `host` manages (any state), or undefined when it names none or `host` manages none. */
async function taskNamed(core: Core, host: string, ref: string): Promise<{ id: string; name: string } | undefined> {
  try {
    return findTask((await core.cluster.tasks(host)).tasks, ref, host);
  } catch (err) {
    if (err instanceof DrydockFailure && err.kind !== 'invalid-input') return undefined;
    throw err;
  }
}
