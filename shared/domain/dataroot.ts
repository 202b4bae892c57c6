// Dead-box analysis: a Docker data root (/var/lib/docker from a disk image, a copied tree or a
// tarball of one) read directly, with no daemon. Every name, label and path here came off a disk
// under investigation: render it as text, never as markup or a terminal sequence.

import type { DriftFileType, DriftReport } from './drift';
import type { ContainerSummary } from './inventory';
import type { LogsAcquisition } from './logs';

/** How the data root is read: a directory in place, or a tar archive (plain or gzip) streamed. */
export type DataRootKind = 'directory' | 'tarball';

export interface DataRootInfo {
  /** The source's name in reports and artifacts: `data-root:` and the absolute path given. */
  host: string;
  /** The absolute path given (the directory or the tarball). */
  path: string;
  kind: DataRootKind;
  /** The storage driver directories found (overlay2 is the one read; others are named as unsupported). */
  storageDrivers: string[];
  /** Warnings about the source itself (a writable mount that records access times, a driver not read...). */
  warnings: string[];
}

/** Something on disk that could not be read as Docker writes it: a finding, never a silent skip. */
export interface DataRootProblem {
  /** The path inside the data root (relative, as text). */
  path: string;
  problem: string;
}

export interface DataRootVolume {
  /** The mount point in the container. */
  destination: string;
  /** The volume's name (named and anonymous volumes), or absent for a bind mount. */
  name?: string;
  type: string;
  /** The host path the engine recorded. */
  source: string;
  readOnly: boolean;
  /** Whether volumes/<name>/_data is present in this data root (readable here, unlike on a live host). */
  presentInDataRoot?: boolean;
}

export interface DataRootContainer extends ContainerSummary {
  /** The overlay2 directory of the container's writable layer (overlay2/<mountId>/diff). */
  mountId?: string;
  /** The logging driver and the log file the engine recorded. */
  logDriver: string;
  logPath?: string;
  volumes: DataRootVolume[];
}

export interface DataRootInventory {
  source: DataRootInfo;
  takenAt: string;
  containers: DataRootContainer[];
  problems: DataRootProblem[];
  stored?: { caseId: string; artifactId: string; sha256: string };
}

export interface DataRootLayer {
  /** The layer's uncompressed content digest as the image config lists it (rootfs.diff_ids). */
  diffId: string;
  /** The layer's ID in layerdb: the chain ID of it and the layers below. */
  chainId: string;
  /** Its directory under overlay2/ (layerdb's cache-id). */
  cacheId?: string;
  size?: number;
}

export interface DataRootImage {
  id: string;
  tags: string[];
  digests: string[];
  created?: string;
  architecture?: string;
  os?: string;
  /** The build steps, oldest first (created_by; empty_layer steps made no layer). */
  history: { created?: string; createdBy?: string; emptyLayer: boolean }[];
  layers: DataRootLayer[];
  /** Containers of this data root created from it (short IDs and names). */
  containers: string[];
}

export interface DataRootImages {
  source: DataRootInfo;
  takenAt: string;
  images: DataRootImage[];
  problems: DataRootProblem[];
  stored?: { caseId: string; artifactId: string; sha256: string };
}

/** What an overlay2 directory, a layer or a mount ID belongs to. */
export interface LayerOwnership {
  /** The ID asked for, as given. */
  query: string;
  /** What the ID was recognised as. */
  matchedAs: 'container-mount' | 'container-init' | 'image-layer';
  /** overlay2/<this>/diff holds its files. */
  cacheId: string;
  chainId?: string;
  diffId?: string;
  containers: { id: string; name: string; role: 'writable layer' | 'init layer' | 'image layer' }[];
  images: { id: string; tags: string[] }[];
}

export interface LayerOwnerResult {
  source: DataRootInfo;
  owners: LayerOwnership[];
  stored?: { caseId: string; artifactId: string; sha256: string };
}

export interface DataRootDriftResult {
  source: DataRootInfo;
  /** One report per container, the same shape (and hashes, and classification) as a live drift report. */
  reports: (DriftReport & { artifactId: string; sha256: string })[];
  problems: DataRootProblem[];
  caseId: string;
}

export interface DataRootLogsResult extends LogsAcquisition {
  source: DataRootInfo;
  /** The log files read, oldest first (rotated files included). */
  files: string[];
}

/** What differs between what a live engine reports and what its data root holds. */
export type DiskFindingKind = 'hidden-from-api' | 'missing-on-disk' | 'layer-content-mismatch' | 'changes-differ';

export interface DiskFinding {
  kind: DiskFindingKind;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  containerId?: string;
  containerName?: string;
  layer?: { diffId: string; chainId: string; cacheId?: string; computed?: string };
  /** One sentence a responder can read aloud. */
  detail: string;
  /** changes-differ: paths the disk shows changed that the engine's /changes did not list, and the reverse. */
  onlyOnDisk?: string[];
  onlyInApi?: string[];
}

export interface CompareDiskResult {
  host: string;
  source: DataRootInfo;
  takenAt: string;
  /** Containers both sides know, whose change lists were compared. */
  containersCompared: number;
  /** Image layers whose content was re-hashed against their diff ID (from a data root directory only). */
  layersVerified: number;
  findings: DiskFinding[];
  problems: DataRootProblem[];
  stored?: { caseId: string; artifactId: string; sha256: string };
}

/** A data root opened as a source of the host list: read-only, never connected to, marked as such everywhere. */
export interface DataRootSourceEntry {
  source: DataRootInfo;
  openedAt: string;
  containers: number;
  images: number;
  problems: number;
}

/**
 * One entry of a container's writable layer (overlay2/<mount-id>/diff) as a filesystem event,
 * the way a bodyfile line is for mactime: the path, what it is and its modification time with
 * the nanoseconds the source keeps. No ctime or atime: in a copied tree or a tarball they are the
 * copy's, and a mounted image's are not read yet.
 */
export interface UpperFileEntry {
  /** The path inside the container ('/etc/passwd'), as text (invalid UTF-8 as U+FFFD). */
  path: string;
  /** What it is; a whiteout (a 0/0 character device, or a .wh. file in a tarball) marks a deletion. */
  type: DriftFileType | 'whiteout';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** RFC 3339 UTC with nine fractional digits. */
  mtime: string;
  /** A directory marked opaque (its lower contents hidden: replaced in the container). */
  opaque?: boolean;
}

export interface UpperFilesOfContainer {
  containerId: string;
  containerName: string;
  /** overlay2/<mountId>/diff was walked. */
  mountId: string;
  entries: UpperFileEntry[];
  /** More entries than were kept (the cap): the rest are not listed. */
  truncated: boolean;
}

/** The writable layers' entries of a data root's containers: the file-system events of a dead-box timeline. */
export interface DataRootUpperFiles {
  source: DataRootInfo;
  takenAt: string;
  upperFiles: UpperFilesOfContainer[];
  problems: DataRootProblem[];
}

/** What `dataroot.timeline` read from a data root into the case, for the case's timeline to show. */
export interface DataRootTimelineAcquisition {
  source: DataRootInfo;
  /** The name rows from this data root carry as their host (`data-root:` and its path): the timeline filter for it. */
  host: string;
  caseId: string;
  caseName: string;
  /** Each artifact stored: the containers' records, the images, each log, the writable layers' entries. */
  stored: { what: string; artifactId: string; sha256: string }[];
  /** Containers whose logs are not in the data root (a driver that keeps no file, no file), by name. */
  logsNotRead: { container: string; reason: string }[];
  problems: DataRootProblem[];
  /** What the timeline from a data root cannot show. */
  limitations: string[];
}

/**
 * A container's processes as last recorded in its config.v2.json: a dead box has no process list,
 * only the command the engine started and the state it last wrote.
 */
export interface DataRootProcessConfig {
  source: DataRootInfo;
  containerId: string;
  containerName: string;
  image: string;
  /** The command the engine started as PID 1 of the container: Path and Args of config.v2.json. */
  path: string;
  args: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
  /** Config.User ('' = the image's default, root unless the image set one). */
  user: string;
  workingDir: string;
  /** NAME=value as recorded (whole here and in the evidence; the CLI masks secret-looking values). */
  env: string[];
  tty: boolean;
  /** State as last written by the engine. */
  state: {
    status: string;
    running: boolean;
    paused: boolean;
    restarting: boolean;
    oomKilled: boolean;
    dead: boolean;
    /** The host PID of the container's init when the engine last wrote the record (0 when not running). */
    pid: number;
    exitCode: number;
    error: string;
    startedAt?: string;
    finishedAt?: string;
  };
  restartCount: number;
  /** What a reader must know: no process list exists on disk, what the PID means. */
  notes: string[];
  stored?: { caseId: string; artifactId: string; sha256: string };
}
