import type { ArtifactInfo } from '../../../../shared/domain/evidence';
import { bytes, utc } from '../../lib/format';
import { visibleText } from '../processes/visible-text';
import { Sha256 } from './Sha256';

interface Props {
  artifacts: ArtifactInfo[];
  selectedId: string | null;
  onSelect: (id: string | null) => void;
}

function source(a: ArtifactInfo): string {
  const parts = [a.source.host, a.source.containerName ?? a.source.containerId?.slice(0, 12)].filter((s): s is string => !!s);
  return parts.join(' / ') || '—';
}

export function ArtifactsTable({ artifacts, selectedId, onSelect }: Props) {
  return (
    <table className="dd-grid dd-artifacts" aria-label="Artifacts">
      <thead>
        <tr>
          <th>Kind</th>
          <th>Status</th>
          <th>Source</th>
          <th>Path</th>
          <th className="dd-right">Size</th>
          <th>SHA-256</th>
          <th>Acquired (UTC)</th>
        </tr>
      </thead>
      <tbody>
        {artifacts.map((a) => (
          <tr
            key={a.id}
            className={`dd-clickable${a.status === 'incomplete' ? ' dd-incomplete' : ''}${a.id === selectedId ? ' dd-selected' : ''}`}
            onClick={() => onSelect(a.id === selectedId ? null : a.id)}
            tabIndex={0}
            onKeyDown={(e) => {
              if (e.key === 'Enter') onSelect(a.id);
              else if (e.key === 'Escape') onSelect(null);
            }}
            data-artifact={a.id}
            data-kind={a.kind}
          >
            <td className="dd-nowrap">{a.kind}</td>
            <td>
              <span className={`dd-pill dd-pill-${a.status}`} title={a.statusReason ? visibleText(a.statusReason, 400) : undefined}>
                {a.status}
              </span>
            </td>
            <td className="dd-ellipsis">{visibleText(source(a), 120)}</td>
            <td className="dd-mono dd-ellipsis" title={a.source.path ? visibleText(a.source.path, 2000) : undefined}>
              {a.source.path ? visibleText(a.source.path, 120) : '—'}
            </td>
            <td className="dd-num">{bytes(a.size)}</td>
            <td>
              <Sha256 value={a.sha256} />
            </td>
            <td className="dd-nowrap dd-muted">{utc(a.acquiredAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
