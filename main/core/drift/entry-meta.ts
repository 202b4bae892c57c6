import { isUtf8 } from 'node:buffer';
import type { DriftFileMeta } from '../../../shared/domain/drift';
import { entryPath } from './path-text';
import type { TarHeader } from './tar-reader';

/**
 * A tar header as file metadata. A hardlink's target is another entry of the same archive, so it
 * is made absolute the same way entry names are; a symlink's target is kept exactly as written.
 */
export function headerMeta(root: string, header: TarHeader): DriftFileMeta & { linkRaw?: Buffer } {
  const meta: DriftFileMeta & { linkRaw?: Buffer } = {
    type: header.type,
    mode: header.mode,
    uid: header.uid,
    gid: header.gid,
    size: header.size,
    ...(header.mtime && Number.isFinite(header.mtime.getTime()) ? { mtime: header.mtime.toISOString() } : {}),
  };
  if (header.linkName) {
    const raw = header.type === 'hardlink' ? (entryPath(root, header.linkName)?.raw ?? header.linkName) : header.linkName;
    meta.linkTarget = raw.toString('utf8');
    if (!isUtf8(raw)) {
      meta.linkTargetBase64 = raw.toString('base64');
      meta.linkRaw = raw;
    }
  }
  return meta;
}
