import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { GraphEdge, GraphNode } from '../../../../shared/domain/network';
import { visibleText } from '../processes/visible-text';
import type { Selection } from './graph-canvas';

interface Props {
  edges: readonly GraphEdge[];
  nodes: ReadonlyMap<string, GraphNode>;
  selection: Selection;
  onSelect: (selection: Selection) => void;
}

function name(nodes: ReadonlyMap<string, GraphNode>, id: string): string {
  const n = nodes.get(id);
  return visibleText(n ? n.label : id, 48);
}

/**
 * Every connection the graph shows, as a list: what a canvas cannot offer to a keyboard or a
 * screen reader, and the way to reach an edge too short to click. Up/Down (or j/k) move through
 * it and select as they go; Home/End jump to the ends.
 */
export function GraphEdgeList({ edges, nodes, selection, onSelect }: Props) {
  const listRef = useRef<HTMLUListElement>(null);
  const selectedIndex = selection?.kind === 'edge' ? edges.findIndex((e) => e.id === selection.id) : -1;

  useEffect(() => {
    if (selectedIndex < 0) return;
    listRef.current?.querySelector(`[data-index="${selectedIndex}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selectedIndex]);

  const onKey = (event: KeyboardEvent<HTMLUListElement>) => {
    if (!edges.length) return;
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
      case 'j':
        next = Math.min(edges.length - 1, selectedIndex + 1);
        break;
      case 'ArrowUp':
      case 'k':
        next = Math.max(0, selectedIndex < 0 ? 0 : selectedIndex - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = edges.length - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    const edge = edges[next];
    if (edge) onSelect({ kind: 'edge', id: edge.id });
  };

  return (
    <details className="dd-graph-edges" open>
      <summary>
        Connections listed <span className="dd-muted">({edges.length})</span>
      </summary>
      {edges.length === 0 ? (
        <p className="dd-muted">No connection in view.</p>
      ) : (
        <ul
          ref={listRef}
          className="dd-plain dd-graph-edge-list"
          role="listbox"
          tabIndex={0}
          aria-label="Every connection in the graph (Up and Down to move)"
          aria-activedescendant={selectedIndex >= 0 ? `dd-graph-edge-${selectedIndex}` : undefined}
          onKeyDown={onKey}
          data-testid="graph-edge-list"
        >
          {edges.map((e, i) => (
            <li
              key={e.id}
              id={`dd-graph-edge-${i}`}
              data-index={i}
              role="option"
              aria-selected={i === selectedIndex}
              className={`dd-graph-edge-item${i === selectedIndex ? ' dd-selected' : ''}`}
              onClick={() => onSelect({ kind: 'edge', id: e.id })}
            >
              {name(nodes, e.source)} → {name(nodes, e.target)}{' '}
              <span className="dd-mono dd-muted">
                {e.protocol}/{e.port}
              </span>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
