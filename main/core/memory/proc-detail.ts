import type {
  OpenFile,
  OwnedConnection,
  ProcessDetail,
  ProcessDetailFlag,
  ProcessNamespace,
  ProcessSocket,
} from '../../../shared/domain/memory';
import type { SocketEntry } from '../../../shared/domain/network';
import { displayText, parseStat } from '../processes/proc-table';
import { parseSocketTable } from '../network/socket-tables';
import { decodeCapabilities } from './capabilities';
import { DETAIL_CAPS, NET_TABLES, type RawDetail, type RawProcess } from './proc-detail-command';
import { parseMaps } from './proc-maps';

const NAMESPACE_TYPES = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'] as const;
const DELETED = ' (deleted)';

/** A readlink record: the target without readlink's newline, decoded for display; null when empty (unreadable). */
function linkText(bytes: Buffer | undefined): string | null {
  if (!bytes || bytes.length === 0) return null;
  const end = bytes[bytes.length - 1] === 0x0a ? bytes.length - 1 : bytes.length;
  return displayText([...bytes.subarray(0, end)]);
}

/** NUL-separated strings (cmdline, environ), each decoded for display; a trailing NUL ends the last. */
function nulList(bytes: Buffer | undefined): string[] {
  if (!bytes || bytes.length === 0) return [];
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0) {
      if (i > start || i < bytes.length) parts.push(displayText([...bytes.subarray(start, i)]));
      start = i + 1;
    }
  }
  return parts;
}

interface StatusFields {
  uids: string[];
  gids: string[];
  caps: Record<'CapEff' | 'CapPrm' | 'CapBnd', string>;
  seccomp: string;
}

function parseStatusFields(bytes: Buffer | undefined): StatusFields {
  const out: StatusFields = { uids: [], gids: [], caps: { CapEff: '', CapPrm: '', CapBnd: '' }, seccomp: '' };
  for (const line of (bytes ?? Buffer.alloc(0)).toString('latin1').split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon);
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if ((name === 'Uid' || name === 'Gid') && fields.length === 4 && fields.every((f) => /^\d{1,10}$/.test(f)))
      out[name === 'Uid' ? 'uids' : 'gids'] = fields;
    else if (name === 'CapEff' || name === 'CapPrm' || name === 'CapBnd') out.caps[name] = fields[0] ?? '';
    else if (name === 'Seccomp') out.seccomp = fields[0] ?? '';
  }
  return out;
}

/** `type type:[inode]` lines of the ns record → inode per namespace type. */
function namespaceInodes(bytes: Buffer | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (bytes ?? Buffer.alloc(0)).toString('latin1').split('\n')) {
    const m = /^([a-z_]{1,20}) ([a-z_]{1,20}):\[(\d{1,20})\]$/.exec(line);
    if (m && m[1] === m[2]) out.set(m[1] ?? '', Number(m[3]));
  }
  return out;
}

/** The namespace's TCP/UDP sockets by inode (listening and connected alike). */
export function socketsByInode(net: RawDetail['net'], order: 'little' | 'big'): Map<number, SocketEntry> {
  const byInode = new Map<number, SocketEntry>();
  for (const table of NET_TABLES) {
    const text = net[table];
    if (text === undefined) continue;
    for (const entry of parseSocketTable(text, table, order).entries) if (entry.inode !== 0) byInode.set(entry.inode, entry);
  }
  return byInode;
}

function socketOf(entry: SocketEntry): ProcessSocket & { inode: number } {
  return {
    protocol: entry.protocol,
    family: entry.family,
    local: entry.local,
    remote: entry.remote,
    state: entry.state,
    inode: entry.inode,
  };
}

/**
 * One process's detail from its raw records: exe (deleted or not, hashed through /proc/PID/exe),
 * argv and environ, ids, capabilities, seccomp, namespaces against `init` (PID 1's inodes),
 * descriptors with sockets joined by inode, maps with injected-looking code flagged.
 * @returns null when the process has no parsable stat (it exited during the read).
 */
export function buildProcessDetail(raw: RawProcess, init: Map<string, number>, sockets: Map<number, SocketEntry>): ProcessDetail | null {
  const stat = raw.files.stat ? parseStat(raw.files.stat) : null;
  if (!stat || stat.pid !== raw.pid) return null;
  const status = parseStatusFields(raw.files.status);
  const exeLink = linkText(raw.files.exe);
  const deleted = exeLink !== null && exeLink.endsWith(DELETED);
  const exePath = exeLink === null ? null : deleted ? exeLink.slice(0, -DELETED.length) : exeLink;
  const maps = parseMaps((raw.files.maps ?? Buffer.alloc(0)).toString('latin1'));
  const inodes = namespaceInodes(raw.files.ns);
  const namespaces: ProcessNamespace[] = NAMESPACE_TYPES.map((type) => {
    const inode = inodes.get(type) ?? null;
    const initInode = init.get(type);
    return { type, inode, differsFromInit: inode !== null && initInode !== undefined && inode !== initInode };
  });
  const fds: OpenFile[] = [...raw.fds.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([fd, bytes]) => {
      const target = linkText(bytes) ?? '';
      const inode = /^socket:\[(\d{1,20})\]$/.exec(target)?.[1];
      const entry = inode !== undefined ? sockets.get(Number(inode)) : undefined;
      return { fd, target, ...(entry ? { socket: socketOf(entry) } : {}) };
    });
  const eff = decodeCapabilities(status.caps.CapEff);
  const prm = decodeCapabilities(status.caps.CapPrm);
  const bnd = decodeCapabilities(status.caps.CapBnd);
  const flags: ProcessDetailFlag[] = [];
  if (deleted)
    flags.push({
      kind: 'deleted-executable',
      severity: 'high',
      reason: `running from a deleted file (${exePath ?? '?'}): the binary is gone from disk, its SHA-256 ${raw.sha256 ?? 'could not be read'} was taken through /proc/${raw.pid}/exe`,
    });
  for (const region of maps.regions.filter((r) => r.anonymousExecutable)) {
    const rwx = region.perms.startsWith('rwx');
    flags.push({
      kind: rwx ? 'writable-executable-memory' : 'anonymous-executable-memory',
      severity: 'high',
      reason: `${rwx ? 'writable and executable' : 'executable'} memory not backed by a file at ${region.start}-${region.end} (${region.perms}${region.path ? ` ${region.path}` : ''})`,
    });
  }
  for (const ns of namespaces.filter((n) => n.differsFromInit))
    flags.push({
      kind: 'namespace-differs',
      severity: 'medium',
      reason: `in another ${ns.type} namespace (${ns.inode}) than PID 1 of the container (${init.get(ns.type)})`,
    });
  const seccomp = status.seccomp === '0' ? 'disabled' : status.seccomp === '1' ? 'strict' : status.seccomp === '2' ? 'filter' : 'unknown';
  return {
    pid: raw.pid,
    ppid: stat.ppid,
    comm: stat.comm,
    state: stat.state,
    exe: { path: exePath, deleted, sha256: raw.sha256 },
    argv: nulList(raw.files.cmdline),
    argvCut: (raw.files.cmdline?.length ?? 0) >= DETAIL_CAPS.cmdline,
    environ: nulList(raw.files.environ),
    environCut: (raw.files.environ?.length ?? 0) >= DETAIL_CAPS.environ,
    cwd: linkText(raw.files.cwd),
    root: linkText(raw.files.root),
    uids: status.uids,
    gids: status.gids,
    uidMap: (raw.files.uid_map ?? Buffer.alloc(0)).toString('latin1').trim(),
    gidMap: (raw.files.gid_map ?? Buffer.alloc(0)).toString('latin1').trim(),
    capabilities: eff && prm && bnd ? { effective: eff, permitted: prm, bounding: bnd } : null,
    seccomp,
    namespaces,
    fds,
    fdsCut: raw.fdsCut,
    maps: maps.regions,
    mapsCut: maps.cut || (raw.files.maps?.length ?? 0) >= DETAIL_CAPS.maps,
    flags,
  };
}

/** Every socket of the namespace's tables with the PIDs whose descriptors point at it. */
export function ownedConnections(details: readonly ProcessDetail[], sockets: Map<number, SocketEntry>): OwnedConnection[] {
  const owners = new Map<number, number[]>();
  for (const d of details)
    for (const fd of d.fds) if (fd.socket) owners.set(fd.socket.inode, [...(owners.get(fd.socket.inode) ?? []), d.pid]);
  return [...sockets.values()].map((entry) => ({ ...socketOf(entry), pids: [...new Set(owners.get(entry.inode) ?? [])] }));
}

/** PID 1's namespace inodes (what "differs" is measured against). */
export function initNamespaces(raw: RawDetail): Map<string, number> {
  return namespaceInodes(raw.processes.get(1)?.files.ns);
}
