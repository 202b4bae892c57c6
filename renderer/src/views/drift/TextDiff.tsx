import { useEffect, useState } from 'react';
import type { DriftEntry } from '../../../../shared/domain/drift';
import type { DrydockError } from '../../../../shared/result';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from '../processes/visible-text';
import { lineDiff, type DiffRow } from './line-diff';

/** The image's version of a changed text file beside the container's. */
export function TextDiff({ entry, imageId }: { entry: DriftEntry; imageId: string }) {
  const client = useClient();
  const artifactId = entry.content.artifactId;
  // Reports read from layers store the image's version in the case; the API path keeps it in its image index.
  const imageArtifactId = entry.image?.artifactId;
  const key = `${imageId}:${entry.path}:${artifactId ?? ''}:${imageArtifactId ?? ''}`;
  const [loaded, setLoaded] = useState<{ key: string; rows?: DiffRow[]; error?: DrydockError } | null>(null);
  useEffect(() => {
    let live = true;
    if (!artifactId) return undefined;
    void Promise.all([
      client.invoke('drift.file', {
        source: imageArtifactId ? { artifactId: imageArtifactId } : { imageId, path: entry.path },
        view: 'text',
      }),
      client.invoke('drift.file', { source: { artifactId }, view: 'text' }),
    ]).then(([left, right]) => {
      if (!live) return;
      if (!left.ok) setLoaded({ key, error: left.error });
      else if (!right.ok) setLoaded({ key, error: right.error });
      else setLoaded({ key, rows: lineDiff(left.value.text ?? '', right.value.text ?? '') });
    });
    return () => {
      live = false;
    };
  }, [client, imageId, entry.path, artifactId, imageArtifactId, key]);
  const current = loaded?.key === key ? loaded : null;
  const rows = current?.rows ?? null;
  const error = current?.error ?? null;
  if (!artifactId) return <div className="dd-muted">The container's version is not stored (over the cap or not a regular file).</div>;
  if (error) return <ErrorBox error={error} compact />;
  if (!rows) return <div className="dd-muted">Loading…</div>;
  return (
    <table className="dd-drift-diff" aria-label="Side-by-side diff: image left, container right">
      <thead>
        <tr>
          <th colSpan={2}>image</th>
          <th colSpan={2}>container</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i} className={`dd-diff-${row.kind}`}>
            <td className="dd-num dd-muted">{'leftNo' in row ? row.leftNo : ''}</td>
            <td className="dd-mono">{'left' in row ? visibleText(row.left, 4000) : ''}</td>
            <td className="dd-num dd-muted">{'rightNo' in row ? row.rightNo : ''}</td>
            <td className="dd-mono">{'right' in row ? visibleText(row.right, 4000) : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
