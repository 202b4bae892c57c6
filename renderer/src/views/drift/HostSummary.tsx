import type { DriftScanInfo } from '../../../../shared/domain/drift';
import { utc } from '../../lib/format';
import { SeverityTag } from '../inventory/FlagChip';
import { visibleText } from '../processes/visible-text';
import { scoreReason } from './drift-text';
import { SeverityBar, SeverityLegend } from './SeverityBar';

interface Props {
  scan: DriftScanInfo;
  selected: string | null;
  onOpen: (reportArtifactId: string, containerId: string) => void;
}

/** One scan's containers ranked by drift score, each with its severity counts, state and the reason for its score. */
export function HostSummary({ scan, selected, onOpen }: Props) {
  return (
    <div className="dd-panel dd-drift-summary">
      <div className="dd-drift-summary-head">
        <h2>
          Drift on host {visibleText(scan.host, 80)}{' '}
          <span
            className={`dd-pill dd-pill-${scan.state === 'complete' ? 'complete' : scan.state === 'running' ? 'current' : 'incomplete'}`}
          >
            {scan.state}
          </span>
        </h2>
        <div className="dd-muted dd-small-text">
          {scan.done} of {scan.total} containers · started {utc(scan.startedAt)}
          {scan.finishedAt ? ` · finished ${utc(scan.finishedAt)}` : ''} · scan <span className="dd-mono">{scan.id}</span>
        </div>
      </div>
      <SeverityLegend />
      {scan.stateReason && <div className="dd-warnbox">{visibleText(scan.stateReason, 600)}</div>}
      <table className="dd-table dd-grid dd-grid-tight">
        <thead>
          <tr>
            <th className="dd-num">#</th>
            <th>Container</th>
            <th>State</th>
            <th>Worst finding</th>
            <th>Changed files by severity</th>
            <th className="dd-num">Score</th>
            <th>Why this score</th>
          </tr>
        </thead>
        <tbody>
          {scan.containers.map((c, i) => (
            <tr
              key={c.containerId}
              className={`${c.reportArtifactId ? 'dd-clickable' : ''} ${selected === c.containerId ? 'dd-selected' : ''}`}
              onClick={() => c.reportArtifactId && onOpen(c.reportArtifactId, c.containerId)}
              data-container={c.containerId}
            >
              <td className="dd-num">{i + 1}</td>
              <td className="dd-ellipsis" title={visibleText(c.containerName, 400)}>
                {visibleText(c.containerName, 120)} <span className="dd-muted dd-mono">{c.containerId.slice(0, 12)}</span>
              </td>
              <td>
                {c.state}
                {c.state === 'scanning' && c.phase ? ` (${c.phase}${c.filesTotal ? ` ${c.filesDone}/${c.filesTotal}` : ''})` : ''}
                {c.error && c.state !== 'complete' && <div className="dd-small-text dd-muted">{visibleText(c.error, 300)}</div>}
              </td>
              <td>
                <SeverityTag severity={c.topSeverity ?? undefined} />
              </td>
              <td>
                <SeverityBar counts={c.counts} />
              </td>
              <td className="dd-num">{c.score ?? '—'}</td>
              <td className="dd-small-text dd-muted" data-testid="score-reason">
                {c.state === 'complete' || c.state === 'incomplete' ? scoreReason(c.counts, c.score) : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
