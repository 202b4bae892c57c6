// Just enough decoding for flow summaries: link layer → IPv4/IPv6 → TCP/UDP/ICMP. Every length
// comes from the wire and is checked against the bytes actually captured (snaplen may cut a
// packet anywhere); a packet that does not decode is counted, never thrown on.

import { ipv6GroupsText } from '../ipv6-text';

export const LINKTYPE_NAMES: Record<number, string> = {
  0: 'NULL',
  1: 'EN10MB',
  12: 'RAW',
  14: 'RAW',
  101: 'RAW',
  108: 'LOOP',
  113: 'LINUX_SLL',
  228: 'IPV4',
  229: 'IPV6',
  276: 'LINUX_SLL2',
};

export interface DecodedPacket {
  family: 4 | 6;
  src: string;
  dst: string;
  /** IP protocol number after extension headers. */
  protocol: number;
  srcPort: number | null;
  dstPort: number | null;
  /** TCP flags byte, when TCP. */
  tcpFlags: number | null;
  /** Transport payload as captured (may be cut by snaplen). */
  payload: Buffer;
  /** A non-first IP fragment: no transport header in it. */
  fragment: boolean;
}

export const TCP_SYN = 0x02;
export const TCP_ACK = 0x10;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = [0x8100, 0x88a8, 0x9100];

/** Returns null for anything that is not IP or does not decode. */
export function decodePacket(linkType: number, data: Buffer): DecodedPacket | null {
  const network = networkLayer(linkType, data);
  if (!network) return null;
  if (network.etherType === ETHERTYPE_IPV4) return decodeIpv4(data, network.offset);
  if (network.etherType === ETHERTYPE_IPV6) return decodeIpv6(data, network.offset);
  return null;
}

function networkLayer(linkType: number, data: Buffer): { etherType: number; offset: number } | null {
  switch (linkType) {
    case 1: {
      if (data.length < 14) return null;
      let offset = 12;
      let etherType = data.readUInt16BE(offset);
      // Up to two VLAN tags (802.1Q, QinQ).
      for (let tags = 0; tags < 2 && ETHERTYPE_VLAN.includes(etherType); tags++) {
        offset += 4;
        if (data.length < offset + 2) return null;
        etherType = data.readUInt16BE(offset);
      }
      return { etherType, offset: offset + 2 };
    }
    case 113:
      return data.length >= 16 ? { etherType: data.readUInt16BE(14), offset: 16 } : null;
    case 276:
      return data.length >= 20 ? { etherType: data.readUInt16BE(0), offset: 20 } : null;
    case 12:
    case 14:
    case 101:
      return rawIp(data, 0);
    case 228:
      return { etherType: ETHERTYPE_IPV4, offset: 0 };
    case 229:
      return { etherType: ETHERTYPE_IPV6, offset: 0 };
    case 0:
    case 108: {
      // BSD loopback: a 4-byte address family (host order for NULL, network order for LOOP).
      if (data.length < 4) return null;
      return rawIp(data, 4);
    }
    default:
      return null;
  }
}

function rawIp(data: Buffer, offset: number): { etherType: number; offset: number } | null {
  if (data.length <= offset) return null;
  const version = data.readUInt8(offset) >> 4;
  if (version === 4) return { etherType: ETHERTYPE_IPV4, offset };
  if (version === 6) return { etherType: ETHERTYPE_IPV6, offset };
  return null;
}

function decodeIpv4(data: Buffer, offset: number): DecodedPacket | null {
  if (data.length < offset + 20) return null;
  const versionIhl = data.readUInt8(offset);
  if (versionIhl >> 4 !== 4) return null;
  const headerLength = (versionIhl & 0x0f) * 4;
  if (headerLength < 20 || data.length < offset + headerLength) return null;
  const totalLength = data.readUInt16BE(offset + 2);
  const fragmentOffset = data.readUInt16BE(offset + 6) & 0x1fff;
  const protocol = data.readUInt8(offset + 9);
  const src = ipv4(data, offset + 12);
  const dst = ipv4(data, offset + 16);
  // The IP total length bounds the payload (Ethernet pads short frames); the capture may be shorter.
  const end = Math.min(data.length, totalLength >= headerLength ? offset + totalLength : data.length);
  return transport(4, src, dst, protocol, data.subarray(offset + headerLength, end), fragmentOffset !== 0);
}

const IPV6_EXTENSIONS = new Set([0, 43, 60, 135, 139, 140]);

function decodeIpv6(data: Buffer, offset: number): DecodedPacket | null {
  if (data.length < offset + 40) return null;
  if (data.readUInt8(offset) >> 4 !== 6) return null;
  const payloadLength = data.readUInt16BE(offset + 4);
  let next = data.readUInt8(offset + 6);
  const src = ipv6(data, offset + 8);
  const dst = ipv6(data, offset + 24);
  const end = Math.min(data.length, offset + 40 + payloadLength);
  let cursor = offset + 40;
  let fragment = false;
  for (let hops = 0; hops < 8; hops++) {
    if (IPV6_EXTENSIONS.has(next)) {
      if (end < cursor + 2) return null;
      const following = data.readUInt8(cursor);
      cursor += (data.readUInt8(cursor + 1) + 1) * 8;
      next = following;
    } else if (next === 44) {
      if (end < cursor + 8) return null;
      const following = data.readUInt8(cursor);
      fragment = (data.readUInt16BE(cursor + 2) & 0xfff8) !== 0;
      cursor += 8;
      next = following;
    } else if (next === 51) {
      if (end < cursor + 2) return null;
      const following = data.readUInt8(cursor);
      cursor += (data.readUInt8(cursor + 1) + 2) * 4;
      next = following;
    } else {
      break;
    }
  }
  if (cursor > end) return null;
  return transport(6, src, dst, next, data.subarray(cursor, end), fragment);
}

function transport(family: 4 | 6, src: string, dst: string, protocol: number, segment: Buffer, fragment: boolean): DecodedPacket {
  const base: DecodedPacket = {
    family,
    src,
    dst,
    protocol,
    srcPort: null,
    dstPort: null,
    tcpFlags: null,
    payload: Buffer.alloc(0),
    fragment,
  };
  if (fragment) return base;
  if (protocol === 6 && segment.length >= 20) {
    const dataOffset = (segment.readUInt8(12) >> 4) * 4;
    return {
      ...base,
      srcPort: segment.readUInt16BE(0),
      dstPort: segment.readUInt16BE(2),
      tcpFlags: segment.readUInt8(13),
      payload: dataOffset >= 20 && dataOffset <= segment.length ? segment.subarray(dataOffset) : Buffer.alloc(0),
    };
  }
  if ((protocol === 17 || protocol === 132) && segment.length >= 8) {
    return {
      ...base,
      srcPort: segment.readUInt16BE(0),
      dstPort: segment.readUInt16BE(2),
      payload: segment.subarray(protocol === 17 ? 8 : 12),
    };
  }
  return { ...base, payload: segment };
}

function ipv4(data: Buffer, offset: number): string {
  return `${data.readUInt8(offset)}.${data.readUInt8(offset + 1)}.${data.readUInt8(offset + 2)}.${data.readUInt8(offset + 3)}`;
}

/** RFC 5952 text form: lowercase, longest run of two or more zero groups as '::'. */
export function ipv6(data: Buffer, offset: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(data.readUInt16BE(offset + i * 2));
  // IPv4-mapped addresses read better in their dotted form.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${ipv4(data, offset + 12)}`;
  }
  return ipv6GroupsText(groups);
}
