import { execFile } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { DataRootInfo, DataRootKind } from '../../../shared/domain/dataroot';
import type { LayerEntry, LayerWalk } from '../drift/layer-drift';
import { DrydockFailure } from '../errors';
import { ConfinedDir, ioFailure } from './confined-dir';
import { statType } from './entry-types';
import { mountWarnings } from './mount-check';
import { TarRoot } from './tar-root';

// A data root as a read-only source, whatever form it came in: a directory (a mounted disk image,
// a copied tree) read in place, or a tar archive of one read as a stream. Both answer the same
// questions: list a metadata directory, read a small metadata file, walk layer trees, stream a log.

/** The most bytes one metadata file (config.v2.json, an image config...) may hold: larger is refused, not read. */
export const METADATA_FILE_LIMIT = 16 * 1024 * 1024;
/** Entries walked per layer tree: past it the walk stops and says so (a hostile tree of millions). */
const MAX_TREE_ENTRIES = 2_000_000;
/** Entries of one directory looked at concurrently. */
const SIBLING_BATCH = 32;
/** Files up to this size are read whole, ahead of their visit (at most SIBLING_BATCH of them at once: 32 MiB). */
const PREFETCH_FILE_BYTES = 1024 * 1024;
/** Storage drivers Docker has had; only overlay2 is read. */
const STORAGE_DRIVERS = ['overlay2', 'overlay', 'aufs', 'btrfs', 'zfs', 'devicemapper', 'vfs', 'fuse-overlayfs', 'windowsfilter'];

export interface DataRootSource {
  info: DataRootInfo;
  /** Names in a directory of the data root (relative path, '' for the root), or undefined. */
  list(rel: string): Promise<string[] | undefined>;
  /** A small file; undefined when absent. @throws DrydockFailure('invalid-input') over `limit`; ('integrity') for a symlink. */
  readFile(rel: string, limit?: number): Promise<Buffer | undefined>;
  exists(rel: string): Promise<boolean>;
  walkLayers: LayerWalk;
  /** A file's bytes as a stream (a log); undefined when absent. */
  stream(rel: string): Promise<AsyncIterable<Buffer> | undefined>;
  /** Warnings learnt while reading (O_NOATIME refused...), added to info.warnings by the caller. */
  lateWarnings(): string[];
}

/**
 * Opens `given` (a directory or a tar archive, plain or gzip) as a data root, read-only.
 * @throws DrydockFailure('not-found') when nothing is there; ('invalid-input') when it is neither a
 * directory nor a regular file, or holds no Docker data root; ('permission-denied').
 */
export async function openDataRoot(given: string): Promise<DataRootSource> {
  const abs = path.resolve(given);
  let stat;
  try {
    stat = await fsp.stat(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DrydockFailure('not-found', `No data root at ${abs}: nothing is there`);
    throw ioFailure(err, abs);
  }
  const host = `data-root:${abs}`;
  if (stat.isDirectory()) return directorySource(await fsp.realpath(abs), abs, host);
  if (stat.isFile()) return tarSource(abs, host);
  throw new DrydockFailure('invalid-input', `${abs} is neither a directory nor a tar archive of a Docker data root`);
}

async function drivers(list: (rel: string) => Promise<string[] | undefined>): Promise<string[]> {
  const top = (await list('')) ?? [];
  return STORAGE_DRIVERS.filter((d) => top.includes(d));
}

function info(abs: string, host: string, kind: DataRootKind, storageDrivers: string[], warnings: string[]): DataRootInfo {
  const unsupported = storageDrivers.filter((d) => d !== 'overlay2');
  return {
    host,
    path: abs,
    kind,
    storageDrivers,
    warnings: [
      ...warnings,
      ...unsupported.map(
        (d) =>
          `The storage driver directory ${d}/ is present: only overlay2 is read so far; containers on ${d} are listed, their files are not`,
      ),
    ],
  };
}

async function directorySource(real: string, abs: string, host: string): Promise<DataRootSource> {
  const dir = new ConfinedDir(real);
  const list = async (rel: string) => (await dir.list(rel))?.map((b) => b.toString('utf8'));
  const top = (await list('')) ?? [];
  if (!top.includes('containers') && !top.includes('image'))
    throw new DrydockFailure('invalid-input', `${abs} holds no Docker data root (no containers/ or image/ directory)`);
  const warnings = await mountWarnings(real);
  if (process.platform !== 'linux')
    warnings.push(
      'A copied data root is read on a machine that is not Linux: whiteouts (character devices 0/0) and overlay extended attributes do not survive a copy there; read a tarball or a disk image instead',
    );
  const opaqueNote = await opaqueToolNote();
  if (opaqueNote) warnings.push(opaqueNote);
  return {
    info: info(abs, host, 'directory', await drivers(list), warnings),
    list,
    readFile: (rel, limit = METADATA_FILE_LIMIT) => dir.readFile(rel, limit),
    exists: async (rel) => (await dir.lstat(rel)) !== undefined,
    stream: (rel) => dir.stream(rel),
    walkLayers: (layers, visit, options) => walkDirectoryLayers(dir, layers, visit, { contents: options?.contents ?? true }),
    lateWarnings: () =>
      dir.noatimeRefused
        ? ['Some files could not be opened with O_NOATIME (not their owner): reading them may have updated their access times']
        : [],
  };
}

async function tarSource(abs: string, host: string): Promise<DataRootSource> {
  const tar = new TarRoot(abs, METADATA_FILE_LIMIT);
  const index = await tar.load();
  const list = (rel: string) => tar.list(rel);
  const top = (await list('')) ?? [];
  if (!top.includes('containers') && !top.includes('image'))
    throw new DrydockFailure('invalid-input', `The tar archive ${abs} holds no Docker data root (no containers/ or image/ directory)`);
  const warnings: string[] = [
    'Read from a tar archive: opaque directories are seen only when it was made with --xattrs (trusted.overlay.opaque) or holds .wh..wh..opq markers',
  ];
  if (index.refusedNames.length)
    warnings.push(
      `The archive holds entries named outside it (absolute or with '..'), ignored and never written: ${index.refusedNames
        .slice(0, 5)
        .map((n) => JSON.stringify(n))
        .join(', ')}${index.refusedNames.length > 5 ? ', …' : ''}`,
    );
  return {
    info: info(abs, host, 'tarball', await drivers(list), warnings),
    list,
    readFile: (rel) => tar.readFile(rel),
    exists: (rel) => tar.has(rel),
    stream: async (rel) => ((await tar.has(rel)) ? tar.stream(rel) : undefined),
    walkLayers: (layers, visit) => tar.walkLayers(layers, visit),
    lateWarnings: () =>
      tar.noatimeRefused
        ? ['The archive could not be opened with O_NOATIME (not its owner): reading it may have updated its access time']
        : [],
  };
}

/** Why opaque directories may go unseen in a directory read, or undefined when they will be seen. */
async function opaqueToolNote(): Promise<string | undefined> {
  if (!(await getfattrPresent()))
    return "getfattr (Debian's attr package) is not installed: opaque directories (trusted.overlay.opaque) are not seen, only .wh..wh..opq markers";
  if (process.getuid?.() !== 0)
    return 'Not running as root: trusted.* extended attributes are invisible, so opaque directories (trusted.overlay.opaque) are not seen';
  return undefined;
}

let getfattrChecked: Promise<boolean> | undefined;
function getfattrPresent(): Promise<boolean> {
  getfattrChecked ??= new Promise((resolve) => execFile('getfattr', ['--version'], (err) => resolve(!err)));
  return getfattrChecked;
}

/**
 * The directories under `abs` that carry trusted.overlay.opaque=y, read with getfattr (never
 * following symlinks: -h -P); relative paths ('/a/b'). getfattr prints names with octal escapes.
 */
async function opaqueDirs(abs: string): Promise<Set<string>> {
  const out = new Set<string>();
  if (!(await getfattrPresent())) return out;
  const text = await new Promise<string>((resolve) =>
    execFile(
      'getfattr',
      ['-h', '-P', '-R', '--absolute-names', '-e', 'hex', '-n', 'trusted.overlay.opaque', '--', abs],
      { maxBuffer: 64 * 1024 * 1024, encoding: 'latin1' },
      // getfattr exits 1 when some files lack the attribute: its stdout still lists those that have it.
      (_err, stdout) => resolve(stdout),
    ),
  );
  let file: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) file = unescapeGetfattr(line.slice(8));
    else if (file !== undefined && line === 'trusted.overlay.opaque=0x79') {
      const raw = Buffer.from(file, 'latin1').toString('utf8');
      if (raw === abs) out.add('/');
      else if (raw.startsWith(`${abs}/`)) out.add(raw.slice(abs.length));
    }
  }
  return out;
}

function unescapeGetfattr(text: string): string {
  return text.replace(/\\(\\|[0-7]{3})/g, (_m, code: string) => (code === '\\' ? '\\' : String.fromCharCode(parseInt(code, 8))));
}

async function walkDirectoryLayers(
  dir: ConfinedDir,
  layers: readonly string[],
  visit: (layer: number, entry: LayerEntry, open: (() => AsyncIterable<Buffer>) | undefined) => Promise<void>,
  options: { contents: boolean },
): Promise<void> {
  for (let i = 0; i < layers.length; i++) {
    const base = `overlay2/${layers[i] as string}/diff`;
    const stat = await dir.lstat(base);
    if (!stat) continue;
    if (!stat.isDirectory())
      throw new DrydockFailure(
        'integrity',
        `${path.join(dir.root, base)} is ${stat.isSymbolicLink() ? 'a symlink' : 'not a directory'}: a layer's tree must be a directory of the data root; not followed`,
      );
    const opaque = await opaqueDirs(dir.resolve(base));
    let count = 0;
    const walkDir = async (rel: string, inner: string): Promise<void> => {
      const names = (await dir.list(rel)) ?? [];
      count += names.length;
      if (count > MAX_TREE_ENTRIES)
        throw new DrydockFailure(
          'unsupported',
          `${path.join(dir.root, base)} holds more than ${MAX_TREE_ENTRIES} entries: not read further`,
        );
      // Siblings are looked at (and small files read) a batch at a time, concurrently: one file at a
      // time, each read is several round trips through libuv's thread pool. Visits stay in order.
      for (let at = 0; at < names.length; at += SIBLING_BATCH) {
        const batch = await Promise.all(
          names.slice(at, at + SIBLING_BATCH).map(async (name) => {
            // Names are handed to the filesystem as UTF-8 text: a name that is not valid UTF-8 cannot be
            // reopened from it (rare: Docker's own names are ASCII).
            const nameText = name.toString('utf8');
            const childRel = `${rel}/${nameText}`;
            const st = await dir.lstat(childRel);
            const small =
              st?.isFile() && options.contents && st.size <= BigInt(PREFETCH_FILE_BYTES)
                ? await dir.readFile(childRel, PREFETCH_FILE_BYTES)
                : undefined;
            const link = st?.isSymbolicLink() ? await dir.readlink(childRel) : undefined;
            return { name, nameText, childRel, st, small, link };
          }),
        );
        for (const { name, nameText, childRel, st, small, link } of batch) {
          if (!st) continue;
          const innerText = inner === '/' ? `/${nameText}` : `${inner}/${nameText}`;
          const type = statType(st);
          const entry: LayerEntry = {
            raw: Buffer.concat([Buffer.from(inner === '/' ? '' : inner, 'utf8'), Buffer.from('/'), name]),
            type,
            mode: Number(st.mode & 0o7777n),
            uid: Number(st.uid),
            gid: Number(st.gid),
            size: Number(st.size),
            mtimeSec: Number(st.mtimeNs / 1_000_000_000n),
            mtimeNsec: Number(st.mtimeNs % 1_000_000_000n),
            ...(type === 'char-device' || type === 'block-device'
              ? {
                  rdev: {
                    major: Number(((st.rdev >> 8n) & 0xfffn) | ((st.rdev >> 32n) & ~0xfffn)),
                    minor: Number((st.rdev & 0xffn) | ((st.rdev >> 12n) & ~0xffn)),
                  },
                }
              : {}),
            ...(link ? { linkRaw: link } : {}),
            ...(type === 'directory' && opaque.has(innerText) ? { opaque: true } : {}),
          };
          const open = type !== 'file' ? undefined : small ? () => once(small) : () => streamOf(dir, childRel);
          await visit(i, entry, open);
          if (type === 'directory') await walkDir(childRel, innerText);
        }
      }
    };
    await walkDir(base, '/');
  }
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  if (bytes.length) yield bytes;
}

async function* streamOf(dir: ConfinedDir, rel: string): AsyncGenerator<Buffer> {
  const stream = await dir.stream(rel);
  if (stream) yield* stream;
}
