import { constants, promises as fsp, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { DrydockFailure } from '../errors';

// A data root directory read in place and never written. Node has no openat(2), so confinement is
// done by hand: every relative path is checked component by component (no '', '.', '..' or NUL),
// every ancestor is lstat'ed and must be a real directory (never a symlink), and the file itself is
// opened with O_NOFOLLOW. Files are opened O_RDONLY|O_NOATIME so reading them does not change their
// access time (O_NOATIME needs the file's owner or CAP_FOWNER: without it the file is opened
// without, once warned). Directories are listed with readdir, which cannot take O_NOATIME from
// Node: on a mount that records access times, listing can update a directory's atime, which is why
// the source warns when the data root is on such a mount (see mount-check.ts).

/** The open flags of every file read: read-only, no symlink followed, no access time written. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | (constants.O_NOATIME ?? 0);
const READ_FLAGS_WITH_ATIME = constants.O_RDONLY | constants.O_NOFOLLOW;

export class ConfinedDir {
  /** Ancestors already checked to be real directories (relative paths). */
  private readonly verified = new Set<string>(['']);
  /** Set when O_NOATIME was refused for a file (not its owner, no CAP_FOWNER). */
  noatimeRefused = false;

  /** `root`: an absolute path to the data root, already resolved by the caller. */
  constructor(readonly root: string) {}

  /**
   * The absolute path of `rel` inside the root after checking every component.
   * @throws DrydockFailure('invalid-input') for a component that is empty, '.', '..' or holds NUL.
   */
  resolve(rel: string): string {
    if (rel === '') return this.root;
    for (const part of rel.split('/')) {
      if (part === '' || part === '.' || part === '..' || part.includes('\0'))
        throw new DrydockFailure('invalid-input', `The data root path ${JSON.stringify(rel)} leaves the data root ${this.root}: not read`);
    }
    return path.join(this.root, rel);
  }

  /**
   * lstat of `rel` (never following it) after checking each ancestor is a directory and not a
   * symlink; undefined when it or an ancestor does not exist.
   * @throws DrydockFailure('integrity') when an ancestor is a symlink or not a directory (it would lead out of the root).
   */
  async lstat(rel: string): Promise<BigIntStats | undefined> {
    const abs = this.resolve(rel);
    if (!(await this.ancestorsOk(rel))) return undefined;
    try {
      return await fsp.lstat(abs, { bigint: true });
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw ioFailure(err, abs);
    }
  }

  /**
   * The whole file, when it is a regular file of at most `limit` bytes; undefined when missing.
   * @throws DrydockFailure('integrity') when it is a symlink or not a regular file; ('invalid-input')
   * when it is larger than `limit` (nothing is read then).
   */
  async readFile(rel: string, limit: number): Promise<Buffer | undefined> {
    const stat = await this.lstat(rel);
    if (!stat) return undefined;
    const abs = this.resolve(rel);
    if (!stat.isFile())
      throw new DrydockFailure(
        'integrity',
        `${abs} is ${stat.isSymbolicLink() ? 'a symlink' : 'not a regular file'}: not followed, not read`,
      );
    if (stat.size > BigInt(limit))
      throw new DrydockFailure('invalid-input', `${abs} is ${stat.size} bytes, over the ${limit}-byte limit for this file: not read`);
    const handle = await this.open(abs);
    try {
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const buffer = Buffer.allocUnsafe(64 * 1024);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        total += bytesRead;
        if (total > limit) throw new DrydockFailure('invalid-input', `${abs} grew past the ${limit}-byte limit while read: not read`);
        chunks.push(buffer.subarray(0, bytesRead));
      }
      return Buffer.concat(chunks, total);
    } finally {
      await handle.close();
    }
  }

  /** A regular file's bytes as a stream (O_NOATIME, O_NOFOLLOW); undefined when missing. */
  async stream(rel: string): Promise<AsyncIterable<Buffer> | undefined> {
    const stat = await this.lstat(rel);
    if (!stat) return undefined;
    const abs = this.resolve(rel);
    if (!stat.isFile())
      throw new DrydockFailure(
        'integrity',
        `${abs} is ${stat.isSymbolicLink() ? 'a symlink' : 'not a regular file'}: not followed, not read`,
      );
    const handle = await this.open(abs);
    return handle.createReadStream({ autoClose: true, highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>;
  }

  /** The names in a directory (raw bytes), or undefined when it is missing or not a directory. */
  async list(rel: string): Promise<Buffer[] | undefined> {
    const stat = await this.lstat(rel);
    if (!stat?.isDirectory()) return undefined;
    try {
      return (await fsp.readdir(this.resolve(rel), { encoding: 'buffer' })).sort(Buffer.compare);
    } catch (err) {
      throw ioFailure(err, this.resolve(rel));
    }
  }

  /** The target of a symlink, as raw bytes (never followed). */
  async readlink(rel: string): Promise<Buffer> {
    return fsp.readlink(this.resolve(rel), { encoding: 'buffer' });
  }

  private async open(abs: string): Promise<fsp.FileHandle> {
    try {
      return await fsp.open(abs, READ_FLAGS);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPERM' && READ_FLAGS !== READ_FLAGS_WITH_ATIME) {
        this.noatimeRefused = true;
        return fsp.open(abs, READ_FLAGS_WITH_ATIME).catch((again: unknown) => {
          throw ioFailure(again, abs);
        });
      }
      throw ioFailure(err, abs);
    }
  }

  /** Every ancestor of `rel` is a real directory (not a symlink); false when one is missing. */
  private async ancestorsOk(rel: string): Promise<boolean> {
    const parts = rel.split('/');
    let at = '';
    for (let i = 0; i < parts.length - 1; i++) {
      at = at === '' ? (parts[i] as string) : `${at}/${parts[i] as string}`;
      if (this.verified.has(at)) continue;
      let stat: BigIntStats;
      try {
        stat = await fsp.lstat(path.join(this.root, at), { bigint: true });
      } catch (err) {
        if (isMissing(err)) return false;
        throw ioFailure(err, path.join(this.root, at));
      }
      if (stat.isSymbolicLink())
        throw new DrydockFailure(
          'integrity',
          `${path.join(this.root, at)} is a symlink: the data root is read without following links out of it (${rel} not read)`,
        );
      if (!stat.isDirectory()) return false;
      this.verified.add(at);
    }
    return true;
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** An I/O error on the data root as a DrydockFailure naming the file. */
export function ioFailure(err: unknown, abs: string): DrydockFailure {
  if (err instanceof DrydockFailure) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EACCES' || e.code === 'EPERM')
    return new DrydockFailure('permission-denied', `${abs} cannot be read (${e.code}): read the data root as root`, { cause: err });
  if (e.code === 'ELOOP') return new DrydockFailure('integrity', `${abs} is a symlink: not followed, not read`, { cause: err });
  return new DrydockFailure('unsupported', `${abs} cannot be read: ${e.message}`, { cause: err });
}
