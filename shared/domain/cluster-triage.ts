// Cluster-wide triage: every service of a Swarm triaged across its nodes (the replica comparison of
// shared/domain/replicas.ts, service by service), summed up per node and per service. The case
// keeps the summary, each service's comparison and the manager's listings the triage started from.

import { counted } from '../counted';
import { severityRank, type DriftSeverity } from './drift';
import type { ReplicaComparison, ReplicaOutlier } from './replicas';

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

/**
 * A replica that differs from its siblings at low severity or above in a service where fewer than
 * three replicas could be compared: with no majority nobody can say which side is the odd one out,
 * so it is not an outlier, but the differences are real and a responder must look at them.
 */
export interface ClusterTriageUnattributed extends ReplicaOutlier {
  /** Its differences at low severity or above (as `why` lists them). */
  differences: number;
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
  /**
   * Replicas differing from their siblings (low or above) with no majority to name an outlier
   * (fewer than three compared), worst first; empty when none or when a majority existed. Their
   * severities are not in `worst`.
   */
  unattributed: ClusterTriageUnattributed[];
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
  /** Replicas differing with no majority to name an outlier, over all services (each service's `unattributed`). */
  unattributed: number;
  replicasNotRead: number;
  /** Saved profiles that did not answer while nodes were mapped. */
  unanswered: { host: string; error: string }[];
  limitations: string[];
  /** The manager's nodes, services and tasks as the triage started, stored as a 'cluster-listings' artifact. */
  listings?: { artifactId: string; sha256: string };
  /** This summary as stored in the case (a 'cluster-triage' artifact). */
  stored?: { artifactId: string; sha256: string; caseId: string };
  /** What the triage itself did on the hosts (from the audit entries it caused); absent when not gathered. */
  footprint?: ClusterTriageFootprint;
}

/**
 * What a cluster triage did on the hosts it read, from the footprint audit entries appended while
 * it ran (helper image loads and helper containers of its drift scans): the triage is not free of
 * traces, and says so.
 */
export interface ClusterTriageFootprint {
  /** The helper image loaded onto an engine (it stays there for later runs), per load. */
  imagesLoaded: { host: string; image: string; bytes: number }[];
  /** Hosts whose helper image load failed part way (it may be left on them). */
  imageLoadsFailed: string[];
  /** Helper containers created, and removed again; `left` are those Drydock could not remove (left for the sweeper). */
  helpersCreated: number;
  helpersRemoved: number;
  helpersLeft: number;
  /** The hosts any of it happened on, sorted. */
  hosts: string[];
}

/**
 * The replicas of a comparison that differ from their siblings at low severity or above without
 * being outliers: only possible when fewer than three were compared, so no majority names one.
 * Left out, such a service would read as clean while its comparison holds the differences. Worst first.
 */
export function unattributedReplicas(c: Pick<ReplicaComparison, 'tasks'>): ClusterTriageUnattributed[] {
  return c.tasks
    .filter((t) => t.compared && !t.outlier && severityRank(t.severity) >= severityRank('low'))
    .map((t) => {
      const why = t.differences.filter((d) => severityRank(d.severity) >= severityRank('low')).map((d) => d.why);
      return {
        taskId: t.taskId,
        taskName: t.taskName,
        ...(t.containerId ? { containerId: t.containerId } : {}),
        nodeHostname: t.nodeHostname || t.nodeId,
        severity: t.severity,
        differences: why.length,
        why,
      };
    })
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
}

/**
 * The worst severity a service's comparison found: its outliers' and its unattributed replicas'
 * (`worst` counts outliers only); undefined when it found no difference at low or above.
 */
export function worstFound(s: Pick<ClusterTriageService, 'outliers' | 'unattributed'>): DriftSeverity | undefined {
  return [...s.outliers, ...s.unattributed]
    .map((o) => o.severity)
    .reduce<DriftSeverity | undefined>((w, x) => (w === undefined || severityRank(x) > severityRank(w) ? x : w), undefined);
}

/**
 * One line on a service compared with fewer than three replicas (no majority, so no outlier can be
 * named): which replicas differ, worst first, at most two by name, e.g. "2 replicas: no majority, no
 * outlier named; sl.1 critical (4 differences)". Empty for a service with a majority, none compared,
 * or a failed or skipped triage.
 */
export function noMajorityNote(s: Pick<ClusterTriageService, 'compared' | 'unattributed' | 'error' | 'skipped'>): string {
  if (s.error || s.skipped || s.compared === 0 || (s.compared >= 3 && s.unattributed.length === 0)) return '';
  const replicas = counted(s.compared, 'replica');
  if (s.unattributed.length === 0)
    return s.compared === 1 ? '1 replica compared: none to compare it with' : `${replicas}: no majority; they do not differ`;
  const named = s.unattributed.slice(0, 2).map((u) => `${u.taskName} ${u.severity} (${counted(u.differences, 'difference')})`);
  const more = s.unattributed.length > 2 ? `, ${s.unattributed.length - 2} more` : '';
  return `${replicas}: no majority, no outlier named; ${named.join(', ')}${more}`;
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
