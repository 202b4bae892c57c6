import { Transform, type TransformCallback } from 'node:stream';

/** Largest record body we accept from tcpdump (its maximum snaplen is 262144). */
const MAX_RECORD_BODY = 262144 + 65536;

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;

export interface PcapFileHeader {
  littleEndian: boolean;
  nanoseconds: boolean;
  versionMajor: number;
  versionMinor: number;
  snaplen: number;
  linkType: number;
}

export function parsePcapFileHeader(header: Buffer): PcapFileHeader {
  if (header.length < 24) throw new Error('pcap file header is shorter than 24 bytes');
  const le = header.readUInt32LE(0);
  const be = header.readUInt32BE(0);
  let littleEndian: boolean;
  let nanoseconds: boolean;
  if (le === PCAP_MAGIC_MICRO || le === PCAP_MAGIC_NANO) {
    littleEndian = true;
    nanoseconds = le === PCAP_MAGIC_NANO;
  } else if (be === PCAP_MAGIC_MICRO || be === PCAP_MAGIC_NANO) {
    littleEndian = false;
    nanoseconds = be === PCAP_MAGIC_NANO;
  } else {
    throw new Error(`not a pcap stream (magic ${header.subarray(0, 4).toString('hex')})`);
  }
  const u16 = (o: number) => (littleEndian ? header.readUInt16LE(o) : header.readUInt16BE(o));
  const u32 = (o: number) => (littleEndian ? header.readUInt32LE(o) : header.readUInt32BE(o));
  return { littleEndian, nanoseconds, versionMajor: u16(4), versionMinor: u16(6), snaplen: u32(16), linkType: u32(20) & 0x0fffffff };
}

/**
 * Passes tcpdump's pcap through byte for byte while finding record boundaries, so Drydock can show
 * live packet counts and stop at a byte cap on a packet boundary (the file stays a valid pcap).
 * Bytes of a record are released only once the record is complete; at the end of the stream a
 * trailing partial record is still released (it is what tcpdump wrote, and an interrupted capture
 * keeps every byte) unless the byte cap was what stopped it.
 */
export class PcapFramer extends Transform {
  private readonly fileHeader = Buffer.alloc(24);
  private fileHeaderHave = 0;
  private header: PcapFileHeader | undefined;
  private readonly recordHeader = Buffer.alloc(16);
  private recordHeaderHave = 0;
  private bodyRemaining = 0;
  private pending: Buffer[] = [];
  private capped = false;
  private packetCount = 0;
  private releasedBytes = 0;
  private trailing = 0;

  constructor(
    private readonly options: {
      /** Stop before the output would exceed this many bytes. */
      maxBytes?: number;
      onHeader?: (header: PcapFileHeader) => void;
      /** Called once when the next record would cross maxBytes; later input is discarded. */
      onCap?: () => void;
    } = {},
  ) {
    super({ highWaterMark: 256 * 1024 });
  }

  get packets(): number {
    return this.packetCount;
  }

  /** Bytes released downstream so far. */
  get bytes(): number {
    return this.releasedBytes;
  }

  get fileHeaderInfo(): PcapFileHeader | undefined {
    return this.header;
  }

  get reachedCap(): boolean {
    return this.capped;
  }

  /** Bytes of a record left incomplete at the end of the stream (released as they were). */
  get trailingPartialBytes(): number {
    return this.trailing;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.capped) return callback();
    let offset = 0;
    let boundary = -1;
    try {
      while (offset < chunk.length) {
        if (!this.header) {
          const take = Math.min(24 - this.fileHeaderHave, chunk.length - offset);
          chunk.copy(this.fileHeader, this.fileHeaderHave, offset, offset + take);
          this.fileHeaderHave += take;
          offset += take;
          if (this.fileHeaderHave < 24) break;
          this.header = parsePcapFileHeader(this.fileHeader);
          this.options.onHeader?.(this.header);
          if (!this.fits(24)) break;
          boundary = offset;
          continue;
        }
        if (this.recordHeaderHave < 16) {
          const take = Math.min(16 - this.recordHeaderHave, chunk.length - offset);
          chunk.copy(this.recordHeader, this.recordHeaderHave, offset, offset + take);
          this.recordHeaderHave += take;
          offset += take;
          if (this.recordHeaderHave < 16) break;
          const inclLen = this.header.littleEndian ? this.recordHeader.readUInt32LE(8) : this.recordHeader.readUInt32BE(8);
          if (inclLen > MAX_RECORD_BODY) throw new Error(`pcap record claims ${inclLen} bytes: the stream is not tcpdump's pcap`);
          this.bodyRemaining = inclLen;
        } else {
          const take = Math.min(this.bodyRemaining, chunk.length - offset);
          offset += take;
          this.bodyRemaining -= take;
        }
        if (this.recordHeaderHave === 16 && this.bodyRemaining === 0) {
          const recordLength = 16 + (this.header.littleEndian ? this.recordHeader.readUInt32LE(8) : this.recordHeader.readUInt32BE(8));
          if (!this.fits(recordLength)) break;
          this.recordHeaderHave = 0;
          this.packetCount++;
          boundary = offset;
        }
      }
    } catch (err) {
      callback(err as Error);
      return;
    }
    if (boundary >= 0) {
      for (const piece of this.pending) this.push(piece);
      this.pending = [];
      this.push(chunk.subarray(0, boundary));
      if (!this.capped && boundary < chunk.length) this.pending.push(chunk.subarray(boundary));
    } else if (!this.capped) {
      this.pending.push(chunk);
    }
    if (this.capped) this.pending = [];
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (!this.capped) {
      for (const piece of this.pending) {
        this.trailing += piece.length;
        this.releasedBytes += piece.length;
        this.push(piece);
      }
    }
    this.pending = [];
    callback();
  }

  private fits(length: number): boolean {
    const max = this.options.maxBytes;
    if (max !== undefined && this.releasedBytes + length > max) {
      this.capped = true;
      this.options.onCap?.();
      return false;
    }
    this.releasedBytes += length;
    return true;
  }
}
