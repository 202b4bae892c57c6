import { ActivityIndicator } from './ActivityIndicator';
import { useApp } from './app-context';
import { useCases } from './case-context';
import { ExaminerChip } from './ExaminerChip';
import { HostLabel } from './HostLabel';
import { useHosts } from './hosts-context';
import { TransportIndicator } from './TransportIndicator';
import { visibleText } from '../views/processes/visible-text';

/** Always on screen: which case acquisitions go to (or that none will), which hosts are live, the link state. */
export function Header() {
  const { navigate } = useApp();
  const { current, loaded } = useCases();
  const { profiles, status } = useHosts();
  const connected = profiles.filter((p) => status.get(p.name)?.state === 'connected' || status.get(p.name)?.state === 'reconnecting');

  return (
    <header className="dd-header">
      <div className="dd-brand" aria-label="Drydock">
        <span className="dd-brand-mark">◆</span> DRYDOCK
      </div>
      <div className="dd-header-case" data-testid="current-case">
        {current ? (
          <>
            <span className="dd-header-label">CASE</span>
            <button type="button" className="dd-case-chip" onClick={() => navigate('evidence')} title={`Case ${current.id}`}>
              {visibleText(current.name, 80)}
            </button>
            <span className="dd-muted dd-mono">{current.id}</span>
            <span className="dd-muted">{visibleText(current.timeZone, 40)}</span>
            {current.readOnly && <span className="dd-pill dd-pill-warn">read-only</span>}
          </>
        ) : loaded ? (
          <div className="dd-nocase" role="alert">
            <span className="dd-nocase-icon">!</span>
            <span>
              <b>No case open</b> — the next acquisition opens an ad-hoc case for its host and today's date.
            </span>
            <button type="button" className="dd-primary dd-small" onClick={() => navigate('evidence', { focus: 'create-case' })}>
              Create case
            </button>
          </div>
        ) : (
          <span className="dd-muted">loading cases…</span>
        )}
      </div>
      <ExaminerChip />
      <ActivityIndicator />
      <div
        className="dd-header-hosts"
        aria-label="Connected hosts"
        data-testid="header-streams"
        title="Read-only: Drydock follows each connected engine's event stream; nothing is created on the host"
      >
        {connected.length === 0 ? (
          <span className="dd-muted">no host connected</span>
        ) : (
          <>
            <span className="dd-header-label">EVENTS</span>
            {connected.map((p) => (
              <HostLabel key={p.name} name={p.name} state />
            ))}
          </>
        )}
      </div>
      <TransportIndicator />
    </header>
  );
}
