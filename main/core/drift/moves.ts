import type { DriftEntry } from '../../../shared/domain/drift';
import type { PairedChange } from './change-pairs';
import type { ImageFile } from './image-index';
import { isUnder, pathBytes } from './path-text';

// The engine lists a deleted directory once, not what it held: `mv /opt/app /opt/app2` shows as
// "/opt/app deleted, /opt/app2 and its files added". The image index knows what was in the
// directory, so its children become deleted entries too, and a deletion whose content reappears
// elsewhere (same SHA-256) is marked as a probable move on both sides.

/** Children listed per scan at most; past it the report says so. */
export const MAX_IMPLIED_DELETIONS = 20_000;

export interface ImpliedDeletions {
  pairs: PairedChange[];
  /** Deleted directories whose children were not all listed (over MAX_IMPLIED_DELETIONS). */
  truncated: string[];
}

/**
 * For each deleted directory of the image, its image-side children as deleted changes (paths the
 * change list already holds are skipped). `under(dir, limit)` lists the image's entries below a
 * directory, at most `limit`.
 */
export function impliedDeletions(pairs: readonly PairedChange[], under: (dir: string, limit: number) => ImageFile[], limit = MAX_IMPLIED_DELETIONS): ImpliedDeletions {
  const listed = new Set(pairs.map((p) => p.change.path));
  const out: PairedChange[] = [];
  const truncated: string[] = [];
  for (const pair of pairs) {
    if (pair.change.kind !== 'deleted' || pair.image?.type !== 'directory') continue;
    // A directory inside another deleted one was already listed with its parent.
    if (out.some((p) => p.change.path === pair.change.path)) continue;
    const room = limit - out.length;
    const children = under(pair.change.path, room + 1);
    if (children.length > room) truncated.push(pair.change.path);
    for (const child of children.slice(0, room)) {
      if (listed.has(child.path)) continue;
      listed.add(child.path);
      out.push({ change: { path: child.path, kind: 'deleted' }, image: child, impliedBy: pair.change.path });
    }
  }
  return { pairs: out, truncated };
}

function relative(entry: DriftEntry, dir: DriftEntry): string {
  return pathBytes(entry).subarray(pathBytes(dir).length).toString('hex');
}

function mark(from: DriftEntry, to: DriftEntry): void {
  from.movedTo = to.path;
  to.movedFrom = from.path;
  from.reasons.push({ class: 'change', severity: 'info', reason: `probably moved to ${to.path} (the same content is there)` });
  to.reasons.push({ class: 'change', severity: 'info', reason: `probably moved here from ${from.path} (the same content was there in the image)` });
}

/**
 * Marks probable moves in place: a deleted directory and an added one holding the same files
 * (relative names and SHA-256) with each of those files; then a deleted file and an added file
 * whose content hash is the same and unique on both sides (empty files are never paired).
 */
export function markMoves(entries: DriftEntry[]): void {
  const deleted = entries.filter((e) => e.verdict === 'deleted');
  const added = entries.filter((e) => e.verdict === 'added');
  const filesOf = (dir: DriftEntry, list: DriftEntry[], side: 'image' | 'container') => {
    const map = new Map<string, DriftEntry>();
    for (const e of list) if (e !== dir && isUnder(e.path, dir.path) && e[side]?.type === 'file' && e[side]?.sha256) map.set(relative(e, dir), e);
    return map;
  };
  for (const from of deleted) {
    if (from.image?.type !== 'directory' || from.movedTo !== undefined) continue;
    const before = filesOf(from, deleted, 'image');
    if (before.size === 0) continue;
    for (const to of added) {
      if (to.container?.type !== 'directory' || to.movedFrom !== undefined || isUnder(to.path, from.path)) continue;
      const after = filesOf(to, added, 'container');
      if (after.size !== before.size) continue;
      if (![...before].every(([rel, e]) => after.get(rel)?.container?.sha256 === e.image?.sha256)) continue;
      mark(from, to);
      for (const [rel, e] of before) mark(e, after.get(rel) as DriftEntry);
      break;
    }
  }
  const byHash = <T extends DriftEntry>(list: T[], side: 'image' | 'container') => {
    const map = new Map<string, T[]>();
    for (const e of list) {
      const meta = e[side];
      if (meta?.type !== 'file' || !meta.sha256 || meta.size === 0 || e.movedTo !== undefined || e.movedFrom !== undefined) continue;
      map.set(meta.sha256, [...(map.get(meta.sha256) ?? []), e]);
    }
    return map;
  };
  const gone = byHash(deleted, 'image');
  const arrived = byHash(added, 'container');
  for (const [hash, froms] of gone) {
    const tos = arrived.get(hash);
    if (froms.length === 1 && tos?.length === 1) mark(froms[0] as DriftEntry, tos[0] as DriftEntry);
  }
}
