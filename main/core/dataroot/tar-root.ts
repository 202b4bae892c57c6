import { constants, promises as fsp } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';

/** A tar header as tar-stream gives it (pax records included when the archive has them). */
type Headers = Omit<Header, 'pax'> & { pax?: Record<string, string> | null };
import type { LayerEntry } from '../drift/layer-drift';
import { DrydockFailure } from '../errors';
import { ioFailure } from './confined-dir';
import { layerEntryType } from './entry-types';

// A data root inside a tar archive (plain or gzip), read in place: never unpacked, every pass a
// fresh stream over the file (opened O_RDONLY|O_NOATIME). The first pass keeps the small metadata
// files Docker writes (config.v2.json, hostconfig.json, the image and layer databases) in memory,
// each under a size limit, and the names outside the layer trees; later passes stream the layer
// trees and log files asked for. Entry names are checked: an absolute name or one with a '..'
// component leaves the archive and is ignored (counted, reported), never written anywhere.
// The archive's layout is POSIX/GNU tar (pax headers carry long names and, with `tar --xattrs`,
// SCHILY.xattr.* extended attributes such as trusted.overlay.opaque).

/** Metadata files kept from the first pass (relative to the data root). */
const KEPT = [
  /^containers\/[^/]+\/(config\.v2|hostconfig)\.json$/,
  /^image\/[^/]+\/repositories\.json$/,
  /^image\/[^/]+\/imagedb\/content\/sha256\/[^/]+$/,
  /^image\/[^/]+\/imagedb\/metadata\/sha256\/[^/]+\/(parent|lastUpdated)$/,
  /^image\/[^/]+\/layerdb\/sha256\/[^/]+\/(diff|cache-id|parent|size)$/,
  /^image\/[^/]+\/layerdb\/mounts\/[^/]+\/(mount-id|init-id|parent)$/,
  /^overlay2\/[^/]+\/(link|lower)$/,
];
/** Trees whose entries are not listed in the first pass (they are walked later when asked). */
const TREE = /^(overlay2\/[^/]+\/(diff|work|merged)\/|volumes\/[^/]+\/_data\/|containers\/[^/]+\/(mounts|checkpoints)\/)/;
/** Bytes of metadata kept in memory in all. */
const KEPT_TOTAL_LIMIT = 512 * 1024 * 1024;

interface KeptFile {
  bytes?: Buffer;
  /** Why it was not kept (over its limit). */
  refused?: string;
  type: string;
}

export interface TarIndex {
  /** What the archive holds under the data root, directory → names (metadata part only). */
  dirs: Map<string, Set<string>>;
  files: Map<string, KeptFile>;
  /** Entries named outside the archive (absolute, '..'): ignored. */
  refusedNames: string[];
  /** The directory inside the archive that is the data root ('' or 'name/'). */
  prefix: string;
}

/** Turns an archive entry name into a relative path, or null when it leaves the archive. */
export function archiveName(name: string): string | null {
  let n = name;
  while (n.startsWith('./')) n = n.slice(2);
  n = n.replace(/\/+$/, '');
  if (n === '' || n === '.') return '';
  if (n.startsWith('/') || n.includes('\0')) return null;
  const parts = n.split('/');
  if (parts.some((p) => p === '..' || p === '')) return null;
  return parts.filter((p) => p !== '.').join('/');
}

export class TarRoot {
  private index: TarIndex | undefined;
  noatimeRefused = false;

  /** `file`: the absolute path of the archive; `fileLimit`: the most bytes one metadata file may hold. */
  constructor(
    readonly file: string,
    private readonly fileLimit: number,
  ) {}

  /**
   * Reads the archive once and keeps its metadata (see KEPT); idempotent.
   * @throws DrydockFailure('invalid-input') when the file is not a tar archive; ('permission-denied').
   */
  async load(): Promise<TarIndex> {
    if (this.index) return this.index;
    const raw = new Map<string, KeptFile>();
    const names: string[] = [];
    const refusedNames: string[] = [];
    let keptBytes = 0;
    await this.pass(async (header, body) => {
      const rel = archiveName(header.name);
      if (rel === null) {
        if (refusedNames.length < 100) refusedNames.push(header.name);
        return;
      }
      if (rel === '') return;
      // The data root may be the archive's top or one directory in it ('docker/containers/...').
      const inner = rel.includes('/') && !/^(containers|image|overlay2|volumes)(\/|$)/.test(rel) ? rel.slice(rel.indexOf('/') + 1) : rel;
      if (!TREE.test(inner)) names.push(rel);
      if (header.type === 'file' && KEPT.some((re) => re.test(inner))) {
        if (header.size > this.fileLimit || keptBytes + header.size > KEPT_TOTAL_LIMIT) {
          raw.set(rel, {
            type: 'file',
            refused: `${header.size} bytes, over the ${this.fileLimit}-byte limit for this file: not read`,
          });
          return;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(chunk as Buffer);
        const bytes = Buffer.concat(chunks);
        keptBytes += bytes.length;
        raw.set(rel, { type: 'file', bytes });
      } else if (KEPT.some((re) => re.test(inner))) {
        raw.set(rel, { type: header.type ?? 'other' });
      }
    });
    const prefix = names.some((n) => /^(containers|image)(\/|$)/.test(n))
      ? ''
      : (() => {
          const top = names.find((n) => /^[^/]+\/(containers|image)(\/|$)/.test(n));
          return top ? `${top.slice(0, top.indexOf('/'))}/` : '';
        })();
    const dirs = new Map<string, Set<string>>();
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      const inner = name.slice(prefix.length);
      if (inner === '') continue;
      const parts = inner.split('/');
      for (let i = 0; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        let set = dirs.get(dir);
        if (!set) dirs.set(dir, (set = new Set()));
        set.add(parts[i] as string);
      }
    }
    const files = new Map<string, KeptFile>();
    for (const [name, kept] of raw) if (name.startsWith(prefix)) files.set(name.slice(prefix.length), kept);
    this.index = { dirs, files, refusedNames, prefix };
    return this.index;
  }

  /** Names in a directory of the data root (metadata part), or undefined. */
  async list(rel: string): Promise<string[] | undefined> {
    const index = await this.load();
    const set = index.dirs.get(rel);
    return set ? [...set].sort() : undefined;
  }

  /**
   * A metadata file kept by the first pass; undefined when the archive has none.
   * @throws DrydockFailure('invalid-input') when it was over the limit; ('integrity') when the entry is not a regular file.
   */
  async readFile(rel: string): Promise<Buffer | undefined> {
    const index = await this.load();
    const kept = index.files.get(rel);
    if (!kept) return undefined;
    if (kept.refused) throw new DrydockFailure('invalid-input', `${rel} in the tarball ${this.file} is ${kept.refused}`);
    if (!kept.bytes)
      throw new DrydockFailure('integrity', `${rel} in the tarball ${this.file} is a ${kept.type}, not a regular file: not read`);
    return kept.bytes;
  }

  /** Whether `rel` names a directory or file the first pass saw. */
  async has(rel: string): Promise<boolean> {
    const index = await this.load();
    const slash = rel.lastIndexOf('/');
    return index.dirs.get(slash < 0 ? '' : rel.slice(0, slash))?.has(slash < 0 ? rel : rel.slice(slash + 1)) ?? false;
  }

  /**
   * One pass over the archive visiting the entries of the given layer trees (overlay2/<id>/diff).
   * A body not read by the visitor is skipped.
   */
  async walkLayers(
    layers: readonly string[],
    visit: (layer: number, entry: LayerEntry, open: (() => AsyncIterable<Buffer>) | undefined) => Promise<void>,
  ): Promise<void> {
    const index = await this.load();
    const roots = new Map(layers.map((id, i) => [`${index.prefix}overlay2/${id}/diff`, i]));
    await this.pass(async (header, body) => {
      const rel = archiveName(header.name);
      if (!rel?.startsWith(`${index.prefix}overlay2/`)) return;
      const parts = rel.slice(index.prefix.length).split('/');
      if (parts.length < 4 || parts[2] !== 'diff') return;
      const layer = roots.get(`${index.prefix}overlay2/${parts[1] as string}/diff`);
      if (layer === undefined) return;
      const inner = `/${parts.slice(3).join('/')}`;
      // A hard link names another entry of the archive: kept as a path in the same layer when it is one.
      const target = header.type === 'link' && header.linkname ? archiveName(header.linkname) : null;
      const base = `${index.prefix}overlay2/${parts[1] as string}/diff/`;
      const link = target?.startsWith(base) ? `/${target.slice(base.length)}` : undefined;
      const entry = tarEntry(inner, header, link);
      await visit(layer, entry, entry.type === 'file' ? () => body : undefined);
    });
  }

  /** One pass yielding the bytes of one regular file (a log file); undefined when the archive has none. */
  async *stream(rel: string): AsyncGenerator<Buffer> {
    const index = await this.load();
    const wanted = `${index.prefix}${rel}`;
    let found = false;
    // Collected per pass would hold a whole log in memory: instead the pass hands chunks over one by one.
    const queue = new ChunkQueue();
    const done = this.pass(async (header, body) => {
      if (found || archiveName(header.name) !== wanted || header.type !== 'file') return;
      found = true;
      for await (const chunk of body) await queue.put(chunk as Buffer);
    }).then(
      () => queue.end(),
      (err: unknown) => queue.fail(err),
    );
    for (;;) {
      const next = await queue.take();
      if (next === undefined) break;
      yield next;
    }
    await done;
  }

  /** One streaming pass over the archive; `visit` may read `body` or leave it (then it is skipped). */
  private async pass(visit: (header: Headers, body: AsyncIterable<Buffer>) => Promise<void>): Promise<void> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(this.file, constants.O_RDONLY | constants.O_NOFOLLOW | (constants.O_NOATIME ?? 0));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw ioFailure(err, this.file);
      this.noatimeRefused = true;
      handle = await fsp.open(this.file, constants.O_RDONLY | constants.O_NOFOLLOW).catch((again: unknown) => {
        throw ioFailure(again, this.file);
      });
    }
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    const file = handle.createReadStream({ autoClose: true, start: 0, highWaterMark: 1024 * 1024 });
    const tar = extract();
    const onError = (err: unknown) => tar.destroy(err instanceof Error ? err : new Error(String(err)));
    if (head[0] === 0x1f && head[1] === 0x8b) pipeline(file, createGunzip(), tar, (err) => err && onError(err));
    else pipeline(file, tar, (err) => err && onError(err));
    try {
      for await (const entry of tar) {
        await visit(entry.header as Headers, entry as AsyncIterable<Buffer>);
        entry.resume();
      }
    } catch (err) {
      if (err instanceof DrydockFailure) throw err;
      throw new DrydockFailure('invalid-input', `${this.file} could not be read as a tar archive: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      file.destroy();
    }
  }
}

/** A tar header as a layer entry (inner: the path inside the layer, absolute). */
function tarEntry(inner: string, header: Headers, hardlinkTarget: string | undefined): LayerEntry {
  const pax = (header.pax ?? {}) as Record<string, string>;
  const type = layerEntryType(header.type ?? 'file');
  const mtime = header.mtime instanceof Date ? header.mtime.getTime() : 0;
  const paxMtime = pax.mtime !== undefined ? /^(\d+)(?:\.(\d{1,9}))?$/.exec(pax.mtime) : null;
  return {
    raw: Buffer.from(inner, 'utf8'),
    type,
    mode: (header.mode ?? 0) & 0o7777,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
    size: type === 'file' ? (header.size ?? 0) : 0,
    mtimeSec: paxMtime ? Number(paxMtime[1]) : Math.floor(mtime / 1000),
    mtimeNsec: paxMtime?.[2] ? Number(paxMtime[2].padEnd(9, '0')) : 0,
    ...(type === 'char-device' || type === 'block-device' ? { rdev: { major: header.devmajor ?? 0, minor: header.devminor ?? 0 } } : {}),
    ...(header.type === 'symlink' && header.linkname ? { linkRaw: Buffer.from(header.linkname, 'utf8') } : {}),
    ...(header.type === 'link' ? { linkRaw: Buffer.from(hardlinkTarget ?? `(outside this layer) ${header.linkname ?? ''}`, 'utf8') } : {}),
    ...(pax['SCHILY.xattr.trusted.overlay.opaque'] === 'y' ? { opaque: true } : {}),
  };
}

/** A one-slot hand-over between the archive pass and a reader: bounded memory, backpressure both ways. */
class ChunkQueue {
  private slot: Buffer | undefined;
  private finished = false;
  private error: unknown;
  private wakeTaker: (() => void) | undefined;
  private wakePutter: (() => void) | undefined;

  async put(chunk: Buffer): Promise<void> {
    while (this.slot !== undefined) await new Promise<void>((r) => (this.wakePutter = r));
    this.slot = chunk;
    this.wakeTaker?.();
  }

  end(): void {
    this.finished = true;
    this.wakeTaker?.();
  }

  fail(err: unknown): void {
    this.error = err;
    this.finished = true;
    this.wakeTaker?.();
  }

  async take(): Promise<Buffer | undefined> {
    while (this.slot === undefined && !this.finished) await new Promise<void>((r) => (this.wakeTaker = r));
    if (this.error !== undefined) throw this.error instanceof Error ? this.error : new Error(String(this.error));
    const chunk = this.slot;
    this.slot = undefined;
    this.wakePutter?.();
    return chunk;
  }
}
