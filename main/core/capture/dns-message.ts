import { ipv6 } from './packet-decode';
import { wireText } from './wire-text';

export interface DnsQuestion {
  name: string;
  type: string;
}

export interface DnsMessage {
  id: number;
  response: boolean;
  rcode: string;
  questions: DnsQuestion[];
  /** Answer records: owner name, type, and the data as text (address, target name). */
  answers: { name: string; type: string; data: string }[];
}

const TYPES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  12: 'PTR',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
  64: 'SVCB',
  65: 'HTTPS',
  255: 'ANY',
};
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
const MAX_RECORDS = 64;

/**
 * Parses a DNS message from one UDP payload (or one TCP segment after its length prefix). Hostile
 * input: compression pointers are followed at most 16 times and only backwards-bounded, names are
 * capped at 255 bytes, and anything inconsistent yields null rather than a guess.
 */
export function parseDnsMessage(buf: Buffer): DnsMessage | null {
  if (buf.length < 12) return null;
  const flags = buf.readUInt16BE(2);
  const qdcount = buf.readUInt16BE(4);
  const ancount = buf.readUInt16BE(6);
  if (qdcount === 0 || qdcount > 8) return null;
  // Opcode must be a standard query for this to be DNS we summarise.
  if (((flags >> 11) & 0x0f) !== 0) return null;
  let offset = 12;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qdcount; i++) {
    const name = readName(buf, offset);
    if (!name || buf.length < name.next + 4) return null;
    questions.push({ name: name.text, type: typeName(buf.readUInt16BE(name.next)) });
    offset = name.next + 4;
  }
  const answers: DnsMessage['answers'] = [];
  for (let i = 0; i < Math.min(ancount, MAX_RECORDS); i++) {
    const owner = readName(buf, offset);
    if (!owner || buf.length < owner.next + 10) break;
    const type = buf.readUInt16BE(owner.next);
    const rdlength = buf.readUInt16BE(owner.next + 8);
    const rdata = owner.next + 10;
    if (buf.length < rdata + rdlength) break;
    let data: string | null = null;
    if (type === 1 && rdlength === 4)
      data = `${buf.readUInt8(rdata)}.${buf.readUInt8(rdata + 1)}.${buf.readUInt8(rdata + 2)}.${buf.readUInt8(rdata + 3)}`;
    else if (type === 28 && rdlength === 16) data = ipv6(buf, rdata);
    else if (type === 5 || type === 12 || type === 2) data = readName(buf, rdata)?.text ?? null;
    if (data !== null) answers.push({ name: owner.text, type: typeName(type), data });
    offset = rdata + rdlength;
  }
  return {
    id: buf.readUInt16BE(0),
    response: (flags & 0x8000) !== 0,
    rcode: RCODES[flags & 0x0f] ?? `RCODE${flags & 0x0f}`,
    questions,
    answers,
  };
}

function typeName(type: number): string {
  return TYPES[type] ?? `TYPE${type}`;
}

function readName(buf: Buffer, start: number): { text: string; next: number } | null {
  const labels: string[] = [];
  let offset = start;
  let next = -1;
  let length = 0;
  for (let jumps = 0; jumps <= 16;) {
    if (offset >= buf.length) return null;
    const len = buf.readUInt8(offset);
    if ((len & 0xc0) === 0xc0) {
      if (offset + 1 >= buf.length) return null;
      if (next < 0) next = offset + 2;
      const target = ((len & 0x3f) << 8) | buf.readUInt8(offset + 1);
      // Pointers must go backwards: a forward or self pointer is a loop or garbage.
      if (target >= offset) return null;
      offset = target;
      jumps++;
      continue;
    }
    if ((len & 0xc0) !== 0) return null;
    if (len === 0) {
      if (next < 0) next = offset + 1;
      return { text: labels.length ? labels.join('.') : '.', next };
    }
    if (offset + 1 + len > buf.length) return null;
    length += len + 1;
    if (length > 255) return null;
    labels.push(wireText(buf.subarray(offset + 1, offset + 1 + len), 63).replace(/\./g, '\\x2e'));
    offset += 1 + len;
  }
  return null;
}
