// Timeline export formats, shared by the core (files), the CLI (stdout) and the renderer.
//
// - JSON Lines for Timesketch: each line an object with the fields Timesketch requires, `message`,
//   `datetime` (ISO 8601 with the zone's offset) and `timestamp_desc`, plus `timestamp`
//   (microseconds since the epoch, UTC, which Timesketch also reads) and Drydock's own fields
//   (https://timesketch.org/guides/user/import-from-json-csv/).
// - l2tcsv, plaso/log2timeline's legacy CSV: the 17 columns date,time,timezone,MACB,source,
//   sourcetype,type,user,host,short,desc,version,filename,inode,notes,format,extra, date as
//   MM/DD/YYYY and time as HH:MM:SS in the named zone, '-' for an empty field
//   (plaso/output/l2t_csv.py, and the log2timeline wiki's "l2t_csv" description).
import type { TimelineRow } from './domain/timeline';

/** Rows read from a Docker data root (a dead box's disk) carry `data-root:<path>` as their host. */
const DATA_ROOT_HOST = 'data-root:';

/**
 * The data root's path when the row was read from one (its host says so), else undefined. Audit
 * rows name the data root they acted on but were written by Drydock, not read from the disk.
 */
export function dataRootOf(row: Pick<TimelineRow, 'host' | 'source'>): string | undefined {
  return row.source !== 'audit' && row.host?.startsWith(DATA_ROOT_HOST) ? row.host.slice(DATA_ROOT_HOST.length) : undefined;
}

export const L2TCSV_HEADER =
  'date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,version,filename,inode,notes,format,extra';

/** plaso's short source names, by Drydock source. */
const SOURCE_SHORT: Record<TimelineRow['source'], [string, string]> = {
  journal: ['EVT', 'Docker engine event'],
  gap: ['EVT', 'Docker engine event journal gap'],
  lifecycle: ['EVT', 'Docker container lifecycle (inspect)'],
  image: ['EVT', 'Docker image config (build history)'],
  logs: ['LOG', 'Docker container log'],
  drift: ['FILE', 'Container upper layer (drift)'],
  file: ['FILE', 'Container writable layer entry (mtime)'],
  process: ['PROC', 'Container process (proc)'],
  capture: ['NET', 'Packet capture window'],
  flow: ['NET', 'Network flow (pcap)'],
  audit: ['LOG', 'Drydock audit log'],
};

interface ZonedParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  offsetMinutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Whether `zone` is an IANA time zone this runtime knows ('UTC', 'Europe/Berlin').
 */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone's UTC offset in minutes at `ms`, from Intl (slow), remembered per zone and quarter hour (zone transitions fall on quarter hours of UTC). */
const offsets = new Map<string, number>();
function offsetAt(ms: number, zone: string): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  const quarter = Math.floor(ms / 900_000);
  const key = `${zone}\u0000${quarter}`;
  const known = offsets.get(key);
  if (known !== undefined) return known;
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const parts: Record<string, string> = {};
  const at = quarter * 900_000;
  for (const p of f.formatToParts(new Date(at))) parts[p.type] = p.value;
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const offset = Math.round((asUtc - at) / 60000);
  if (offsets.size > 100_000) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

function zoned(ms: number, zone: string): ZonedParts {
  const offsetMinutes = offsetAt(ms, zone);
  const local = new Date(ms + offsetMinutes * 60_000).toISOString();
  return {
    year: local.slice(0, 4),
    month: local.slice(5, 7),
    day: local.slice(8, 10),
    hour: local.slice(11, 13),
    minute: local.slice(14, 16),
    second: local.slice(17, 19),
    offsetMinutes,
  };
}

/** The fraction of a second a row's time carries ('.123456789' or ''), from its nanoseconds. */
function fraction(timeNano: string): string {
  const ns = timeNano.padStart(10, '0').slice(-9);
  return `.${ns}`;
}

function offsetText(minutes: number): string {
  if (minutes === 0) return '+00:00';
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * A row's time as ISO 8601 in `zone` with its offset, nanoseconds kept ('2026-11-30T13:00:00.123456789+01:00').
 */
export function zonedIso(row: Pick<TimelineRow, 'timeNano'>, zone: string): string {
  const ms = Number(BigInt(row.timeNano) / 1_000_000n);
  const z = zoned(ms, zone);
  return `${z.year}-${z.month}-${z.day}T${z.hour}:${z.minute}:${z.second}${fraction(row.timeNano)}${offsetText(z.offsetMinutes)}`;
}

/** One row as a Timesketch JSON line (no trailing newline). */
export function timesketchLine(row: TimelineRow, zone = 'UTC'): string {
  return JSON.stringify({
    message: row.message,
    datetime: zonedIso(row, zone),
    timestamp: Number(BigInt(row.timeNano) / 1000n),
    timestamp_desc: row.timestampDesc,
    data_type: `drydock:${row.source}`,
    source: row.source,
    severity: row.severity,
    macb: row.macb,
    ...(row.host !== undefined ? { hostname: row.host } : {}),
    ...(row.container !== undefined ? { container: row.container } : {}),
    ...(row.containerId !== undefined ? { container_id: row.containerId } : {}),
    ...(row.user !== undefined ? { username: row.user } : {}),
    ...(row.path !== undefined ? { filename: row.path } : {}),
    ...(row.detail !== undefined ? { detail: row.detail } : {}),
    ...(row.artifactId !== undefined ? { artifact_id: row.artifactId } : {}),
    ...(row.auditSeq !== undefined ? { audit_seq: row.auditSeq } : {}),
    ...(dataRootOf(row) !== undefined ? { evidence_origin: 'disk', data_root: dataRootOf(row) } : {}),
    drydock_key: row.key,
  });
}

/**
 * A CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF; '-' when empty, as plaso
 * writes. Control characters other than tab (escape sequences from a container's output, CR, BEL)
 * are written as visible \xNN escapes, so `cat`-ing an export cannot drive the reader's terminal;
 * the exact bytes stay in the artifacts the rows name.
 */
function csvField(value: string | undefined): string {
  const raw = value === undefined || value === '' ? '-' : value;
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const text = raw.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One row as an l2tcsv line (no trailing newline); `zone` names the timezone column's zone. */
export function l2tcsvLine(row: TimelineRow, zone = 'UTC'): string {
  const ms = Number(BigInt(row.timeNano) / 1_000_000n);
  const z = zoned(ms, zone);
  const [short, kind] = SOURCE_SHORT[row.source];
  const disk = dataRootOf(row);
  const long = disk !== undefined ? `${kind}, from a data root on disk` : kind;
  const extra = [
    `severity: ${row.severity}`,
    `nanoseconds: ${row.timeNano.padStart(10, '0').slice(-9)}`,
    ...(row.containerId ? [`container_id: ${row.containerId}`] : []),
    ...(row.container ? [`container: ${row.container}`] : []),
    ...(row.artifactId ? [`artifact_id: ${row.artifactId}`] : []),
    ...(disk !== undefined ? [`evidence_origin: disk`, `data_root: ${disk}`] : []),
    `drydock_key: ${row.key}`,
  ].join('; ');
  return [
    `${z.month}/${z.day}/${z.year}`,
    `${z.hour}:${z.minute}:${z.second}`,
    zone,
    row.macb,
    short,
    long,
    row.timestampDesc,
    row.user,
    row.host,
    row.message,
    row.detail ?? row.message,
    '2',
    row.path ?? (row.artifactId ? `artifact:${row.artifactId}` : undefined),
    '-',
    row.source === 'drift'
      ? 'file times come from the tar header and can be forged'
      : row.source === 'file'
        ? 'mtime read on disk, can be forged; ctime and atime not used (a copy has its own)'
        : undefined,
    'drydock',
    extra,
  ]
    .map(csvField)
    .join(',');
}
