import { rulesetLabel, stepDetailText, type QuarantineRecord } from '../../../../shared/domain/quarantine';
import { bytes, utc } from '../../lib/format';
import { visibleText } from '../processes/visible-text';
import { MODE_LABEL, STATE_LABEL, STEP_MARK } from './quarantine-text';

/** A quarantine's progress: each step's state and what it did; the release and what came back. */
export function QuarantineRecordView({ record }: { record: QuarantineRecord }) {
  return (
    <div className="dd-q-record" data-testid="quarantine-record" data-state={record.state}>
      <p>
        <b>{STATE_LABEL[record.state]}</b> <span className="dd-muted">since {utc(record.createdAt)}</span>
        {record.releasedAt && <span className="dd-muted"> — released {utc(record.releasedAt)}</span>}{' '}
        <span className="dd-mono dd-muted">{record.id}</span>
      </p>
      <ul className="dd-q-progress">
        {record.steps.map((s) => (
          <li key={s.mode} className={`dd-q-progress-${s.state}`} data-mode={s.mode} data-state={s.state}>
            <span aria-hidden="true">{STEP_MARK[s.state]}</span> <b>{MODE_LABEL[s.mode]}</b> <span className="dd-muted">{s.state}</span>
            {s.detail && <div className="dd-q-detail">{visibleText(stepDetailText(s.state, s.detail), 1000)}</div>}
          </li>
        ))}
      </ul>
      {record.packetFilter && (
        <p className="dd-small-text" data-testid="quarantine-packet-filter">
          Packet filter: table <span className="dd-mono">{visibleText(record.packetFilter.table, 80)}</span> in its network namespace (its
          networks stay attached); ruleset before {rulesetLabel(record.packetFilter.before.sha256)}
          {record.packetFilter.after && (
            <>
              ; after release {rulesetLabel(record.packetFilter.after.sha256)}, table gone,{' '}
              {record.packetFilter.after.identical ? 'identical to before' : <b className="dd-warn-text">differs from before</b>}
            </>
          )}
        </p>
      )}
      {record.swarm && record.swarm.actions.length > 0 && (
        <ul className="dd-q-progress" data-testid="quarantine-orchestrator-actions">
          {record.swarm.actions.map((a, i) => (
            <li key={i} className={`dd-q-progress-${a.state}`} data-kind={a.kind} data-state={a.state}>
              <span aria-hidden="true">{STEP_MARK[a.state]}</span> <b>{a.kind === 'drain-node' ? 'Drain node' : 'Scale service'}</b>{' '}
              <span className="dd-muted">{a.state}</span>
              {a.detail && <div className="dd-q-detail">{visibleText(stepDetailText(a.state, a.detail), 600)}</div>}
              {a.restored !== undefined && <div className="dd-q-detail">Release restored it to {visibleText(a.restored, 40)}</div>}
            </li>
          ))}
        </ul>
      )}
      {record.snapshot?.artifactId && (
        <p className="dd-small-text">
          Forensic image <span className="dd-mono">{visibleText(record.snapshot.imageRef, 200)}</span>; filesystem artifact{' '}
          <span className="dd-mono">{record.snapshot.artifactId}</span>
          {record.snapshot.size !== undefined && <> ({bytes(record.snapshot.size)})</>}
        </p>
      )}
      {record.release && (
        <>
          <h4 className="dd-q-subhead">Release</h4>
          <ul className="dd-q-progress">
            {record.release.steps.map((s) => (
              <li key={s.name} className={`dd-q-progress-${s.state}`} data-state={s.state}>
                <span aria-hidden="true">{STEP_MARK[s.state]}</span> <b>{s.name}</b> <span className="dd-muted">{s.state}</span>
                {s.detail && <div className="dd-q-detail">{visibleText(stepDetailText(s.state, s.detail), 1000)}</div>}
              </li>
            ))}
          </ul>
          {record.release.restored.length > 0 && (
            <table className="dd-table dd-q-restored">
              <thead>
                <tr>
                  <th>Network</th>
                  <th>Address</th>
                  <th>Aliases</th>
                </tr>
              </thead>
              <tbody>
                {record.release.restored.map((n) => (
                  <tr key={n.networkName}>
                    <td>{visibleText(n.networkName, 120)}</td>
                    <td className="dd-mono">
                      {n.ipv4 ?? '—'}
                      {n.addressChanged && <span className="dd-warn-text"> (changed: it was dynamic)</span>}
                    </td>
                    <td>{visibleText(n.aliases.join(', '), 300) || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {record.release.note && <p className="dd-hint">{visibleText(record.release.note, 400)}</p>}
        </>
      )}
      {record.warnings.length > 0 && (
        <ul className="dd-q-notices">
          {record.warnings.map((w, i) => (
            <li key={i} className="dd-q-notice dd-q-notice-warning">
              {visibleText(w, 800)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
