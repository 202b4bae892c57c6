import { counted } from '../../../../shared/counted';
import type { VerifyReport } from '../../../../shared/domain/evidence';
import { utc } from '../../lib/format';
import { visibleText } from '../processes/visible-text';
import { describeProblem } from './verify-text';

/**
 * A verification's outcome: green only when everything was re-hashed and the chain holds, and
 * marked out of date once the case has changed after it (`changedSince` entries and artifacts).
 */
export function VerifyResult({ report, label, changedSince = 0 }: { report: VerifyReport; label?: string; changedSince?: number }) {
  const [first, ...rest] = report.problems;
  if (report.ok && !first) {
    const stale = changedSince > 0;
    return (
      <div
        className={`dd-verify ${stale ? 'dd-verify-stale' : 'dd-verify-ok'}`}
        role="status"
        data-testid="verify-result"
        data-ok="true"
        data-stale={stale}
      >
        <b>✔ {label ?? 'Verified'} OK</b> — {report.checkedArtifacts} artifacts re-hashed, {report.checkedEntries} audit entries chained ·{' '}
        {utc(report.verifiedAt)}
        {stale && (
          <div className="dd-verify-stale-note">
            Out of date: the case has changed since ({changedSince} new record{changedSince === 1 ? '' : 's'} in its audit log). Verify
            again to cover them.
          </div>
        )}
      </div>
    );
  }
  return (
    <div className="dd-verify dd-verify-fail" role="alert" data-testid="verify-result" data-ok="false">
      <b>✘ {label ?? 'Verification'} FAILED</b> —{' '}
      {first ? visibleText(describeProblem(first), 800) : 'the store reported a failure without a problem'}
      <div className="dd-muted">
        checked {counted(report.checkedArtifacts, 'artifact')}, {counted(report.checkedEntries, 'audit entry', 'audit entries')} ·{' '}
        {utc(report.verifiedAt)}
      </div>
      {rest.length > 0 && (
        <details>
          <summary>{counted(rest.length, 'further problem')}</summary>
          <ol>
            {rest.slice(0, 200).map((p, i) => (
              <li key={i}>{visibleText(describeProblem(p), 800)}</li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}
