// A Swarm cluster as its manager knows it: nodes, services and tasks. Read from one manager's
// Engine API; every value came from that engine and was checked and capped on the way in. Secrets
// and configs are named (name and ID) and never carry their values: the Engine API does not give
// them, and Drydock does not ask.

/** A node's role in the swarm (its Spec.Role); 'unknown' when the engine sent something else. */
export type ClusterNodeRole = 'manager' | 'worker' | 'unknown';
/** Spec.Availability: whether the scheduler may place tasks there. */
export type ClusterNodeAvailability = 'active' | 'pause' | 'drain' | 'unknown';
/** Status.State as the manager last saw it. */
export type ClusterNodeState = 'ready' | 'down' | 'disconnected' | 'unknown';

export interface ClusterNode {
  id: string;
  /** Description.Hostname, as the node reported it when it last could. */
  hostname: string;
  role: ClusterNodeRole;
  availability: ClusterNodeAvailability;
  state: ClusterNodeState;
  /** Status.Message (why it is down, when the manager knows). */
  stateMessage?: string;
  /** Status.Addr: the address the node is reached at. */
  address: string;
  /** Description.Engine.EngineVersion ('' when the node never reported one). */
  engineVersion: string;
  /** Description.Platform: os/architecture ('' when unreported). */
  platform: string;
  /** Spec.Labels: the labels the operators put on the node (constraints use them). */
  labels: Record<string, string>;
  /** Description.Engine.Labels: the labels its engine reports about itself. */
  engineLabels: Record<string, string>;
  /** Managers only: leader, reachability and the manager address. */
  manager?: { leader: boolean; reachability: 'reachable' | 'unreachable' | 'unknown'; address: string };
  /**
   * False when the manager cannot reach the node (state down/disconnected, or a manager marked
   * unreachable): what is shown is what the manager still knows about it.
   */
  reachable: boolean;
  /** The node Drydock's connection talks to (its engine's Swarm.NodeID). */
  self: boolean;
  createdAt?: string;
  updatedAt?: string;
}

export type ClusterServiceMode = 'replicated' | 'global' | 'replicated-job' | 'global-job' | 'unknown';

export interface ClusterPort {
  protocol: string;
  targetPort: number;
  /** Absent when the engine has not assigned one (yet). */
  publishedPort?: number;
  /** ingress (the routing mesh) or host (the node's own port). */
  publishMode: string;
}

export interface ClusterNamedRef {
  id: string;
  /** The name; '' when the manager no longer knows the object (a network removed since). */
  name: string;
}

export interface ClusterSecretRef extends ClusterNamedRef {
  /** Where it is mounted in the task's containers (File.Name), never its value. */
  target: string;
}

export interface ClusterService {
  id: string;
  name: string;
  mode: ClusterServiceMode;
  replicas: {
    /** Tasks the manager wants running (the replica count, or one per eligible node for global). */
    desired: number | null;
    running: number | null;
    /** Jobs: tasks completed. */
    completed?: number;
    /** Placement.MaxReplicas (per node), 0 or absent for no limit. */
    maxPerNode?: number;
  };
  /** The image as the service's spec names it: reference without the digest, and the digest when pinned. */
  image: { reference: string; digest?: string };
  /** UpdateStatus of the last update or rollback; absent when the service was never updated. */
  update?: { state: string; message?: string; startedAt?: string; completedAt?: string };
  /** Endpoint ports (the published ones, ingress and host mode). */
  ports: ClusterPort[];
  networks: ClusterNamedRef[];
  secrets: ClusterSecretRef[];
  configs: ClusterSecretRef[];
  labels: Record<string, string>;
  createdAt?: string;
  updatedAt?: string;
}

export interface ClusterTask {
  id: string;
  /** As `docker service ps` names it: service.slot for replicated tasks, service.nodeID for global ones. */
  name: string;
  serviceId: string;
  /** '' when the service is gone (its last tasks may outlive it for a while). */
  serviceName: string;
  slot?: number;
  /** '' while unassigned. */
  nodeId: string;
  /** The node's hostname; '' when the node is unassigned or unknown to the manager. */
  nodeHostname: string;
  image: { reference: string; digest?: string };
  desiredState: string;
  /** Status.State: new, pending, assigned, accepted, preparing, starting, running, complete, shutdown, failed, rejected, orphaned... */
  state: string;
  /** Status.Timestamp: when it entered that state. */
  stateSince?: string;
  message?: string;
  /** Status.Err: why it failed. */
  error?: string;
  containerId?: string;
  exitCode?: number;
  ports: ClusterPort[];
  createdAt?: string;
  updatedAt?: string;
}

/** Where a listing came from: the manager Drydock asked, and when (ISO 8601 UTC). */
export interface ClusterSource {
  host: string;
  takenAt: string;
  /** The swarm's ID (Swarm.Cluster.ID of the manager's /info). */
  clusterId: string;
  /** The manager's own node ID. */
  managerNodeId: string;
  /** What the listing could not show, or trimmed (oversized answers are capped). */
  limitations: string[];
}

export interface ClusterNodeList extends ClusterSource {
  nodes: ClusterNode[];
}

export interface ClusterServiceList extends ClusterSource {
  services: ClusterService[];
}

export interface ClusterTaskList extends ClusterSource {
  tasks: ClusterTask[];
}

/** The swarm objects a manager's event stream reports on (tasks have no events of their own). */
export const CLUSTER_OBJECT_KINDS = ['node', 'service', 'secret', 'config'] as const;
export type ClusterObjectKind = (typeof CLUSTER_OBJECT_KINDS)[number];

/**
 * One change of the cluster, live from the manager's event stream: a node going down or being
 * drained, a service created, updated (scaled, its update's progress) or removed, a secret or
 * config created or removed (by name: events carry no values).
 */
export interface ClusterChange {
  /** The manager host whose stream said it. */
  host: string;
  kind: ClusterObjectKind;
  id: string;
  /** create, update, remove. */
  action: string;
  /** The object's name (a node's: its hostname); '' when the event carries none. */
  name: string;
  /** The engine's attributes of the change: state.old/state.new, availability.new, replicas.new, updatestate.new... (capped). */
  attributes: Record<string, string>;
  /** When the engine says it happened (ISO 8601 UTC, nanoseconds). */
  at: string;
}
