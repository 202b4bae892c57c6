import { z } from 'zod';
import type { ClusterChange, ClusterNodeList, ClusterServiceList, ClusterTaskList } from '../domain/cluster';
import type { ClusterTriageResult, ClusterTriageServiceProgress } from '../domain/cluster-triage';
import type { NodeEngine, ServiceTriageProgress, ServiceTriageResult } from '../domain/replicas';
import { channel, event } from './define';
import { caseRef, hostName } from './schemas';

/** A service named or identified as the engine allows (name, full ID or ID prefix). */
const serviceRef = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a service name or ID');

export const clusterChannels = {
  /** The swarm's nodes as the manager `host` knows them (DrydockFailure 'unsupported' when it is not a manager). */
  'cluster.nodes': channel<ClusterNodeList>()(() => z.object({ host: hostName }).strict()),
  /** The swarm's services with their replica counts, from the manager `host`. */
  'cluster.services': channel<ClusterServiceList>()(() => z.object({ host: hostName }).strict()),
  /**
   * The swarm's tasks (current and the history the manager keeps), from the manager `host`; only
   * those of `services` (names or IDs) when given.
   */
  'cluster.tasks': channel<ClusterTaskList>()(() =>
    z.object({ host: hostName, services: z.array(serviceRef).max(64).optional() }).strict(),
  ),
  /**
   * Triage of one service across its nodes: each running task's drift, processes and listening
   * sockets read on its own node's engine (the saved profile that answers with that node's ID),
   * nodes in parallel, then the replicas compared and the odd ones out listed (`outliers`). Stored
   * in the case (the drift reports, snapshots and a 'replica-comparison' artifact); progress per
   * node as 'cluster.triage-progress'. A node that cannot be read leaves its tasks not compared.
   */
  'cluster.triage-service': channel<ServiceTriageResult>()(() =>
    z.object({ host: hostName, service: serviceRef, caseRef: caseRef.optional() }).strict(),
  ),
  /**
   * Triage of every service of the swarm `host` manages, `concurrency` services at a time (default
   * 2): each as 'cluster.triage-service', then summed up per node (reached or not, why) and per
   * service (outliers, replicas not read). The case keeps the manager's listings
   * ('cluster-listings'), each comparison and the summary ('cluster-triage'); audited.
   */
  'cluster.triage': channel<ClusterTriageResult>()(() =>
    z.object({ host: hostName, caseRef: caseRef.optional(), concurrency: z.number().int().min(1).max(8).optional() }).strict(),
  ),
  /**
   * How each node of the swarm `host` manages is reached: the saved profile whose engine answers
   * with that node's ID, or none (with a URL suggested from the node's address).
   */
  'cluster.node-engines': channel<{ engines: NodeEngine[]; unanswered: { host: string; error: string }[] }>()(() =>
    z.object({ host: hostName }).strict(),
  ),
} as const;

export const clusterEvents = {
  /** A node, service, secret or config of a connected manager's swarm changed (live from its event stream). */
  'cluster.changed': event<ClusterChange>(),
  /** A node's reads in a service triage started, finished or failed. */
  'cluster.triage-progress': event<ServiceTriageProgress>(),
  /** A service of a cluster triage ('cluster.triage') started, finished, failed or was skipped. */
  'cluster.triage-service-progress': event<ClusterTriageServiceProgress>(),
} as const;
