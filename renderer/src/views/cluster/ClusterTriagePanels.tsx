import { useEffect, useRef, useState } from 'react';
import { counted } from '../../../../shared/counted';
import type { ClusterService } from '../../../../shared/domain/cluster';
import {
  noMajorityNote,
  unattributedReplicas,
  worstFound,
  type ClusterTriageResult,
  type ClusterTriageServiceProgress,
  type ClusterTriageUnattributed,
} from '../../../../shared/domain/cluster-triage';
import type { ReplicaOutlier, ServiceTriageProgress, ServiceTriageResult } from '../../../../shared/domain/replicas';
import type { DrydockError } from '../../../../shared/result';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from '../processes/visible-text';

/** Per-node progress lines of a running triage, latest state per node (and service). */
function NodeProgress({ progress }: { progress: Map<string, ServiceTriageProgress> }) {
  if (progress.size === 0) return null;
  return (
    <ul className="dd-cluster-progress" aria-label="Progress per node">
      {[...progress.values()].map((p) => (
        <li key={`${p.service} ${p.node}`} className={p.state === 'failed' ? 'dd-bad' : p.state === 'done' ? 'dd-good' : ''}>
          <span className="dd-mono">{visibleText(p.node, 60)}</span>
          {p.host && <span className="dd-muted"> via {visibleText(p.host, 60)}</span>}
          <span className="dd-muted"> · {visibleText(p.service, 60)}</span> · {p.state}
          {p.message && <span className="dd-small-text"> — {visibleText(p.message, 300)}</span>}
        </li>
      ))}
    </ul>
  );
}

function useNodeProgress(host: string, service: string | null): [Map<string, ServiceTriageProgress>, () => void] {
  const client = useClient();
  const [progress, setProgress] = useState<Map<string, ServiceTriageProgress>>(new Map());
  useEffect(
    () =>
      client.on('cluster.triage-progress', (p) => {
        if (p.manager !== host || (service !== null && p.service !== service)) return;
        setProgress((prev) => new Map(prev).set(`${p.service} ${p.node}`, p));
      }),
    [client, host, service],
  );
  return [progress, () => setProgress(new Map())];
}

export function OutlierList({ outliers, service }: { outliers: ReplicaOutlier[]; service?: string }) {
  return (
    <div className="dd-cluster-outliers" aria-label="Outliers">
      {outliers.map((o) => (
        <div key={o.taskId} className="dd-cluster-outlier" data-outlier={o.taskId}>
          <div>
            <span className={`dd-sevtag dd-sevtag-${o.severity}`}>{o.severity}</span> <b>OUTLIER</b>{' '}
            {service && <span>{visibleText(service, 80)} · </span>}
            <b>{visibleText(o.taskName, 80)}</b> <span className="dd-muted">task</span> <span className="dd-mono">{o.taskId}</span>{' '}
            <span className="dd-muted">on</span> {visibleText(o.nodeHostname, 80)} <span className="dd-muted">container</span>{' '}
            <span className="dd-mono">{o.containerId?.slice(0, 12) ?? '—'}</span>
          </div>
          <ul className="dd-small-text">
            {o.why.slice(0, 30).map((w, i) => (
              <li key={i}>{visibleText(w, 400)}</li>
            ))}
            {o.why.length > 30 && <li className="dd-muted">… {o.why.length - 30} more (in the stored comparison)</li>}
          </ul>
        </div>
      ))}
    </div>
  );
}

/**
 * Replicas that differ from their siblings in services with fewer than three compared: no majority
 * names an outlier, but the differences are there and a responder must look at each.
 */
export function NoMajorityList({ replicas, service }: { replicas: ClusterTriageUnattributed[]; service: string }) {
  return (
    <div className="dd-cluster-outliers" aria-label={`Differences with no majority in ${service}`}>
      {replicas.map((u) => (
        <div key={u.taskId} className="dd-cluster-outlier" data-unattributed={u.taskId}>
          <div>
            <span className={`dd-sevtag dd-sevtag-${u.severity}`}>{u.severity}</span> <b>DIFFERS, NO MAJORITY</b>{' '}
            <span>{visibleText(service, 80)} · </span>
            <b>{visibleText(u.taskName, 80)}</b> <span className="dd-muted">task</span> <span className="dd-mono">{u.taskId}</span>{' '}
            <span className="dd-muted">on</span> {visibleText(u.nodeHostname, 80)} <span className="dd-muted">container</span>{' '}
            <span className="dd-mono">{u.containerId?.slice(0, 12) ?? '—'}</span>
          </div>
          <ul className="dd-small-text">
            {u.why.slice(0, 30).map((w, i) => (
              <li key={i}>{visibleText(w, 400)}</li>
            ))}
            {u.why.length > 30 && <li className="dd-muted">… {u.why.length - 30} more (in the stored comparison)</li>}
          </ul>
        </div>
      ))}
    </div>
  );
}

/** One service's replicas compared across their nodes ('cluster.triage-service'). */
export function ServiceTriagePanel({
  host,
  services,
  service,
  onService,
  run,
}: {
  host: string;
  services: ClusterService[];
  service: string | null;
  onService: (name: string) => void;
  /** Incremented by the Services table's "Triage service": start a run for `service`. */
  run: number;
}) {
  const client = useClient();
  const [progress, clearProgress] = useNodeProgress(host, service);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ServiceTriageResult | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  const started = useRef(0);
  const chosen = service ?? services[0]?.name ?? '';

  const start = async (name: string) => {
    if (!name) return;
    setBusy(true);
    setError(null);
    setResult(null);
    clearProgress();
    const r = await client.invoke('cluster.triage-service', { host, service: name });
    setBusy(false);
    if (r.ok) setResult(r.value);
    else setError(r.error);
  };

  useEffect(() => {
    if (run > started.current && service) {
      started.current = run;
      void start(service);
    }
    // start is stable enough: a new run number is the only trigger.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run, service]);

  const c = result?.comparison;
  // Fewer than three compared: no outlier is named, but what differs is shown, never an all-clear.
  const differing = c ? unattributedReplicas(c) : [];
  return (
    <div className="dd-panel" aria-label="Service triage">
      <div className="dd-panel-title">Triage one service: its replicas compared across their nodes</div>
      <div className="dd-inline-form">
        <select aria-label="Service to triage" value={chosen} onChange={(e) => onService(e.target.value)}>
          {services.map((s) => (
            <option key={s.id} value={s.name}>
              {visibleText(s.name, 80)}
            </option>
          ))}
        </select>
        <button type="button" className="dd-primary" disabled={busy || !chosen} onClick={() => void start(chosen)}>
          {busy ? 'Triaging…' : 'Triage service'}
        </button>
        {result && (
          <span className="dd-muted dd-small-text" data-testid="service-triage-summary">
            {counted(c?.tasks.length ?? 0, 'running task')}, {c?.comparable} compared, {counted(result.outliers.length, 'outlier')}
            {result.stored && <> · stored as artifact {result.stored.artifactId}</>}
          </span>
        )}
      </div>
      <NodeProgress progress={progress} />
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      {result && c && (
        <>
          {result.outliers.length > 0 && <OutlierList outliers={result.outliers} />}
          {differing.length > 0 ? (
            <>
              <div className="dd-warnbox">
                No outlier named: only {c.comparable} replicas could be compared, so there is no majority to say which is the odd one out.{' '}
                {differing.length === 1 ? 'This replica differs' : 'These replicas differ'} from the other; look at each.
              </div>
              <NoMajorityList replicas={differing} service={result.service.name} />
            </>
          ) : result.outliers.length > 0 ? null : (
            <div className="dd-okbox">
              {c.comparable >= 3
                ? 'No replica differs from its siblings.'
                : 'No outlier named: fewer than three replicas could be compared.'}
            </div>
          )}
          <table className="dd-table dd-cluster-table" aria-label="Replica verdicts">
            <thead>
              <tr>
                <th>Task</th>
                <th>Node</th>
                <th>Reached as</th>
                <th>Container</th>
                <th>Verdict</th>
                <th>Differences</th>
              </tr>
            </thead>
            <tbody>
              {c.tasks.map((t) => (
                <tr key={t.taskId} data-verdict={t.taskId}>
                  <td>
                    {visibleText(t.taskName, 80)}
                    <div className="dd-mono dd-muted dd-small-text">{t.taskId.slice(0, 12)}</div>
                  </td>
                  <td>{visibleText(t.nodeHostname || t.nodeId, 60)}</td>
                  <td className="dd-mono">{visibleText(result.nodes.find((n) => n.nodeId === t.nodeId)?.host ?? '—', 60)}</td>
                  <td className="dd-mono dd-small-text">{t.containerId?.slice(0, 12) ?? '—'}</td>
                  <td>
                    {!t.compared ? (
                      <>
                        <b className="dd-bad">NOT READ</b>
                        <div className="dd-small-text dd-warn-text">{visibleText(t.reason ?? '', 400)}</div>
                      </>
                    ) : t.outlier ? (
                      <b className="dd-bad">OUTLIER</b>
                    ) : c.comparable >= 3 ? (
                      <span className="dd-good">like its siblings</span>
                    ) : (
                      <span className="dd-muted">no majority</span>
                    )}
                  </td>
                  <td className="dd-small-text">
                    {!t.compared ? '—' : t.differences.length ? `${t.differences.length} (worst ${t.severity})` : '0'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {[...c.limitations, ...result.unanswered.map((u) => `Host ${u.host} did not answer while nodes were mapped: ${u.error}`)].map(
            (l) => (
              <div key={l} className="dd-warn-text dd-small-text">
                {visibleText(l, 600)}
              </div>
            ),
          )}
        </>
      )}
    </div>
  );
}

/** Every service of the swarm triaged ('cluster.triage'): nodes reached or not, outliers and unread replicas per service. */
export function ClusterTriagePanel({ host }: { host: string }) {
  const client = useClient();
  const [progress, clearProgress] = useNodeProgress(host, null);
  const [services, setServices] = useState<ClusterTriageServiceProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ClusterTriageResult | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  useEffect(
    () =>
      client.on('cluster.triage-service-progress', (p) => {
        if (p.manager === host) setServices(p);
      }),
    [client, host],
  );
  const start = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    setServices(null);
    clearProgress();
    const r = await client.invoke('cluster.triage', { host });
    setBusy(false);
    if (r.ok) setResult(r.value);
    else setError(r.error);
  };
  return (
    <div className="dd-panel" aria-label="Cluster triage">
      <div className="dd-panel-title">Triage every service of the swarm</div>
      <div className="dd-inline-form">
        <button type="button" disabled={busy || !host} onClick={() => void start()}>
          {busy ? 'Triaging the cluster…' : 'Triage cluster'}
        </button>
        {busy && services && (
          <span className="dd-muted dd-small-text">
            {services.done}/{services.total} services · {visibleText(services.service, 60)} {services.state}
          </span>
        )}
        {result && (
          <span className="dd-muted dd-small-text" data-testid="cluster-triage-summary">
            {counted(result.servicesTriaged, 'service')} triaged · {counted(result.outliers, 'outlier')} ·{' '}
            {counted(result.replicasNotRead, 'replica')} not read · nodes reached {result.nodesReached}, not reached {result.nodesUnreached}
            {result.unattributed > 0 && (
              <b className="dd-bad">
                {' '}
                · {result.unattributed} {result.unattributed === 1 ? 'replica differs' : 'replicas differ'} with no majority to name an
                outlier
              </b>
            )}
            {result.stored && <> · stored as artifact {result.stored.artifactId}</>}
          </span>
        )}
      </div>
      {busy && <NodeProgress progress={progress} />}
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      {result && (
        <>
          <table className="dd-table dd-cluster-table" aria-label="Cluster triage nodes">
            <thead>
              <tr>
                <th>Node</th>
                <th>Reached as</th>
                <th>Tasks read</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {result.nodes.map((n) => (
                <tr key={n.nodeId}>
                  <td>{visibleText(n.hostname || n.nodeId, 60)}</td>
                  <td className="dd-mono">{visibleText(n.host ?? '—', 60)}</td>
                  <td>
                    {n.read}/{n.tasks}
                  </td>
                  <td className={n.state === 'unreached' || n.state === 'partly-reached' ? 'dd-bad' : ''}>
                    {n.state}
                    {n.reasons.map((r) => (
                      <div key={r} className="dd-small-text dd-warn-text">
                        {visibleText(r, 300)}
                      </div>
                    ))}
                    {n.suggestion && <div className="dd-small-text dd-muted">suggested profile URL: {visibleText(n.suggestion, 100)}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="dd-table dd-cluster-table" aria-label="Cluster triage services">
            <thead>
              <tr>
                <th>Service</th>
                <th>Running</th>
                <th>Compared</th>
                <th>Outliers</th>
                <th>Worst</th>
                <th>Not read</th>
              </tr>
            </thead>
            <tbody>
              {result.services.map((s) => (
                <tr key={s.serviceId}>
                  <td>{visibleText(s.serviceName, 80)}</td>
                  <td>{s.running}</td>
                  <td>{s.compared}</td>
                  <td className={s.outliers.length ? 'dd-bad' : ''}>
                    {s.outliers.length}
                    {noMajorityNote(s) && (
                      <div
                        className={`dd-small-text ${s.unattributed.length ? 'dd-warn-text' : 'dd-muted'}`}
                        data-testid="no-majority-note"
                      >
                        {visibleText(noMajorityNote(s), 300)}
                      </div>
                    )}
                  </td>
                  <td data-testid="service-worst">{worstFound(s) ?? '—'}</td>
                  <td>
                    {s.notRead.length ? <b className="dd-bad">{s.notRead.length} NOT READ</b> : '0'}
                    {s.error && <div className="dd-small-text dd-warn-text">failed: {visibleText(s.error, 300)}</div>}
                    {s.skipped && <div className="dd-small-text dd-muted">{visibleText(s.skipped, 100)}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.services
            .filter((s) => s.outliers.length)
            .map((s) => (
              <OutlierList key={s.serviceId} outliers={s.outliers} service={s.serviceName} />
            ))}
          {result.services
            .filter((s) => s.unattributed.length)
            .map((s) => (
              <NoMajorityList key={`nm-${s.serviceId}`} replicas={s.unattributed} service={s.serviceName} />
            ))}
        </>
      )}
    </div>
  );
}
