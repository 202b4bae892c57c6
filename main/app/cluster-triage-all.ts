import type { ClusterTriageResult } from '../../shared/domain/cluster-triage';
import type { AuditEntry } from '../../shared/domain/evidence';
import { TRIAGE_FOOTPRINT_ACTIONS, triageCluster, triageFootprint } from '../core/cluster/cluster-triage';
import { triageServiceInCase } from './cluster-triage';
import type { Core } from './core';

// `cluster.triage` over the core: every service triaged as `cluster.triage-service` does (each
// stored as its own 'replica-comparison'), the manager's listings stored before the first read so
// the case keeps what the manager said, and the summary stored last as a 'cluster-triage'
// artifact; the run is audited with the manager named.

/**
 * Triages the whole swarm `manager` manages into the case: listings ('cluster-listings'), one
 * 'replica-comparison' per service, the summary ('cluster-triage'). Progress per service as
 * 'cluster.triage-service-progress', per node as 'cluster.triage-progress'.
 * @throws DrydockFailure as triageCluster, and resolveWritableCase's ('not-found', 'conflict').
 */
export async function triageClusterInCase(
  core: Core,
  request: { manager: string; caseRef?: string; concurrency?: number },
): Promise<ClusterTriageResult> {
  const { manager } = request;
  const kase = await core.evidence.resolveWritableCase(request.caseRef, { host: manager });
  let listings: ClusterTriageResult['listings'];
  // What the triage leaves on the hosts (helper image loads, helper containers): the footprint
  // entries audited while it runs, on the hosts it read (the manager and the nodes' profiles).
  const traces: AuditEntry[] = [];
  const unsubscribe = core.events.subscribe((event, payload) => {
    if (event === 'evidence.audit-appended' && TRIAGE_FOOTPRINT_ACTIONS.includes((payload as AuditEntry).action))
      traces.push(payload as AuditEntry);
  });
  let triaged;
  try {
    triaged = await triageCluster(
      {
        view: core.cluster,
        engines: { profiles: () => core.hosts.list(), docker: (host) => core.hosts.docker(host) },
        clock: core.clock,
        triage: (service) => triageServiceInCase(core, { manager, service: service.name, caseRef: kase.id }),
        async listed(lists) {
          const stored = await core.evidence.ingestJson(
            {
              caseId: kase.id,
              kind: 'cluster-listings',
              source: { host: manager },
              method: `The swarm's nodes, services and tasks as manager host ${manager} listed them (Engine API /nodes, /services, /tasks) at the start of a cluster triage`,
              mediaType: 'application/json',
              attributes: {
                clusterId: lists.nodes.clusterId,
                nodes: lists.nodes.nodes.length,
                services: lists.services.services.length,
                tasks: lists.tasks.tasks.length,
              },
            },
            lists,
          );
          listings = { artifactId: stored.id, sha256: stored.sha256 };
        },
        progress: (update) => core.events.emit('cluster.triage-service-progress', update),
      },
      { manager, ...(request.concurrency !== undefined ? { concurrency: request.concurrency } : {}) },
    );
  } finally {
    unsubscribe();
  }
  const reached = new Set([manager, ...triaged.nodes.flatMap((n) => (n.host ? [n.host] : []))]);
  const result = { ...triaged, footprint: triageFootprint(traces.filter((e) => reached.has(String(e.details.host)))) };
  const withListings = { ...result, ...(listings ? { listings } : {}) };
  const stored = await core.evidence.ingestJson(
    {
      caseId: kase.id,
      kind: 'cluster-triage',
      source: { host: manager },
      method: `Drydock cluster triage from manager host ${manager}: every service's running tasks read on their own nodes and compared with their siblings`,
      mediaType: 'application/json',
      attributes: {
        clusterId: result.clusterId,
        servicesTriaged: result.servicesTriaged,
        outliers: result.outliers,
        unattributed: result.unattributed,
        replicasNotRead: result.replicasNotRead,
        nodesUnreached: result.nodesUnreached,
        comparisons: result.services.flatMap((s) => (s.stored ? [s.stored.artifactId] : [])),
      },
    },
    withListings,
  );
  core.evidence.audit(
    'cluster.triage',
    {
      host: manager,
      clusterId: result.clusterId,
      services: result.services.map((s) => s.serviceName),
      outliers: result.services.flatMap((s) => s.outliers.map((o) => o.taskId)),
      unattributed: result.services.flatMap((s) => s.unattributed.map((u) => u.taskId)),
      replicasNotRead: result.replicasNotRead,
      nodesUnreached: result.nodes.filter((n) => n.state === 'unreached').map((n) => n.hostname || n.nodeId),
      artifactId: stored.id,
    },
    kase.id,
  );
  return { ...withListings, stored: { artifactId: stored.id, sha256: stored.sha256, caseId: kase.id } };
}
