// Process trees of a container, read from its PID namespace through a short-lived helper container
// and cross-checked against the engine's top (the host's ps over the container's cgroup), or from
// top alone when the helper cannot run; no exec into the suspect. Every string here except pids
// came from the container: titles, arguments and user names are hostile text, to be rendered as
// text only.
import type { WatchEndReason } from './watch';

/** Where a process table came from: /proc of the container's PID namespace, or the engine's top. */
export type ProcessSource = 'pid-namespace' | 'engine-top';

export type FindingSeverity = 'high' | 'medium' | 'low';

export type ProcessFlagKind =
  /** `bash -i >& /dev/tcp/…`, `nc -e /bin/sh`, socat exec:, mkfifo pipes into a shell. */
  | 'reverse-shell'
  /** `curl … | sh`, `wget -O- … | bash`, base64 -d | sh. */
  | 'download-exec'
  /** An interpreter whose inline code opens sockets (python -c 'import socket…', perl -e …Socket). */
  | 'interpreter-network'
  /** A shell or interpreter whose arguments carry a URL, an IP:port or a pipe into a shell. */
  | 'network-shell'
  /** A known miner name or a stratum pool URL. */
  | 'miner'
  /** Runs from a world-writable or memory-backed location (/tmp, /dev/shm, /var/tmp). */
  | 'suspicious-path'
  /** The executable is not part of the image (from the drift report of the same container). */
  | 'not-from-image'
  /** Started by `docker exec` (the engine lists the exec session). */
  | 'exec-session'
  /** Its parent is outside the container: adopted by the runtime after its own parent died. */
  | 'orphan'
  /** Moved away from the process group or session that created it (double fork, daemonised). */
  | 'reparented'
  /** Finished but not reaped by its parent. */
  | 'zombie'
  /** In the container's PID namespace but not listed by the engine's top (outside its cgroup: exited, or another container's). */
  | 'not-in-top'
  /** Listed by the engine's top but not found in the container's PID namespace. */
  | 'not-in-namespace';

export interface ProcessFlag {
  kind: ProcessFlagKind;
  severity: FindingSeverity;
  /** Why, in words a responder can check against the command line. */
  reason: string;
}

export interface ProcessEntry {
  /**
   * The PID the tree is keyed on: inside the container's PID namespace when the snapshot's source
   * is 'pid-namespace' (for a process only top listed, its host PID), on the host for 'engine-top'.
   */
  pid: number;
  ppid: number;
  /** PID on the Docker host, when the engine's top listed the process; null otherwise. */
  hostPid: number | null;
  /** PID inside the container's PID namespace, when it was read there; null otherwise. */
  nsPid: number | null;
  /** Which process tables listed it. */
  seenBy: ProcessSource[];
  /** Process group and session leaders (in the same PID space as pid), when known. */
  pgid: number | null;
  sid: number | null;
  /** Numeric UID as the host sees it. */
  uid: string;
  /** Name for that UID in the container's own /etc/passwd, when it resolves there. */
  user: string | null;
  /** Seconds since the process started, as ps reports it. */
  elapsedSeconds: number | null;
  /** takenAt minus elapsed: second precision. */
  startedAt: string | null;
  /** State letter from /proc/PID/stat, or ps STAT from top (R, S, Z, …). */
  state: string;
  /** Command line from /proc/PID/cmdline (`[comm]` when empty), or as the host's ps printed it (hostile text). */
  args: string;
  /** argv[0] when it is an absolute path, else the bare program name. */
  program: string;
  /** The container's init (State.Pid). */
  isInit: boolean;
  /** The init or one of its descendants. */
  inEntrypointLineage: boolean;
  /** Parent's PID when the parent is in this snapshot, else null (a root of the tree). */
  parent: number | null;
  children: number[];
  depth: number;
  /** The engine's exec session that started it, when it is one. */
  execId?: string;
  flags: ProcessFlag[];
}

export interface DriftCrossReference {
  /** Whether a drift report of this container was found in the case. */
  checked: boolean;
  reportArtifactId?: string;
  /** Why nothing was cross-referenced, when nothing was. */
  note?: string;
}

export interface ProcessSnapshot {
  host: string;
  containerId: string;
  containerName: string;
  image: string;
  takenAt: string;
  /** Host PID of the container's init; null when the container is not running. */
  initPid: number | null;
  /** 'pid-namespace': read from the container's PID namespace and merged with top; 'engine-top': top alone (see limitations). */
  source: ProcessSource;
  /** ps arguments the engine ran on the host. */
  psArgs: string;
  /** Tree order: each root, then its descendants depth first; flagged subtrees first. */
  processes: ProcessEntry[];
  roots: number[];
  /** PIDs with at least one flag, highest severity first. */
  flagged: number[];
  drift: DriftCrossReference;
  /** What this snapshot could not see: top alone, fields the host's ps lacks, rows dropped or cut. */
  limitations: string[];
}

export interface StoredRef {
  artifactId: string;
  sha256: string;
  caseId: string;
}

export interface ProcessSnapshotResult {
  snapshot: ProcessSnapshot;
  /** Absent when the caller asked not to store it. */
  stored?: StoredRef;
}

export type ProcessChangeKind = 'appeared' | 'vanished' | 'reparented';

export interface ProcessChange {
  kind: ProcessChangeKind;
  pid: number;
  ppid: number;
  previousPpid?: number;
  args: string;
  flags: ProcessFlag[];
}

export interface ProcessWatchInfo {
  id: string;
  host: string;
  containerId: string;
  containerName: string;
  intervalSeconds: number;
  startedAt: string;
  samples: number;
  /** Samples stored as artifacts: the first, and every one where something changed. */
  storedSamples: number;
  caseId: string;
}

export interface ProcessSampleEvent {
  watchId: string;
  sample: number;
  snapshot: ProcessSnapshot;
  changes: ProcessChange[];
  stored?: StoredRef;
}

export interface ProcessWatchEndedEvent {
  watchId: string;
  reason: WatchEndReason;
  message?: string;
  samples: number;
}
