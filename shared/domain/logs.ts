// Container logs acquired as evidence: what the engine's logs endpoint gave, and where it was stored.

/** Which stream a stored log line came from; 'tty' when the container has a terminal (stdout and stderr merged by it). */
export type LogStream = 'stdout' | 'stderr' | 'tty';

export interface LogsAcquisition {
  host: string;
  containerId: string;
  containerName: string;
  /** The container's logging driver (HostConfig.LogConfig.Type), e.g. 'json-file', 'local'. */
  driver: string;
  /** Whether the container has a TTY: then the engine sends one raw stream, not stdout and stderr apart. */
  tty: boolean;
  /** The window asked for, as sent to the engine: seconds since the epoch with a nanosecond fraction. */
  since?: string;
  until?: string;
  tail?: number;
  /** Read with follow=true until the container stopped (the journal follows every container from its start). */
  followed?: boolean;
  artifactId: string;
  sha256: string;
  caseId: string;
  caseName: string;
  /** Bytes of the stored artifact. */
  bytes: number;
  /** Log lines stored (a line longer than the split size counts once), per stream. */
  lines: number;
  stdoutLines: number;
  stderrLines: number;
  ttyLines: number;
  /** The engine timestamp of the first and last line (RFC 3339 with nanoseconds, UTC), when there was one. */
  firstTimestamp?: string;
  lastTimestamp?: string;
  /** What this acquisition could not see, in words (a driver read from the engine's cache, an unterminated last line...). */
  limitations: string[];
}

/** Whether the journal follows the logs of every container that starts on a journaled host, into this case. */
export interface LogsFollowSetting {
  caseId: string;
  caseName: string;
  /** On by default. */
  followOnStart: boolean;
}

/** One line of a page of a stored logs artifact. */
export interface LogPageLine {
  /** Byte offset of the line's record in the artifact. */
  offset: number;
  stream: LogStream;
  /** A piece after the first of a line longer than the split size (stored as `<stream>+`). */
  continued: boolean;
  /** The line's timestamp as stored (the engine's, or Drydock's receive time for an attach capture). */
  time: string;
  /** The message as text (invalid UTF-8 as U+FFFD), hostile: front ends make control characters visible. */
  text: string;
  /** Cut for display (the artifact holds the whole line). */
  truncated: boolean;
}

/** A page of a stored logs artifact, read by byte range (gigabytes are never loaded). */
export interface LogPage {
  artifactId: string;
  /** Bytes in the artifact. */
  size: number;
  timestamps: 'engine' | 'received';
  /** Byte offset of the page's first line, and where the next page starts. */
  offset: number;
  nextOffset: number;
  lines: LogPageLine[];
  atStart: boolean;
  atEnd: boolean;
}
