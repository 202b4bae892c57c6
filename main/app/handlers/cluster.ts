import { triageServiceInCase } from '../cluster-triage';
import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type ClusterHandlers = Pick<Handlers, 'cluster.nodes' | 'cluster.services' | 'cluster.tasks' | 'cluster.triage-service'>;

export function clusterHandlers(core: Core): ClusterHandlers {
  return {
    'cluster.nodes': (req) => core.cluster.nodes(req.host),
    'cluster.services': (req) => core.cluster.services(req.host),
    'cluster.tasks': (req) => core.cluster.tasks(req.host, req.services !== undefined ? { services: req.services } : {}),
    'cluster.triage-service': (req) =>
      triageServiceInCase(core, {
        manager: req.host,
        service: req.service,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
  };
}
