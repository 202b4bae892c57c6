import { useState } from 'react';
import type { DriftReport } from '../../../../shared/domain/drift';
import type { DrydockError } from '../../../../shared/result';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { FlagChip } from '../inventory/FlagChip';
import { visibleText } from '../processes/visible-text';

/** Packages, configuration drift, runtime risk flags and the blind spots of one report. */
export function ReportExtras({ report }: { report: DriftReport }) {
  const client = useClient();
  const [inventoried, setInventoried] = useState<Record<string, string>>({});
  const [error, setError] = useState<DrydockError | null>(null);
  const inventory = async (destination: string) => {
    setError(null);
    const r = await client.invoke('drift.mount-inventory', { host: report.host, container: report.containerId, destination });
    if (r.ok)
      setInventoried((m) => ({
        ...m,
        [destination]: `${r.value.files} entries hashed → artifact ${r.value.artifactId}${r.value.status === 'incomplete' ? ' (incomplete)' : ''}`,
      }));
    else setError(r.error);
  };
  return (
    <div className="dd-drift-extras">
      {report.packages.length > 0 && (
        <section>
          <h3>Packages</h3>
          {report.packages.map((p) => (
            <div key={p.database}>
              <span className="dd-mono">{p.manager}</span>{' '}
              {p.added.length > 0 && <span>installed: {p.added.map((x) => visibleText(`${x.name} ${x.version}`, 200)).join(', ')}. </span>}
              {p.removed.length > 0 && <span>removed: {p.removed.map((x) => visibleText(x.name, 200)).join(', ')}. </span>}
              {p.upgraded.length > 0 && (
                <span>changed: {p.upgraded.map((x) => visibleText(`${x.name} ${x.from} → ${x.to}`, 300)).join(', ')}. </span>
              )}
              {p.note && <span className="dd-muted">{visibleText(p.note, 400)}</span>}
            </div>
          ))}
        </section>
      )}
      <section>
        <h3>Configuration against the image</h3>
        {report.config.length === 0 ? (
          <div className="dd-muted">
            Same entrypoint, command, user, working directory, environment, ports and healthcheck as the image.
          </div>
        ) : (
          <table className="dd-table dd-grid dd-grid-tight">
            <thead>
              <tr>
                <th>Severity</th>
                <th>Field</th>
                <th>Image</th>
                <th>Container</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {report.config.map((c, i) => (
                <tr key={i}>
                  <td>
                    <span className={`dd-sevtag dd-sevtag-${c.severity}`}>{c.severity}</span>
                  </td>
                  <td>
                    {c.field}
                    {c.key ? <span className="dd-mono"> {visibleText(c.key, 200)}</span> : null}
                  </td>
                  <td className="dd-mono dd-wrap">{c.image === null ? '—' : visibleText(c.image, 400)}</td>
                  <td className="dd-mono dd-wrap">{c.container === null ? '—' : visibleText(c.container, 400)}</td>
                  <td>{visibleText(c.reason, 400)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {report.risks.length > 0 && (
          <div className="dd-drift-risks">
            {report.risks.map((r, i) => (
              <FlagChip key={i} flag={r} />
            ))}
          </div>
        )}
      </section>
      <section>
        <h3>Not covered by the diff</h3>
        {error && <ErrorBox error={error} compact onDismiss={() => setError(null)} />}
        <ul className="dd-drift-blind">
          {report.blindSpots.map((b) => (
            <li key={`${b.type}:${b.destination}`}>
              <span className="dd-kind">{b.type}</span> <span className="dd-mono">{visibleText(b.destination, 400)}</span> —{' '}
              {visibleText(b.note, 400)}
              {b.type !== 'docker-managed' &&
                (inventoried[b.destination] ? (
                  <span className="dd-good"> {inventoried[b.destination]}</span>
                ) : (
                  <button type="button" className="dd-link" onClick={() => void inventory(b.destination)}>
                    hash-inventory it
                  </button>
                ))}
            </li>
          ))}
        </ul>
        {report.limitations.map((l, i) => (
          <div key={i} className="dd-muted dd-small-text">
            {visibleText(l, 600)}
          </div>
        ))}
      </section>
    </div>
  );
}
