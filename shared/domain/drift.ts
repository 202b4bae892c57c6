// Drift: what differs between a container and the image it was started from. Every path, link
// target, user name, package name and environment value here came out of a suspect container:
// hostile text, to be rendered as text with control characters made visible.

import type { RiskFlag, RiskSeverity } from './inventory';

export type DriftSeverity = RiskSeverity;

export const DRIFT_SEVERITIES: readonly DriftSeverity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Higher is worse: critical 4 … info 0. */
export function severityRank(severity: DriftSeverity): number {
  return 4 - DRIFT_SEVERITIES.indexOf(severity);
}

/** What the engine's change list said. */
export type EngineChangeKind = 'added' | 'modified' | 'deleted';

/**
 * What the change really is once both sides were read. 'identical' is a file touched and put
 * back (or a directory listed only because something below it changed); 'vanished' a path the
 * engine listed that was gone by the time it was read; 'unread' a path the scan never reached
 * (cancelled, engine lost).
 */
export type DriftVerdict =
  'added' | 'deleted' | 'content-changed' | 'type-changed' | 'metadata-only' | 'identical' | 'vanished' | 'unread' | 'unknown';

export type DriftFileType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char-device' | 'block-device' | 'fifo' | 'other';

export type DriftDifference = 'content' | 'type' | 'mode' | 'owner' | 'link-target' | 'size' | 'mtime';

/** How a file was recognised as something that runs. */
export type ExecutableKind = 'elf' | 'script' | 'exec-bit';

export interface DriftFileMeta {
  type: DriftFileType;
  /** Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000). */
  mode: number;
  /** Absent when the engine did not report them (a stat without owner). */
  uid?: number;
  gid?: number;
  size: number;
  mtime?: string;
  /** Regular files only; absent when the file was not read (unread, over a limit). */
  sha256?: string;
  /** Symlink or hardlink target, as text (invalid UTF-8 as U+FFFD). */
  linkTarget?: string;
  /** The target's exact bytes, only when they are not valid UTF-8. */
  linkTargetBase64?: string;
  executable?: ExecutableKind;
  /**
   * Image side of a report read from layers: the image's version of a changed text file, stored in
   * the case as an 'image-file' artifact (the API path keeps it in its image index instead).
   */
  artifactId?: string;
}

export type DriftClass =
  | 'executable'
  | 'library'
  | 'setuid'
  | 'package-db'
  | 'credentials'
  | 'persistence'
  | 'web-root'
  | 'hidden'
  | 'temp'
  | 'config'
  | 'hostile-name'
  | 'symlink'
  | 'deleted'
  | 'history'
  | 'change';

export interface DriftReason {
  class: DriftClass;
  severity: DriftSeverity;
  /** Why, in words a responder can check against the file. */
  reason: string;
}

/** What became of the file's bytes in the case. */
export type ContentState = 'stored' | 'over-cap' | 'not-regular' | 'not-read' | 'failed';

export interface DriftContent {
  state: ContentState;
  /** The 'container-file' artifact holding the bytes, when stored. */
  artifactId?: string;
  /** Why it is not stored (over the cap, read failed). */
  note?: string;
}

export interface DriftEntry {
  /** Absolute path in the container, as text (invalid UTF-8 as U+FFFD). */
  path: string;
  /** The exact bytes in base64, only when they are not valid UTF-8. */
  pathBase64?: string;
  change: EngineChangeKind;
  verdict: DriftVerdict;
  differences: DriftDifference[];
  container?: DriftFileMeta;
  image?: DriftFileMeta;
  /** The highest reason's severity, after noise rules. */
  severity: DriftSeverity;
  /** Set when a noise rule lowered it: the rule's id and the severity it had before. */
  demoted?: { ruleId: string; from: DriftSeverity };
  classes: DriftClass[];
  reasons: DriftReason[];
  content: DriftContent;
  /** A package (from the package database's own file lists) that owns the path, when one does. */
  package?: string;
  /**
   * A probable move (same SHA-256, or a directory holding the same files): on a deleted entry the
   * path its content was added at, on an added entry the path it was deleted from.
   */
  movedTo?: string;
  movedFrom?: string;
  /** Set on a deletion the engine did not list itself: the deleted directory it was inside. */
  impliedBy?: string;
}

export interface PackageVersion {
  name: string;
  version: string;
  architecture?: string;
}

export interface PackageDrift {
  manager: 'dpkg' | 'apk' | 'rpm';
  database: string;
  added: PackageVersion[];
  removed: PackageVersion[];
  upgraded: { name: string; from: string; to: string }[];
  /** Why the database could not be compared package by package (rpm's binary database, too large). */
  note?: string;
}

/**
 * Package-owned changed files checked against the digests their package databases recorded
 * (dpkg info/*.md5sums MD5, apk installed Z: SHA-1, rpm per-file digests), as debsums and rpm -V do for a host.
 */
export interface PackageIntegrity {
  /** Changed files a package owns whose digest matches its record: explained by the package operation. */
  verified: number;
  /** Per package: how many of its changed files matched. */
  explained: { package: string; files: number }[];
  /** Package-owned files whose digest no longer matches (critical findings). */
  mismatched: { path: string; package: string; algorithm: 'md5' | 'sha1' | 'sha256'; recorded: string; actual: string; sha256?: string }[];
  /** Packages owning changed files but with no recorded digest for them (no md5sums file, or a conffile). */
  noDigests: string[];
  /** Where the digests were read from. */
  sources: string[];
}

export type ConfigField = 'entrypoint' | 'cmd' | 'user' | 'workdir' | 'env' | 'exposed-ports' | 'healthcheck';

export interface ConfigDrift {
  field: ConfigField;
  /** The environment variable or port concerned, for env and exposed-ports. */
  key?: string;
  image: string | null;
  container: string | null;
  /** A secret-looking value: both sides replaced by a placeholder with its length. */
  masked?: boolean;
  severity: DriftSeverity;
  reason: string;
}

export interface BlindSpot {
  type: string;
  destination: string;
  source?: string;
  name?: string;
  readOnly: boolean;
  /** What the drift scan cannot see there, and what can be done instead. */
  note: string;
}

export type SeverityCounts = Record<DriftSeverity, number>;

export type ReportStatus = 'complete' | 'incomplete';

export interface ImageIndexInfo {
  imageId: string;
  entries: number;
  builtAt: string;
  /** Built by this scan (false: reused from the store's cache). */
  built: boolean;
}

export interface DriftReport {
  scanId: string;
  host: string;
  containerId: string;
  containerName: string;
  image: string;
  imageId: string;
  containerState: string;
  startedAt: string;
  finishedAt: string;
  status: ReportStatus;
  /** Why it is incomplete: what was not reached. */
  statusReason?: string;
  /** Entries in the engine's change list. */
  engineChanges: number;
  /** Severity first, then path. */
  entries: DriftEntry[];
  packages: PackageDrift[];
  config: ConfigDrift[];
  risks: RiskFlag[];
  blindSpots: BlindSpot[];
  counts: SeverityCounts;
  topSeverity: DriftSeverity | null;
  /** For ranking containers: weighted counts of findings, configuration drift and risk flags. */
  score: number;
  imageIndex?: ImageIndexInfo;
  contentCapBytes: number;
  /** Executables, scripts and credential files were stored up to this size. */
  keyEvidenceCapBytes?: number;
  storedFiles: number;
  overCapFiles: number;
  limitations: string[];
  /**
   * Where the changes were read: the engine's change list and archive endpoint ('engine-api'), or the
   * container's overlay2 upper directory against its lower layers ('upper-dir', e.g. a data root read
   * with no daemon). Absent in reports stored before it existed: 'engine-api'.
   */
  readFrom?: { kind: 'engine-api' | 'upper-dir'; detail: string };
  /** Package integrity of the changed files (absent where no package database was read). */
  integrity?: PackageIntegrity;
}

export type ContainerScanState = 'queued' | 'scanning' | 'complete' | 'incomplete' | 'failed' | 'cancelled';

export type ScanPhase = 'inspect' | 'image-index' | 'changes' | 'reading' | 'classifying' | 'storing';

export interface ContainerScanStatus {
  containerId: string;
  containerName: string;
  state: ContainerScanState;
  phase?: ScanPhase;
  /** Changed paths read so far of those to read. */
  filesDone: number;
  filesTotal: number;
  reportArtifactId?: string;
  counts?: SeverityCounts;
  topSeverity?: DriftSeverity | null;
  score?: number;
  error?: string;
  /** Where its changes were read (DriftReport.readFrom's kind), once scanned. */
  readFrom?: 'engine-api' | 'upper-dir';
}

/**
 * How a scan reads changes: 'upper-dir' reads the containers' overlay2 directories through one
 * helper per host (Linux, overlay2), 'engine-api' (the default) asks the engine's change list and
 * archive endpoint per container, 'auto' the first where it can and the second otherwise.
 */
export type DriftReadVia = 'auto' | 'upper-dir' | 'engine-api';

export type ScanState = 'running' | 'complete' | 'incomplete' | 'cancelled' | 'failed';

export interface DriftScanInfo {
  id: string;
  host: string;
  caseId: string;
  requested: string[] | 'all';
  contentCapBytes: number;
  /** The cap for executables, scripts and credential files (absent in scans stored before it existed: 256 MiB). */
  keyEvidenceCapBytes?: number;
  concurrency: number;
  startedAt: string;
  finishedAt?: string;
  state: ScanState;
  stateReason?: string;
  total: number;
  done: number;
  /** Ranked: highest drift score first once scanned. */
  containers: ContainerScanStatus[];
  /** The host summary, stored when the scan ends. */
  summaryArtifactId?: string;
  /** The read path asked for (absent in scans stored before it existed: 'engine-api'). */
  via?: DriftReadVia;
  /** Why containers of this scan were not read through their upper directories, when some were not. */
  upperDirNote?: string;
}

export interface DriftProgressEvent {
  scanId: string;
  host: string;
  state: ScanState;
  total: number;
  done: number;
  /** The container whose progress changed. */
  container?: ContainerScanStatus;
}

export interface NoiseRule {
  id: string;
  /** Glob on the absolute path: * within a name, ** across directories, ? one character. */
  pattern: string;
  /** The severity a matching finding is lowered to (never raised, never removed). */
  demoteTo: DriftSeverity;
  description: string;
  enabled: boolean;
  /** Executables and setuid files keep their severity unless the rule says otherwise. */
  includeExecutables: boolean;
}

export type PreviewView = 'text' | 'hex' | 'strings';

export interface HexRow {
  offset: number;
  hex: string;
  /** Printable ASCII, '.' for anything else. */
  ascii: string;
}

export interface FilePreview {
  /** The artifact read, or absent for an image-side file read from the image index. */
  artifactId?: string;
  sha256: string;
  size: number;
  view: PreviewView;
  offset: number;
  /** Bytes covered by this preview. */
  length: number;
  truncated: boolean;
  /** Whether the bytes look binary (NUL bytes or invalid UTF-8 in the sample). */
  binary: boolean;
  text?: string;
  hex?: HexRow[];
  strings?: { offset: number; text: string }[];
}

export interface MountInventoryEntry {
  path: string;
  pathBase64?: string;
  type: DriftFileType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime?: string;
  sha256?: string;
  linkTarget?: string;
}

export interface MountInventoryResult {
  host: string;
  containerId: string;
  destination: string;
  files: number;
  bytes: number;
  artifactId: string;
  sha256: string;
  status: ReportStatus;
}
