import type { ClusterService, ClusterTask } from '../../../shared/domain/cluster';
import type { DriftReport } from '../../../shared/domain/drift';
import type { ServiceTriageResult } from '../../../shared/domain/replicas';
import { DrydockFailure, toDrydockError } from '../errors';
import type { ClusterView } from './cluster-view';
import { mapNodeEngines, type NodeEngineDeps } from './node-engines';
import { compareReplicas, type ReplicaEvidence } from './replica-compare';

// `drydock drift --service NAME`: a service's running tasks found through its manager, each read on
// its own node's engine (drift, processes, listening sockets — each capability's own acquisition,
// stored and audited there), nodes in parallel, then compared with each other (replica-compare.ts).
// The capabilities are the app's to wire (rooms do not import each other): they come in as ports.

/** What one node's engine gives for the tasks on it; each rejects with a DrydockFailure naming the host. */
export interface TriagePorts {
  /** Drift reports of these containers on `host`, stored in the case; a container missing from the map had no report. */
  drift(
    host: string,
    containerIds: string[],
    caseRef: string | undefined,
  ): Promise<{ reports: Map<string, DriftReport>; failed: Map<string, string>; scanId: string }>;
  /** The command lines of the container's processes (a stored process snapshot). */
  processes(host: string, containerId: string, caseRef: string | undefined): Promise<string[]>;
  /** Listening sockets of the host's containers, as 'tcp 0.0.0.0:8080', by container ID. */
  listening(host: string): Promise<Map<string, string[]>>;
}

export interface ServiceTriageDeps {
  view: Pick<ClusterView, 'services' | 'tasks' | 'nodes'>;
  engines: NodeEngineDeps;
  ports: TriagePorts;
  /** Progress per node: 'reading' as its reads start, then 'done' or 'failed' (with the failure's message). */
  progress?: (update: { node: string; host?: string; state: 'reading' | 'done' | 'failed'; message?: string }) => void;
}

/** A service by exact name, exact ID or unique ID prefix. */
function findService(services: ClusterService[], ref: string, manager: string): ClusterService {
  const exact = services.find((s) => s.name === ref || s.id === ref);
  if (exact) return exact;
  const prefixed = ref.length >= 4 ? services.filter((s) => s.id.startsWith(ref)) : [];
  if (prefixed.length === 1) return prefixed[0] as ClusterService;
  throw new DrydockFailure(
    'not-found',
    prefixed.length > 1
      ? `Service ID prefix ${ref} is ambiguous on the swarm managed by host ${manager}`
      : `No service ${ref} in the swarm managed by host ${manager}`,
    { host: manager },
  );
}

/**
 * Triage of one service: its running tasks' drift, processes and listening sockets read on each
 * task's node, and the replicas compared (outliers raised). A node that cannot be reached, or whose
 * reads fail, leaves its tasks listed as not compared with the reason; the others' results stand.
 * @throws DrydockFailure from the manager's listings ('not-found' for an unknown service or host,
 *   'unsupported' when the host is not a swarm manager, the engine kinds otherwise).
 */
export async function triageService(
  deps: ServiceTriageDeps,
  request: { manager: string; service: string; caseRef?: string },
): Promise<ServiceTriageResult> {
  const { manager } = request;
  const services = await deps.view.services(manager);
  const service = findService(services.services, request.service, manager);
  const [taskList, nodeList] = await Promise.all([deps.view.tasks(manager, { services: [service.id] }), deps.view.nodes(manager)]);
  const running = taskList.tasks.filter((t) => t.serviceId === service.id && t.desiredState === 'running' && t.state === 'running');
  const holding = new Set(running.map((t) => t.nodeId));
  const { engines, unanswered } = await mapNodeEngines(
    deps.engines,
    nodeList.nodes.filter((n) => holding.has(n.id)),
  );
  const engineOf = new Map(engines.map((e) => [e.nodeId, e]));
  const byHost = new Map<string, ClusterTask[]>();
  const evidence = new Map<string, ReplicaEvidence>();
  const base = (t: ClusterTask): ReplicaEvidence => ({
    taskId: t.id,
    taskName: t.name,
    ...(t.containerId ? { containerId: t.containerId } : {}),
    nodeId: t.nodeId,
    nodeHostname: t.nodeHostname,
  });
  for (const t of running) {
    const engine = engineOf.get(t.nodeId);
    if (!t.containerId) evidence.set(t.id, { ...base(t), unreadable: 'the manager names no container for it yet' });
    else if (!engine?.host)
      evidence.set(t.id, {
        ...base(t),
        unreadable:
          engine?.state === 'node-down'
            ? `its node ${t.nodeHostname || t.nodeId} is down as the manager sees it`
            : `no saved host profile answers as node ${t.nodeHostname || t.nodeId}${engine?.suggestion ? ` (add one for its engine; a guess from the address the manager knows it by: ${engine.suggestion}, Docker's TLS port)` : ''}`,
      });
    else {
      const list = byHost.get(engine.host) ?? [];
      list.push(t);
      byHost.set(engine.host, list);
    }
  }
  const driftScans: { host: string; scanId: string }[] = [];
  await Promise.all(
    [...byHost].map(async ([host, tasks]) => {
      const node = tasks[0]?.nodeHostname || tasks[0]?.nodeId || host;
      deps.progress?.({ node, host, state: 'reading' });
      const ids = tasks.map((t) => t.containerId as string);
      try {
        const [drift, listening, processes] = await Promise.all([
          deps.ports.drift(host, ids, request.caseRef),
          deps.ports.listening(host).catch((err: unknown) => toDrydockError(err)),
          Promise.all(ids.map((id) => deps.ports.processes(host, id, request.caseRef).catch((err: unknown) => toDrydockError(err)))),
        ]);
        driftScans.push({ host, scanId: drift.scanId });
        const failures: string[] = [];
        tasks.forEach((t, i) => {
          const id = t.containerId as string;
          const procs = processes[i];
          const report = drift.reports.get(id);
          const why = [
            ...(report ? [] : [`drift: ${drift.failed.get(id) ?? 'no report'}`]),
            ...(Array.isArray(procs) ? [] : [`processes: ${procs?.message ?? 'not read'}`]),
            ...(listening instanceof Map ? [] : [`listening sockets: ${listening.message}`]),
          ];
          if (why.length) failures.push(`${t.name}: ${why.join('; ')}`);
          const readable = report || Array.isArray(procs) || listening instanceof Map;
          evidence.set(t.id, {
            ...base(t),
            ...(report ? { drift: report } : {}),
            ...(Array.isArray(procs) ? { processes: procs } : {}),
            ...(listening instanceof Map ? { listening: listening.get(id) ?? [] } : {}),
            ...(readable ? {} : { unreadable: `reading it on node ${node} through host ${host} failed: ${why.join('; ')}` }),
          });
        });
        deps.progress?.({
          node,
          host,
          state: failures.length ? 'failed' : 'done',
          ...(failures.length ? { message: failures.join(' · ') } : {}),
        });
      } catch (err) {
        const failure = toDrydockError(err);
        for (const t of tasks)
          evidence.set(t.id, { ...base(t), unreadable: `reading node ${node} through host ${host} failed: ${failure.message}` });
        deps.progress?.({ node, host, state: 'failed', message: failure.message });
      }
    }),
  );
  const comparison = compareReplicas(
    { id: service.id, name: service.name },
    running.map((t) => evidence.get(t.id) as ReplicaEvidence),
  );
  return {
    manager,
    service: { id: service.id, name: service.name, mode: service.mode },
    nodes: engines,
    driftScans: driftScans.sort((a, b) => (a.host < b.host ? -1 : 1)),
    comparison,
    outliers: comparison.outliers,
    unanswered,
  };
}
