// One timeline per case: every dated fact the case holds, merged and sorted.

/** Where a row comes from ('image' and 'file': a data root's image configs and writable-layer entries). */
export const TIMELINE_SOURCES = [
  'journal',
  'gap',
  'lifecycle',
  'image',
  'logs',
  'drift',
  'file',
  'process',
  'capture',
  'flow',
  'audit',
] as const;
export type TimelineSource = (typeof TIMELINE_SOURCES)[number];

export const TIMELINE_SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type TimelineSeverity = (typeof TIMELINE_SEVERITIES)[number];

/** One dated fact. Text fields hold what hosts sent (hostile): every front end escapes them. */
export interface TimelineRow {
  /** Stable identity within the case ('audit:12', 'journal:local:345', 'drift:<artifact>:<path>'...). */
  key: string;
  /** RFC 3339 UTC, with the precision the source has (nanoseconds for engine events). */
  time: string;
  /** Nanoseconds since the epoch, decimal string: the sort key. */
  timeNano: string;
  source: TimelineSource;
  /** What the time means, in Timesketch's `timestamp_desc` sense ('Event Time', 'Content Modification Time'...). */
  timestampDesc: string;
  /** plaso's MACB column: which of Modified, Accessed, Changed, Born the time is ('M...', '...B', '....'). */
  macb: string;
  severity: TimelineSeverity;
  host?: string;
  /** Container name (or ID when the source has no name). */
  container?: string;
  containerId?: string;
  user?: string;
  /** One line. */
  message: string;
  /** More, when there is more (a full command line, why a time may be forged). */
  detail?: string;
  /** A file path inside the container, for drift rows. */
  path?: string;
  /** The artifact the row was read from, to open it. */
  artifactId?: string;
  auditSeq?: number;
  journalSeq?: number;
}

export interface TimelineFilter {
  sources?: TimelineSource[];
  minSeverity?: TimelineSeverity;
  /** Case-insensitive substring of message, detail, container, host or path. */
  text?: string;
  /** RFC 3339 bounds, inclusive. */
  from?: string;
  to?: string;
  host?: string;
  container?: string;
}

export interface TimelineInfo {
  caseId: string;
  caseName: string;
  /** The case's time zone (IANA), for display. */
  timeZone: string;
  /** Rows in the whole timeline, and after the filter. */
  total: number;
  matching: number;
  first?: string;
  last?: string;
  /** Rows per source (whole timeline). */
  perSource: Partial<Record<TimelineSource, number>>;
  /** Lanes: hosts and containers with rows. */
  lanes: { host: string; container?: string; rows: number }[];
  /** What the timeline cannot show (forgeable mtimes, journal gaps, logs sampled...). */
  limitations: string[];
  builtAt: string;
}

export interface TimelinePage extends TimelineInfo {
  offset: number;
  rows: TimelineRow[];
}

export interface TimelineHistogram {
  /** Bin edges: `bins[i]` counts rows in [start + i*binNanos, start + (i+1)*binNanos). */
  startNano: string;
  binNanos: string;
  bins: number[];
  /** Highest severity per bin (index into TIMELINE_SEVERITIES), -1 for an empty bin. */
  worst: number[];
}

export type TimelineFormat = 'jsonl' | 'l2tcsv';

export interface TimelineExportResult {
  caseId: string;
  caseName: string;
  format: TimelineFormat;
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
  timeZone: string;
}
