import type { DriftDifference, DriftFileMeta, DriftVerdict, EngineChangeKind } from '../../../shared/domain/drift';

export interface Comparison {
  verdict: DriftVerdict;
  differences: DriftDifference[];
}

/**
 * The truth behind one entry of the engine's change list. "Changed" becomes content changed,
 * metadata only (mode, owner) or identical: a file touched and put back, or a directory listed
 * only because something below it changed. A time difference alone never makes a change.
 */
export function compareEntry(change: EngineChangeKind, container: DriftFileMeta | undefined, image: DriftFileMeta | undefined): Comparison {
  if (change === 'deleted') {
    if (container) return compareBoth(container, image);
    return { verdict: image ? 'deleted' : 'unknown', differences: [] };
  }
  if (!container) return { verdict: 'vanished', differences: [] };
  if (!image) return { verdict: change === 'added' ? 'added' : 'unknown', differences: [] };
  return compareBoth(container, image);
}

function compareBoth(container: DriftFileMeta, image: DriftFileMeta | undefined): Comparison {
  if (!image) return { verdict: 'added', differences: [] };
  const differences: DriftDifference[] = [];
  if (container.type !== image.type) return { verdict: 'type-changed', differences: ['type'] };
  if (container.type === 'file' || container.type === 'hardlink') {
    if (container.sha256 && image.sha256 && container.sha256 !== image.sha256) differences.push('content');
    if (container.size !== image.size) differences.push('size');
  }
  if (container.type === 'symlink' && (container.linkTarget !== image.linkTarget || container.linkTargetBase64 !== image.linkTargetBase64))
    differences.push('link-target');
  if (container.mode !== image.mode) differences.push('mode');
  if (container.uid !== undefined && image.uid !== undefined && (container.uid !== image.uid || container.gid !== image.gid))
    differences.push('owner');
  if (container.mtime && image.mtime && container.mtime !== image.mtime) differences.push('mtime');
  if (differences.includes('content') || differences.includes('link-target') || differences.includes('size'))
    return { verdict: 'content-changed', differences };
  if ((container.type === 'file' || container.type === 'hardlink') && (!container.sha256 || !image.sha256))
    return { verdict: 'unknown', differences };
  if (differences.includes('mode') || differences.includes('owner')) return { verdict: 'metadata-only', differences };
  return { verdict: 'identical', differences };
}
