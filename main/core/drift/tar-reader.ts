import type { DriftFileType } from '../../../shared/domain/drift';
import { ChunkReader } from './chunk-reader';

// A tar reader for archives that come out of a suspect container: names stay raw bytes (a PAX
// path may hold invalid UTF-8, a newline or an escape sequence, and must survive byte for byte),
// headers are checksummed, metadata records are bounded, and nothing is ever written to disk.

export interface TarHeader {
  /** The entry's name, exactly as archived (PAX path, GNU long name or ustar prefix/name). */
  name: Buffer;
  /** Symlink or hardlink target, raw. */
  linkName: Buffer | null;
  type: DriftFileType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime?: Date;
  /** The modification time exactly: whole seconds and nanoseconds (a PAX mtime keeps up to nine decimals). */
  mtimeSec: number;
  mtimeNsec: number;
  /** Device numbers of a character or block device (an overlay whiteout is 0/0). */
  rdev?: { major: number; minor: number };
  /** The trusted.overlay.opaque attribute is 'y' (GNU tar --xattrs: the SCHILY.xattr PAX record). */
  opaque?: boolean;
}

export interface TarEntry {
  header: TarHeader;
  /**
   * The entry's bytes as they arrive. Read it or leave it: whatever is left unread is skipped
   * when the next entry is requested.
   */
  body: AsyncIterable<Buffer>;
}

/** PAX and GNU long-name records larger than this are refused (a hostile archive's memory bomb). */
const MAX_META_RECORD = 1024 * 1024;
const BLOCK = 512;

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

const TYPES: Record<string, DriftFileType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

function field(block: Buffer, offset: number, length: number): Buffer {
  const slice = block.subarray(offset, offset + length);
  const nul = slice.indexOf(0);
  return nul === -1 ? slice : slice.subarray(0, nul);
}

/** Octal (NUL/space padded) or GNU base-256 for values that do not fit. */
function numeric(block: Buffer, offset: number, length: number): number {
  const slice = block.subarray(offset, offset + length);
  if (slice.length > 0 && ((slice[0] as number) & 0x80) !== 0) {
    let value = (slice[0] as number) & 0x7f;
    for (let i = 1; i < slice.length; i++) value = value * 256 + (slice[i] as number);
    // Past 2^53 a byte count or time is no longer exact: no real archive holds such a field.
    if (!Number.isSafeInteger(value)) throw new TarFormatError('a base-256 header field is larger than 2^53');
    return value;
  }
  const text = slice
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^[\0 ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`a numeric header field holds ${JSON.stringify(text.slice(0, 20))}`);
  return parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = numeric(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
  return sum === stored;
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** PAX records ("<len> <key>=<value>\n"), values kept as bytes. */
export function parsePax(buf: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>();
  let at = 0;
  while (at < buf.length) {
    const space = buf.indexOf(0x20, at);
    if (space === -1) break;
    const len = Number(buf.subarray(at, space).toString('latin1'));
    if (!Number.isInteger(len) || len <= 0 || at + len > buf.length) throw new TarFormatError('a PAX record has a bad length');
    const record = buf.subarray(space + 1, at + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq === -1) throw new TarFormatError('a PAX record has no "="');
    records.set(record.subarray(0, eq).toString('utf8'), Buffer.from(record.subarray(eq + 1)));
    at += len;
  }
  return records;
}

function paxNumber(value: Buffer | undefined): number | undefined {
  if (!value) return undefined;
  const n = Number(value.toString('latin1'));
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** PAX size, uid, gid: decimal integers (a "1.5" size would misalign every later header). */
function paxInteger(value: Buffer | undefined, key: string): number | undefined {
  if (!value) return undefined;
  const text = value.toString('latin1');
  const n = Number(text);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(n))
    throw new TarFormatError(`a PAX ${key} record holds ${JSON.stringify(text.slice(0, 24))}, not a decimal integer`);
  return n;
}

/** A date only when the seconds give one (a base-256 mtime can be far outside Date's range). */
function dateOf(seconds: number): Date | undefined {
  if (!Number.isFinite(seconds)) return undefined;
  const date = new Date(Math.round(seconds * 1000));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

async function readMeta(reader: ChunkReader, size: number): Promise<Buffer> {
  if (size > MAX_META_RECORD) throw new TarFormatError(`a metadata record of ${size} bytes is over the ${MAX_META_RECORD}-byte limit`);
  const padded = Math.ceil(size / BLOCK) * BLOCK;
  const data = await reader.readExact(padded);
  if (!data) throw new TarFormatError('the archive ended inside a metadata record');
  return data.subarray(0, size);
}

/**
 * Entries of a tar stream, one at a time. The caller must finish with an entry's body (or
 * ignore it) before asking for the next; breaking out of the loop releases the source.
 */
export async function* readTar(source: AsyncIterable<unknown>): AsyncGenerator<TarEntry> {
  const reader = new ChunkReader(source);
  let globalPax = new Map<string, Buffer>();
  let pax: Map<string, Buffer> | undefined;
  let longName: Buffer | undefined;
  let longLink: Buffer | undefined;
  try {
    for (;;) {
      const block = await reader.readExact(BLOCK);
      if (!block) return;
      if (isZero(block)) return;
      if (!checksumOk(block)) throw new TarFormatError(`bad header checksum at byte ${reader.position - BLOCK}`);
      const flag = String.fromCharCode(block[156] as number);
      const size = numeric(block, 124, 12);
      if (flag === 'x' || flag === 'g') {
        const records = parsePax(await readMeta(reader, size));
        if (flag === 'g') globalPax = new Map([...globalPax, ...records]);
        else pax = records;
        continue;
      }
      if (flag === 'L' || flag === 'K') {
        const data = await readMeta(reader, size);
        const nul = data.indexOf(0);
        const value = Buffer.from(nul === -1 ? data : data.subarray(0, nul));
        if (flag === 'L') longName = value;
        else longLink = value;
        continue;
      }
      const records = new Map([...globalPax, ...(pax ?? [])]);
      const magic = block.subarray(257, 263).toString('latin1');
      let name = field(block, 0, 100);
      if (magic === 'ustar\0') {
        const prefix = field(block, 345, 155);
        if (prefix.length > 0) name = Buffer.concat([prefix, Buffer.from('/'), name]);
      }
      name = records.get('path') ?? longName ?? Buffer.from(name);
      const rawLink = field(block, 157, 100);
      const linkName = records.get('linkpath') ?? longLink ?? (rawLink.length ? Buffer.from(rawLink) : null);
      const bodySize = paxInteger(records.get('size'), 'size') ?? size;
      const mtime = dateOf(paxNumber(records.get('mtime')) ?? numeric(block, 136, 12));
      const exact = /^(\d{1,15})(?:\.(\d{1,9})\d*)?$/.exec(records.get('mtime')?.toString('latin1') ?? '');
      const header: TarHeader = {
        name,
        linkName,
        type: TYPES[flag] ?? 'other',
        mode: numeric(block, 100, 8) & 0o7777,
        uid: paxInteger(records.get('uid'), 'uid') ?? numeric(block, 108, 8),
        gid: paxInteger(records.get('gid'), 'gid') ?? numeric(block, 116, 8),
        // Links, devices, directories and FIFOs carry no data whatever the size field says.
        size: flag === '1' || flag === '2' || flag === '3' || flag === '4' || flag === '5' || flag === '6' ? 0 : bodySize,
        ...(mtime ? { mtime } : {}),
        mtimeSec: exact ? Number(exact[1]) : numeric(block, 136, 12),
        mtimeNsec: exact?.[2] ? Number(exact[2].padEnd(9, '0')) : 0,
        ...(flag === '3' || flag === '4' ? { rdev: { major: numeric(block, 329, 8), minor: numeric(block, 337, 8) } } : {}),
        ...(records.get('SCHILY.xattr.trusted.overlay.opaque')?.toString('latin1') === 'y' ? { opaque: true } : {}),
      };
      pax = undefined;
      longName = undefined;
      longLink = undefined;
      const dataSize = header.size;
      let consumed = false;
      let started = false;
      const body: AsyncIterable<Buffer> = {
        [Symbol.asyncIterator]: () => {
          if (started) throw new Error('a tar entry body can be read once');
          started = true;
          const inner = reader.take(dataSize);
          return {
            next: async () => {
              const next = await inner.next();
              if (next.done) consumed = true;
              return next;
            },
            return: async () => {
              await inner.return(undefined);
              return { done: true, value: undefined };
            },
          };
        },
      };
      // A body read partway (the consumer broke out) is finished here; the bytes left are known.
      const before = reader.position;
      yield { header, body };
      if (!consumed) {
        const read = reader.position - before;
        await reader.skip(dataSize - read);
      }
      const padding = (BLOCK - (dataSize % BLOCK)) % BLOCK;
      if (padding) await reader.skip(padding);
    }
  } finally {
    await reader.close();
  }
}
