import { scanRequest } from '../../shared/contract/drift';
import type { DriftReport } from '../../shared/domain/drift';
import type { ServiceTriageResult } from '../../shared/domain/replicas';
import { triageService } from '../core/cluster/service-triage';
import type { Core } from './core';

// `cluster.triage-service` over the core's capabilities: drift, process snapshots and the
// connection graph are each their own room's acquisition (stored and audited there), wired here
// because rooms do not import each other; the comparison itself is stored in the case too.

/**
 * Triages one service of the swarm `manager` manages across its nodes and stores the comparison in
 * the case as a 'replica-comparison' artifact; progress per node as 'cluster.triage-progress'.
 * @throws DrydockFailure as triageService, and resolveWritableCase's ('not-found', 'conflict').
 */
export async function triageServiceInCase(
  core: Core,
  request: { manager: string; service: string; caseRef?: string },
): Promise<ServiceTriageResult> {
  const kase = await core.evidence.resolveWritableCase(request.caseRef, { host: request.manager });
  const result = await triageService(
    {
      view: core.cluster,
      engines: { profiles: () => core.hosts.list(), docker: (host) => core.hosts.docker(host) },
      ports: {
        async drift(host, containerIds, caseRef) {
          const started = await core.drift.scan(scanRequest.parse({ host, containers: containerIds, ...(caseRef ? { caseRef } : {}) }));
          const ended = await core.drift.wait(started.id);
          const reports = new Map<string, DriftReport>();
          const failed = new Map<string, string>();
          for (const c of ended.containers) {
            if (!c.containerId) continue;
            if (c.reportArtifactId && (c.state === 'complete' || c.state === 'incomplete'))
              reports.set(c.containerId, await core.drift.report(c.reportArtifactId));
            else failed.set(c.containerId, `${c.state}${c.error ? `: ${c.error}` : ended.stateReason ? `: ${ended.stateReason}` : ''}`);
          }
          return { reports, failed, scanId: ended.id };
        },
        async processes(host, containerId, caseRef) {
          const result = await core.processes.snapshot({ host, container: containerId, store: true, ...(caseRef ? { caseRef } : {}) });
          return result.snapshot.processes.map((p) => p.args);
        },
        async listening(host) {
          const result = await core.network.snapshot({ host, record: true, caseRef: kase.id });
          const out = new Map<string, string[]>();
          for (const node of result.snapshot.nodes)
            if (node.containerId && node.host === host)
              out.set(
                node.containerId,
                node.listening.map((l) => `${l.protocol} ${l.ip.includes(':') ? `[${l.ip}]` : l.ip}:${l.port}`),
              );
          return out;
        },
      },
      progress: (update) => core.events.emit('cluster.triage-progress', { manager: request.manager, service: request.service, ...update }),
    },
    { manager: request.manager, service: request.service, caseRef: kase.id },
  );
  const stored = await core.evidence.ingestJson(
    {
      caseId: kase.id,
      kind: 'replica-comparison',
      source: { host: request.manager },
      method: `Drydock replica comparison of service ${result.service.name}: each running task's drift report, processes and listening sockets read on its node, against the majority of its siblings`,
      mediaType: 'application/json',
      attributes: {
        serviceId: result.service.id,
        serviceName: result.service.name,
        comparable: result.comparison.comparable,
        outliers: result.outliers.map((o) => o.taskId),
        driftScans: result.driftScans.map((s) => s.scanId),
      },
    },
    result,
  );
  return { ...result, stored: { artifactId: stored.id, sha256: stored.sha256, caseId: kase.id } };
}
