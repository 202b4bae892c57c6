import type { DriftClass, DriftEntry, DriftSeverity, DriftVerdict } from '../../../../shared/domain/drift';
import { pathDisplayText } from '../../../../shared/domain/byte-text';
import { severityRank } from './drift-text';

// The report's flat entry list as a tree of path components, each directory carrying the worst
// severity below it, so the examiner walks straight to what matters. Pure: tested without a DOM.

export interface TreeNode {
  /** One path component, invalid UTF-8 bytes as \xNN (display it through displayName). */
  name: string;
  /** The full path of this node. */
  path: string;
  entry?: DriftEntry;
  children: TreeNode[];
  /** Worst severity of this node's entry and everything under it. */
  worst: DriftSeverity;
  /** Entries at or under this node that pass the filter. */
  count: number;
}

export interface TreeFilter {
  severities: ReadonlySet<DriftSeverity>;
  /** Empty: every class. */
  classes: ReadonlySet<DriftClass>;
  verdicts?: ReadonlySet<DriftVerdict>;
  /** Case-insensitive substring of the path. */
  text: string;
}

export function passes(entry: DriftEntry, filter: TreeFilter): boolean {
  if (!filter.severities.has(entry.severity)) return false;
  if (filter.classes.size > 0 && !entry.classes.some((c) => filter.classes.has(c))) return false;
  if (filter.verdicts && filter.verdicts.size > 0 && !filter.verdicts.has(entry.verdict)) return false;
  if (filter.text && !entry.path.toLowerCase().includes(filter.text.toLowerCase())) return false;
  return true;
}

export function buildTree(entries: readonly DriftEntry[], filter: TreeFilter): TreeNode {
  const root: TreeNode = { name: '/', path: '/', children: [], worst: 'info', count: 0 };
  const index = new Map<string, TreeNode>([['/', root]]);
  for (const entry of entries) {
    if (!passes(entry, filter)) continue;
    // Split the exact bytes' text (invalid bytes as \xNN), not the lossy text: h\xe4 and h\xe5 are two names.
    const parts = pathDisplayText(entry.path, entry.pathBase64).split('/').slice(1);
    let node = root;
    let path = '';
    for (const part of parts) {
      path += `/${part}`;
      let child = index.get(path);
      if (!child) {
        child = { name: part, path, children: [], worst: 'info', count: 0 };
        index.set(path, child);
        node.children.push(child);
      }
      node = child;
    }
    // Distinct invalid-UTF-8 names can share a text: the second keeps its own leaf.
    if (node.entry) {
      const twin: TreeNode = { name: node.name, path: node.path, entry, children: [], worst: entry.severity, count: 0 };
      index.get(parentPath(node.path))?.children.push(twin);
    } else node.entry = entry;
  }
  finish(root);
  return root;
}

function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function finish(node: TreeNode): void {
  let worst: DriftSeverity = node.entry?.severity ?? 'info';
  let count = node.entry ? 1 : 0;
  for (const child of node.children) {
    finish(child);
    if (severityRank(child.worst) > severityRank(worst)) worst = child.worst;
    count += child.count;
  }
  node.worst = worst;
  node.count = count;
  node.children.sort((a, b) => severityRank(b.worst) - severityRank(a.worst) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
