import type { SocketEntry, SocketProtocol, SocketState } from '../../../shared/domain/network';
import { decodeIpv4Hex, decodeIpv6Hex, type ByteOrder } from './ip-address';

/** include/net/tcp_states.h */
const STATES: Record<number, SocketState> = {
  0x01: 'established',
  0x02: 'syn-sent',
  0x03: 'syn-recv',
  0x04: 'fin-wait1',
  0x05: 'fin-wait2',
  0x06: 'time-wait',
  0x07: 'close',
  0x08: 'close-wait',
  0x09: 'last-ack',
  0x0a: 'listen',
  0x0b: 'closing',
  0x0c: 'new-syn-recv',
};

export type TableName = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export const TABLE_NAMES: readonly TableName[] = ['tcp', 'tcp6', 'udp', 'udp6'];

export interface ParseLimits {
  /** Entries kept per table; the rest are counted as dropped (a namespace with a socket flood). */
  maxEntries?: number;
  /** Longer lines are not socket-table lines. */
  maxLineLength?: number;
}

export interface ParsedTable {
  entries: SocketEntry[];
  /** Lines that were neither the header nor a well-formed entry. */
  skipped: number;
  /** Well-formed entries beyond maxEntries. */
  dropped: number;
}

const DEFAULT_MAX_ENTRIES = 50_000;
const DEFAULT_MAX_LINE = 512;
const HEX_WORD = /^[0-9A-Fa-f]+$/;

function protocolOf(table: TableName): { protocol: SocketProtocol; family: 4 | 6 } {
  return { protocol: table.startsWith('tcp') ? 'tcp' : 'udp', family: table.endsWith('6') ? 6 : 4 };
}

function decodeAddress(field: string, family: 4 | 6, order: ByteOrder): { ip: string; port: number; v4Mapped: boolean } | null {
  const colon = field.indexOf(':');
  if (colon < 0 || field.indexOf(':', colon + 1) >= 0) return null;
  const hex = field.slice(0, colon);
  const portHex = field.slice(colon + 1);
  if (portHex.length !== 4 || !HEX_WORD.test(portHex)) return null;
  const port = Number.parseInt(portHex, 16);
  if (family === 4) {
    const ip = decodeIpv4Hex(hex, order);
    return ip === null ? null : { ip, port, v4Mapped: false };
  }
  const v6 = decodeIpv6Hex(hex, order);
  return v6 === null ? null : { ip: v6.ip, port, v4Mapped: v6.v4Mapped };
}

function unspecified(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

/**
 * One line of /proc/net/{tcp,udp}[6]:
 *   sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
 * Returns null for anything that is not exactly that shape (the header, garbage, a truncated line).
 */
export function parseSocketLine(line: string, table: TableName, order: ByteOrder): SocketEntry | null {
  const fields = line.trim().split(/\s+/);
  if (fields.length < 10) return null;
  const [sl = '', localField = '', remoteField = '', stateField = '', queues = '', , , uidField = '', , inodeField = ''] = fields;
  if (!/^\d{1,9}:$/.test(sl)) return null;
  const { protocol, family } = protocolOf(table);
  const local = decodeAddress(localField, family, order);
  const remote = decodeAddress(remoteField, family, order);
  if (!local || !remote) return null;
  if (!/^[0-9A-Fa-f]{2}$/.test(stateField)) return null;
  const queueMatch = /^([0-9A-Fa-f]{1,8}):([0-9A-Fa-f]{1,8})$/.exec(queues);
  if (!queueMatch || !/^\d{1,10}$/.test(uidField) || !/^\d{1,20}$/.test(inodeField)) return null;
  const state = STATES[Number.parseInt(stateField, 16)] ?? 'unknown';
  const listening = protocol === 'tcp' ? state === 'listen' : state === 'close' && remote.port === 0 && unspecified(remote.ip);
  return {
    protocol,
    family,
    v4Mapped: local.v4Mapped || remote.v4Mapped,
    local: { ip: local.ip, port: local.port },
    remote: { ip: remote.ip, port: remote.port },
    state,
    listening,
    uid: Number(uidField),
    inode: Number(inodeField),
    txQueue: Number.parseInt(queueMatch[1] ?? '0', 16),
    rxQueue: Number.parseInt(queueMatch[2] ?? '0', 16),
  };
}

/** A whole table as the kernel prints it (header line first). Bounded; malformed lines are counted and skipped. */
export function parseSocketTable(text: string, table: TableName, order: ByteOrder, limits: ParseLimits = {}): ParsedTable {
  const maxEntries = limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxLine = limits.maxLineLength ?? DEFAULT_MAX_LINE;
  const result: ParsedTable = { entries: [], skipped: 0, dropped: 0 };
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, Math.min(end, start + maxLine + 1));
    start = end + 1;
    if (line.trim() === '') continue;
    if (line.length > maxLine) {
      result.skipped++;
      continue;
    }
    if (/^\s*sl\s+local_address/.test(line)) continue;
    const entry = parseSocketLine(line, table, order);
    if (!entry) result.skipped++;
    else if (result.entries.length >= maxEntries) result.dropped++;
    else result.entries.push(entry);
  }
  return result;
}

/** What the namespace reader's helper prints before each table; nothing the kernel writes into a table starts with it. */
export const TABLE_MARKER = '@@drydock-table ';

export interface NamespaceTables {
  entries: SocketEntry[];
  skipped: number;
  dropped: number;
  /** Tables the helper marked but could not read (IPv6 disabled in the kernel: no tcp6/udp6). */
  missing: TableName[];
}

/**
 * The helper's whole output: each table preceded by a marker line naming it (and "missing" when
 * cat failed). Text before the first marker or under an unknown name is skipped, never guessed at.
 */
export function parseNamespaceTables(text: string, order: ByteOrder, limits: ParseLimits = {}): NamespaceTables {
  const out: NamespaceTables = { entries: [], skipped: 0, dropped: 0, missing: [] };
  const sections = text.split(TABLE_MARKER);
  const preamble = sections.shift() ?? '';
  if (preamble.trim() !== '') out.skipped += preamble.split('\n').filter((l) => l.trim() !== '').length;
  const seen = new Set<TableName>();
  for (const section of sections) {
    const newline = section.indexOf('\n');
    const head = (newline < 0 ? section : section.slice(0, newline)).trim();
    const body = newline < 0 ? '' : section.slice(newline + 1);
    const [name = '', status = ''] = head.split(/\s+/);
    const table = TABLE_NAMES.find((t) => t === name);
    if (!table || seen.has(table)) {
      out.skipped += body.split('\n').filter((l) => l.trim() !== '').length + 1;
      continue;
    }
    seen.add(table);
    if (status === 'missing') {
      out.missing.push(table);
      continue;
    }
    const remaining = (limits.maxEntries ?? DEFAULT_MAX_ENTRIES) - out.entries.length;
    const parsed = parseSocketTable(body, table, order, { ...limits, maxEntries: Math.max(0, remaining) });
    out.entries.push(...parsed.entries);
    out.skipped += parsed.skipped;
    out.dropped += parsed.dropped;
  }
  return out;
}
