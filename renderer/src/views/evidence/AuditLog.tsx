import type { AuditEntry } from '../../../../shared/domain/evidence';
import { utc } from '../../lib/format';
import { visibleText } from '../processes/visible-text';

function details(entry: AuditEntry): string {
  const parts = Object.entries(entry.details).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.join('  ');
}

/** The hash-chained log, newest first. Each entry's own hash is on hover: it is what the chain links. */
export function AuditLog({ entries }: { entries: AuditEntry[] }) {
  const newestFirst = [...entries].sort((a, b) => b.seq - a.seq);
  return (
    <table className="dd-grid dd-audit" aria-label="Audit log">
      <thead>
        <tr>
          <th className="dd-right">Seq</th>
          <th>Time (UTC)</th>
          <th>Examiner</th>
          <th>Action</th>
          <th>Details</th>
        </tr>
      </thead>
      <tbody>
        {newestFirst.map((e) => (
          <tr key={e.seq} data-seq={e.seq} data-action={e.action} title={`hash ${e.hash}\nprev ${e.prevHash}`}>
            <td className="dd-num dd-muted">{e.seq}</td>
            <td className="dd-nowrap dd-muted">{utc(e.at)}</td>
            <td className="dd-nowrap">{visibleText(e.examiner, 60)}</td>
            <td className="dd-nowrap dd-audit-action">{visibleText(e.action, 60)}</td>
            <td className="dd-mono dd-audit-details" title={visibleText(details(e), 4000)}>
              <span className="dd-clamp">{visibleText(details(e), 600)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
