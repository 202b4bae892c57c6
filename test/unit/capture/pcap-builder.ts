// Builds small, valid pcap files for unit tests: Ethernet or Linux cooked v2 framing, IPv4/IPv6,
// TCP/UDP with correct lengths (checksums are zero: nothing in Drydock validates them).

export function pcapHeader(linkType: number, options: { bigEndian?: boolean; nano?: boolean; snaplen?: number } = {}): Buffer {
  const b = Buffer.alloc(24);
  const w32 = (v: number, o: number) => (options.bigEndian ? b.writeUInt32BE(v, o) : b.writeUInt32LE(v, o));
  const w16 = (v: number, o: number) => (options.bigEndian ? b.writeUInt16BE(v, o) : b.writeUInt16LE(v, o));
  w32(options.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(2, 4);
  w16(4, 6);
  w32(options.snaplen ?? 262144, 16);
  w32(linkType, 20);
  return b;
}

export function pcapRecord(data: Buffer, tsSec: number, tsFrac = 0, origLen = data.length, bigEndian = false): Buffer {
  const h = Buffer.alloc(16);
  const w32 = (v: number, o: number) => (bigEndian ? h.writeUInt32BE(v, o) : h.writeUInt32LE(v, o));
  w32(tsSec, 0);
  w32(tsFrac, 4);
  w32(data.length, 8);
  w32(origLen, 12);
  return Buffer.concat([h, data]);
}

function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

export function tcp(
  srcPort: number,
  dstPort: number,
  flags: number,
  payload: Buffer = Buffer.alloc(0),
): { protocol: number; bytes: Buffer } {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt8(5 << 4, 12);
  h.writeUInt8(flags, 13);
  h.writeUInt16BE(65535, 14);
  return { protocol: 6, bytes: Buffer.concat([h, payload]) };
}

export function udp(srcPort: number, dstPort: number, payload: Buffer): { protocol: number; bytes: Buffer } {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(srcPort, 0);
  h.writeUInt16BE(dstPort, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return { protocol: 17, bytes: Buffer.concat([h, payload]) };
}

export function ipv4(src: string, dst: string, l4: { protocol: number; bytes: Buffer }): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt8(0x45, 0);
  h.writeUInt16BE(20 + l4.bytes.length, 2);
  h.writeUInt8(64, 8);
  h.writeUInt8(l4.protocol, 9);
  ipv4Bytes(src).copy(h, 12);
  ipv4Bytes(dst).copy(h, 16);
  return Buffer.concat([h, l4.bytes]);
}

export function ipv6(src: string, dst: string, l4: { protocol: number; bytes: Buffer }): Buffer {
  const h = Buffer.alloc(40);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(l4.bytes.length, 4);
  h.writeUInt8(l4.protocol, 6);
  h.writeUInt8(64, 7);
  ipv6Bytes(src).copy(h, 8);
  ipv6Bytes(dst).copy(h, 24);
  return Buffer.concat([h, l4.bytes]);
}

export function ethernet(ip: Buffer): Buffer {
  const h = Buffer.alloc(14);
  Buffer.from('020000000002', 'hex').copy(h, 0);
  Buffer.from('020000000001', 'hex').copy(h, 6);
  h.writeUInt16BE(ip.readUInt8(0) >> 4 === 6 ? 0x86dd : 0x0800, 12);
  return Buffer.concat([h, ip]);
}

export function sll2(ip: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(ip.readUInt8(0) >> 4 === 6 ? 0x86dd : 0x0800, 0);
  h.writeUInt32BE(1, 4); // interface index
  h.writeUInt16BE(772, 8); // ARPHRD_LOOPBACK
  h.writeUInt8(0, 10); // PACKET_HOST
  h.writeUInt8(6, 11);
  return Buffer.concat([h, ip]);
}

/** DNS message with one question and optional A answers (names uncompressed, answers by pointer). */
export function dnsMessage(id: number, name: string | Buffer[], type: number, response: boolean, answers: string[] = []): Buffer {
  const labels = Array.isArray(name) ? name : name.split('.').map((l) => Buffer.from(l));
  const qname = Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(response ? 0x8180 : 0x0100, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const question = Buffer.concat([qname, Buffer.from([0, type, 0, 1])]);
  const rrs = answers.map((a) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(1, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(60, 6);
    rr.writeUInt16BE(4, 10);
    ipv4Bytes(a).copy(rr, 12);
    return rr;
  });
  return Buffer.concat([header, question, ...rrs]);
}

export function tlsClientHello(serverName: string): Buffer {
  const name = Buffer.from(serverName);
  const sniEntry = Buffer.concat([Buffer.from([0]), u16(name.length), name]);
  const sniList = Buffer.concat([u16(sniEntry.length), sniEntry]);
  const extension = Buffer.concat([u16(0), u16(sniList.length), sniList]);
  const otherExtension = Buffer.concat([u16(0x000b), u16(2), Buffer.from([1, 0])]);
  const extensions = Buffer.concat([otherExtension, extension]);
  const body = Buffer.concat([
    Buffer.from([3, 3]),
    Buffer.alloc(32, 7),
    Buffer.from([0]),
    u16(4),
    Buffer.from([0x13, 0x01, 0x13, 0x02]),
    Buffer.from([1, 0]),
    u16(extensions.length),
    extensions,
  ]);
  const handshake = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 3, 1]), u16(handshake.length), handshake]);
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v, 0);
  return b;
}
