import { parsePcapFileHeader, type PcapFileHeader } from './pcap-framer';

export interface PcapPacket {
  /** Seconds and sub-second part as recorded (micro- or nanoseconds per the file header). */
  tsSec: number;
  tsFrac: number;
  /** Bytes on the wire. */
  origLen: number;
  /** Bytes captured (a view valid only during the callback). */
  data: Buffer;
}

const MAX_RECORD = 16 * 1024 * 1024;

/**
 * A push parser for classic pcap: feed it chunks of any size, it calls onPacket for each record.
 * It keeps at most one record's bytes (when a record spans chunks), so files of any size stream
 * through in constant memory. Records are hostile input: lengths are bounded before buffering.
 */
export class PcapReader {
  private header: PcapFileHeader | undefined;
  private carry: Buffer = Buffer.alloc(0);
  private ended = false;
  truncated = false;

  constructor(
    private readonly onPacket: (packet: PcapPacket) => void,
    private readonly onHeader?: (header: PcapFileHeader) => void,
  ) {}

  get fileHeader(): PcapFileHeader | undefined {
    return this.header;
  }

  push(chunk: Buffer): void {
    if (this.ended) throw new Error('push after end');
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    let offset = 0;
    if (!this.header) {
      if (buf.length < 24) {
        this.carry = Buffer.from(buf);
        return;
      }
      this.header = parsePcapFileHeader(buf.subarray(0, 24));
      this.onHeader?.(this.header);
      offset = 24;
    }
    const le = this.header.littleEndian;
    while (buf.length - offset >= 16) {
      const tsSec = le ? buf.readUInt32LE(offset) : buf.readUInt32BE(offset);
      const tsFrac = le ? buf.readUInt32LE(offset + 4) : buf.readUInt32BE(offset + 4);
      const inclLen = le ? buf.readUInt32LE(offset + 8) : buf.readUInt32BE(offset + 8);
      const origLen = le ? buf.readUInt32LE(offset + 12) : buf.readUInt32BE(offset + 12);
      if (inclLen > MAX_RECORD) throw new Error(`pcap record at offset ${offset} claims ${inclLen} bytes`);
      if (buf.length - offset - 16 < inclLen) break;
      this.onPacket({ tsSec, tsFrac, origLen, data: buf.subarray(offset + 16, offset + 16 + inclLen) });
      offset += 16 + inclLen;
    }
    // Copy the remainder: it must not pin the (possibly large) chunk it came from.
    this.carry = offset < buf.length ? Buffer.from(buf.subarray(offset)) : Buffer.alloc(0);
  }

  end(): void {
    this.ended = true;
    this.truncated = this.carry.length > 0 || !this.header;
    this.carry = Buffer.alloc(0);
  }
}
