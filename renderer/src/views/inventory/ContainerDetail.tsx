import { useState, type ReactNode } from 'react';
import type { ContainerSummary } from '../../../../shared/domain/inventory';
import { utc } from '../../lib/format';
import { visibleText } from '../processes/visible-text';
import { useClient } from '../../shell/app-context';
import { ContainerQuarantineBanner } from '../quarantine/QuarantineBanner';
import { QuarantineDialog } from '../quarantine/QuarantineDialog';
import { SeverityTag } from './FlagChip';
import { displayName, type InventoryRow } from './inventory-rows';

interface Props {
  row: InventoryRow;
  onClose: () => void;
  onProcesses: (c: ContainerSummary) => void;
  onCapture: (c: ContainerSummary) => void;
}

function Field({ label, children, mono }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className={mono ? 'dd-mono dd-wrap' : 'dd-wrap'}>{children}</dd>
    </>
  );
}

const v = (s: string | undefined | null, max = 400) => (s ? visibleText(s, max) : '—');

/** Everything the engine said about one container, every string shown as inert, visible text. */
export function ContainerDetail({ row, onClose, onProcesses, onCapture }: Props) {
  const c = row.container;
  const running = c.state === 'running' && !row.removed;
  const labels = Object.entries(c.labels).sort(([a], [b]) => a.localeCompare(b));
  const client = useClient();
  const [quarantining, setQuarantining] = useState(false);

  return (
    <aside className="dd-panel dd-inv-detail" aria-label="Container detail" data-testid="container-detail">
      <div className="dd-inv-detail-head">
        <div>
          <h2 className="dd-inv-detail-name">{visibleText(displayName(c), 200)}</h2>
          <span className={`dd-state dd-state-${row.removed ? 'removed' : c.state}`}>{row.removed ? 'removed' : c.state}</span>{' '}
          {c.status && c.status.toLowerCase() !== c.state && <span className="dd-muted">· engine status: {v(c.status, 120)}</span>}
        </div>
        <button type="button" className="dd-icon-btn" onClick={onClose} aria-label="Close detail" title="Close (Esc)">
          ×
        </button>
      </div>
      {!row.removed && (
        <ContainerQuarantineBanner client={client} host={c.host} containerId={c.id} onManage={() => setQuarantining(true)} />
      )}
      <div className="dd-actions">
        <button
          type="button"
          className="dd-small"
          onClick={() => onProcesses(c)}
          disabled={!running}
          title={running ? 'Process tree of this container' : 'Only a running container has processes'}
        >
          Processes…
        </button>
        <button
          type="button"
          className="dd-small"
          onClick={() => onCapture(c)}
          disabled={!running}
          title={running ? 'Capture this container\u2019s traffic' : 'Only a running container can be captured'}
        >
          Capture…
        </button>
        <button
          type="button"
          className="dd-small dd-danger"
          onClick={() => setQuarantining(true)}
          disabled={row.removed}
          title="Isolate, pause or snapshot this container; released exactly as it was"
        >
          Quarantine…
        </button>
      </div>
      {quarantining && (
        <QuarantineDialog client={client} host={c.host} container={c.id} containerName={c.name} onClose={() => setQuarantining(false)} />
      )}

      <section className="dd-inv-section">
        <h3>Risk flags ({c.risks.length})</h3>
        {c.risks.length === 0 ? (
          <p className="dd-muted">No risk flag.</p>
        ) : (
          <ul className="dd-risks">
            {c.risks.map((r) => (
              <li key={r.id} className={`dd-risk dd-risk-${r.severity}`} data-flag={r.id}>
                <div>
                  <SeverityTag severity={r.severity} /> <b>{r.id}</b>
                </div>
                <div>{visibleText(r.reason, 600)}</div>
                {r.evidence && r.evidence.length > 0 && (
                  <ul className="dd-risk-evidence">
                    {r.evidence.map((e, i) => (
                      <li key={i} className="dd-mono">
                        {visibleText(e, 400)}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="dd-inv-section">
        <h3>Identity</h3>
        <dl className="dd-kv">
          <Field label="ID" mono>
            {c.id}
          </Field>
          <Field label="Image" mono>
            {v(c.image)}
          </Field>
          <Field label="Image ID" mono>
            {v(c.imageId)}
          </Field>
          <Field label="Created">{utc(c.createdAt)}</Field>
          <Field label="Started">{utc(c.startedAt)}</Field>
          {c.finishedAt && <Field label="Finished">{utc(c.finishedAt)}</Field>}
          <Field label="Restarts">{c.restartCount}</Field>
          <Field label="Command" mono>
            {v(c.command, 4000)}
          </Field>
          <Field label="User" mono>
            {c.user ? visibleText(c.user, 80) : '(image default: root unless the image says otherwise)'}
          </Field>
          {c.compose && (
            <Field label="Compose">
              project <b>{v(c.compose.project, 120)}</b> service <b>{v(c.compose.service, 120)}</b>
            </Field>
          )}
          {c.swarm && (
            <Field label="Swarm">
              service <b>{v(c.swarm.serviceName, 120)}</b>
              {c.swarm.taskName && <> task {v(c.swarm.taskName, 160)}</>}
            </Field>
          )}
        </dl>
      </section>

      <section className="dd-inv-section">
        <h3>Networks ({c.networks.length})</h3>
        {c.networks.length === 0 ? (
          <p className="dd-muted">None.</p>
        ) : (
          <table className="dd-grid dd-grid-tight">
            <thead>
              <tr>
                <th>Network</th>
                <th>IPv4</th>
                <th>IPv6</th>
                <th>MAC</th>
                <th>Aliases</th>
              </tr>
            </thead>
            <tbody>
              {c.networks.map((n) => (
                <tr key={n.networkId || n.network}>
                  <td>{v(n.network, 80)}</td>
                  <td className="dd-mono">{v(n.ipv4, 60)}</td>
                  <td className="dd-mono">{v(n.ipv6, 60)}</td>
                  <td className="dd-mono">{v(n.mac, 40)}</td>
                  <td className="dd-mono">{n.aliases.length ? visibleText(n.aliases.join(', '), 200) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="dd-inv-section">
        <h3>Ports ({c.ports.length})</h3>
        {c.ports.length === 0 ? (
          <p className="dd-muted">None published.</p>
        ) : (
          <ul className="dd-plain dd-mono">
            {c.ports.map((p, i) => (
              <li key={i}>
                {p.hostPort !== undefined ? `${p.hostIp ? visibleText(p.hostIp, 60) : '*'}:${p.hostPort} → ` : ''}
                {p.containerPort}/{visibleText(p.protocol, 8)}
                {p.hostPort === undefined && <span className="dd-muted"> (exposed, not published)</span>}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="dd-inv-section">
        <h3>Mounts ({c.mounts.length})</h3>
        {c.mounts.length === 0 ? (
          <p className="dd-muted">None.</p>
        ) : (
          <table className="dd-grid dd-grid-tight">
            <thead>
              <tr>
                <th>Mode</th>
                <th>Type</th>
                <th>Source</th>
                <th>Destination</th>
              </tr>
            </thead>
            <tbody>
              {c.mounts.map((m, i) => (
                <tr key={i}>
                  <td>
                    <span className={m.readOnly ? 'dd-ro' : 'dd-rw'}>{m.readOnly ? 'ro' : 'rw'}</span>
                  </td>
                  <td>{v(m.type, 20)}</td>
                  <td className="dd-mono dd-wrap">{v(m.name ?? m.source, 600)}</td>
                  <td className="dd-mono dd-wrap">{v(m.destination, 600)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="dd-inv-section">
        <h3>Labels ({labels.length})</h3>
        {labels.length === 0 ? (
          <p className="dd-muted">None.</p>
        ) : (
          <dl className="dd-kv dd-kv-labels">
            {labels.map(([key, value]) => (
              <Field key={key} label={visibleText(key, 200)} mono>
                {visibleText(value, 1000)}
              </Field>
            ))}
          </dl>
        )}
      </section>
    </aside>
  );
}
