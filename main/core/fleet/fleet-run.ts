import type Dockerode from 'dockerode';
import type { FleetCleanup, FleetNodeResult, FleetProgressEvent } from '../../../shared/domain/fleet';
import type { Clock } from '../clock';
import { DrydockFailure, toDrydockError } from '../errors';
import { engineCall } from '../hosts/engine-call';
import { counted } from '../../../shared/counted';
import type { CollectorBundle } from './collector-bundle';
import { loadCollector, removeCollector, type NodeEngineClient } from './collector-image';
import { pullCollector, pushCollector, type PushedCollector } from './collector-registry';
import { COLLECTOR_BUNDLE_NAME, COLLECTOR_OUT_DIR, fetchBundle } from './bundle-fetch';
import { engineText } from './engine-text';

// One fleet run on the swarm's own scheduler: the collector image onto every node Drydock can
// reach (loaded through each node's engine, or pushed once to a registry through the manager and
// pulled by each node by digest), the run's private key as a Swarm secret, the collector as a `global-job` service (one task
// per node, nothing restarted), each finished task's bundle fetched through its node's engine and
// handed to `merge`, then the service, the secret and the image removed from every engine they
// reached, whatever happened before (an image a node held before the run is left as found). Each step is audited and reported as progress.

/** The label on the service, its secret and its containers: which run they belong to. */
export const FLEET_RUN_LABEL = 'org.drydock.fleet-run';
/** Where the collector finds the run key inside its container (Swarm mounts secrets under /run/secrets). */
export const COLLECTOR_KEY_FILE = 'drydock-fleet-key';
/** The node engine's socket inside the collector's container. */
const COLLECTOR_SOCKET = '/var/run/docker.sock';
/** How often the manager's task list is read while the collectors run (milliseconds). */
const TASK_POLL_MS = 500;
/** Task states in which the node may not have made the task's container yet (from 'ready' on it exists, and a sweep finds it). */
const BEFORE_CONTAINER = new Set(['new', 'allocated', 'pending', 'assigned', 'accepted', 'preparing']);
/** How long, after the service is removed, tasks without a container yet are waited for before the last sweep (milliseconds). */
const TASKS_SETTLE_MS = 30_000;
const TERMINAL = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned', 'remove']);

/** A node of the swarm as the run sees it: its engine when Drydock reaches it, else why not. */
export interface FleetNode {
  nodeId: string;
  hostname: string;
  engine?: NodeEngineClient;
  /** Why no engine (no saved profile answers with its ID, or the node is down). */
  unreached?: string;
  suggestion?: string;
}

export interface FleetRunDeps {
  manager: { host: string; docker: Dockerode };
  clock: Clock;
  audit(action: string, details: Record<string, unknown>): void;
  progress(event: Omit<FleetProgressEvent, 'runId' | 'manager'>): void;
  /** Verifies, countersigns and merges one node's bundle file; rejects with a DrydockFailure to refuse it. */
  merge(node: FleetNode & { engine: NodeEngineClient }, file: string): Promise<NonNullable<FleetNodeResult['bundle']>>;
  /** Milliseconds between task-list reads (tests may shorten it); default 500. */
  pollMs?: number;
}

export interface FleetRunRequest {
  runId: string;
  nodes: FleetNode[];
  bundle: CollectorBundle;
  /** The run's private key (PKCS#8 PEM); the caller destroys it afterwards. */
  privateKeyPem: Buffer;
  fingerprint: string;
  /** The node engine's socket path as the task mounts it (Swarm templates allowed). */
  nodeSocket: string;
  timeoutMs: number;
  /**
   * A registry (host[:port]) every node can pull from: the image is pushed there once through the
   * manager's engine instead of being loaded through each node's; absent: loaded node by node.
   */
  registry?: string;
  /** Cancels the run: no further node is loaded, waited for or fetched; what was merged stays, and everything is removed. */
  signal?: AbortSignal;
}

interface SwarmTask {
  ID?: string;
  NodeID?: string;
  Status?: { State?: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
}

const secretName = (runId: string) => `drydock-fleet-${runId}`;
const serviceName = (runId: string) => `drydock-fleet-${runId}`;

/** Waits `ms` milliseconds, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const CANCELLED = 'the fleet triage was cancelled before this node was done';

/** Runs `work` over `items`, at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/**
 * Runs the collector on every reachable node and merges what comes back (see the file comment).
 * Returns one result per node (in `request.nodes` order) and what was removed afterwards; a node's
 * failure is in its result, never thrown.
 * @throws DrydockFailure only when the run cannot start on the manager (the secret or the service
 *   refused: engine kinds naming the manager host); whatever was created is removed first.
 */
export async function runFleet(deps: FleetRunDeps, request: FleetRunRequest): Promise<{ nodes: FleetNodeResult[]; cleanup: FleetCleanup }> {
  const { runId, bundle } = request;
  const manager = deps.manager;
  const results = new Map<string, FleetNodeResult>();
  for (const n of request.nodes)
    results.set(n.nodeId, {
      nodeId: n.nodeId,
      hostname: n.hostname,
      ...(n.engine ? { host: n.engine.host } : {}),
      state: n.engine ? 'failed' : 'unreached',
      ...(n.engine ? {} : { error: n.unreached ?? `node ${n.hostname} cannot be reached` }),
      ...(n.suggestion && !n.engine ? { suggestion: n.suggestion } : {}),
    });
  const fail = (n: FleetNode, error: string) => {
    const r = results.get(n.nodeId);
    if (r) r.error = error;
  };
  const cancel = (n: FleetNode) => {
    const r = results.get(n.nodeId);
    if (r && r.state !== 'unreached') {
      r.state = 'cancelled';
      r.error = CANCELLED;
    }
  };
  /** Nodes (by ID) that held exactly the collector image before the run: it is left there afterwards. */
  const found = new Set<string>();
  const cleanup: FleetCleanup = { service: 'not-created', secret: 'not-created', images: [], problems: [] };
  const loaded: (FleetNode & { engine: NodeEngineClient })[] = [];
  /** Engines that may hold the image without a task: nodes whose load failed part way, the manager that pushed it. */
  const partly: (FleetNode & { engine: NodeEngineClient })[] = [];
  let secretId: string | undefined;
  let serviceId: string | undefined;
  let pushed: PushedCollector | undefined;
  const managerClient: NodeEngineClient = {
    host: manager.host,
    nodeId: 'manager',
    hostname: `manager ${manager.host}`,
    docker: manager.docker,
  };
  const reachable = request.nodes.filter((n): n is FleetNode & { engine: NodeEngineClient } => n.engine !== undefined);
  for (const n of request.nodes)
    if (!n.engine) deps.audit('fleet.node-unreached', { runId, nodeId: n.nodeId, hostname: n.hostname, reason: n.unreached ?? null });

  try {
    const signal = request.signal;
    if (request.registry) {
      // One push through the manager; every reachable node pulls it by digest when its task starts.
      deps.progress({ step: 'image', state: 'started', message: `pushing to registry ${request.registry}` });
      try {
        pushed = await pushCollector(managerClient, bundle, request.registry);
        deps.audit('fleet.collector-pushed', {
          runId,
          host: manager.host,
          registry: request.registry,
          reference: pushed.reference,
          tagged: pushed.tagged,
          imageId: bundle.imageId,
          bundleSha256: pushed.load.present ? bundle.sha256 : pushed.load.sha256,
          bytes: pushed.load.bytes,
        });
        deps.progress({ step: 'image', state: 'done', message: pushed.reference });
      } catch (err) {
        const e = toDrydockError(err);
        for (const n of reachable) fail(n, e.message);
        deps.audit('fleet.collector-push-failed', { runId, host: manager.host, registry: request.registry, error: e.message });
        deps.progress({ step: 'image', state: 'failed', message: e.message });
      }
    }
    // Pushed: each reachable node pulls it by digest through its own engine, four at a time.
    const registryCopy = pushed;
    await pool(registryCopy ? reachable : [], 4, async (n) => {
      if (signal?.aborted || !registryCopy) return signal?.aborted ? cancel(n) : fail(n, CANCELLED);
      deps.progress({ node: n.hostname, step: 'image', state: 'started', message: `pulling ${registryCopy.reference}` });
      try {
        const pull = await pullCollector(n.engine, bundle, registryCopy);
        loaded.push(n);
        // The manager's own engine holds it since the push: "there before" only if it was there before that.
        const before = n.engine.host === manager.host ? registryCopy.load.present : pull.present;
        if (before) found.add(n.nodeId);
        deps.audit('fleet.collector-pulled', {
          runId,
          nodeId: n.nodeId,
          hostname: n.hostname,
          host: n.engine.host,
          reference: registryCopy.reference,
          imageId: bundle.imageId,
          alreadyPresent: before,
        });
        deps.progress({
          node: n.hostname,
          step: 'image',
          state: 'done',
          message: before ? 'already present (it was there before the run: left as found afterwards)' : 'pulled',
        });
      } catch (err) {
        const e = toDrydockError(err);
        fail(n, e.message);
        partly.push(n);
        deps.audit('fleet.collector-pull-failed', { runId, nodeId: n.nodeId, hostname: n.hostname, host: n.engine.host, error: e.message });
        deps.progress({ node: n.hostname, step: 'image', state: 'failed', message: e.message });
      }
    });
    // Else the image through each node's engine, two nodes at a time (a large tar per node).
    await pool(request.registry ? [] : reachable, 2, async (n) => {
      if (signal?.aborted) return cancel(n);
      deps.progress({ node: n.hostname, step: 'image', state: 'started' });
      try {
        const load = await loadCollector(n.engine, bundle);
        loaded.push(n);
        if (load.present) found.add(n.nodeId);
        deps.audit('fleet.collector-loaded', {
          runId,
          nodeId: n.nodeId,
          hostname: n.hostname,
          host: n.engine.host,
          image: bundle.tag,
          imageId: bundle.imageId,
          bundleSha256: load.present ? bundle.sha256 : load.sha256,
          bytes: load.bytes,
          alreadyPresent: load.present,
        });
        deps.progress({
          node: n.hostname,
          step: 'image',
          state: 'done',
          message: load.present ? 'already present (it was there before the run: left as found afterwards)' : `${load.bytes} bytes loaded`,
        });
      } catch (err) {
        const e = toDrydockError(err);
        fail(n, e.message);
        if (e.kind !== 'unsupported') partly.push(n);
        deps.audit('fleet.collector-load-failed', { runId, nodeId: n.nodeId, hostname: n.hostname, host: n.engine.host, error: e.message });
        deps.progress({ node: n.hostname, step: 'image', state: 'failed', message: e.message });
      }
    });
    if (loaded.length === 0 || signal?.aborted) {
      for (const n of loaded) cancel(n);
      return { nodes: [...results.values()], cleanup };
    }

    deps.progress({ step: 'secret', state: 'started' });
    const secret = await engineCall({ host: manager.host, action: 'create the fleet run key secret on the manager' }, () =>
      manager.docker.createSecret({
        Name: secretName(runId),
        Labels: { [FLEET_RUN_LABEL]: runId },
        Data: request.privateKeyPem.toString('base64'),
      } as unknown as Record<string, unknown>),
    );
    secretId = (secret as unknown as { id: string }).id;
    cleanup.secret = 'failed';
    deps.audit('fleet.secret-created', { runId, host: manager.host, secretId, name: secretName(runId), fingerprint: request.fingerprint });
    deps.progress({ step: 'secret', state: 'done' });

    // Only the nodes that hold the image get a task: the others are excluded by constraint.
    const excluded = request.nodes.filter((n) => !loaded.includes(n as FleetNode & { engine: NodeEngineClient }));
    deps.progress({ step: 'service', state: 'started' });
    const spec = {
      Name: serviceName(runId),
      Labels: { [FLEET_RUN_LABEL]: runId },
      Mode: { GlobalJob: {} },
      TaskTemplate: {
        ContainerSpec: {
          Image: pushed ? pushed.reference : bundle.imageId,
          Labels: { [FLEET_RUN_LABEL]: runId },
          Args: [
            'fleet',
            'collect',
            '--host',
            `unix://${COLLECTOR_SOCKET}`,
            '--key-file',
            `/run/secrets/${COLLECTOR_KEY_FILE}`,
            '--out',
            `${COLLECTOR_OUT_DIR}/${COLLECTOR_BUNDLE_NAME}`,
            '--run',
            runId,
            '--store',
            '/tmp/drydock-store',
            '--json',
            // The name each node's evidence is recorded under: the examiner's profile for that
            // node, by node ID (the collector picks its own; templates cannot reach Args).
            '--node-names',
            loaded.map((n) => `${n.nodeId}=${n.engine.host}`).join(','),
          ],
          Env: [`DRYDOCK_EXAMINER=fleet collector ${runId}`, 'TZ=UTC'],
          Mounts: [{ Type: 'bind', Source: request.nodeSocket, Target: COLLECTOR_SOCKET }],
          Secrets: [
            { SecretID: secretId, SecretName: secretName(runId), File: { Name: COLLECTOR_KEY_FILE, UID: '0', GID: '0', Mode: 0o400 } },
          ],
        },
        RestartPolicy: { Condition: 'none', MaxAttempts: 0 },
        Placement: { Constraints: excluded.map((n) => `node.id!=${n.nodeId}`) },
      },
    };
    const service = await engineCall({ host: manager.host, action: 'create the fleet collector service on the manager' }, () =>
      manager.docker.createService(spec as unknown as Dockerode.CreateServiceOptions),
    );
    serviceId = (service as unknown as { id: string }).id;
    cleanup.service = 'failed';
    deps.audit('fleet.service-created', {
      runId,
      host: manager.host,
      serviceId,
      name: serviceName(runId),
      mode: 'global-job',
      image: pushed ? pushed.reference : bundle.imageId,
      nodes: loaded.map((n) => n.nodeId),
      excluded: excluded.map((n) => n.nodeId),
      nodeSocket: request.nodeSocket,
    });
    deps.progress({ step: 'service', state: 'done' });

    const tasks = await waitForTasks(deps, request, serviceId, loaded);
    // Fetched and merged one node at a time: each merge writes into the one case.
    for (const n of loaded) {
      const task = tasks.get(n.nodeId);
      const r = results.get(n.nodeId) as FleetNodeResult;
      if (task?.ID) r.taskId = task.ID;
      if (signal?.aborted) {
        cancel(n);
        continue;
      }
      const state = task?.Status?.State ?? 'none';
      if (!task || state !== 'complete') {
        const why = !task
          ? `the swarm made no collector task on node ${n.hostname} within ${Math.round(request.timeoutMs / 1000)} s`
          : TERMINAL.has(state)
            ? `the collector task on node ${n.hostname} ended ${state}${task.Status?.Err ? `: ${engineText(task.Status.Err)}` : ''}${await collectorLog(n, task)}`
            : `the collector on node ${n.hostname} did not finish within ${Math.round(request.timeoutMs / 1000)} s (task ${state})`;
        fail(n, why);
        deps.audit('fleet.task-failed', { runId, nodeId: n.nodeId, hostname: n.hostname, taskId: task?.ID ?? null, state, error: why });
        continue;
      }
      const containerId = task.Status?.ContainerStatus?.ContainerID ?? '';
      deps.progress({ node: n.hostname, step: 'fetch', state: 'started' });
      let fetched;
      try {
        if (!/^[a-f0-9]{64}$/.test(containerId))
          throw new DrydockFailure('engine', `The manager names no container for the collector task on node ${n.hostname}`, {
            host: manager.host,
          });
        fetched = await fetchBundle(n.engine, containerId);
        deps.audit('fleet.bundle-fetched', {
          runId,
          nodeId: n.nodeId,
          hostname: n.hostname,
          host: n.engine.host,
          taskId: task.ID,
          containerId,
          bytes: fetched.bytes,
        });
        deps.progress({ node: n.hostname, step: 'fetch', state: 'done', message: `${fetched.bytes} bytes` });
        deps.progress({ node: n.hostname, step: 'merge', state: 'started' });
        r.bundle = await deps.merge(n, fetched.file);
        r.state = 'merged';
        delete r.error;
        deps.progress({ node: n.hostname, step: 'merge', state: 'done', message: `${r.bundle.artifacts.length} artifacts` });
      } catch (err) {
        const e = toDrydockError(err);
        fail(n, e.message);
        deps.audit('fleet.bundle-refused', {
          runId,
          nodeId: n.nodeId,
          hostname: n.hostname,
          host: n.engine.host,
          containerId,
          error: e.message,
        });
        deps.progress({ node: n.hostname, step: fetched ? 'merge' : 'fetch', state: 'failed', message: e.message });
      } finally {
        await fetched?.discard();
      }
    }
    return { nodes: [...results.values()], cleanup };
  } finally {
    // Pushed through the manager: its engine holds the image (and the registry tag) too.
    if (request.registry) partly.push({ nodeId: managerClient.nodeId, hostname: managerClient.hostname, engine: managerClient });
    if (pushed) cleanup.registry = { reference: pushed.reference, tagged: pushed.tagged };
    await removeEverything(deps, request, { serviceId, secretId, loaded, partly, found, pushed, cleanup });
  }
}

/** The collector's last lines of output (its own error), through the node's engine; '' when unreadable. */
async function collectorLog(n: FleetNode & { engine: NodeEngineClient }, task: SwarmTask): Promise<string> {
  const id = task.Status?.ContainerStatus?.ContainerID;
  if (!id) return '';
  try {
    const raw = (await n.engine.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: 5, follow: false })) as unknown as Buffer;
    const text = Buffer.isBuffer(raw) ? demuxed(raw) : String(raw);
    return text.trim() ? ` (collector said: ${engineText(text.trim(), 600)})` : '';
  } catch {
    // The log is an aid to the message only.
    return '';
  }
}

/** The payload of a multiplexed log (8-byte frame headers: stream, 3 zero bytes, big-endian length), as text. */
function demuxed(raw: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length && raw[at]! <= 2 && raw[at + 1] === 0 && raw[at + 2] === 0 && raw[at + 3] === 0) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return (at === 0 ? raw : Buffer.concat(parts)).toString('utf8');
}

/**
 * Reads the service's tasks from the manager until every node in `nodes` has one in a terminal
 * state, or the run's timeout passes; progress as each node's task changes state.
 */
async function waitForTasks(
  deps: FleetRunDeps,
  request: FleetRunRequest,
  serviceId: string,
  nodes: (FleetNode & { engine: NodeEngineClient })[],
): Promise<Map<string, SwarmTask>> {
  const deadline = deps.clock.now().getTime() + request.timeoutMs;
  const seen = new Map<string, string>();
  const latest = new Map<string, SwarmTask>();
  const wanted = new Set(nodes.map((n) => n.nodeId));
  const names = new Map(nodes.map((n) => [n.nodeId, n.hostname]));
  for (;;) {
    const tasks = (await engineCall({ host: deps.manager.host, action: 'list the fleet collector tasks' }, () =>
      deps.manager.docker.listTasks({ filters: JSON.stringify({ service: [serviceId] }) } as unknown as Record<string, unknown>),
    )) as SwarmTask[];
    for (const t of tasks) {
      if (!t.NodeID || !wanted.has(t.NodeID)) continue;
      latest.set(t.NodeID, t);
      const state = t.Status?.State ?? 'unknown';
      if (seen.get(t.NodeID) !== state) {
        seen.set(t.NodeID, state);
        const failed = TERMINAL.has(state) && state !== 'complete';
        // Once cancelled, the tasks' further states are not news (the cleanup follows); they are still audited.
        if (!request.signal?.aborted)
          deps.progress({
            node: names.get(t.NodeID) ?? t.NodeID,
            step: 'task',
            state: state === 'complete' ? 'done' : failed ? 'failed' : 'started',
            message: state,
          });
        if (TERMINAL.has(state))
          deps.audit('fleet.task-ended', {
            runId: request.runId,
            nodeId: t.NodeID,
            hostname: names.get(t.NodeID) ?? null,
            taskId: t.ID ?? null,
            state,
            exitCode: t.Status?.ContainerStatus?.ExitCode ?? null,
          });
      }
    }
    if ([...wanted].every((id) => TERMINAL.has(latest.get(id)?.Status?.State ?? ''))) return latest;
    if (deps.clock.now().getTime() >= deadline || request.signal?.aborted) return latest;
    await pause(deps.pollMs ?? TASK_POLL_MS, request.signal);
  }
}

/** Service, then (once its containers are gone on each node) the secret and the image: each audited; failures listed. */
async function removeEverything(
  deps: FleetRunDeps,
  request: FleetRunRequest,
  made: {
    serviceId?: string;
    secretId?: string;
    loaded: (FleetNode & { engine: NodeEngineClient })[];
    partly: (FleetNode & { engine: NodeEngineClient })[];
    /** Node IDs that held the image before the run: left as found. */
    found: Set<string>;
    pushed?: PushedCollector;
    cleanup: FleetCleanup;
  },
): Promise<void> {
  const { runId } = request;
  const { cleanup } = made;
  const manager = deps.manager;
  deps.progress({ step: 'cleanup', state: 'started' });
  if (made.serviceId) {
    try {
      await removeUnlessGone(manager.host, 'remove the fleet collector service', () =>
        manager.docker.getService(made.serviceId as string).remove(),
      );
      cleanup.service = 'removed';
      deps.audit('fleet.service-removed', { runId, host: manager.host, serviceId: made.serviceId });
    } catch (err) {
      const message = toDrydockError(err).message;
      cleanup.problems.push(`service ${serviceName(runId)} on manager host ${manager.host}: ${message}`);
      deps.audit('fleet.service-remove-failed', { runId, host: manager.host, serviceId: made.serviceId, error: message });
    }
  }
  // The swarm removes a finished job's containers only lazily (a minute and more), and a task the
  // node had not started yet may still get its container after the service is gone. So, once the
  // service is removed, Drydock removes its own collector containers through each node's engine
  // (found by the run's label) until no task of the service is still waiting for its container;
  // then the image can go too.
  if (cleanup.service === 'removed' && made.serviceId) {
    const removed = new Map<string, Set<string>>();
    const sweep = async (): Promise<number> => {
      let left = 0;
      await Promise.all(
        made.loaded.map(async (n) => {
          let ids: string[];
          try {
            ids = (await n.engine.docker.listContainers({ all: true, filters: { label: [`${FLEET_RUN_LABEL}=${runId}`] } })).map(
              (c) => c.Id,
            );
          } catch {
            // The node stopped answering: its image removal below reports it.
            return;
          }
          for (const id of ids) {
            try {
              await n.engine.docker.getContainer(id).remove({ force: true, v: true });
              const seen = removed.get(n.nodeId) ?? new Set<string>();
              removed.set(n.nodeId, seen.add(id));
            } catch (err) {
              // 404: removed by the swarm meanwhile; 409: being removed: looked at again on the next sweep.
              if ((err as { statusCode?: number }).statusCode !== 404) left++;
            }
          }
        }),
      );
      return left;
    };
    const deadline = deps.clock.now().getTime() + TASKS_SETTLE_MS;
    for (;;) {
      const left = await sweep();
      let live = 0;
      try {
        // Filtered here: the engine's own service filter refuses a service that no longer exists.
        const tasks = (await manager.docker.listTasks()) as (SwarmTask & { ServiceID?: string })[];
        live = tasks.filter((t) => t.ServiceID === made.serviceId && BEFORE_CONTAINER.has(t.Status?.State ?? '')).length;
      } catch {
        // The manager stopped answering: one last sweep below is all that can be done.
      }
      if ((live === 0 && left === 0) || deps.clock.now().getTime() >= deadline) break;
      await pause(deps.pollMs ?? TASK_POLL_MS, undefined);
    }
    const leftAfter = await sweep();
    for (const n of made.loaded) {
      const ids = [...(removed.get(n.nodeId) ?? [])];
      if (ids.length)
        deps.audit('fleet.collector-containers-removed', {
          runId,
          nodeId: n.nodeId,
          hostname: n.hostname,
          host: n.engine.host,
          containers: ids,
        });
    }
    if (leftAfter > 0)
      cleanup.problems.push(
        `${counted(leftAfter, 'collector container')} of run ${runId} could not be removed (label ${FLEET_RUN_LABEL}=${runId})`,
      );
  }
  if (made.secretId) {
    try {
      await removeUnlessGone(manager.host, 'remove the fleet run key secret', () =>
        manager.docker.getSecret(made.secretId as string).remove(),
      );
      cleanup.secret = 'removed';
      deps.audit('fleet.secret-removed', { runId, host: manager.host, secretId: made.secretId });
    } catch (err) {
      const message = toDrydockError(err).message;
      cleanup.problems.push(`secret ${secretName(runId)} on manager host ${manager.host}: ${message}`);
      deps.audit('fleet.secret-remove-failed', { runId, host: manager.host, secretId: made.secretId, error: message });
    }
  }
  for (const n of made.loaded) {
    if (made.found.has(n.nodeId)) {
      // Not Drydock's to remove: the node held exactly this image before the run.
      cleanup.images.push({ nodeId: n.nodeId, hostname: n.hostname, host: n.engine.host, state: 'left-as-found' });
      deps.audit('fleet.collector-left-as-found', {
        runId,
        nodeId: n.nodeId,
        hostname: n.hostname,
        host: n.engine.host,
        imageId: request.bundle.imageId,
      });
      continue;
    }
    try {
      await removeCollector(n.engine, request.bundle);
      cleanup.images.push({ nodeId: n.nodeId, hostname: n.hostname, host: n.engine.host, state: 'removed' });
      deps.audit('fleet.collector-removed', {
        runId,
        nodeId: n.nodeId,
        hostname: n.hostname,
        host: n.engine.host,
        imageId: request.bundle.imageId,
      });
    } catch (err) {
      const message = toDrydockError(err).message;
      cleanup.images.push({ nodeId: n.nodeId, hostname: n.hostname, host: n.engine.host, state: 'failed', error: message });
      cleanup.problems.push(`collector image ${request.bundle.imageId} on node ${n.hostname} (host ${n.engine.host}): ${message}`);
      deps.audit('fleet.collector-remove-failed', { runId, nodeId: n.nodeId, hostname: n.hostname, host: n.engine.host, error: message });
    }
  }
  // Engines that may hold the image without running a task: a node whose load failed part way, the
  // manager that pushed it to a registry. Removed when they answer (a failed node may not).
  for (const n of made.partly) {
    try {
      // The manager that already held the image before it pushed it: only the registry tag Drydock added goes.
      if (n.nodeId === 'manager' && made.pushed?.load.present) {
        await n.engine.docker
          .getImage(made.pushed.tagged)
          .remove({ noprune: true })
          .catch(() => undefined);
        continue;
      }
      if (!(await removeCollector(n.engine, request.bundle))) continue;
      deps.audit('fleet.collector-removed', {
        runId,
        nodeId: n.nodeId,
        hostname: n.hostname,
        host: n.engine.host,
        imageId: request.bundle.imageId,
        withoutTask: true,
      });
    } catch {
      // The node's load failed and it does not answer now either: its failure is already reported.
    }
  }
  deps.progress({
    step: 'cleanup',
    state: cleanup.problems.length ? 'failed' : 'done',
    ...(cleanup.problems.length ? { message: cleanup.problems.join('; ') } : {}),
  });
}

/**
 * Removes a Swarm object through the manager's engine; one already gone (404) counts as removed.
 * @throws DrydockFailure (engineCall) for any other refusal.
 */
async function removeUnlessGone(host: string, action: string, remove: () => Promise<unknown>): Promise<void> {
  await engineCall({ host, action }, async () => {
    try {
      await remove();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  });
}
