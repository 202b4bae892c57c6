import { useState } from 'react';
import type { ClusterNode, ClusterPort, ClusterService, ClusterTask } from '../../../../shared/domain/cluster';
import type { NodeEngine } from '../../../../shared/domain/replicas';
import type { DrydockError } from '../../../../shared/result';
import { utc } from '../../lib/format';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from '../processes/visible-text';

/** Labels shown per node or service before "+N more" (the rest are in the title). */
const MAX_LABELS = 6;

/** Labels as key=value chips, each cut and made visible (a manager's labels can be anything, and huge). */
export function Labels({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return <span className="dd-muted">—</span>;
  const all = entries
    .slice(0, 200)
    .map(([k, v]) => visibleText(v ? `${k}=${v}` : k, 300))
    .join('\n');
  return (
    <span className="dd-cluster-labels" title={all}>
      {entries.slice(0, MAX_LABELS).map(([k, v]) => (
        <span key={k} className="dd-chip dd-cluster-label">
          {visibleText(v ? `${k}=${v}` : k, 60)}
        </span>
      ))}
      {entries.length > MAX_LABELS && <span className="dd-muted dd-small-text"> +{entries.length - MAX_LABELS} more</span>}
    </span>
  );
}

function portText(p: ClusterPort): string {
  return `${p.publishedPort ?? '?'}→${p.targetPort}/${p.protocol}${p.publishMode === 'host' ? ' (host)' : ''}`;
}

function names(refs: { id: string; name: string }[]): string {
  return refs.map((r) => visibleText(r.name || r.id.slice(0, 12), 60)).join(', ') || '—';
}

/** Adds a host profile for an unmapped node: the URL the node's address suggests, editable. */
function MapNodeForm({ engine, onMapped }: { engine: NodeEngine; onMapped: () => void }) {
  const client = useClient();
  const [name, setName] = useState(`node-${engine.hostname.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 40) || engine.nodeId.slice(0, 12)}`);
  const [url, setUrl] = useState(engine.suggestion ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DrydockError | null>(null);
  const add = async () => {
    setBusy(true);
    setError(null);
    const r = await client.invoke('hosts.add', { name, url });
    setBusy(false);
    if (r.ok) onMapped();
    else setError(r.error);
  };
  return (
    <div className="dd-inline-form dd-cluster-map" aria-label={`Map node ${engine.hostname || engine.nodeId}`}>
      <input aria-label="Profile name" value={name} onChange={(e) => setName(e.target.value)} size={16} />
      <input aria-label="Engine URL" value={url} onChange={(e) => setUrl(e.target.value)} size={28} placeholder="tcp://ADDRESS:2376" />
      <button type="button" className="dd-primary" disabled={busy || !name || !url} onClick={() => void add()}>
        {busy ? 'Adding…' : 'Add profile'}
      </button>
      <span className="dd-muted dd-small-text">
        The profile maps to this node only if its engine answers with node ID {engine.nodeId.slice(0, 12)}.
      </span>
      {error && <ErrorBox error={error} compact onDismiss={() => setError(null)} />}
    </div>
  );
}

/** The nodes with the profile that reaches each, and a way to add one for a node no profile reaches. */
export function NodesTable({ nodes, engines, onMapped }: { nodes: ClusterNode[]; engines: NodeEngine[] | null; onMapped: () => void }) {
  const [mapping, setMapping] = useState<string | null>(null);
  const engineOf = new Map((engines ?? []).map((e) => [e.nodeId, e]));
  return (
    <div className="dd-panel">
      <table className="dd-table dd-cluster-table" aria-label="Swarm nodes">
        <thead>
          <tr>
            <th>Hostname</th>
            <th>Role</th>
            <th>Availability</th>
            <th>Status</th>
            <th>Engine</th>
            <th>Address</th>
            <th>Labels</th>
            <th>Reached as</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => {
            const engine = engineOf.get(n.id);
            return (
              <tr key={n.id} className={n.reachable ? '' : 'dd-cluster-unreachable'} data-node={n.id}>
                <td>
                  <b>{visibleText(n.hostname || '(no hostname)', 80)}</b>
                  {n.self && <span className="dd-muted dd-small-text"> (this connection)</span>}
                  <div className="dd-mono dd-muted dd-small-text">{n.id.slice(0, 12)}</div>
                </td>
                <td>
                  {n.role}
                  {n.manager?.leader && (
                    <>
                      {' '}
                      <span className="dd-pill dd-pill-current">leader</span>
                    </>
                  )}
                  {n.manager && !n.manager.leader && <div className="dd-muted dd-small-text">manager {n.manager.reachability}</div>}
                </td>
                <td>{n.availability}</td>
                <td>
                  <span className={n.reachable ? 'dd-good' : 'dd-bad'}>{n.state}</span>
                  {!n.reachable && (
                    <div className="dd-small-text dd-warn-text">
                      unreachable: shown as the manager last knew it
                      {n.stateMessage ? ` (${visibleText(n.stateMessage, 200)})` : ''}
                    </div>
                  )}
                </td>
                <td className="dd-mono">{visibleText(n.engineVersion || '—', 40)}</td>
                <td className="dd-mono">{visibleText(n.address || '—', 60)}</td>
                <td>
                  <Labels labels={n.labels} />
                </td>
                <td>
                  {engine === undefined ? (
                    <span className="dd-muted">…</span>
                  ) : engine.host ? (
                    <span className="dd-mono">{visibleText(engine.host, 60)}</span>
                  ) : (
                    <>
                      <span className="dd-warn-text">
                        {engine.state === 'node-down' ? 'node down · no profile' : 'no profile reaches it'}
                      </span>{' '}
                      <button type="button" className="dd-link" onClick={() => setMapping(mapping === n.id ? null : n.id)}>
                        Map to a host profile…
                      </button>
                      {mapping === n.id && (
                        <MapNodeForm
                          engine={engine}
                          onMapped={() => {
                            setMapping(null);
                            onMapped();
                          }}
                        />
                      )}
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function ServicesTable({
  services,
  onTasks,
  onTriage,
}: {
  services: ClusterService[];
  onTasks: (serviceId: string) => void;
  onTriage: (serviceName: string) => void;
}) {
  return (
    <div className="dd-panel">
      <table className="dd-table dd-cluster-table" aria-label="Swarm services">
        <thead>
          <tr>
            <th>Name</th>
            <th>Mode</th>
            <th>Replicas</th>
            <th>Image</th>
            <th>Update</th>
            <th>Ports</th>
            <th>Networks</th>
            <th>Secrets</th>
            <th>Configs</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {services.map((s) => (
            <tr key={s.id} data-service={s.name}>
              <td>
                <b>{visibleText(s.name, 80)}</b>
                <div className="dd-mono dd-muted dd-small-text">{s.id.slice(0, 12)}</div>
              </td>
              <td>{s.mode}</td>
              <td className={s.replicas.running !== null && s.replicas.running !== s.replicas.desired ? 'dd-warn-text' : ''}>
                {s.replicas.running ?? '?'}/{s.replicas.desired ?? '?'}
                {s.replicas.completed !== undefined ? ` (${s.replicas.completed} completed)` : ''}
              </td>
              <td className="dd-mono dd-small-text dd-cluster-image">
                {visibleText(s.image.reference, 120)}
                {s.image.digest && <div className="dd-muted">@{visibleText(s.image.digest, 80)}</div>}
              </td>
              <td className="dd-small-text">
                {s.update ? (
                  <>
                    {visibleText(s.update.state, 40)}
                    {s.update.message && <div className="dd-muted">{visibleText(s.update.message, 200)}</div>}
                  </>
                ) : (
                  <span className="dd-muted">never updated</span>
                )}
              </td>
              <td className="dd-mono dd-small-text">{s.ports.map(portText).join(', ') || '—'}</td>
              <td className="dd-small-text">{names(s.networks)}</td>
              <td className="dd-small-text" title="names only: Drydock never reads secret values">
                {names(s.secrets)}
              </td>
              <td className="dd-small-text">{names(s.configs)}</td>
              <td className="dd-nowrap">
                <button type="button" onClick={() => onTasks(s.id)}>
                  Tasks
                </button>{' '}
                <button type="button" className="dd-primary" onClick={() => onTriage(s.name)} aria-label={`Triage service ${s.name}`}>
                  Triage service
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {services.length === 0 && <div className="dd-empty">No services in this swarm.</div>}
    </div>
  );
}

/** The manager's tasks; a running task with a container offers "Quarantine…" (onQuarantine). */
export function TasksTable({ tasks, onQuarantine }: { tasks: ClusterTask[]; onQuarantine?: (task: ClusterTask) => void }) {
  return (
    <table className="dd-table dd-cluster-table" aria-label="Swarm tasks">
      <thead>
        <tr>
          <th>Task</th>
          <th>Node</th>
          <th>Desired</th>
          <th>State</th>
          <th>Since</th>
          <th>Container</th>
          <th>Error</th>
          <th>Created / updated</th>
          {onQuarantine && <th />}
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t.id} data-task={t.id}>
            <td>
              {visibleText(t.name, 80)}
              <div className="dd-mono dd-muted dd-small-text">{t.id.slice(0, 12)}</div>
            </td>
            <td>{visibleText(t.nodeHostname || t.nodeId || '(unassigned)', 60)}</td>
            <td>{visibleText(t.desiredState, 20)}</td>
            <td className={t.state === 'running' ? 'dd-good' : t.state === 'failed' || t.state === 'rejected' ? 'dd-bad' : ''}>
              {visibleText(t.state, 20)}
              {t.exitCode !== undefined && <span className="dd-muted"> (exit {t.exitCode})</span>}
            </td>
            <td className="dd-small-text">{utc(t.stateSince)}</td>
            <td className="dd-mono dd-small-text">{t.containerId ? t.containerId.slice(0, 12) : '—'}</td>
            <td className="dd-small-text dd-warn-text dd-wrap">{t.error ? visibleText(t.error, 300) : ''}</td>
            <td className="dd-small-text">
              {utc(t.createdAt)}
              <div className="dd-muted">{utc(t.updatedAt)}</div>
            </td>
            {onQuarantine && (
              <td className="dd-row-actions">
                {t.desiredState === 'running' && t.containerId && (
                  <button type="button" className="dd-small" onClick={() => onQuarantine(t)}>
                    Quarantine…
                  </button>
                )}
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
