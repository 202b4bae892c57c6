// Process trees of a container, read from the host's process table through the Engine API (no exec
// into the suspect). Every string here except pids came from the container: titles, arguments and
// user names are hostile text, to be rendered as text only.

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
  | 'zombie';

export interface ProcessFlag {
  kind: ProcessFlagKind;
  severity: FindingSeverity;
  /** Why, in words a responder can check against the command line. */
  reason: string;
}

export interface ProcessEntry {
  /** PID on the Docker host (what the engine's top reports). */
  pid: number;
  ppid: number;
  /** Process group and session leaders (host PIDs), when the host's ps reports them. */
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
  /** ps STAT (R, S, Z, …). */
  state: string;
  /** Full command line as the host's ps printed it (hostile text). */
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
  /** ps arguments the engine ran on the host. */
  psArgs: string;
  /** Tree order: each root, then its descendants depth first; flagged subtrees first. */
  processes: ProcessEntry[];
  roots: number[];
  /** PIDs with at least one flag, highest severity first. */
  flagged: number[];
  drift: DriftCrossReference;
  /** Fields the host's ps could not provide (e.g. a busybox host without -o support). */
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
  reason: 'stopped' | 'container-gone' | 'host-disconnected' | 'failed';
  message?: string;
  samples: number;
}
