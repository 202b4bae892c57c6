/**
 * The helper's program for live process detail (busybox sh, run in a helper joined to the
 * container's PID namespace with SYS_PTRACE): per process, a marker line `@PID FILE` and the file's
 * bytes as one line of hex, each cut at a cap. Every byte of these files is the container's to
 * choose (names, command lines, environment, link targets), so nothing of them is printed raw: no
 * content can forge a marker. The parser is pure and bounded.
 */

/** Bytes read of each file (hex doubles them on the wire). */
export const DETAIL_CAPS = {
  stat: 1024,
  status: 8192,
  cmdline: 131072,
  environ: 65536,
  uid_map: 1024,
  gid_map: 1024,
  maps: 1048576,
  exe: 4096,
  cwd: 4096,
  root: 4096,
  ns: 4096,
  fd: 4096,
  net: 4194304,
} as const;
/** Processes detailed at most in one read; descriptors listed at most per process. */
export const MAX_DETAILED = 512;
export const MAX_FDS = 1024;

type RecordName = Exclude<keyof typeof DETAIL_CAPS, 'net' | 'fd'>;
const RECORDS: readonly RecordName[] = ['stat', 'status', 'cmdline', 'environ', 'uid_map', 'gid_map', 'maps', 'exe', 'cwd', 'root', 'ns'];
export const NET_TABLES = ['tcp', 'tcp6', 'udp', 'udp6'] as const;
export type NetTable = (typeof NET_TABLES)[number];

/**
 * `sh -c SCRIPT sh [PID...]`: the PIDs to detail (none = every process of the namespace but the
 * helper's own). Output: `@self PID`, `@net TABLE` + hex (the namespace's socket tables, via PID 1),
 * then per process its records, `@PID sha256` + the exe's SHA-256 (or nothing), `@PID fd N` + hex
 * per descriptor, `@gone PID` for one that is not there, `@limit`/`@PID fdlimit` at the caps, `@end`.
 */
export function detailCommand(pids: readonly number[] = []): string[] {
  const h = (cap: number, file: string) => `hexdump -v -n ${cap} -e '/1 "%02x"' ${file} 2>/dev/null; echo`;
  const link = (cap: number, file: string) => `readlink ${file} 2>/dev/null | hexdump -v -n ${cap} -e '/1 "%02x"'; echo`;
  const script = [
    'echo "@self $$"',
    ...NET_TABLES.map((t) => `echo "@net ${t}"; ${h(DETAIL_CAPS.net, `/proc/1/net/${t}`)}`),
    'if [ $# -eq 0 ]; then set -- $(cd /proc && echo [0-9]*); fi',
    'n=0',
    'for p in "$@"; do',
    '  d=/proc/$p',
    '  [ "$p" = "$$" ] && continue',
    '  [ -d $d ] || { echo "@gone $p"; continue; }',
    `  n=$((n+1)); if [ $n -gt ${MAX_DETAILED} ]; then echo "@limit"; break; fi`,
    ...['stat', 'status', 'cmdline', 'environ', 'uid_map', 'gid_map', 'maps'].map(
      (f) => `  echo "@$p ${f}"; ${h(DETAIL_CAPS[f as RecordName], `$d/${f}`)}`,
    ),
    ...['exe', 'cwd', 'root'].map((f) => `  echo "@$p ${f}"; ${link(DETAIL_CAPS[f as RecordName], `$d/${f}`)}`),
    '  echo "@$p sha256"; sha256sum $d/exe 2>/dev/null | cut -c1-64; echo',
    `  echo "@$p ns"; for x in cgroup ipc mnt net pid time user uts; do echo "$x $(readlink $d/ns/$x 2>/dev/null)"; done | hexdump -v -n ${DETAIL_CAPS.ns} -e '/1 "%02x"'; echo`,
    `  k=0; for f in $d/fd/*; do k=$((k+1)); if [ $k -gt ${MAX_FDS} ]; then echo "@$p fdlimit"; break; fi; echo "@$p fd \${f##*/}"; ${link(DETAIL_CAPS.fd, '$f')}; done`,
    'done',
    'echo "@end"',
  ].join('\n');
  return ['sh', '-c', script, 'sh', ...pids.map(String)];
}

export interface RawProcess {
  pid: number;
  files: Partial<Record<RecordName, Buffer>>;
  /** SHA-256 hex of /proc/PID/exe, when it could be read. */
  sha256: string | null;
  fds: Map<number, Buffer>;
  fdsCut: boolean;
}

export interface RawDetail {
  self: number | null;
  net: Partial<Record<NetTable, string>>;
  processes: Map<number, RawProcess>;
  gone: number[];
  limited: boolean;
  complete: boolean;
  /** Records dropped as malformed (bad hex, over the cap). */
  skipped: number;
}

const PID = /^\d{1,10}$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

function isRecord(name: string | undefined): name is RecordName {
  return (RECORDS as readonly string[]).includes(name ?? '');
}

/** Parses the helper's output; every record is checked against its cap and nothing in it is trusted. */
export function parseDetailOutput(output: string): RawDetail {
  const result: RawDetail = { self: null, net: {}, processes: new Map(), gone: [], limited: false, complete: false, skipped: 0 };
  const lines = output.split('\n');
  const hex = (line: string | undefined, cap: number): Buffer | null =>
    line !== undefined && line.length <= cap * 2 && HEX.test(line) ? Buffer.from(line, 'hex') : null;
  const proc = (pid: number): RawProcess | null => {
    let p = result.processes.get(pid);
    if (!p) {
      if (result.processes.size >= MAX_DETAILED) return null;
      p = { pid, files: {}, sha256: null, fds: new Map(), fdsCut: false };
      result.processes.set(pid, p);
    }
    return p;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '@end') result.complete = true;
    else if (line === '@limit') result.limited = true;
    else if (line.startsWith('@self ')) result.self = PID.test(line.slice(6)) ? Number(line.slice(6)) : null;
    else if (line.startsWith('@gone ')) {
      if (PID.test(line.slice(6))) result.gone.push(Number(line.slice(6)));
    } else if (line.startsWith('@net ')) {
      const table = line.slice(5) as NetTable;
      const bytes = hex(lines[++i], DETAIL_CAPS.net);
      if ((NET_TABLES as readonly string[]).includes(table) && bytes) result.net[table] = bytes.toString('latin1');
      else result.skipped++;
    } else if (line.startsWith('@')) {
      const [pidText = '', name, extra, more] = line.slice(1).split(' ');
      if (!PID.test(pidText)) continue;
      const p = proc(Number(pidText));
      if (name === 'fdlimit' && extra === undefined) {
        if (p) p.fdsCut = true;
        continue;
      }
      const value = lines[++i];
      if (!p) continue;
      if (name === 'sha256' && extra === undefined) {
        p.sha256 = value !== undefined && /^[0-9a-f]{64}$/.test(value) ? value : null;
        // sha256sum's line, then the script's own echo.
        if (lines[i + 1] === '') i++;
      } else if (name === 'fd' && extra !== undefined && more === undefined && /^\d{1,7}$/.test(extra)) {
        const bytes = hex(value, DETAIL_CAPS.fd);
        if (bytes) p.fds.set(Number(extra), bytes);
        else result.skipped++;
      } else if (isRecord(name) && extra === undefined) {
        const bytes = hex(value, DETAIL_CAPS[name]);
        if (bytes) p.files[name] = bytes;
        else result.skipped++;
      } else {
        result.skipped++;
      }
    }
  }
  return result;
}
