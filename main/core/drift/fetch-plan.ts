import type { DriftFileType } from '../../../shared/domain/drift';
import type { EngineChange } from './engine-changes';
import { ancestorsAndSelf, isLossy, parentOf } from './path-text';

// Which archive requests read a container's changes. Each request costs the engine a tar of the
// whole subtree, so a directory is read in one go only when the image has little under it (the
// unchanged files come along for nothing); otherwise its changed files are fetched one by one and
// the directory itself is only stat'ed.

export interface PlanBudget {
  /** Image bytes under a directory above which it is not read whole. */
  bytes: number;
  entries: number;
}

export const DEFAULT_BUDGET: PlanBudget = { bytes: 16 * 1024 * 1024, entries: 4000 };

export interface ReadPlan {
  /** Paths read through GET /archive, each a whole subtree; no root lies under another. */
  roots: string[];
  /** Changed directories no root covers: their own metadata comes from a HEAD stat. */
  statOnly: string[];
}

export interface PlanFacts {
  /** What the image has under a directory. */
  cost(dir: string): { entries: number; bytes: number };
  /** The type the path has in the image, when it is there. */
  imageType(path: string): DriftFileType | undefined;
  /**
   * Whether the whole filesystem may be read in one request: the archive of / also carries every
   * volume and bind mount, whose size the image index cannot know, so only without them.
   */
  wholeFilesystem?: boolean;
}

export function planReads(changes: readonly EngineChange[], facts: PlanFacts, budget: PlanBudget = DEFAULT_BUDGET): ReadPlan {
  const kinds = new Map<string, EngineChange['kind']>();
  for (const c of changes) if (c.kind !== 'deleted') kinds.set(c.path, c.kind);
  if (kinds.size === 0) return { roots: [], statOnly: [] };
  if (facts.wholeFilesystem) {
    // A small image (busybox, distroless) costs less whole than in pieces: one request instead of one per area.
    const all = facts.cost('/');
    if (all.bytes <= budget.bytes && all.entries <= budget.entries) return { roots: ['/'], statOnly: [] };
  }
  const depth = new Map<string, number>();
  for (const path of kinds.keys()) depth.set(path, path.split('/').length);
  const ordered = [...kinds.keys()].sort((a, b) => (depth.get(a) as number) - (depth.get(b) as number) || (a < b ? -1 : 1));
  // Every root chosen so far, in order; one later found under a newer root is dropped at the end.
  // Lookups go through the path's ancestors (its depth), never over the roots: a hostile change
  // list of 100,000 files, each its own root, made this loop quadratic (minutes).
  const chosenRoots: string[] = [];
  const chosen = new Set<string>();
  const statOnly: string[] = [];
  const covered = (path: string) => rootOf(path, chosen) !== undefined;
  const cheap = (dir: string) => {
    if (kinds.get(dir) === 'added') return true;
    const cost = facts.cost(dir);
    return cost.bytes <= budget.bytes && cost.entries <= budget.entries;
  };
  for (const path of ordered) {
    if (covered(path)) continue;
    const isDirectory = kinds.get(path) === 'modified' && facts.imageType(path) === 'directory';
    let root: string | undefined;
    for (const candidate of ancestorsAndSelf(path)) {
      if (isLossy(candidate)) break;
      if (candidate === path ? !isDirectory || cheap(candidate) : kinds.has(candidate) && cheap(candidate)) {
        root = candidate;
        break;
      }
    }
    if (!root && isLossy(path)) {
      // Text with U+FFFD cannot be asked for by name: read the nearest ancestor that can.
      let dir = parentOf(path);
      while (isLossy(dir) && dir !== '/') dir = parentOf(dir);
      if (dir !== '/') root = dir;
    }
    if (root) {
      chosen.add(root);
      chosenRoots.push(root);
    } else if (isDirectory) {
      statOnly.push(path);
    }
  }
  // A root under a later, shallower one (a lossy path's ancestor) is read with it.
  const roots = chosenRoots.filter((r) => rootOf(parentOf(r), chosen) === undefined || r === '/');
  return { roots, statOnly: statOnly.filter((p) => !covered(p)) };
}

/** The root of `roots` that `path` lies under (itself included), found through its ancestors. */
export function rootOf(path: string, roots: ReadonlySet<string>): string | undefined {
  if (roots.has('/')) return '/';
  for (const dir of ancestorsAndSelf(path)) if (roots.has(dir)) return dir;
  return undefined;
}
