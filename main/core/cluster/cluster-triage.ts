import type { ClusterNodeList, ClusterService, ClusterServiceList, ClusterTaskList } from '../../../shared/domain/cluster';
import type { AuditEntry } from '../../../shared/domain/evidence';
import type {
  ClusterTriageFootprint,
  ClusterTriageNode,
  ClusterTriageResult,
  ClusterTriageService,
  ClusterTriageServiceProgress,
} from '../../../shared/domain/cluster-triage';
import { unattributedReplicas } from '../../../shared/domain/cluster-triage';
import { severityRank, type DriftSeverity } from '../../../shared/domain/drift';
import type { ServiceTriageResult } from '../../../shared/domain/replicas';
import { isoNow, type Clock } from '../clock';
import { toDrydockError } from '../errors';
import type { ClusterView } from './cluster-view';
import { mapNodeEngines, type NodeEngineDeps } from './node-engines';

// `drydock cluster triage`: every service with running tasks triaged across its nodes (the
// replica comparison of service-triage.ts, which the app wires to the capabilities and stores),
// a bounded number at a time so a large swarm does not start hundreds of drift scans at once,
// then summed up per node (reached or not, and why) and per service (outliers, replicas not read).
// A service whose triage fails as a whole is reported with why; the others' results stand.

export interface ClusterTriageDeps {
  view: Pick<ClusterView, 'services' | 'tasks' | 'nodes'>;
  engines: NodeEngineDeps;
  clock: Clock;
  /** One service's triage (stored in the case by the caller); rejects with a DrydockFailure. */
  triage(service: ClusterService): Promise<ServiceTriageResult>;
  /** Called once with the manager's listings, before any service is triaged (the caller stores them). */
  listed?(listings: ClusterListings): Promise<void>;
  progress?(update: ClusterTriageServiceProgress): void;
}

export interface ClusterListings {
  nodes: ClusterNodeList;
  services: ClusterServiceList;
  tasks: ClusterTaskList;
}

/** Services triaged at once by default, and at most. */
export const DEFAULT_TRIAGE_CONCURRENCY = 2;
export const MAX_TRIAGE_CONCURRENCY = 8;

/** Runs `work` over `items`, at most `limit` at a time, in order of start. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}

function worstOf(severities: DriftSeverity[]): DriftSeverity {
  return severities.reduce<DriftSeverity>((w, s) => (severityRank(s) > severityRank(w) ? s : w), 'info');
}

/**
 * Triages every service of the swarm `manager` manages that has running tasks, `concurrency`
 * services at a time (default 2, at most 8), and sums the results up per node and per service.
 * Returns the summary (not yet stored: `stored` and `listings` are the caller's).
 * @throws DrydockFailure from the manager's listings ('unsupported' when `manager` is not a swarm
 *   manager, 'not-found' for an unknown host, the engine kinds) and from `listed`; a service's
 *   own failure is reported in its entry, never thrown.
 */
export async function triageCluster(
  deps: ClusterTriageDeps,
  request: { manager: string; concurrency?: number },
): Promise<ClusterTriageResult> {
  const { manager } = request;
  const startedAt = isoNow(deps.clock);
  const [nodes, services, tasks] = await Promise.all([deps.view.nodes(manager), deps.view.services(manager), deps.view.tasks(manager)]);
  await deps.listed?.({ nodes, services, tasks });
  const running = tasks.tasks.filter((t) => t.desiredState === 'running' && t.state === 'running');
  const runningOf = new Map<string, number>();
  for (const t of running) runningOf.set(t.serviceId, (runningOf.get(t.serviceId) ?? 0) + 1);
  const { engines, unanswered } = await mapNodeEngines(deps.engines, nodes.nodes);

  const entries = new Map<string, ClusterTriageService>();
  const results = new Map<string, ServiceTriageResult>();
  const todo = services.services.filter((s) => (runningOf.get(s.id) ?? 0) > 0);
  const total = services.services.length;
  let done = 0;
  for (const s of services.services)
    if (!todo.includes(s)) {
      entries.set(s.id, {
        serviceId: s.id,
        serviceName: s.name,
        mode: s.mode,
        running: 0,
        compared: 0,
        outliers: [],
        worst: 'info',
        notRead: [],
        unattributed: [],
        skipped: 'no running task to read',
      });
      done++;
      deps.progress?.({ manager, service: s.name, state: 'skipped', done, total, message: 'no running task to read' });
    }
  const limit = Math.max(1, Math.min(MAX_TRIAGE_CONCURRENCY, request.concurrency ?? DEFAULT_TRIAGE_CONCURRENCY));
  await pool(todo, limit, async (service) => {
    deps.progress?.({ manager, service: service.name, state: 'started', done, total });
    const base = { serviceId: service.id, serviceName: service.name, mode: service.mode, running: runningOf.get(service.id) ?? 0 };
    try {
      const r = await deps.triage(service);
      results.set(service.id, r);
      const c = r.comparison;
      entries.set(service.id, {
        ...base,
        running: c.tasks.length,
        compared: c.comparable,
        outliers: r.outliers,
        worst: worstOf(r.outliers.map((o) => o.severity)),
        // With no majority no outlier is named; the differences are kept so the summary never reads clean.
        unattributed: unattributedReplicas(c),
        notRead: c.tasks
          .filter((t) => !t.compared)
          .map((t) => ({ taskId: t.taskId, taskName: t.taskName, nodeHostname: t.nodeHostname || t.nodeId, reason: t.reason ?? '' })),
        ...(r.stored ? { stored: { artifactId: r.stored.artifactId, sha256: r.stored.sha256 } } : {}),
      });
      done++;
      deps.progress?.({ manager, service: service.name, state: 'done', done, total });
    } catch (err) {
      const failure = toDrydockError(err);
      entries.set(service.id, {
        ...base,
        compared: 0,
        outliers: [],
        worst: 'info',
        unattributed: [],
        notRead: [],
        error: failure.message,
      });
      done++;
      deps.progress?.({ manager, service: service.name, state: 'failed', done, total, message: failure.message });
    }
  });

  // Per node: the running tasks of the triaged services on it, and which of them were read.
  const perNode = new Map<string, { tasks: number; read: number; reasons: Set<string> }>();
  for (const t of running) {
    const entry = entries.get(t.serviceId);
    if (!entry || entry.skipped) continue;
    const n = perNode.get(t.nodeId) ?? { tasks: 0, read: 0, reasons: new Set<string>() };
    perNode.set(t.nodeId, n);
    n.tasks++;
    const verdict = results.get(t.serviceId)?.comparison.tasks.find((v) => v.taskId === t.id);
    if (verdict?.compared) n.read++;
    else n.reasons.add(verdict?.reason ?? entry.error ?? `task ${t.name} was not running when its service was triaged`);
  }
  const triageNodes = nodes.nodes.map((node, i): ClusterTriageNode => {
    const engine = engines[i];
    const n = perNode.get(node.id);
    const state = !n || n.tasks === 0 ? 'no-tasks' : n.read === n.tasks ? 'reached' : n.read > 0 ? 'partly-reached' : 'unreached';
    return {
      nodeId: node.id,
      hostname: node.hostname,
      address: node.address,
      role: node.role,
      ...(engine?.host ? { host: engine.host } : {}),
      state,
      tasks: n?.tasks ?? 0,
      read: n?.read ?? 0,
      reasons: [...(n?.reasons ?? [])].slice(0, 10),
      ...(engine?.suggestion && !engine.host ? { suggestion: engine.suggestion } : {}),
    };
  });
  const summary = [...services.services].map((s) => entries.get(s.id) as ClusterTriageService);
  const limitations = [...nodes.limitations, ...services.limitations, ...tasks.limitations].filter((l, i, all) => all.indexOf(l) === i);
  for (const s of summary) if (s.error) limitations.push(`Service ${s.serviceName} was not triaged: ${s.error}`);
  return {
    manager,
    clusterId: nodes.clusterId,
    startedAt,
    finishedAt: isoNow(deps.clock),
    nodes: triageNodes,
    nodesReached: triageNodes.filter((n) => n.state === 'reached' || n.state === 'partly-reached').length,
    nodesUnreached: triageNodes.filter((n) => n.state === 'unreached').length,
    services: summary,
    servicesTriaged: summary.filter((s) => !s.skipped && !s.error).length,
    outliers: summary.reduce((sum, s) => sum + s.outliers.length, 0),
    unattributed: summary.reduce((sum, s) => sum + s.unattributed.length, 0),
    replicasNotRead: summary.reduce((sum, s) => sum + s.notRead.length, 0),
    unanswered,
    limitations,
  };
}

/** The audit actions triageFootprint reads (what a triage's reads leave on a host). */
export const TRIAGE_FOOTPRINT_ACTIONS: readonly string[] = [
  'capture.helper-image-loaded',
  'capture.helper-image-load-failed',
  'helper.created',
  'helper.removed',
  'helper.create-undone',
  'helper.remove-failed',
];

/**
 * Sums up what a cluster triage did on the hosts from the audit entries appended while it ran
 * (others are ignored): helper images loaded (host, image, bytes), loads that failed, helper
 * containers created, removed and left; entries naming no host are left out.
 */
export function triageFootprint(entries: Iterable<AuditEntry>): ClusterTriageFootprint {
  const out: ClusterTriageFootprint = {
    imagesLoaded: [],
    imageLoadsFailed: [],
    helpersCreated: 0,
    helpersRemoved: 0,
    helpersLeft: 0,
    hosts: [],
  };
  const hosts = new Set<string>();
  for (const e of entries) {
    const host = typeof e.details.host === 'string' ? e.details.host : '';
    if (!host || !TRIAGE_FOOTPRINT_ACTIONS.includes(e.action)) continue;
    hosts.add(host);
    if (e.action === 'capture.helper-image-loaded')
      out.imagesLoaded.push({
        host,
        image: typeof e.details.image === 'string' ? e.details.image : '',
        bytes: typeof e.details.bytes === 'number' ? e.details.bytes : 0,
      });
    else if (e.action === 'capture.helper-image-load-failed') out.imageLoadsFailed.push(host);
    else if (e.action === 'helper.created') out.helpersCreated++;
    else if (e.action === 'helper.removed') out.helpersRemoved++;
    else if (e.action === 'helper.create-undone') {
      out.helpersCreated++;
      out.helpersRemoved++;
    } else out.helpersLeft++;
  }
  out.hosts = [...hosts].sort();
  return out;
}
