import { useEffect, useState } from 'react';
import type { ArtifactPreview } from '../../../../shared/contract/evidence';
import type { ArtifactInfo } from '../../../../shared/domain/evidence';
import type { Result } from '../../../../shared/result';
import { bytes } from '../../lib/format';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visiblePreview } from './preview-text';

/** The contract's PREVIEW_MAX_BYTES (a value import would pull the request schemas into the renderer). */
const LARGEST_PREVIEW = 1024 * 1024;

const KIND_LABEL: Record<ArtifactPreview['kind'], string> = { text: 'text', json: 'JSON', binary: 'binary' };

function extent(p: ArtifactPreview): string {
  return p.truncated ? `first ${bytes(p.bytes)} of ${bytes(p.size)}` : `all ${bytes(p.bytes)}`;
}

/** The first bytes of an artifact, as the store holds them: text, JSON, or hex and strings (keyed by artifact ID by its parent). */
export function ArtifactPreviewPanel({ artifact }: { artifact: ArtifactInfo }) {
  const client = useClient();
  const [maxBytes, setMaxBytes] = useState<number | undefined>(undefined);
  const [loaded, setLoaded] = useState<{ request: string; result: Result<ArtifactPreview> } | null>(null);
  const artifactId = artifact.id;
  const request = `${artifactId}:${maxBytes ?? 'default'}`;

  useEffect(() => {
    let live = true;
    void client.invoke('evidence.preview', { artifactId, ...(maxBytes !== undefined ? { maxBytes } : {}) }).then((result) => {
      if (live) setLoaded({ request, result });
    });
    return () => {
      live = false;
    };
  }, [client, artifactId, maxBytes, request]);

  const loading = loaded?.request !== request;
  const preview = loaded?.result.ok ? loaded.result.value : null;
  const error = loaded && !loaded.result.ok ? loaded.result.error : null;

  return (
    <section
      className="dd-preview-panel"
      aria-label="Artifact preview"
      data-testid="artifact-preview"
      data-kind={preview?.kind ?? ''}
      data-loading={loading ? 'true' : 'false'}
    >
      <div className="dd-preview-head">
        <b>Preview</b>
        {preview && (
          <span className="dd-muted">
            {KIND_LABEL[preview.kind]} · {extent(preview)}
          </span>
        )}
        {loading && <span className="dd-muted">loading…</span>}
        <span className="dd-spacer" />
        {preview?.truncated && preview.bytes < LARGEST_PREVIEW && (
          <button type="button" className="dd-small" onClick={() => setMaxBytes(LARGEST_PREVIEW)} disabled={loading}>
            Show up to {bytes(LARGEST_PREVIEW)}
          </button>
        )}
      </div>
      {error && <ErrorBox error={error} />}
      {preview && preview.kind !== 'binary' && (
        <pre className="dd-pre dd-preview dd-preview-text" data-testid="preview-text">
          {preview.text ? visiblePreview(preview.text) : <span className="dd-muted">(empty)</span>}
        </pre>
      )}
      {preview?.kind === 'binary' && (
        <>
          <pre className="dd-pre dd-preview dd-preview-hex" data-testid="preview-hex">
            {visiblePreview((preview.hex ?? []).join('\n'))}
          </pre>
          <div className="dd-preview-subhead">Strings ({preview.strings?.length ?? 0}, runs of 6 or more printable characters)</div>
          {preview.strings && preview.strings.length > 0 ? (
            <pre className="dd-pre dd-preview dd-preview-strings" data-testid="preview-strings">
              {visiblePreview(preview.strings.join('\n'))}
            </pre>
          ) : (
            <div className="dd-empty">No printable strings.</div>
          )}
        </>
      )}
    </section>
  );
}
