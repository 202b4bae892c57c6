import { useEffect, useState } from 'react';
import type { FilePreview, PreviewView } from '../../../../shared/domain/drift';
import type { DrydockError } from '../../../../shared/result';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { bytes } from '../../lib/format';
import { visibleText } from '../processes/visible-text';
import { visibleLines } from './drift-text';

/** Stored bytes of a container file as text, hex or strings; never rendered as anything but text. */
export function FilePreviewPanel({ artifactId, view }: { artifactId: string; view: PreviewView }) {
  const client = useClient();
  const key = `${artifactId}:${view}`;
  const [loaded, setLoaded] = useState<{ key: string; preview?: FilePreview; error?: DrydockError } | null>(null);
  useEffect(() => {
    let live = true;
    void client.invoke('drift.file', { source: { artifactId }, view, length: view === 'hex' ? 16 * 1024 : 256 * 1024 }).then((r) => {
      if (live) setLoaded(r.ok ? { key, preview: r.value } : { key, error: r.error });
    });
    return () => {
      live = false;
    };
  }, [client, artifactId, view, key]);
  const current = loaded?.key === key ? loaded : null;
  const preview = current?.preview ?? null;
  const error = current?.error ?? null;
  if (error) return <ErrorBox error={error} compact />;
  if (!preview) return <div className="dd-muted">Loading…</div>;
  return (
    <div className="dd-drift-preview" data-view={view}>
      <div className="dd-muted dd-small-text">
        {bytes(preview.length)} of {bytes(preview.size)}
        {preview.truncated ? ' (truncated)' : ''}
        {preview.binary ? ' · looks binary' : ''}
      </div>
      {view === 'text' && <pre className="dd-pre dd-drift-text">{visibleLines(preview.text ?? '')}</pre>}
      {view === 'hex' && (
        <pre className="dd-pre dd-drift-hex">
          {(preview.hex ?? []).map((row) => `${row.offset.toString(16).padStart(8, '0')}  ${row.hex.padEnd(47)}  ${row.ascii}`).join('\n')}
        </pre>
      )}
      {view === 'strings' && (
        <pre className="dd-pre dd-drift-text">
          {(preview.strings ?? []).map((s) => `${s.offset.toString(16).padStart(8, '0')}  ${visibleText(s.text, 400)}`).join('\n')}
        </pre>
      )}
    </div>
  );
}
