import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { link, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DrydockFailure } from '../errors';
import { hashingStream } from '../hashing-stream';
import { fsyncDir } from './blob-store';

/** An export target the examiner chose: absolute, in an existing folder, not yet there. */
export function checkNewFileTarget(target: string): void {
  if (!path.isAbsolute(target)) throw new DrydockFailure('invalid-input', `The export path must be absolute: ${target}`);
  const dir = path.dirname(target);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DrydockFailure('invalid-input', `The folder ${dir} does not exist`);
  if (existsSync(target)) throw new DrydockFailure('conflict', `${target} already exists; choose another name (nothing is overwritten)`);
}

/**
 * Streams a source into a new file: written beside the target under a temporary name, hashed on
 * the way, fsync'd, then linked into place, which fails rather than overwrite a file that
 * appeared meanwhile. On any failure the partial file is removed and the target never exists.
 */
export async function writeNewFile(
  target: string,
  source: AsyncIterable<unknown> | NodeJS.ReadableStream,
): Promise<{ bytes: number; sha256: string }> {
  checkNewFileTarget(target);
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target).slice(0, 100)}.${randomUUID()}.partial`);
  const hashing = hashingStream();
  try {
    await pipeline(source, hashing.stream, createWriteStream(temp, { flags: 'wx', mode: 0o644 }));
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await placeWithoutOverwrite(temp, target);
    await fsyncDir(dir);
  } catch (err) {
    // Already gone: the export failure thrown below is the one that matters.
    await rm(temp, { force: true }).catch(() => undefined);
    throw exportFailure(err, target);
  }
  return { bytes: hashing.bytes(), sha256: hashing.sha256() };
}

async function placeWithoutOverwrite(temp: string, target: string): Promise<void> {
  try {
    await link(temp, target);
    await rm(temp, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Filesystems without hard links (FAT, exFAT: the USB stick a bundle travels on).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') throw err;
    if (existsSync(target)) throw Object.assign(new Error(`${target} exists`), { code: 'EEXIST' });
    await rename(temp, target);
  }
}

function exportFailure(err: unknown, target: string): DrydockFailure {
  if (err instanceof DrydockFailure) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'EEXIST')
    return new DrydockFailure('conflict', `${target} already exists; choose another name (nothing is overwritten)`, { detail: code });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new DrydockFailure('permission-denied', `Cannot write ${target}: ${message}`, { detail: code, cause: err });
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new DrydockFailure('disk-full', `No space left to write ${target}; the partial file was removed`, { detail: code, cause: err });
  return new DrydockFailure('store', `Writing ${target} failed: ${message}`, { detail: code, cause: err });
}
