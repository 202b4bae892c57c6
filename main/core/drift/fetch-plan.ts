import type { DriftFileType } from '../../../shared/domain/drift';
import type { EngineChange } from './engine-changes';
import { ancestorsAndSelf, isLossy, isUnder, parentOf } from './path-text';

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
  const ordered = [...kinds.keys()].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  const roots: string[] = [];
  const statOnly: string[] = [];
  const covered = (path: string) => roots.some((r) => isUnder(path, r));
  const cheap = (dir: string) => {
    if (kinds.get(dir) === 'added') return true;
    const cost = facts.cost(dir);
    return cost.bytes <= budget.bytes && cost.entries <= budget.entries;
  };
  for (const path of ordered) {
    if (covered(path)) continue;
    const isDirectory = kinds.get(path) === 'modified' && facts.imageType(path) === 'directory';
    let chosen: string | undefined;
    for (const candidate of ancestorsAndSelf(path)) {
      if (isLossy(candidate)) break;
      if (candidate === path ? !isDirectory || cheap(candidate) : kinds.has(candidate) && cheap(candidate)) {
        chosen = candidate;
        break;
      }
    }
    if (!chosen && isLossy(path)) {
      // Text with U+FFFD cannot be asked for by name: read the nearest ancestor that can.
      let dir = parentOf(path);
      while (isLossy(dir) && dir !== '/') dir = parentOf(dir);
      if (dir !== '/') chosen = dir;
    }
    if (chosen) {
      for (let i = roots.length - 1; i >= 0; i--) if (isUnder(roots[i] as string, chosen)) roots.splice(i, 1);
      roots.push(chosen);
    } else if (isDirectory) {
      statOnly.push(path);
    }
  }
  return { roots, statOnly: statOnly.filter((p) => !covered(p)) };
}
