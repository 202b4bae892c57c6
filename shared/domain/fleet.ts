// Fleet triage: the triage of every node of a swarm run by the swarm's own scheduler. Drydock's
// collector (the CLI in an image built offline) runs on each node as one task of a `global-job`
// service, writes a case bundle signed with a key made for this run only, and the examiner's
// Drydock fetches, verifies, countersigns and merges each bundle into one case.

/** Where one node ended up. */
export type FleetNodeState =
  /** Its bundle was fetched, verified against the run's key, countersigned and merged. */
  | 'merged'
  /** Its collector ran (or was meant to) but no bundle could be merged: see `error`. */
  | 'failed'
  /** The run was cancelled (fleet.cancel, Ctrl-C) before this node's bundle was merged. */
  | 'cancelled'
  /** Drydock could not talk to its engine (no saved profile answers with its node ID, or it is down). */
  | 'unreached';

/** One node of the run. */
export interface FleetNodeResult {
  nodeId: string;
  hostname: string;
  /** The saved host profile its engine was reached through, when one was. */
  host?: string;
  state: FleetNodeState;
  /** Why it was not merged, naming the node (and host when known). */
  error?: string;
  /** A URL to save as a host profile for a node with no profile (from the address the manager knows). */
  suggestion?: string;
  /** The collector task on this node, when the swarm made one. */
  taskId?: string;
  /** The merged bundle: stored verbatim as a 'fleet-bundle' artifact, its artifacts copied into the case. */
  bundle?: {
    artifactId: string;
    sha256: string;
    bytes: number;
    /** The node's own case (inside the collector) that the bundle carries. */
    sourceCaseId: string;
    /** Artifacts copied into the target case (original ID → ID in the target case). */
    artifacts: { from: string; to: string; kind: string }[];
    /** Fingerprint of the run key that signed it (the one recorded in the case). */
    signedBy: string;
    /** Fingerprint of the examiner key that countersigned the bundle's manifest. */
    countersignedBy: string;
  };
}

/** What was removed after the run, per engine: Drydock leaves nothing behind. */
export interface FleetCleanup {
  /** The global-job service (removed through the manager). */
  service: 'removed' | 'failed' | 'not-created';
  /** The Swarm secret holding the run's private key. */
  secret: 'removed' | 'failed' | 'not-created';
  /**
   * The collector image, per node it was meant to run on: removed, why not, or 'left-as-found' when
   * the node already held exactly this image before the run (Drydock removes only what it loaded).
   */
  images: { nodeId: string; hostname: string; host: string; state: 'removed' | 'failed' | 'left-as-found'; error?: string }[];
  /** Anything that could not be removed (each naming the engine), for the examiner to remove by hand. */
  problems: string[];
  /**
   * With a registry: the collector image stays there (the Engine API cannot delete from a registry);
   * the reference the nodes pulled and the tag pushed, for the examiner to delete in the registry.
   */
  registry?: { reference: string; tagged: string };
}

/** What `fleet.triage` returns. */
export interface FleetTriageResult {
  runId: string;
  manager: string;
  clusterId: string;
  caseId: string;
  caseName: string;
  /** ISO 8601 UTC. */
  startedAt: string;
  finishedAt: string;
  /** The run's Ed25519 public key, recorded in the case ('fleet-key' artifact) before anything was deployed. */
  fleetKey: { fingerprint: string; publicKey: string; artifactId: string };
  /** The collector image as loaded (tag, image ID, the tar's SHA-256), and the registry it went through when one was given. */
  collector: { tag: string; imageId: string; sha256: string; registry?: string };
  nodes: FleetNodeResult[];
  merged: number;
  failed: number;
  /** Nodes not merged because the run was cancelled first. */
  cancelledNodes: number;
  unreached: number;
  cleanup: FleetCleanup;
  /** Set when the run was cancelled (fleet.cancel, Ctrl-C): when, ISO 8601 UTC. */
  cancelled?: { at: string };
  /** The run summary stored in the case ('fleet-triage' artifact). */
  stored?: { artifactId: string; sha256: string };
}

/** A step of the run, or a node's progress, as it happens. */
export interface FleetProgressEvent {
  runId: string;
  manager: string;
  /** The node concerned; absent for a run-wide step. */
  node?: string;
  step: 'key' | 'image' | 'secret' | 'service' | 'task' | 'fetch' | 'merge' | 'cleanup';
  state: 'started' | 'done' | 'failed';
  message?: string;
}

/** What the collector (`drydock fleet collect`, inside the image on a node) did. */
export interface FleetCollectResult {
  nodeId: string;
  hostname: string;
  caseId: string;
  containers: number;
  /** Artifacts stored in the node's case before the bundle was written. */
  artifacts: number;
  /** Steps that failed on this node (the bundle still carries what the others stored). */
  problems: string[];
  bundle: { path: string; sha256: string; bytes: number; signedBy: string };
}
