import { useMemo, useState } from 'react';
import type { DriftClass, DriftEntry, DriftReport, DriftSeverity } from '../../../../shared/domain/drift';
import { shortId, utc } from '../../lib/format';
import { visibleText } from '../processes/visible-text';
import { buildTree } from './change-tree';
import { ChangeTree } from './ChangeTree';
import { SEVERITIES } from './drift-text';
import { EntryDetail } from './EntryDetail';
import { ReportExtras } from './ReportExtras';
import { SeverityBar } from './SeverityBar';

const CLASSES: readonly DriftClass[] = [
  'executable',
  'library',
  'setuid',
  'package-db',
  'credentials',
  'persistence',
  'web-root',
  'hidden',
  'temp',
  'config',
  'hostile-name',
  'symlink',
  'deleted',
  'history',
  'change',
];

/** One container's drift: filters, the tree of changed paths, and the selected path's detail. */
export function ContainerReport({ report, artifactId }: { report: DriftReport; artifactId: string }) {
  const [severities, setSeverities] = useState<ReadonlySet<DriftSeverity>>(new Set<DriftSeverity>(['critical', 'high', 'medium', 'low']));
  const [classes, setClasses] = useState<ReadonlySet<DriftClass>>(new Set());
  const [text, setText] = useState('');
  const [selected, setSelected] = useState<DriftEntry | null>(null);
  const tree = useMemo(() => buildTree(report.entries, { severities, classes, text }), [report.entries, severities, classes, text]);
  const toggle = <T,>(set: ReadonlySet<T>, value: T): Set<T> => {
    const next = new Set(set);
    if (next.has(value)) next.delete(value);
    else next.add(value);
    return next;
  };
  return (
    <div className="dd-drift-report" data-report={artifactId}>
      <div className="dd-panel-title">
        <h2>{visibleText(report.containerName, 120)}</h2>
        <span className="dd-mono dd-muted">{shortId(report.containerId)}</span>
        <span className="dd-muted">
          image {visibleText(report.image, 200)} ({shortId(report.imageId)}) · {report.engineChanges}{' '}
          {report.readFrom?.kind === 'upper-dir' ? 'changes (recomputed from the upper directory)' : 'engine changes'} · scanned{' '}
          {utc(report.finishedAt)}
          {report.readFrom && (
            <span title={report.readFrom.detail}>
              {' '}
              · read from {report.readFrom.kind === 'upper-dir' ? "the container's overlay2 upper directory" : "the engine's API"}
            </span>
          )}
        </span>
        <span className={`dd-pill dd-pill-${report.status === 'complete' ? 'complete' : 'incomplete'}`}>{report.status}</span>
        <SeverityBar counts={report.counts} />
      </div>
      {report.statusReason && <div className="dd-warnbox">{visibleText(report.statusReason, 600)}</div>}
      <div className="dd-drift-filters" role="group" aria-label="Filters">
        {SEVERITIES.map((s) => (
          <label key={s} className="dd-check">
            <input type="checkbox" checked={severities.has(s)} onChange={() => setSeverities(toggle(severities, s))} />
            <span className={`dd-sevtag dd-sevtag-${s}`}>{s}</span> {report.counts[s]}
          </label>
        ))}
        <select
          aria-label="Class"
          value={classes.size === 1 ? [...classes][0] : ''}
          onChange={(e) => setClasses(e.target.value ? new Set([e.target.value as DriftClass]) : new Set())}
        >
          <option value="">every class</option>
          {CLASSES.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
        <input type="search" placeholder="path contains…" value={text} onChange={(e) => setText(e.target.value)} aria-label="Path filter" />
      </div>
      <div className="dd-drift-split">
        <div className="dd-drift-treepane">
          <ChangeTree root={tree} selected={selected} onSelect={setSelected} />
        </div>
        <div className="dd-drift-detailpane">
          {selected ? (
            <EntryDetail
              key={`${selected.path}\u0000${selected.pathBase64 ?? ''}`}
              entry={selected}
              imageId={report.imageId}
              host={report.host}
              containerId={report.containerId}
            />
          ) : (
            <div className="dd-hint">Select a path to see both sides, the reasons and its bytes.</div>
          )}
        </div>
      </div>
      <ReportExtras report={report} />
    </div>
  );
}
