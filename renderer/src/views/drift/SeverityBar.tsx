import type { SeverityCounts } from '../../../../shared/domain/drift';
import { SEVERITIES } from './drift-text';

/** Counts per severity as one stacked bar, with the counts written beside it. */
export function SeverityBar({ counts, width = 140 }: { counts: SeverityCounts | undefined; width?: number }) {
  if (!counts) return <span className="dd-muted">—</span>;
  const total = SEVERITIES.reduce((n, s) => n + counts[s], 0);
  const title = SEVERITIES.map((s) => `${s} ${counts[s]}`).join(', ');
  if (total === 0)
    return (
      <span className="dd-drift-bar-wrap">
        <span className="dd-drift-bar dd-drift-bar-empty" style={{ width }} title="no drift" />
        <span className="dd-muted dd-drift-bar-counts">no change</span>
      </span>
    );
  return (
    <span className="dd-drift-bar-wrap">
      <span className="dd-drift-bar" style={{ width }} title={title} role="img" aria-label={title}>
        {SEVERITIES.filter((s) => counts[s] > 0).map((s) => (
          <span
            key={s}
            className={`dd-drift-seg dd-drift-seg-${s}`}
            style={{ flexGrow: counts[s], minWidth: 4 }}
            data-severity={s}
            data-count={counts[s]}
          />
        ))}
      </span>
      <span className="dd-drift-bar-counts" data-testid="severity-counts">
        {SEVERITIES.filter((s) => counts[s] > 0).map((s) => (
          <span key={s} className={`dd-drift-count dd-drift-count-${s}`} title={s}>
            {counts[s]} {s}
          </span>
        ))}
      </span>
    </span>
  );
}

/** What the bar's colours mean and how the score is counted. */
export function SeverityLegend() {
  return (
    <div className="dd-drift-legend" data-testid="drift-legend">
      <span className="dd-drift-legend-keys">
        {SEVERITIES.map((s) => (
          <span key={s} className="dd-drift-legend-key">
            <span className={`dd-drift-swatch dd-drift-seg-${s}`} aria-hidden="true" /> {s}
          </span>
        ))}
      </span>
      <span className="dd-muted">
        The bar counts changed files by severity. The score ranks containers: each finding weighs critical 1000, high 100, medium 10, low 1,
        info 0 — file changes, configuration drift from the image and runtime risk flags alike — so one critical outweighs any number of
        lesser ones.
      </span>
    </div>
  );
}
