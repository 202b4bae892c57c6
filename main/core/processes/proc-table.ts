/**
 * The process table of a container's PID namespace, read by a helper that joins the namespace
 * and hex-dumps /proc/PID/{stat,status,cmdline} of every process. Every byte of those files is
 * the container's to choose (a comm may hold spaces, ')' and newlines; a command line anything),
 * so the helper prints each file as hex behind a marker line: no content can forge a marker, and
 * each file is cut at a cap before it is printed. The parser below is pure and bounded.
 */

/** Bytes read of each file; anything longer is cut (stat and status are far smaller). */
export const PROC_FILE_CAPS = { stat: 1024, status: 8192, cmdline: 8192 } as const;
/** Processes read at most; a namespace with more says so. */
export const MAX_PROCESSES = 4096;
const FILES = ['stat', 'status', 'cmdline'] as const;
type ProcFile = (typeof FILES)[number];

/**
 * The helper's program (busybox sh): its own PID first (so its own processes can be left out),
 * the uptime (for start times), then per process a marker line `@PID FILE` and the file's bytes
 * as one line of hex. `@end` closes a complete read; `@limit` says the process cap was hit.
 */
export function procTableCommand(): string[] {
  const files = FILES.map((f) => `echo "@$p ${f}"; hexdump -v -n ${PROC_FILE_CAPS[f]} -e '/1 "%02x"' "$d/${f}" 2>/dev/null; echo`).join(
    '; ',
  );
  const script = [
    'echo "@self $$"',
    'read u rest < /proc/uptime && echo "@uptime $u"',
    'n=0',
    `for d in /proc/[0-9]*; do n=$((n+1)); if [ $n -gt ${MAX_PROCESSES} ]; then echo "@limit"; break; fi; p=\${d#/proc/}; ${files}; done`,
    'echo "@end"',
  ].join('; ');
  return ['sh', '-c', script];
}

export interface ProcRow {
  /** PID inside the namespace (the /proc directory's name). */
  pid: number;
  ppid: number;
  pgid: number | null;
  sid: number | null;
  /** State letter from stat (R, S, D, Z, T, t, X, I…). */
  state: string;
  /** The kernel's comm (at most 15 bytes, any bytes but NUL), decoded for display. */
  comm: string;
  /** cmdline with NULs as spaces, decoded for display (invalid UTF-8 bytes as \xNN); `[comm]` when empty. */
  args: string;
  /** The same command line as ps on the host would print it, for matching against top (see matchKey). */
  key: string;
  /** cmdline was longer than the bytes read. */
  argsCut: boolean;
  /** Real UID from status, as the reader's user namespace sees it. */
  uid: string;
  /** Start time in clock ticks after boot (stat field 22); null when unreadable. */
  startTicks: number | null;
  /** NSpid from status: this PID in the reader's namespace and in any namespaces nested below it. */
  nsPids: number[];
}

export interface ProcTable {
  rows: ProcRow[];
  /** The helper's own shell, left out with its children. */
  self: number | null;
  /** /proc/uptime in seconds when the helper read it. */
  uptimeSeconds: number | null;
  /** Records dropped: no parsable stat (exited during the read), a PID that disagrees, bad hex. */
  skipped: number;
  /** The helper stopped at MAX_PROCESSES. */
  limited: boolean;
  /** The helper's `@end` arrived (otherwise the output was cut or the helper died). */
  complete: boolean;
}

const PID = /^\d{1,10}$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

/** Parses the helper's output; every record is checked, nothing in it is trusted. */
export function parseProcTable(output: string): ProcTable {
  const files = new Map<number, Partial<Record<ProcFile, Buffer>>>();
  let self: number | null = null;
  let uptimeSeconds: number | null = null;
  let skipped = 0;
  let limited = false;
  let complete = false;
  let pending: { pid: number; file: ProcFile } | null = null;
  const bad = new Set<number>();
  for (const line of output.split('\n')) {
    if (pending) {
      const { pid, file } = pending;
      pending = null;
      const record = files.get(pid);
      if (!record) continue;
      if (!HEX.test(line) || line.length > PROC_FILE_CAPS[file] * 2) {
        bad.add(pid);
        continue;
      }
      record[file] = Buffer.from(line, 'hex');
      continue;
    }
    if (line === '@end') complete = true;
    else if (line === '@limit') limited = true;
    else if (line.startsWith('@self ')) self = pidOf(line.slice(6));
    else if (line.startsWith('@uptime ')) {
      const value = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(line.slice(8));
      uptimeSeconds = value ? Number(`${value[1]}.${value[2] ?? '0'}`) : null;
    } else if (line.startsWith('@')) {
      const [pidText, file, extra] = line.slice(1).split(' ');
      const pid = pidOf(pidText);
      if (pid === null || extra !== undefined || !isProcFile(file)) continue;
      if (!files.has(pid)) {
        if (files.size >= MAX_PROCESSES) continue;
        files.set(pid, {});
      }
      pending = { pid, file };
    }
  }
  const rows: ProcRow[] = [];
  for (const [pid, record] of files) {
    const row = bad.has(pid) ? null : procRow(pid, record);
    if (row) rows.push(row);
    else skipped++;
  }
  // The helper's shell and the hexdump it runs at the moment of the read are not the container's.
  const own = (r: ProcRow) => self !== null && (r.pid === self || r.ppid === self);
  const kept = rows.filter((r) => !own(r)).sort((a, b) => a.pid - b.pid);
  return { rows: kept, self, uptimeSeconds, skipped, limited, complete };
}

function isProcFile(text: string | undefined): text is ProcFile {
  return text === 'stat' || text === 'status' || text === 'cmdline';
}

function pidOf(text: string | undefined): number | null {
  return text !== undefined && PID.test(text) ? Number(text) : null;
}

function procRow(pid: number, record: Partial<Record<ProcFile, Buffer>>): ProcRow | null {
  const stat = record.stat ? parseStat(record.stat) : null;
  if (!stat || stat.pid !== pid) return null;
  const status = record.status ? parseStatus(record.status) : { uid: '', nsPids: [] };
  const cmdline = record.cmdline ?? Buffer.alloc(0);
  const argsCut = cmdline.length >= PROC_FILE_CAPS.cmdline;
  const argv = trimNuls(cmdline);
  const args = argv.length ? displayText(argv.map((b) => (b === 0 ? 0x20 : b))) : `[${stat.comm}]`;
  const key = argv.length
    ? matchKey(Buffer.from(argv.map((b) => (b === 0 ? 0x20 : b))).toString('latin1'))
    : matchKey(`[${Buffer.from(stat.commBytes).toString('latin1')}]`);
  return {
    pid,
    ppid: stat.ppid,
    pgid: stat.pgid,
    sid: stat.sid,
    state: stat.state,
    comm: stat.comm,
    args,
    key,
    argsCut,
    uid: status.uid,
    startTicks: stat.startTicks,
    nsPids: status.nsPids,
  };
}

function trimNuls(bytes: Buffer): number[] {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return [...bytes.subarray(0, end)];
}

export interface StatFields {
  pid: number;
  comm: string;
  commBytes: number[];
  state: string;
  ppid: number;
  pgid: number | null;
  sid: number | null;
  startTicks: number | null;
}

/**
 * /proc/PID/stat: `pid (comm) state ppid pgrp session … starttime …`. comm may contain spaces and
 * ')' of its own, so it runs from the first '(' to the last ')'; the fields after it are numbers.
 */
export function parseStat(bytes: Buffer): StatFields | null {
  const open = bytes.indexOf(0x28);
  const close = bytes.lastIndexOf(0x29);
  if (open < 1 || close < open) return null;
  const pid = pidOf(bytes.subarray(0, open).toString('latin1').trim());
  if (pid === null) return null;
  const commBytes = [...bytes.subarray(open + 1, close)];
  if (commBytes.length > 64) return null;
  const rest = bytes
    .subarray(close + 1)
    .toString('latin1')
    .trim()
    .split(' ');
  const state = rest[0] ?? '';
  if (!/^[A-Za-z]$/.test(state)) return null;
  const ppid = pidOf(rest[1]);
  if (ppid === null) return null;
  const start = rest[19];
  return {
    pid,
    comm: displayText(commBytes),
    commBytes,
    state,
    ppid,
    pgid: pidOf(rest[2]),
    sid: pidOf(rest[3]),
    startTicks: start !== undefined && /^\d{1,18}$/.test(start) ? Number(start) : null,
  };
}

/** The fields of /proc/PID/status the table needs: the real UID and NSpid. */
export function parseStatus(bytes: Buffer): { uid: string; nsPids: number[] } {
  let uid = '';
  let nsPids: number[] = [];
  for (const line of bytes.toString('latin1').split('\n')) {
    const tab = line.indexOf(':');
    if (tab < 0) continue;
    const name = line.slice(0, tab);
    const fields = line
      .slice(tab + 1)
      .trim()
      .split(/\s+/);
    if (name === 'Uid' && fields[0] && /^\d{1,10}$/.test(fields[0])) uid = fields[0];
    if (name === 'NSpid') {
      const pids = fields.map(pidOf);
      if (pids.length <= 32 && pids.every((p): p is number => p !== null)) nsPids = pids;
    }
  }
  return { uid, nsPids };
}

/**
 * Comparable text for a command line: ps on the host prints unprintable bytes as '?' (one per
 * byte, or per character in a UTF-8 locale) and zombies as `[comm] <defunct>`; both sides
 * collapse every run of anything but printable ASCII to one '?' and compare the first 4 KiB.
 */
export function matchKey(text: string): string {
  return text
    .replace(/ <defunct>$/, '')
    .replace(/[^\x20-\x7e]+/g, '?')
    .trim()
    .slice(0, 4096);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text: UTF-8 when they are valid UTF-8, else each byte above 0x7f as \xNN. */
export function displayText(bytes: readonly number[]): string {
  const buffer = Uint8Array.from(bytes);
  try {
    return utf8.decode(buffer);
  } catch {
    // Not UTF-8: kept, with the bytes that are not ASCII escaped, rather than lost.
    let out = '';
    for (const b of buffer) out += b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    return out;
  }
}
