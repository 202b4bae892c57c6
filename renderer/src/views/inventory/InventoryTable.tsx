import { useEffect, useRef, type KeyboardEvent } from 'react';
import { shortId, utc } from '../../lib/format';
import { visibleText } from '../processes/visible-text';
import { FlagChip, SeverityTag } from './FlagChip';
import { displayName, type InventoryRow, type SortKey, type SortOrder } from './inventory-rows';

interface Props {
  rows: InventoryRow[];
  selectedId: string | null;
  flashing: ReadonlySet<string>;
  sort: SortOrder;
  onSort: (key: SortKey) => void;
  onSelect: (id: string | null) => void;
}

const COLUMNS: { key: SortKey | null; label: string; className?: string }[] = [
  { key: 'severity', label: 'Severity' },
  { key: 'state', label: 'State' },
  { key: 'name', label: 'Name' },
  { key: 'image', label: 'Image' },
  { key: null, label: 'Flags' },
  { key: 'created', label: 'Created (UTC)' },
  { key: null, label: 'ID' },
];

/** The container table: arrow keys move the selection, Enter/Space opens it, Esc closes it. */
export function InventoryTable({ rows, selectedId, flashing, sort, onSort, onSelect }: Props) {
  const bodyRef = useRef<HTMLTableSectionElement>(null);

  useEffect(() => {
    if (!selectedId || !bodyRef.current) return;
    const row = bodyRef.current.querySelector<HTMLTableRowElement>(`tr[data-id="${CSS.escape(selectedId)}"]`);
    row?.scrollIntoView({ block: 'nearest' });
  }, [selectedId]);

  const onKeyDown = (event: KeyboardEvent<HTMLTableRowElement>, index: number) => {
    const move = (to: number) => {
      const target = rows[Math.max(0, Math.min(rows.length - 1, to))];
      if (!target) return;
      event.preventDefault();
      onSelect(target.container.id);
      bodyRef.current?.querySelector<HTMLTableRowElement>(`tr[data-id="${CSS.escape(target.container.id)}"]`)?.focus();
    };
    if (event.key === 'ArrowDown') move(index + 1);
    else if (event.key === 'ArrowUp') move(index - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(rows.length - 1);
    else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect(rows[index]?.container.id ?? null);
    } else if (event.key === 'Escape') onSelect(null);
  };

  return (
    <table className="dd-grid dd-inv-table" aria-label="Containers">
      <thead>
        <tr>
          {COLUMNS.map((col) => (
            <th key={col.label} aria-sort={col.key && sort.key === col.key ? (sort.descending ? 'descending' : 'ascending') : undefined}>
              {col.key ? (
                <button type="button" className="dd-th-btn" onClick={() => col.key && onSort(col.key)}>
                  {col.label}
                  {sort.key === col.key && <span className="dd-sort-arrow">{sort.descending ? ' ▲' : ' ▼'}</span>}
                </button>
              ) : (
                col.label
              )}
            </th>
          ))}
        </tr>
      </thead>
      <tbody ref={bodyRef}>
        {rows.map((row, index) => {
          const c = row.container;
          const state = row.removed ? 'removed' : c.state;
          const classes = ['dd-inv-row', `dd-rowsev-${c.topSeverity ?? 'none'}`];
          if (row.removed) classes.push('dd-removed');
          if (c.helper) classes.push('dd-inv-helper');
          if (c.id === selectedId) classes.push('dd-selected');
          if (flashing.has(c.id)) classes.push('dd-flash');
          return (
            <tr
              key={c.id}
              data-id={c.id}
              data-name={displayName(c)}
              data-state={state}
              className={classes.join(' ')}
              tabIndex={0}
              aria-selected={c.id === selectedId}
              onClick={() => onSelect(c.id)}
              onKeyDown={(e) => onKeyDown(e, index)}
            >
              <td>
                <SeverityTag severity={c.topSeverity} />
              </td>
              <td className="dd-nowrap">
                <span className={`dd-state dd-state-${state}`}>{state}</span>
                {!row.removed && c.restartCount > 0 && (
                  <span className="dd-muted" title="restart count">
                    {' '}
                    ↻{c.restartCount}
                  </span>
                )}
              </td>
              <td className="dd-inv-name" title={visibleText(displayName(c), 400)}>
                {visibleText(displayName(c), 80)}
                {c.helper && (
                  <span
                    className="dd-helper-badge"
                    title={`Created by Drydock${c.helperPurpose ? ` for ${visibleText(c.helperPurpose, 40)}` : ''}; not part of the host and never scored`}
                  >
                    Drydock helper
                  </span>
                )}
                {c.compose && (
                  <span className="dd-muted dd-small-text"> {visibleText(`${c.compose.project}/${c.compose.service}`, 60)}</span>
                )}
              </td>
              <td className="dd-mono dd-ellipsis" title={visibleText(c.image, 400)}>
                {visibleText(c.image, 80)}
              </td>
              <td className="dd-inv-flags">
                {c.risks.map((r) => (
                  <FlagChip key={r.id} flag={r} />
                ))}
              </td>
              <td className="dd-nowrap dd-muted">{utc(c.createdAt)}</td>
              <td className="dd-mono dd-muted">{shortId(c.id)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
