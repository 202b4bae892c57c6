// Who talks to whom: socket tables read from each container's network namespace (by a helper that
// shares it; nothing runs in the suspect), resolved into a graph of containers, the host, Swarm
// services and external addresses. Names and labels came from the host under investigation:
// render them as text only.
import type { WatchEndReason } from './watch';

import type { ClusterNodeAvailability, ClusterNodeRole, ClusterNodeState } from './cluster';
import type { RiskFlagId, RiskSeverity } from './inventory';

export type SocketProtocol = 'tcp' | 'udp';

/** Kernel socket states (include/net/tcp_states.h), lower-cased; UDP uses established and close. */
export type SocketState =
  | 'established'
  | 'syn-sent'
  | 'syn-recv'
  | 'fin-wait1'
  | 'fin-wait2'
  | 'time-wait'
  | 'close'
  | 'close-wait'
  | 'last-ack'
  | 'listen'
  | 'closing'
  | 'new-syn-recv'
  | 'unknown';

export interface SocketAddress {
  /** Dotted IPv4, or compressed IPv6; a v4-mapped IPv6 address is given as its IPv4 form. */
  ip: string;
  port: number;
}

/** One line of /proc/net/{tcp,tcp6,udp,udp6}. */
export interface SocketEntry {
  protocol: SocketProtocol;
  /** The table it came from: 6 for tcp6/udp6, whatever the address inside looks like. */
  family: 4 | 6;
  /** An IPv6 socket whose addresses are v4-mapped (::ffff:a.b.c.d): an IPv4 peer on a dual-stack socket. */
  v4Mapped: boolean;
  local: SocketAddress;
  remote: SocketAddress;
  state: SocketState;
  /** TCP LISTEN, or a UDP socket bound with no peer (how a UDP server waits). */
  listening: boolean;
  uid: number;
  inode: number;
  txQueue: number;
  rxQueue: number;
}

export type NodeKind = 'container' | 'host' | 'swarm-service' | 'external';

/** How a node is grouped (and coloured) in the graph. */
export interface NodeGroup {
  kind: 'compose' | 'swarm' | 'network' | 'host' | 'external' | 'none';
  name: string;
}

export interface ListeningSocket {
  protocol: SocketProtocol;
  ip: string;
  port: number;
  /** Bound to a loopback address: reachable only from inside the namespace. */
  loopbackOnly: boolean;
  /** Host ports that publish it, from the container's port bindings. */
  published: { hostIp?: string; hostPort: number }[];
}

export type ScanStatus =
  /** Its socket tables were read. */
  | 'scanned'
  /** It shares another container's namespace: its sockets are that container's (see sharedWith). */
  | 'shared'
  /** Not running, paused, or in the host's namespace: nothing read (see reason). */
  | 'skipped'
  | 'failed'
  /** A live view reads a bounded number of namespaces per refresh: this one is next. */
  | 'pending'
  /** Hosts, services and external endpoints are not scanned. */
  | 'not-applicable';

export interface NodeScan {
  status: ScanStatus;
  reason?: string;
  /** When its socket tables were read (a live view reuses a reading for a few refreshes). */
  readAt?: string;
  /** Socket entries read from its namespace. */
  sockets?: number;
  /** Node id of the container whose namespace it joins (network mode container:<id>). */
  sharedWith?: string;
  /** Lines of the socket tables that did not parse (hostile or unknown format), skipped. */
  skippedLines?: number;
}

export interface GraphNode {
  /**
   * Stable across refreshes: c:<host>/<container id>, h:<host>, s:<host>/<service id>, x:<ip>; in a
   * cluster graph also t:<manager>/<task id> (a task on a node that was not read, as the manager
   * lists it) and n:<manager>/<node id> (a Swarm node whose engine was not read).
   */
  id: string;
  kind: NodeKind;
  /** The Docker host it belongs to (absent for external endpoints). */
  host?: string;
  label: string;
  containerId?: string;
  image?: string;
  /** Container state as the engine reports it (running, paused, exited, created…). */
  state?: string;
  networks: { name: string; ipv4?: string; ipv6?: string }[];
  /** Every address this node answers to in the graph. */
  addresses: string[];
  compose?: { project: string; service: string };
  swarm?: { serviceName: string; serviceId?: string };
  group: NodeGroup;
  riskFlags: RiskFlagId[];
  /** Highest risk severity (quarantine aside). */
  risk?: RiskSeverity;
  quarantined: boolean;
  /** Drift report says its filesystem changed; null when no drift result is known. */
  drifted: boolean | null;
  listening: ListeningSocket[];
  /** Connections that stay inside the namespace (loopback to loopback). */
  loopbackConnections: number;
  scan: NodeScan;
  /** For external endpoints: what kind of address it is. */
  addressScope?: 'public' | 'private' | 'link-local' | 'multicast' | 'unknown';
  /** In a cluster graph: the Swarm node (its ID) whose group it is drawn in. */
  swarmNode?: string;
}

export type EdgeState = 'established' | 'connecting' | 'closing' | 'seen-in-capture';

/**
 * How the client/server direction was decided: the server side had a listening socket on that
 * port ('listener'), a port-number guess ('ephemeral-port'), the capture saw the first packet
 * ('capture'), or nothing could tell ('unknown').
 */
export type DirectionBasis = 'listener' | 'ephemeral-port' | 'capture' | 'unknown';

export interface GraphEdge {
  /** Stable across refreshes: <source>|<target>|<protocol>|<port>. */
  id: string;
  /** Client side. */
  source: string;
  /** Server side (where the listener is). */
  target: string;
  protocol: SocketProtocol;
  /** The server's port. */
  port: number;
  /** Client ports seen (first 16). */
  clientPorts: number[];
  /** Socket pairs behind this edge, after merging both ends' view of the same connection. */
  connections: number;
  states: Partial<Record<SocketState, number>>;
  /** The liveliest state among its connections. */
  state: EdgeState;
  directionBasis: DirectionBasis;
  /** How the target was reached when not directly: through a published host port, a Swarm VIP, a network gateway. */
  via?: 'published-port' | 'swarm-vip' | 'gateway';
  /** Which ends' socket tables saw it. */
  seenBy: ('source' | 'target')[];
  /** Touches an external endpoint. */
  external: boolean;
  /** From stored flow summaries, when a capture of either end saw these flows. */
  traffic?: {
    bytesToServer: number;
    bytesToClient: number;
    packetsToServer: number;
    packetsToClient: number;
    flows: number;
    lastSeen: string | null;
    artifactIds: string[];
  };
}

export interface HostScanReport {
  host: string;
  takenAt: string;
  /** Containers whose namespaces were read. */
  scanned: number;
  skipped: number;
  failed: number;
  /** Running containers whose namespace a following refresh of a live view reads. */
  pending: number;
  helperImage?: string;
  /** Byte order the socket tables were decoded with (the engine's architecture decides). */
  byteOrder?: 'little' | 'big';
  swarm: 'inactive' | 'worker' | 'manager';
  /** Why the host could not be read at all. */
  error?: { kind: string; message: string };
}

export interface FlowEnrichmentReport {
  /** Stored flow summaries consulted (the current or chosen case's most recent). */
  summaries: number;
  /** Flows added to an edge. */
  matched: number;
  /** Flows whose endpoints are not nodes of this graph. */
  unmatched: number;
}

/**
 * How a Swarm node's group was filled: 'read' its engine's containers were read (through the saved
 * profile that answers as it); 'no-profile' no saved profile answers as it; 'node-down' the manager
 * cannot reach it; 'failed' its profile's engine could not be read (see reason). Whatever was not
 * read shows what the manager lists.
 */
export type SwarmNodeReach = 'read' | 'no-profile' | 'node-down' | 'failed';

/** One Swarm node drawn as a group of the cluster graph. Every text came from the manager: render as text only. */
export interface SwarmNodeGroup {
  nodeId: string;
  hostname: string;
  role: ClusterNodeRole;
  leader: boolean;
  state: ClusterNodeState;
  availability: ClusterNodeAvailability;
  /** Why it is down, when the manager knows. */
  stateMessage?: string;
  /** The address the manager reaches it at. */
  address: string;
  /** The host profile whose engine answers as this node, when one does. */
  host?: string;
  reach: SwarmNodeReach;
  /** Why it was not read (reach other than 'read'). */
  reason?: string;
  /** Graph node IDs drawn inside it (its host or a stand-in for it, its containers, its tasks). */
  members: string[];
  /** Tasks the manager wants running there (desired state running). */
  tasks: number;
}

/**
 * An overlay network as an edge between node groups: the Swarm nodes with a task on it that the
 * manager wants running (a service's networks are its tasks' networks). Not a connection: nothing
 * says traffic crossed it.
 */
export interface OverlayLink {
  /** Stable across refreshes: o:<manager>/<network id>. */
  id: string;
  networkId: string;
  /** '' when the manager no longer knows the network by name. */
  name: string;
  /** Swarm node IDs with such a task, sorted; an edge is drawn when there are two or more. */
  nodes: string[];
  /** Names of the services attached, sorted. */
  services: string[];
  tasks: number;
}

/** The Swarm cluster a graph was taken of ('network.snapshot' with cluster): its nodes as groups, its overlays as edges. */
export interface SwarmGraphLayer {
  /** The manager host profile the listings came from. */
  manager: string;
  clusterId: string;
  nodes: SwarmNodeGroup[];
  overlays: OverlayLink[];
}

export interface NetworkGraphSnapshot {
  takenAt: string;
  hosts: HostScanReport[];
  nodes: GraphNode[];
  edges: GraphEdge[];
  flows: FlowEnrichmentReport;
  limitations: string[];
  /** Present when the graph was taken of a Swarm cluster. */
  swarm?: SwarmGraphLayer;
}

export interface StoredSnapshotRef {
  artifactId: string;
  sha256: string;
  caseId: string;
}

export interface NetworkSnapshotResult {
  snapshot: NetworkGraphSnapshot;
  stored?: StoredSnapshotRef;
}

export interface NetworkWatchInfo {
  id: string;
  /** Hosts it refreshes; empty = every connected host at each refresh (or, with cluster, every node's). */
  hosts: string[];
  /** The Swarm manager whose cluster it refreshes (its nodes' hosts, mapped at each refresh). */
  cluster?: string;
  intervalSeconds: number;
  record: boolean;
  caseId?: string;
  startedAt: string;
  refreshes: number;
  storedSnapshots: number;
  /** The watch ends unless renewed before this (absent = runs until unwatched). */
  leaseExpiresAt?: string;
}

export interface GraphDiff {
  nodesAdded: string[];
  nodesRemoved: string[];
  edgesAdded: string[];
  edgesRemoved: string[];
  /** Nodes or edges whose state, flags or counters changed. */
  changed: string[];
}

export interface NetworkChangedEvent {
  watchId: string;
  refresh: number;
  snapshot: NetworkGraphSnapshot;
  diff: GraphDiff;
  stored?: StoredSnapshotRef;
}

export interface NetworkWatchEndedEvent {
  watchId: string;
  reason: WatchEndReason;
  message?: string;
  refreshes: number;
}

/** Where a node of the connection graph was laid out (world units: CSS pixels at scale 1), by graph node ID. */
export interface GraphPosition {
  id: string;
  x: number;
  y: number;
}

/** The layout positions stored for a case ('network.graph-positions.load'); caseId null when no case is selected. */
export interface GraphPositionsLoaded {
  caseId: string | null;
  positions: GraphPosition[];
}

/** What 'network.graph-positions.save' stored: how many positions, in which case (null: none selected, nothing stored). */
export interface GraphPositionsSaved {
  caseId: string | null;
  saved: number;
}
