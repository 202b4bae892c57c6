import type { SeverityCounts } from '../../../../shared/domain/drift';
import { SEVERITIES } from './drift-text';

/** Counts per severity as one stacked bar; segments wide enough to see, totals in the tooltip. */
export function SeverityBar({ counts, width = 180 }: { counts: SeverityCounts | undefined; width?: number }) {
  if (!counts) return <span className="dd-muted">—</span>;
  const total = SEVERITIES.reduce((n, s) => n + counts[s], 0);
  const title = SEVERITIES.map((s) => `${s} ${counts[s]}`).join(', ');
  if (total === 0) return <span className="dd-drift-bar dd-drift-bar-empty" style={{ width }} title="no drift" />;
  return (
    <span className="dd-drift-bar" style={{ width }} title={title} role="img" aria-label={title}>
      {SEVERITIES.filter((s) => counts[s] > 0).map((s) => (
        <span key={s} className={`dd-drift-seg dd-drift-seg-${s}`} style={{ flexGrow: counts[s], minWidth: 4 }} data-severity={s} data-count={counts[s]} />
      ))}
    </span>
  );
}
