// rpm's package header as stored in its database (the "header blob" of rpm's lib/header.c
// headerExport/headerImport): a big-endian int32 index count `il`, an int32 data length `dl`, `il`
// index entries of 16 bytes (tag, type, offset into the data, count), then `dl` bytes of data.
// Written here, not taken from a library: no maintained JavaScript parser of installed rpm headers
// exists. Every field comes from a suspect filesystem: counts, offsets and lengths are bounded and
// checked against the blob before anything is read; a bad header is an RpmHeaderError, never a crash.

/** rpm's own limits (lib/header.c: HEADER_TAGS_MAX, HEADER_DATA_MAX). */
const MAX_TAGS = 0xffff;
const MAX_DATA = 0x0fffffff;
const ENTRY = 16;

export const RPM_TAG = {
  name: 1000,
  version: 1001,
  release: 1002,
  epoch: 1003,
  license: 1014,
  arch: 1022,
  sourceRpm: 1044,
  fileDigests: 1035,
  dirIndexes: 1116,
  baseNames: 1117,
  dirNames: 1118,
  fileDigestAlgo: 5011,
} as const;

/** rpm's tag types (rpmTagType). */
const TYPE = { char: 1, int8: 2, int16: 3, int32: 4, int64: 5, string: 6, bin: 7, stringArray: 8, i18nString: 9 } as const;

export class RpmHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RpmHeaderError';
  }
}

interface IndexEntry {
  type: number;
  offset: number;
  count: number;
}

/** A parsed header: typed readers over its index. */
export class RpmHeader {
  private constructor(
    private readonly data: Buffer,
    private readonly index: Map<number, IndexEntry>,
  ) {}

  /**
   * Parses a header blob (il, dl, index, data; no lead or magic).
   * @throws RpmHeaderError when the blob is shorter than its counts say, or over rpm's limits.
   */
  static parse(blob: Buffer): RpmHeader {
    if (blob.length < 8) throw new RpmHeaderError(`a header of ${blob.length} bytes is shorter than its 8-byte preamble`);
    const il = blob.readUInt32BE(0);
    const dl = blob.readUInt32BE(4);
    if (il < 1 || il > MAX_TAGS) throw new RpmHeaderError(`a header claims ${il} index entries (rpm allows 1 to ${MAX_TAGS})`);
    if (dl > MAX_DATA) throw new RpmHeaderError(`a header claims ${dl} data bytes (rpm allows up to ${MAX_DATA})`);
    const dataStart = 8 + il * ENTRY;
    if (blob.length < dataStart + dl)
      throw new RpmHeaderError(`a header of ${blob.length} bytes is shorter than its ${il} entries and ${dl} data bytes`);
    const data = blob.subarray(dataStart, dataStart + dl);
    const index = new Map<number, IndexEntry>();
    for (let i = 0; i < il; i++) {
      const at = 8 + i * ENTRY;
      const tag = blob.readUInt32BE(at);
      const entry = { type: blob.readUInt32BE(at + 4), offset: blob.readUInt32BE(at + 8), count: blob.readUInt32BE(at + 12) };
      if (entry.offset > dl) throw new RpmHeaderError(`tag ${tag} points at byte ${entry.offset} of ${dl} data bytes`);
      if (!index.has(tag)) index.set(tag, entry);
    }
    return new RpmHeader(data, index);
  }

  /** A STRING or I18NSTRING tag (the first string for I18N), or undefined when absent or of another type. */
  string(tag: number): string | undefined {
    const e = this.index.get(tag);
    if (!e || (e.type !== TYPE.string && e.type !== TYPE.i18nString && e.type !== TYPE.stringArray)) return undefined;
    return this.strings(e, 1)[0];
  }

  /** A STRING_ARRAY tag's strings (at most `count`, each NUL-terminated inside the data). */
  stringArray(tag: number): string[] {
    const e = this.index.get(tag);
    if (!e || (e.type !== TYPE.stringArray && e.type !== TYPE.i18nString)) return [];
    return this.strings(e, e.count);
  }

  /** An INT32 tag's values (big-endian, bounded by the data). */
  int32(tag: number): number[] {
    const e = this.index.get(tag);
    if (!e || e.type !== TYPE.int32) return [];
    if (e.count > (this.data.length - e.offset) / 4) throw new RpmHeaderError(`INT32 tag ${tag} claims ${e.count} values past the data`);
    const out: number[] = [];
    for (let i = 0; i < e.count; i++) out.push(this.data.readInt32BE(e.offset + i * 4));
    return out;
  }

  private strings(e: IndexEntry, count: number): string[] {
    if (count > this.data.length) throw new RpmHeaderError(`a string tag claims ${count} strings in ${this.data.length} data bytes`);
    const out: string[] = [];
    let at = e.offset;
    for (let i = 0; i < count; i++) {
      const end = this.data.indexOf(0, at);
      if (end === -1) throw new RpmHeaderError(`a string at data byte ${at} has no terminating NUL`);
      out.push(this.data.toString('utf8', at, end));
      at = end + 1;
    }
    return out;
  }
}

export interface RpmPackage {
  name: string;
  /** [EPOCH:]VERSION-RELEASE */
  version: string;
  epoch?: number;
  architecture?: string;
  sourceName?: string;
  sourceVersion?: string;
  license?: string;
}

/** Name, version and source of an installed package's header; undefined for headers without a name (gpg-pubkey entries have no arch and are kept). */
export function rpmPackageOf(header: RpmHeader): RpmPackage | undefined {
  const name = header.string(RPM_TAG.name);
  const version = header.string(RPM_TAG.version);
  if (!name || !version) return undefined;
  const release = header.string(RPM_TAG.release);
  const epoch = header.int32(RPM_TAG.epoch)[0];
  const arch = header.string(RPM_TAG.arch);
  const license = header.string(RPM_TAG.license);
  // SOURCERPM is NAME-VERSION-RELEASE.src.rpm: the name is what stands before the last two dashes.
  const source = /^(.+)-([^-]+-[^-]+)\.(?:no)?src\.rpm$/.exec(header.string(RPM_TAG.sourceRpm) ?? '');
  const evr = `${epoch !== undefined && epoch !== 0 ? `${epoch}:` : ''}${version}${release ? `-${release}` : ''}`;
  return {
    name,
    version: evr,
    ...(epoch !== undefined ? { epoch } : {}),
    ...(arch ? { architecture: arch } : {}),
    ...(source ? { sourceName: source[1] as string, sourceVersion: source[2] as string } : {}),
    ...(license ? { license } : {}),
  };
}
