// Cluster-wide triage: every service of a Swarm triaged across its nodes (the replica comparison of
// shared/domain/replicas.ts, service by service), summed up per node and per service. The case
// keeps the summary, each service's comparison and the manager's listings the triage started from.

import type { DriftSeverity } from './drift';
import type { ReplicaOutlier } from './replicas';

/**
 * How one node fared: 'reached' (every running task on it was read), 'partly-reached' (some were),
 * 'unreached' (none: no profile answers as it, it is down, or its reads failed), 'no-tasks' (no
 * running task of a triaged service is on it).
 */
export type ClusterTriageNodeState = 'reached' | 'partly-reached' | 'unreached' | 'no-tasks';

export interface ClusterTriageNode {
  nodeId: string;
  hostname: string;
  address: string;
  role: string;
  /** The saved profile whose engine answers as this node, when one does. */
  host?: string;
  state: ClusterTriageNodeState;
  /** Running tasks of the triaged services on it, and how many of them were read. */
  tasks: number;
  read: number;
  /** Why (some of) its tasks were not read: the first reason per distinct failure. */
  reasons: string[];
  /** A URL to save as a profile for it (from the address the manager knows it by). */
  suggestion?: string;
}

export interface ClusterTriageTaskNotRead {
  taskId: string;
  taskName: string;
  nodeHostname: string;
  reason: string;
}

export interface ClusterTriageService {
  serviceId: string;
  serviceName: string;
  mode: string;
  /** Running tasks when it was triaged. */
  running: number;
  /** Tasks compared with their siblings. */
  compared: number;
  outliers: ReplicaOutlier[];
  /** The highest severity among its outliers; 'info' when none. */
  worst: DriftSeverity;
  notRead: ClusterTriageTaskNotRead[];
  /** Set when the service's triage failed as a whole (the others still ran), or was skipped: why. */
  error?: string;
  skipped?: string;
  /** Its 'replica-comparison' artifact. */
  stored?: { artifactId: string; sha256: string };
}

/** `drydock cluster triage`, 'cluster.triage': the whole swarm triaged from one manager. */
export interface ClusterTriageResult {
  manager: string;
  clusterId: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  finishedAt: string;
  nodes: ClusterTriageNode[];
  nodesReached: number;
  /** Nodes holding running tasks none of which could be read. */
  nodesUnreached: number;
  services: ClusterTriageService[];
  servicesTriaged: number;
  outliers: number;
  replicasNotRead: number;
  /** Saved profiles that did not answer while nodes were mapped. */
  unanswered: { host: string; error: string }[];
  limitations: string[];
  /** The manager's nodes, services and tasks as the triage started, stored as a 'cluster-listings' artifact. */
  listings?: { artifactId: string; sha256: string };
  /** This summary as stored in the case (a 'cluster-triage' artifact). */
  stored?: { artifactId: string; sha256: string; caseId: string };
}

/** A service of a cluster triage started, finished or failed (per-node progress is 'cluster.triage-progress'). */
export interface ClusterTriageServiceProgress {
  manager: string;
  service: string;
  state: 'started' | 'done' | 'failed' | 'skipped';
  /** Services finished so far, and in all. */
  done: number;
  total: number;
  message?: string;
}
