// IP address text in one canonical form, so that an address decoded from a socket table and one
// the engine reports compare equal: dotted IPv4, RFC 5952 IPv6 (lower case, longest zero run
// compressed), and v4-mapped IPv6 given as its IPv4 address.

import { ipv6GroupsText } from '../ipv6-text';

export type ByteOrder = 'little' | 'big';

export type AddressScope = 'loopback' | 'unspecified' | 'private' | 'link-local' | 'multicast' | 'public';

const HEX8 = /^[0-9A-Fa-f]{8}$/;
const HEX32 = /^[0-9A-Fa-f]{32}$/;

/** The kernel prints each 32-bit word of an address as the CPU holds it in memory (network order bytes, read as a native u32). */
function wordBytes(hex: string, order: ByteOrder): number[] {
  const value = Number.parseInt(hex, 16);
  const be = [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  return order === 'little' ? be.reverse() : be;
}

export function decodeIpv4Hex(hex: string, order: ByteOrder): string | null {
  if (!HEX8.test(hex)) return null;
  return wordBytes(hex, order).join('.');
}

export function decodeIpv6Hex(hex: string, order: ByteOrder): { ip: string; v4Mapped: boolean } | null {
  if (!HEX32.test(hex)) return null;
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8), order));
  return formatIpv6Bytes(bytes);
}

function isV4Mapped(bytes: readonly number[]): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

export function formatIpv6Bytes(bytes: readonly number[]): { ip: string; v4Mapped: boolean } {
  if (isV4Mapped(bytes)) return { ip: bytes.slice(12).join('.'), v4Mapped: true };
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  return { ip: ipv6GroupsText(groups), v4Mapped: false };
}

function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    bytes.push(n);
  }
  return bytes;
}

function parseIpv6(text: string): number[] | null {
  if (text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  let body = text;
  if (text.includes('.')) {
    // A dotted tail (::ffff:1.2.3.4) is the last two groups written as IPv4.
    const lastColon = text.lastIndexOf(':');
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (lastColon < 0 || !v4) return null;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    body = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const toGroups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = toGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  if (halves.length === 1 && head.length !== 8) return null;
  if (halves.length === 2 && head.length + tail.length > 7) return null;
  const groups = [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  const bytes: number[] = [];
  for (const g of groups) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
    const n = Number.parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return bytes;
}

/** Canonical text of an address, or null when it is not one (a CIDR suffix is dropped). */
export function canonicalIp(text: string | undefined | null): string | null {
  if (!text) return null;
  const bare = text
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/\/\d{1,3}$/, '')
    .replace(/%[A-Za-z0-9_.-]+$/, '');
  if (bare.includes(':')) {
    const bytes = parseIpv6(bare);
    return bytes ? formatIpv6Bytes(bytes).ip : null;
  }
  const v4 = parseIpv4(bare);
  return v4 ? v4.join('.') : null;
}

export function isIpv6(ip: string): boolean {
  return ip.includes(':');
}

export function addressScope(ip: string): AddressScope {
  if (!isIpv6(ip)) {
    const b = parseIpv4(ip);
    if (!b) return 'public';
    const [a = 0, c = 0] = b;
    if (a === 127) return 'loopback';
    if (b.every((x) => x === 0)) return 'unspecified';
    if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168) || (a === 100 && c >= 64 && c <= 127)) return 'private';
    if (a === 169 && c === 254) return 'link-local';
    if (a >= 224 && a <= 239) return 'multicast';
    return 'public';
  }
  const b = parseIpv6(ip);
  if (!b) return 'public';
  if (b.every((x) => x === 0)) return 'unspecified';
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return 'loopback';
  const first = b[0] ?? 0;
  const second = b[1] ?? 0;
  if (first === 0xfe && (second & 0xc0) === 0x80) return 'link-local';
  if ((first & 0xfe) === 0xfc) return 'private';
  if (first === 0xff) return 'multicast';
  return 'public';
}
