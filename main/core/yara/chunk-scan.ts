import type { RawMatch } from './wasm-engine';

/** Bytes handed to the engine at once (the engine copies them into its heap). */
export const CHUNK_BYTES = 16 * 1024 * 1024;
/** Bytes each chunk repeats of the one before: a match up to this long is found whole across a boundary. */
export const OVERLAP_BYTES = 64 * 1024;

/** A match whose offset counts from the start of the stream (not of the chunk it was found in), with its first bytes. */
export interface StreamMatch extends RawMatch {
  /** Up to 64 of the matched bytes (empty for a rule with no string). */
  head: Buffer;
}

/**
 * Scans a stream of any length in bounded windows, so a multi-gigabyte region never sits in memory:
 * windows of `chunkBytes`, each starting `chunkBytes - overlapBytes` after the one before. Each match
 * is reported once, by the window whose unshared part holds its first byte (the last window reports
 * all it finds), so a match up to `overlapBytes` long that straddles a boundary is found whole.
 * A stream no longer than `chunkBytes` is one window: YARA sees exactly the bytes a file scan would.
 * Past that, each window is a separate "file" to the rules (`filesize`, `#a` counts and `at`/`in`
 * offsets in conditions are the window's). A rule with no string that matches is reported once,
 * at the offset of the first window it matched in, length 0.
 */
export class ChunkedScanner {
  private parts: Buffer[] = [];
  private held = 0;
  /** Stream offset of the first held byte. */
  private base = 0;
  private windows = 0;
  private readonly conditionOnly = new Set<string>();

  constructor(
    private readonly scan: (bytes: Buffer) => Promise<RawMatch[]>,
    private readonly emit: (match: StreamMatch) => void,
    private readonly options: { chunkBytes: number; overlapBytes: number } = { chunkBytes: CHUNK_BYTES, overlapBytes: OVERLAP_BYTES },
  ) {
    if (options.overlapBytes >= options.chunkBytes) throw new Error('the overlap must be smaller than the chunk');
  }

  /** Windows scanned so far. */
  get scanned(): number {
    return this.windows;
  }

  /** Adds bytes; scans every full window they complete (awaiting it is the backpressure). */
  async push(chunk: Buffer): Promise<void> {
    let rest = chunk;
    while (rest.length > 0) {
      const take = Math.min(rest.length, this.options.chunkBytes - this.held);
      this.parts.push(rest.subarray(0, take));
      this.held += take;
      rest = rest.subarray(take);
      if (this.held === this.options.chunkBytes) await this.window(false);
    }
  }

  /** Scans what is held as the last window (nothing when the stream was empty). */
  async end(): Promise<void> {
    if (this.held > 0 || this.windows === 0) await this.window(true);
    this.parts = [];
    this.held = 0;
  }

  private async window(last: boolean): Promise<void> {
    const bytes = this.parts.length === 1 ? (this.parts[0] ?? Buffer.alloc(0)) : Buffer.concat(this.parts, this.held);
    if (bytes.length === 0 && this.windows > 0) return;
    const step = last ? bytes.length : this.options.chunkBytes - this.options.overlapBytes;
    for (const m of await this.scan(bytes)) {
      if (m.string === '') {
        if (this.conditionOnly.has(m.rule)) continue;
        this.conditionOnly.add(m.rule);
        this.emit({ ...m, offset: this.base, length: 0, head: Buffer.alloc(0) });
        continue;
      }
      if (!last && m.offset >= step) continue;
      this.emit({ ...m, offset: this.base + m.offset, head: Buffer.from(bytes.subarray(m.offset, m.offset + Math.min(m.length, 64))) });
    }
    this.windows++;
    if (last) return;
    const keep = bytes.subarray(step);
    this.parts = [Buffer.from(keep)];
    this.held = keep.length;
    this.base += step;
  }
}

/** Printable ASCII kept, anything else as \xNN (and the backslash doubled): at most `max` bytes shown. */
export function previewBytes(bytes: Buffer, max = 64): string {
  let out = '';
  for (const b of bytes.subarray(0, max)) {
    if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > max ? `${out}…` : out;
}
