import { mapNodeEngines } from '../../core/cluster/node-engines';
import { triageServiceInCase } from '../cluster-triage';
import { triageClusterInCase } from '../cluster-triage-all';
import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type ClusterHandlers = Pick<
  Handlers,
  'cluster.nodes' | 'cluster.services' | 'cluster.tasks' | 'cluster.triage-service' | 'cluster.triage' | 'cluster.node-engines'
>;

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
    'cluster.triage': (req) =>
      triageClusterInCase(core, {
        manager: req.host,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
        ...(req.concurrency !== undefined ? { concurrency: req.concurrency } : {}),
      }),
    'cluster.node-engines': async (req) => {
      const nodes = await core.cluster.nodes(req.host);
      return mapNodeEngines({ profiles: () => core.hosts.list(), docker: (host) => core.hosts.docker(host) }, nodes.nodes);
    },
  };
}
