import { useState } from 'react';
import type { DriftEntry } from '../../../../shared/domain/drift';
import type { TreeNode } from './change-tree';
import { displayName } from './drift-text';

interface Props {
  root: TreeNode;
  selected: DriftEntry | null;
  onSelect: (entry: DriftEntry) => void;
}

const CHANGE_MARK: Record<DriftEntry['change'], string> = { added: 'A', modified: 'C', deleted: 'D' };

/** Changed paths as a tree, worst first, each row coloured by the worst severity at or below it. */
export function ChangeTree({ root, selected, onSelect }: Props) {
  if (root.children.length === 0) return <div className="dd-empty">No entries match the filter.</div>;
  return (
    <ul className="dd-drift-tree" role="tree" aria-label="Changed paths">
      {root.children.map((child) => (
        <TreeRow
          key={`${child.path}\u0000${child.entry?.pathBase64 ?? ''}`}
          node={child}
          depth={0}
          selected={selected}
          onSelect={onSelect}
        />
      ))}
    </ul>
  );
}

function TreeRow({
  node,
  depth,
  selected,
  onSelect,
}: {
  node: TreeNode;
  depth: number;
  selected: DriftEntry | null;
  onSelect: (e: DriftEntry) => void;
}) {
  const [open, setOpen] = useState(depth < 2 || node.worst === 'critical' || node.worst === 'high');
  const entry = node.entry;
  const hasChildren = node.children.length > 0;
  return (
    <li role="treeitem" aria-expanded={hasChildren ? open : undefined} aria-selected={entry !== undefined && entry === selected}>
      <div
        className={`dd-drift-node dd-drift-sev-${node.worst} ${entry && entry === selected ? 'dd-selected' : ''}`}
        style={{ paddingLeft: depth * 14 }}
      >
        {hasChildren ? (
          <button
            type="button"
            className="dd-icon-btn dd-drift-toggle"
            onClick={() => setOpen(!open)}
            aria-label={open ? 'Collapse' : 'Expand'}
          >
            {open ? '▾' : '▸'}
          </button>
        ) : (
          <span className="dd-drift-toggle" />
        )}
        <button
          type="button"
          className="dd-plain dd-drift-name"
          onClick={() => (entry ? onSelect(entry) : setOpen(!open))}
          title={entry ? `${entry.severity} · ${entry.verdict}` : `${node.count} entries, worst ${node.worst}`}
        >
          {entry && <span className={`dd-drift-mark dd-drift-mark-${entry.change}`}>{CHANGE_MARK[entry.change]}</span>}
          <span className="dd-mono">{displayName(node.name)}</span>
          {entry?.pathBase64 !== undefined && <span className="dd-chip dd-chip-high">not UTF-8</span>}
          {entry && <span className={`dd-sevtag dd-sevtag-${entry.severity}`}>{entry.severity}</span>}
          {entry?.demoted && <span className="dd-muted dd-small-text"> (noise: {entry.demoted.ruleId})</span>}
          {hasChildren && <span className="dd-muted dd-small-text"> {node.count}</span>}
        </button>
      </div>
      {hasChildren && open && (
        <ul role="group">
          {node.children.map((child) => (
            <TreeRow
              key={`${child.path}\u0000${child.entry?.pathBase64 ?? ''}`}
              node={child}
              depth={depth + 1}
              selected={selected}
              onSelect={onSelect}
            />
          ))}
        </ul>
      )}
    </li>
  );
}
