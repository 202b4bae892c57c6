import { useEffect, useState } from 'react';
import type { CaseInfo } from '../../../../shared/domain/evidence';
import type { DrydockError } from '../../../../shared/result';
import { utc } from '../../lib/format';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from '../processes/visible-text';

interface Props {
  cases: CaseInfo[];
  currentId: string | null;
  viewedId: string | null;
  onView: (id: string) => void;
  onChanged: () => void;
}

export function CasesTable({ cases, currentId, viewedId, onView, onChanged }: Props) {
  const client = useClient();
  const [error, setError] = useState<DrydockError | null>(null);
  const [confirmClose, setConfirmClose] = useState<string | null>(null);

  useEffect(() => {
    if (!confirmClose) return;
    const timer = setTimeout(() => setConfirmClose(null), 4000);
    return () => clearTimeout(timer);
  }, [confirmClose]);

  const use = async (c: CaseInfo) => {
    setError(null);
    const r = await client.invoke('evidence.case-use', { caseRef: c.id });
    if (!r.ok) return setError(r.error);
    onView(c.id);
    onChanged();
  };
  const close = async (c: CaseInfo) => {
    if (confirmClose !== c.id) return setConfirmClose(c.id);
    setConfirmClose(null);
    setError(null);
    const r = await client.invoke('evidence.case-close', { caseRef: c.id });
    if (!r.ok) return setError(r.error);
    onChanged();
  };

  return (
    <div className="dd-panel dd-cases">
      <h2 className="dd-panel-title">Cases ({cases.length})</h2>
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      <table className="dd-grid dd-cases-table" aria-label="Cases">
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th className="dd-right">Actions</th>
          </tr>
        </thead>
        <tbody>
          {cases.map((c) => (
            <tr
              key={c.id}
              className={`dd-clickable${c.id === viewedId ? ' dd-selected' : ''}`}
              onClick={() => onView(c.id)}
              data-case={c.id}
            >
              <td>
                {c.id === currentId && (
                  <span className="dd-current-mark" title="current case">
                    ●
                  </span>
                )}
                <b>{visibleText(c.name, 80)}</b>
                <div className="dd-muted dd-small-text">
                  {visibleText(c.examiner, 60)}
                  {c.organisation && <> · {visibleText(c.organisation, 60)}</>} · {visibleText(c.timeZone, 40)} · opened {utc(c.createdAt)}
                </div>
              </td>
              <td>
                <span className={`dd-pill dd-pill-${c.status}`}>{c.status}</span>
                {c.readOnly && <span className="dd-pill dd-pill-warn">imported</span>}
              </td>
              <td className="dd-row-actions" onClick={(e) => e.stopPropagation()}>
                {c.id !== currentId && c.status === 'open' && (
                  <button type="button" className="dd-small" onClick={() => void use(c)}>
                    Use
                  </button>
                )}
                {c.status === 'open' && !c.readOnly && (
                  <button type="button" className={`dd-small${confirmClose === c.id ? ' dd-danger' : ''}`} onClick={() => void close(c)}>
                    {confirmClose === c.id ? 'Confirm close' : 'Close'}
                  </button>
                )}
              </td>
            </tr>
          ))}
          {cases.length === 0 && (
            <tr>
              <td colSpan={3} className="dd-empty">
                No case yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
