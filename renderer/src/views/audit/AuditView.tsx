import { useMemo, useState } from 'react';
import { BENCHMARK_VERDICTS, type BenchmarkCheck, type BenchmarkReport, type BenchmarkVerdict } from '../../../../shared/domain/benchmark';
import type { DrydockError } from '../../../../shared/result';
import { utc } from '../../lib/format';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { useHosts } from '../../shell/hosts-context';
import { visibleText } from '../processes/visible-text';
import type { ViewProps } from '../view-types';
import './audit.css';

const SECTIONS: Record<number, string> = {
  1: 'Host configuration',
  2: 'Docker daemon configuration',
  3: 'Docker daemon configuration files',
  4: 'Container images and build files',
  5: 'Container runtime',
  6: 'Docker security operations',
  7: 'Docker Swarm configuration',
};

/**
 * The CIS Docker Benchmark (v1.6.0) audit of a host: run it (stored in the case), then read it as a
 * table filtered by section and verdict, each recommendation's evidence a click away.
 */
export function AuditView({ params }: ViewProps) {
  const client = useClient();
  const { profiles, status } = useHosts();
  const connected = profiles.filter((p) => status.get(p.name)?.state === 'connected');
  const [chosen, setChosen] = useState(params.host ?? '');
  const host = chosen || connected[0]?.name || profiles[0]?.name || '';
  const [hostFiles, setHostFiles] = useState(false);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<BenchmarkReport | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  const [section, setSection] = useState<number | 'all'>('all');
  const [verdicts, setVerdicts] = useState<Set<BenchmarkVerdict>>(new Set(BENCHMARK_VERDICTS));
  const [selected, setSelected] = useState<string | null>(null);

  const run = async () => {
    setBusy(true);
    setError(null);
    const r = await client.invoke('benchmark.run', { host, hostFiles });
    setBusy(false);
    if (r.ok) {
      setReport(r.value);
      setSelected(null);
    } else setError(r.error);
  };

  const inSection = useMemo(() => (report?.checks ?? []).filter((c) => section === 'all' || c.section === section), [report, section]);
  const rows = useMemo(
    () => (report?.checks ?? []).filter((c) => (section === 'all' || c.section === section) && verdicts.has(c.verdict)),
    [report, section, verdicts],
  );
  const check: BenchmarkCheck | undefined = report?.checks.find((c) => c.id === selected);
  const toggle = (v: BenchmarkVerdict) =>
    setVerdicts((prev) => {
      const next = new Set(prev);
      if (next.has(v)) next.delete(v);
      else next.add(v);
      return next.size ? next : new Set(BENCHMARK_VERDICTS);
    });

  return (
    <section className="dd-view dd-audit" aria-label="Audit">
      <div className="dd-view-head">
        <h1>Audit · CIS Docker Benchmark v1.6.0</h1>
      </div>
      <div className="dd-panel dd-inline-form">
        <select aria-label="Host" value={host} onChange={(e) => setChosen(e.target.value)}>
          {profiles.map((p) => (
            <option key={p.name} value={p.name}>
              {visibleText(p.name, 80)}
            </option>
          ))}
        </select>
        <label title="Sections 1 and 3 read the engine host's files (daemon.json, unit files, socket and /etc/docker modes) through a short-lived read-only helper container that binds only those paths">
          <input type="checkbox" checked={hostFiles} onChange={(e) => setHostFiles(e.target.checked)} /> read host files (starts a read-only
          helper)
        </label>
        <button type="button" className="dd-primary" disabled={!host || busy} onClick={() => void run()}>
          {busy ? 'Auditing…' : 'Run audit'}
        </button>
        {report && (
          <span className="dd-muted dd-small-text" data-testid="audit-summary">
            {visibleText(report.host, 80)} · engine {visibleText(report.engine.serverVersion, 40)} · {utc(report.takenAt)} ·{' '}
            {BENCHMARK_VERDICTS.map((v) => `${report.counts[v]} ${v}`).join(' · ')}
            {report.stored && <> · stored as artifact {report.stored.artifactId}</>}
          </span>
        )}
      </div>
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      {report?.limitations?.map((l) => (
        <div key={l} className="dd-panel dd-warn-text dd-small-text">
          {visibleText(l, 600)}
        </div>
      ))}
      {check && (
        <div className="dd-panel dd-audit-evidence" aria-label="Audit evidence">
          <div className="dd-inv-detail-head">
            <b>
              {check.id} {check.title}
            </b>
            <button type="button" className="dd-icon-btn" onClick={() => setSelected(null)} aria-label="Close evidence">
              ×
            </button>
          </div>
          <p>
            <span className={`dd-verdict dd-verdict-${check.verdict}`}>{check.verdict}</span> {visibleText(check.reason, 1000)}
          </p>
          <table className="dd-table">
            <thead>
              <tr>
                <th>Source</th>
                <th>Field</th>
                <th>Subject</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {check.evidence.map((e, i) => (
                <tr key={i}>
                  <td className="dd-mono dd-small-text">{visibleText(e.source, 200)}</td>
                  <td className="dd-mono dd-small-text">{visibleText(e.field, 200)}</td>
                  <td className="dd-small-text">{visibleText(e.subject ?? '', 200)}</td>
                  <td className="dd-mono dd-small-text dd-wrap">{visibleText(e.value, 2000)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {report && (
        <div className="dd-panel">
          <div className="dd-inline-form" role="group" aria-label="Audit filters">
            <select
              aria-label="Section"
              value={String(section)}
              onChange={(e) => setSection(e.target.value === 'all' ? 'all' : Number(e.target.value))}
            >
              <option value="all">all sections</option>
              {Object.entries(SECTIONS).map(([n, title]) => (
                <option key={n} value={n}>
                  {n}. {title}
                </option>
              ))}
            </select>
            {BENCHMARK_VERDICTS.map((v) => (
              <label key={v} className="dd-audit-verdict-filter">
                <input type="checkbox" checked={verdicts.has(v)} onChange={() => toggle(v)} />{' '}
                <span className={`dd-verdict dd-verdict-${v}`}>{v}</span> {inSection.filter((c) => c.verdict === v).length}
              </label>
            ))}
          </div>
          <table className="dd-table dd-audit-table" aria-label="Audit results">
            <thead>
              <tr>
                <th>ID</th>
                <th>Recommendation</th>
                <th>Level</th>
                <th>Assessment</th>
                <th>Verdict</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr
                  key={c.id}
                  className={c.id === selected ? 'dd-selected' : ''}
                  onClick={() => setSelected(c.id)}
                  tabIndex={0}
                  onKeyDown={(e) => e.key === 'Enter' && setSelected(c.id)}
                >
                  <td className="dd-mono">{c.id}</td>
                  <td>{c.title}</td>
                  <td>L{c.level}</td>
                  <td>{c.assessment}</td>
                  <td>
                    <span className={`dd-verdict dd-verdict-${c.verdict}`}>{c.verdict}</span>
                  </td>
                  <td className="dd-small-text">{visibleText(c.reason, 400)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
