// Quarantine of a suspect container: cut it off without destroying evidence, and later put it back
// exactly as it was. Names, aliases and labels here came from the host under investigation:
// render them as text only.

export type QuarantineMode = 'isolate' | 'pause' | 'snapshot' | 'stop';

/** The order steps run in: cut the network first, freeze, preserve the filesystem, stop last. */
export const QUARANTINE_MODES: readonly QuarantineMode[] = ['isolate', 'pause', 'snapshot', 'stop'];

/** The label on the per-host quarantine network (containers cannot be relabelled after creation). */
export const QUARANTINE_NETWORK_LABEL = 'drydock.quarantine';
/** The label on forensic images committed by a snapshot step. */
export const FORENSIC_IMAGE_LABEL = 'drydock.forensic';

/** One network the container was attached to before quarantine, as release must recreate it. */
export interface NetworkBefore {
  networkId: string;
  networkName: string;
  /** User-given aliases (the engine's automatic short-ID alias left out: it re-adds it itself). */
  aliases: string[];
  /** Static addresses from the endpoint's IPAMConfig; absent when the engine chose the address. */
  staticIpv4?: string;
  staticIpv6?: string;
  linkLocalIps?: string[];
  /** Legacy links on this endpoint ("container:alias"). */
  links: string[];
  driverOpts?: Record<string, string>;
  /** Addresses it had at the time (dynamic ones may differ after release). */
  ipv4?: string;
  ipv6?: string;
  mac?: string;
}

/** The container's state recorded before any quarantine step acts. */
export interface ContainerStateBefore {
  status: string;
  running: boolean;
  paused: boolean;
  networkMode: string;
  networks: NetworkBefore[];
  /** HostConfig.Links of the default bridge (legacy --link). */
  hostLinks: string[];
  restartPolicy: string;
  autoRemove: boolean;
  inspectedAt: string;
}

export type StepState = 'pending' | 'running' | 'done' | 'skipped' | 'failed';

/**
 * A step's detail as shown beside its state: a leading repeat of the state word ("skipped: …") is
 * left out, so the two never read "skipped  skipped". Pure; '' for no detail.
 */
export function stepDetailText(state: StepState, detail: string | undefined): string {
  const text = detail ?? '';
  const prefix = `${state}: `;
  return text.toLowerCase().startsWith(prefix) ? text.slice(prefix.length) : text;
}

/** sha256 of the empty string: what a namespace with no nftables ruleset hashes to. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * A recorded ruleset as the responder reads it: "(empty ruleset)" when there was nothing in it,
 * else `sha256 <first 16 hex>…` (or the whole digest when `full`). Pure.
 */
export function rulesetLabel(sha256: string, full = false): string {
  if (sha256 === EMPTY_SHA256) return '(empty ruleset)';
  return `sha256 ${full ? sha256 : `${sha256.slice(0, 16)}…`}`;
}

export interface QuarantineStep {
  mode: QuarantineMode;
  state: StepState;
  /** What it did, or why it was skipped or failed. */
  detail?: string;
  startedAt?: string;
  endedAt?: string;
}

/** A volume, bind or tmpfs mount of the container: never part of a commit, so never in a snapshot. */
export interface ExcludedMount {
  /** The engine's mount type: volume, bind, tmpfs, npipe. */
  type: string;
  /** The volume's name (volumes only). */
  name?: string;
  /** Host path or the volume's mountpoint, as the engine reported it. */
  source: string;
  /** Path inside the container. */
  destination: string;
  readWrite: boolean;
}

export interface SnapshotOutcome {
  /** Repository:tag of the committed forensic image. */
  imageRef: string;
  /** Mounts whose contents the snapshot does not hold (read from the container when the step ran). */
  excludedMounts?: ExcludedMount[];
  imageId?: string;
  artifactId?: string;
  sha256?: string;
  size?: number;
}

export type ReleaseStepName = 'packet-filter' | 'networks' | 'unpause' | 'start' | 'quarantine-network' | 'orchestrator';

/** The nftables table a Swarm task's isolation adds in its network namespace (family inet). */
export const PACKET_FILTER_TABLE = 'drydock_quarantine';

/**
 * Isolation of a Swarm task inside its own network namespace (the engine refuses to disconnect a task
 * from a swarm-scoped network): one nftables table of Drydock's, added by a helper joined to the
 * namespace and deleted on release. The namespace's whole ruleset is recorded before (hashed) and
 * compared after release.
 */
export interface PacketFilterRecord {
  /** `inet drydock_quarantine`. */
  table: string;
  /** The nft script the helper applied, as given to `nft -f -`. */
  rules: string;
  /** `nft -s list ruleset` of the namespace before anything was added (stateless: no counters). */
  before: { sha256: string; ruleset: string };
  /** Image ID of the helper that ran nft. */
  helperImage: string;
  appliedAt?: string;
  removedAt?: string;
  /** The ruleset after release: `identical` when it equals `before` byte for byte. */
  after?: { sha256: string; identical: boolean };
}

/** A Swarm task as its manager names it, resolved to the node (and saved host profile) it runs on. */
export interface SwarmTaskTarget {
  /** The host profile of the swarm's manager the task was resolved through. */
  manager: string;
  taskId: string;
  /** service.slot (replicated) or service.nodeID (global). */
  taskName: string;
  serviceId: string;
  serviceName: string;
  slot?: number;
  nodeId: string;
  nodeHostname: string;
}

/** What the orchestrator may do to the task, read from the service's spec on the manager. */
export interface SwarmServicePolicy {
  mode: string;
  /** Replicated services: the replica count. */
  replicas?: number;
  /** RestartPolicy: condition (none, on-failure, any), delay and window in seconds, attempts (0: unlimited). */
  restart: { condition: string; delaySeconds?: number; maxAttempts?: number; windowSeconds?: number };
  /** UpdateConfig: parallelism, failure action, order. */
  update: { parallelism?: number; failureAction?: string; order?: string; monitorSeconds?: number };
  /** The container spec's health check test, when it has one. */
  healthcheck?: string[];
}

/** One action on the orchestrator a responder chose with the quarantine; release undoes it where it can. */
export interface OrchestratorAction {
  kind: 'drain-node' | 'scale-service';
  /** The node ID or the service ID acted on. */
  target: string;
  /** Availability (drain-node) or replica count (scale-service) before, which release restores. */
  previous: string | number;
  to: string | number;
  state: StepState;
  detail?: string;
  /** Set by release: what it put back. */
  restored?: string;
}

/** A Swarm task's quarantine: the task, the service's policy when read, and the orchestrator actions taken. */
export interface SwarmQuarantine extends SwarmTaskTarget {
  policy?: SwarmServicePolicy;
  actions: OrchestratorAction[];
}

export interface ReleaseStep {
  name: ReleaseStepName;
  state: StepState;
  detail?: string;
  endedAt?: string;
}

/** A network as it came back after release; addressChanged when a dynamic address moved. */
export interface RestoredNetwork {
  networkName: string;
  ipv4?: string;
  ipv6?: string;
  aliases: string[];
  addressChanged: boolean;
}

export type QuarantineState = 'applying' | 'quarantined' | 'releasing' | 'released';

export interface QuarantineRecord {
  id: string;
  host: string;
  containerId: string;
  containerName: string;
  /** The case the audit entries and the snapshot artifact went to (null: the store's own chain). */
  caseId: string | null;
  state: QuarantineState;
  modes: QuarantineMode[];
  before: ContainerStateBefore;
  steps: QuarantineStep[];
  quarantineNetwork?: { id: string; name: string };
  /** A Swarm task isolated in its own network namespace. */
  packetFilter?: PacketFilterRecord;
  /** The Swarm task it is, when it was named as a task (or service.slot) through its manager. */
  swarm?: SwarmQuarantine;
  snapshot?: SnapshotOutcome;
  /** reason: the responder's, or "not given" (CLI without --reason, API callers). */
  release?: { steps: ReleaseStep[]; restored: RestoredNetwork[]; note?: string; reason?: string };
  /** Shown with the record (Swarm task, restart policy, --rm). */
  warnings: string[];
  /** The containers sharing its network namespace when it was recorded (absent in older records). */
  sharedNetworkNamespace?: NetworkNamespacePeer[];
  /** The last failure; re-running apply or release continues from where it stopped. */
  lastError?: string;
  createdAt: string;
  updatedAt: string;
  releasedAt?: string;
}

/**
 * A container in the same network namespace as the target (`--network container:…`): whatever
 * isolation does to the namespace's interfaces happens to it as well.
 * relation: 'joined-target' — it runs in the target's namespace; 'target-joined' — the target runs
 * in its namespace; 'joined-same' — both run in a third container's namespace.
 */
export interface NetworkNamespacePeer {
  containerId: string;
  containerName: string;
  /** The engine's status when read (running, exited...). */
  status: string;
  relation: 'joined-target' | 'target-joined' | 'joined-same';
}

export type PlanSeverity = 'info' | 'warning' | 'danger';

export interface PlanNotice {
  severity: PlanSeverity;
  text: string;
}

export interface PlannedStep {
  mode: QuarantineMode;
  /** What the step will do, in words the responder confirms. */
  action: string;
  /** Already done by an earlier apply: nothing will happen. */
  alreadyDone: boolean;
  /** Cannot be done on this container (host network mode...): apply refuses before acting. */
  blocked?: string;
  notices: PlanNotice[];
}

export interface QuarantinePlan {
  host: string;
  containerId: string;
  containerName: string;
  status: string;
  /** An active quarantine already exists: apply extends it and keeps its recorded state. */
  existing?: { recordId: string; state: QuarantineState; modes: QuarantineMode[]; createdAt: string };
  steps: PlannedStep[];
  /** Whole-container warnings: Swarm task, restart policy, --rm. */
  notices: PlanNotice[];
  /** What release will restore. */
  networks: NetworkBefore[];
  /** Every other container in its network namespace (empty when it has its own). */
  sharedNetworkNamespace: NetworkNamespacePeer[];
  /**
   * Why network isolation does not contain it (it controls the engine or the host: Docker socket
   * mounted, privileged, host PID namespace); empty when isolation does.
   */
  isolationEscapes: string[];
  /** The case the audit entries and snapshot go to, when one resolves. */
  caseName?: string;
  /** A Swarm task named through its manager: the service's policy, what it means, and each orchestrator action's consequence. */
  swarm?: {
    task: SwarmTaskTarget;
    policy?: SwarmServicePolicy;
    /** Why the policy could not be read, when it could not. */
    policyProblem?: string;
    consequences: string[];
    actions: { kind: OrchestratorAction['kind']; to: string | number; consequence: string }[];
  };
}

export interface QuarantineChangedEvent {
  host: string;
  containerId: string;
  containerName: string;
  record: QuarantineRecord;
  at: string;
}
