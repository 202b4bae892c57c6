import type { DriftEntry } from '../../../shared/domain/drift';
import type { PairedChange } from './change-pairs';
import type { ImageFile } from './image-index';
import { ancestorsAndSelf, isUnder, pathBytes } from './path-text';

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
export function impliedDeletions(
  pairs: readonly PairedChange[],
  under: (dir: string, limit: number) => ImageFile[],
  limit = MAX_IMPLIED_DELETIONS,
): ImpliedDeletions {
  const listed = new Set(pairs.map((p) => p.change.path));
  const implied = new Set<string>();
  const out: PairedChange[] = [];
  const truncated: string[] = [];
  for (const pair of pairs) {
    if (pair.change.kind !== 'deleted' || pair.image?.type !== 'directory') continue;
    // A directory inside another deleted one was already listed with its parent.
    if (implied.has(pair.change.path)) continue;
    const room = limit - out.length;
    const children = under(pair.change.path, room + 1);
    if (children.length > room) truncated.push(pair.change.path);
    for (const child of children.slice(0, room)) {
      if (listed.has(child.path)) continue;
      listed.add(child.path);
      implied.add(child.path);
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
  to.reasons.push({
    class: 'change',
    severity: 'info',
    reason: `probably moved here from ${from.path} (the same content was there in the image)`,
  });
}

/**
 * Marks probable moves in place: a deleted directory and an added one holding the same files
 * (relative names and SHA-256) with each of those files; then a deleted file and an added file
 * whose content hash is the same and unique on both sides (empty files are never paired).
 */
export function markMoves(entries: DriftEntry[]): void {
  const deleted = entries.filter((e) => e.verdict === 'deleted');
  const added = entries.filter((e) => e.verdict === 'added');
  const before = filesByDirectory(deleted, 'image');
  const after = filesByDirectory(added, 'container');
  // Added directories by their content signature, so each deleted one looks up its candidates
  // instead of comparing itself with every added directory (quadratic on a big change list).
  const bySignature = new Map<string, DriftEntry[]>();
  for (const to of added) {
    const files = after.get(to);
    if (to.container?.type !== 'directory' || !files) continue;
    const key = signature(files, 'container');
    const same = bySignature.get(key);
    if (same) same.push(to);
    else bySignature.set(key, [to]);
  }
  for (const from of deleted) {
    const files = before.get(from);
    if (from.image?.type !== 'directory' || from.movedTo !== undefined || !files) continue;
    const to = bySignature.get(signature(files, 'image'))?.find((e) => e.movedFrom === undefined && !isUnder(e.path, from.path));
    if (!to) continue;
    const theirs = after.get(to) as Map<string, DriftEntry>;
    mark(from, to);
    for (const [rel, e] of files) mark(e, theirs.get(rel) as DriftEntry);
  }
  const byHash = <T extends DriftEntry>(list: T[], side: 'image' | 'container') => {
    const map = new Map<string, T[]>();
    for (const e of list) {
      const meta = e[side];
      if (meta?.type !== 'file' || !meta.sha256 || meta.size === 0 || e.movedTo !== undefined || e.movedFrom !== undefined) continue;
      const same = map.get(meta.sha256);
      if (same) same.push(e);
      else map.set(meta.sha256, [e]);
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

/**
 * For each directory entry of the list, the files below it on that side (with a hash), keyed by
 * their name relative to it; found through each file's ancestors, so linear in the list.
 */
function filesByDirectory(list: readonly DriftEntry[], side: 'image' | 'container'): Map<DriftEntry, Map<string, DriftEntry>> {
  const dirs = new Map<string, DriftEntry[]>();
  for (const e of list) {
    if (e[side]?.type !== 'directory') continue;
    const same = dirs.get(e.path);
    if (same) same.push(e);
    else dirs.set(e.path, [e]);
  }
  const out = new Map<DriftEntry, Map<string, DriftEntry>>();
  for (const e of list) {
    if (e[side]?.type !== 'file' || !e[side]?.sha256) continue;
    for (const dirPath of ['/', ...ancestorsAndSelf(e.path)]) {
      for (const dir of dirs.get(dirPath) ?? []) {
        if (dir === e) continue;
        let files = out.get(dir);
        if (!files) out.set(dir, (files = new Map()));
        files.set(relative(e, dir), e);
      }
    }
  }
  return out;
}

/** The files' relative names and hashes as one key: equal keys, equal contents. */
function signature(files: ReadonlyMap<string, DriftEntry>, side: 'image' | 'container'): string {
  return JSON.stringify([...files].map(([rel, e]) => `${rel}:${e[side]?.sha256 ?? ''}`).sort());
}
