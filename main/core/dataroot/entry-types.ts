import type { BigIntStats } from 'node:fs';
import type { DriftFileType } from '../../../shared/domain/drift';

/** A tar header's type (tar-stream's names) as a drift file type. */
export function layerEntryType(tarType: string): DriftFileType {
  switch (tarType) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    case 'character-device':
      return 'char-device';
    case 'block-device':
      return 'block-device';
    case 'fifo':
      return 'fifo';
    default:
      return 'other';
  }
}

/** An lstat result's type as a drift file type (a hard link on disk is a regular file like any other). */
export function statType(stat: BigIntStats): DriftFileType {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isCharacterDevice()) return 'char-device';
  if (stat.isBlockDevice()) return 'block-device';
  if (stat.isFIFO()) return 'fifo';
  return 'other';
}
