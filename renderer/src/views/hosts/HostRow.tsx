import { useEffect, useState } from 'react';
import type { EngineFacts, HostProfile, HostStatus } from '../../../../shared/domain/hosts';
import type { DrydockError, Result } from '../../../../shared/result';
import { since, utc } from '../../lib/format';
import { useApp } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { StateDot, TlsOffBadge } from '../../shell/HostLabel';
import { tlsVerifyOff } from '../../shell/hosts-context';
import { visibleText } from '../processes/visible-text';
import { EngineFactsPanel } from './EngineFactsPanel';

interface Props {
  profile: HostProfile;
  status: HostStatus | undefined;
  onRemoved: () => void;
}

type Busy = null | 'test' | 'connect' | 'disconnect' | 'remove';

/** One saved host: its live state, and the actions on it with their errors shown right there. */
export function HostRow({ profile, status, onRemoved }: Props) {
  const { client, navigate } = useApp();
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  const [facts, setFacts] = useState<EngineFacts | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const state = status?.state ?? 'disconnected';
  const live = state === 'connected' || state === 'connecting' || state === 'reconnecting';

  useEffect(() => {
    if (!confirmRemove) return;
    const timer = setTimeout(() => setConfirmRemove(false), 4000);
    return () => clearTimeout(timer);
  }, [confirmRemove]);

  async function act<T>(which: Busy, call: () => Promise<Result<T>>): Promise<Result<T>> {
    setBusy(which);
    setError(null);
    const r = await call();
    setBusy(null);
    if (!r.ok) setError(r.error);
    return r;
  }

  const test = async () => {
    setFacts(null);
    const r = await act('test', () => client.invoke('hosts.test', { name: profile.name }));
    if (r.ok) setFacts(r.value);
  };
  const remove = async () => {
    if (!confirmRemove) return setConfirmRemove(true);
    setConfirmRemove(false);
    const r = await act('remove', () => client.invoke('hosts.remove', { name: profile.name }));
    if (r.ok) onRemoved();
  };

  return (
    <>
      <tr className={`dd-host-row dd-host-${state}`} data-host={profile.name}>
        <td className="dd-nowrap">
          <StateDot state={state} /> <span className={`dd-state dd-state-${state}`}>{state}</span>
        </td>
        <td>
          <b>{visibleText(profile.name, 64)}</b>
          {tlsVerifyOff(profile) && (
            <>
              {' '}
              <TlsOffBadge />
            </>
          )}
        </td>
        <td className="dd-mono dd-ellipsis" title={profile.url}>
          {visibleText(profile.url, 200)}
        </td>
        <td>{profile.kind}</td>
        <td className="dd-muted dd-nowrap" title={since(status?.since)}>
          {utc(status?.since)}
        </td>
        <td className="dd-host-error">
          {status?.lastError && state !== 'connected' && (
            <span>
              <span className="dd-kind">{visibleText(status.lastError.kind, 32)}</span> {visibleText(status.lastError.message, 300)}
            </span>
          )}
        </td>
        <td className="dd-row-actions">
          <button type="button" className="dd-small" onClick={() => void test()} disabled={busy !== null}>
            {busy === 'test' ? 'Testing…' : 'Test'}
          </button>
          {live ? (
            <button
              type="button"
              className="dd-small"
              onClick={() => void act('disconnect', () => client.invoke('hosts.disconnect', { name: profile.name }))}
              disabled={busy !== null}
            >
              Disconnect
            </button>
          ) : (
            <button
              type="button"
              className="dd-small dd-primary"
              onClick={() => void act('connect', () => client.invoke('hosts.connect', { name: profile.name }))}
              disabled={busy !== null}
            >
              {busy === 'connect' ? 'Connecting…' : 'Connect'}
            </button>
          )}
          <button
            type="button"
            className="dd-small"
            onClick={() => navigate('inventory', { host: profile.name })}
            disabled={state !== 'connected'}
          >
            Inventory
          </button>
          <button
            type="button"
            className={`dd-small${confirmRemove ? ' dd-danger' : ''}`}
            onClick={() => void remove()}
            disabled={busy !== null}
          >
            {confirmRemove ? 'Confirm remove' : 'Remove'}
          </button>
        </td>
      </tr>
      {(error || facts) && (
        <tr className="dd-host-extra">
          <td colSpan={7}>
            {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
            {facts && (
              <div className="dd-facts-wrap">
                <EngineFactsPanel facts={facts} />
                <button type="button" className="dd-icon-btn" onClick={() => setFacts(null)} aria-label="Hide engine facts" title="Hide">
                  ×
                </button>
              </div>
            )}
          </td>
        </tr>
      )}
    </>
  );
}
