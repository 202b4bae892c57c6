// Replica comparison: the tasks of one Swarm service compared with each other. The replicas of a
// service run the same image and configuration, so what all of them changed (logs, caches, pid
// files) is the application's own noise; what one of them holds and its siblings do not is what a
// responder looks at first.

import type { DriftSeverity } from './drift';

/** What was compared: a drift entry, a process command line, a listening socket. */
export type ReplicaFeatureKind = 'drift' | 'process' | 'listening';

export interface ReplicaDifference {
  kind: ReplicaFeatureKind;
  /**
   * 'extra': this task has it, most siblings do not; 'missing': most siblings have it, this task
   * does not; 'content': the path changed in most siblings too, but here its content differs from
   * the content most of them share.
   */
  direction: 'extra' | 'missing' | 'content';
  /** The path (drift), command line (process) or protocol/address:port (listening). */
  what: string;
  /** How many of the other comparable tasks have it (extra/content: the same; missing: have it). */
  siblingsWith: number;
  /** The other comparable tasks. */
  siblings: number;
  severity: DriftSeverity;
  /** One sentence for a person: what differs and why it matters. */
  why: string;
}

export interface ReplicaTaskVerdict {
  taskId: string;
  /** As `docker service ps` names it (service.slot or service.nodeID). */
  taskName: string;
  containerId?: string;
  nodeId: string;
  nodeHostname: string;
  /** False when the task could not be read (its node unreachable, no container, a failed read): `reason` says why. */
  compared: boolean;
  reason?: string;
  /** Which evidence the comparison had for this task. */
  had: { drift: boolean; processes: boolean; listening: boolean };
  differences: ReplicaDifference[];
  /** Differs from its siblings at low severity or above, with at least three comparable tasks. */
  outlier: boolean;
  /** The highest severity of its differences; 'info' when none. */
  severity: DriftSeverity;
}

export interface ReplicaOutlier {
  taskId: string;
  taskName: string;
  containerId?: string;
  nodeHostname: string;
  severity: DriftSeverity;
  /** Each difference that made it an outlier, as a sentence. */
  why: string[];
}

export interface ReplicaComparison {
  serviceId: string;
  serviceName: string;
  /** Tasks that could be compared (compared: true). */
  comparable: number;
  tasks: ReplicaTaskVerdict[];
  /** The tasks that differ from their siblings, worst first. */
  outliers: ReplicaOutlier[];
  /** Features shared by every comparable task (the application's own changes and processes). */
  shared: { drift: number; processes: number; listening: number };
  limitations: string[];
}

/** How one node of a cluster is reached: the saved host profile whose engine reports that node's ID. */
export interface NodeEngine {
  nodeId: string;
  hostname: string;
  address: string;
  /** The profile whose engine says it is this node. */
  host?: string;
  /** 'mapped': a profile answers as this node; 'no-profile': none does; 'node-down': the manager sees it down. */
  state: 'mapped' | 'no-profile' | 'node-down';
  /** A URL to save as a profile for it, from its address (TLS port 2376). */
  suggestion?: string;
}

/** One service triaged across its nodes: `drydock drift --service`, 'cluster.triage-service'. */
export interface ServiceTriageResult {
  manager: string;
  service: { id: string; name: string; mode: string };
  /** How each node holding a running task was reached. */
  nodes: NodeEngine[];
  /** Drift scans run, one per node host. */
  driftScans: { host: string; scanId: string }[];
  comparison: ReplicaComparison;
  /** The tasks that differ from their siblings (comparison.outliers), at the top for scripts. */
  outliers: ReplicaOutlier[];
  /** Saved profiles that did not answer while nodes were mapped. */
  unanswered: { host: string; error: string }[];
  /** The comparison as stored in the case (a 'replica-comparison' artifact). */
  stored?: { artifactId: string; sha256: string; caseId: string };
}

/** Progress of a service triage, per node. */
export interface ServiceTriageProgress {
  manager: string;
  service: string;
  node: string;
  host?: string;
  state: 'reading' | 'done' | 'failed';
  message?: string;
}
