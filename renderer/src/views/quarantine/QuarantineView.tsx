import { useCallback, useEffect, useState } from 'react';
import type { QuarantineRecord } from '../../../../shared/domain/quarantine';
import type { DrydockError } from '../../../../shared/result';
import { utc } from '../../lib/format';
import { useClient, useLiveEpoch } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { useHosts } from '../../shell/hosts-context';
import { visibleText } from '../processes/visible-text';
import type { ViewProps } from '../view-types';
import { QuarantineDialog } from './QuarantineDialog';
import { STATE_LABEL } from './quarantine-text';
import './quarantine.css';

/** Remounted on each visit, so that params opening a container's dialog are read afresh. */
export function QuarantineMount({ params, visit }: ViewProps) {
  return <QuarantineView key={visit} params={params} visit={visit} />;
}

/**
 * Every quarantine of a host: what is cut off, paused or stopped right now (and, on request, what
 * was released). Opened from another view with a container, it goes straight to that container's
 * quarantine dialog.
 */
export function QuarantineView({ params }: ViewProps) {
  const client = useClient();
  const epoch = useLiveEpoch();
  const { profiles } = useHosts();
  const [chosenHost, setHost] = useState(params.host ?? '');
  const host = chosenHost || profiles[0]?.name || '';
  const [includeReleased, setIncludeReleased] = useState(false);
  const [records, setRecords] = useState<QuarantineRecord[]>([]);
  const [error, setError] = useState<DrydockError | null>(null);
  const [target, setTarget] = useState('');
  const [dialog, setDialog] = useState<{ container: string; name?: string } | null>(
    params.host && params.container ? { container: params.container } : null,
  );
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    if (!host) return;
    let live = true;
    void client.invoke('quarantine.status', { host, includeReleased }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setRecords(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [client, host, includeReleased, epoch, nonce]);

  useEffect(() => client.on('quarantine.changed', (e) => e.host === host && setNonce((n) => n + 1)), [client, host]);

  const close = useCallback(() => setDialog(null), []);

  return (
    <div className="dd-view dd-q-view" data-testid="quarantine-view">
      <div className="dd-view-head">
        <h1>Quarantine</h1>
      </div>
      <div className="dd-panel">
        <div className="dd-inline-form">
          <label className="dd-inline-label">
            Host{' '}
            <select value={host} onChange={(e) => setHost(e.target.value)} aria-label="Host">
              {profiles.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <label className="dd-check">
            <input type="checkbox" checked={includeReleased} onChange={(e) => setIncludeReleased(e.target.checked)} /> include released
          </label>
        </div>
        <form
          className="dd-inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (target.trim()) setDialog({ container: target.trim() });
          }}
        >
          <input
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            placeholder="Container name or ID, or a Swarm task ID or SERVICE.SLOT (host: its manager)"
            aria-label="Container to quarantine"
            size={48}
          />
          <button type="submit" disabled={!host || !target.trim()}>
            Quarantine…
          </button>
        </form>
      </div>
      {error && <ErrorBox error={error} />}
      <div className="dd-panel">
        <h3 className="dd-panel-title">{includeReleased ? 'Quarantines' : 'In quarantine'}</h3>
        {records.length === 0 ? (
          <div className="dd-empty-state" data-testid="quarantine-empty">
            <p>{host ? `No ${includeReleased ? '' : 'active '}quarantine on ${visibleText(host, 80)}.` : 'Add a host first.'}</p>
            <p>
              Quarantine contains a suspect container without destroying evidence: it can cut its networks, pause its processes, snapshot it
              as an image, or stop it. The plan shows exactly what will change before anything is applied, and release puts it back as it
              was (same networks, aliases and addresses), with a reason kept in the audit log.
            </p>
          </div>
        ) : (
          <table className="dd-table">
            <thead>
              <tr>
                <th>State</th>
                <th>Container</th>
                <th>Modes</th>
                <th>Since</th>
                <th>Problem</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <tr key={r.id} data-container={r.containerId} data-state={r.state}>
                  <td>
                    <span className={`dd-q-state dd-q-state-${r.state}`}>{STATE_LABEL[r.state]}</span>
                  </td>
                  <td>
                    {visibleText(r.containerName, 120)} <span className="dd-mono dd-muted">{r.containerId.slice(0, 12)}</span>
                  </td>
                  <td>{r.modes.join(', ')}</td>
                  <td className="dd-nowrap">{utc(r.createdAt)}</td>
                  <td className="dd-warn-text">{r.lastError ? visibleText(r.lastError, 200) : ''}</td>
                  <td className="dd-row-actions">
                    {r.state !== 'released' && (
                      <button
                        type="button"
                        className="dd-small"
                        onClick={() => setDialog({ container: r.containerId, name: r.containerName })}
                      >
                        Manage…
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {dialog && host && (
        <QuarantineDialog
          client={client}
          host={host}
          container={dialog.container}
          {...(dialog.name ? { containerName: dialog.name } : {})}
          onClose={close}
        />
      )}
    </div>
  );
}
