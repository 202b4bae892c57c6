import { useEffect, useRef, useState } from 'react';
import type { ArtifactInfo } from '../../../../shared/domain/evidence';
import type { ExportResult } from '../../../../shared/contract/evidence';
import type { DrydockError } from '../../../../shared/result';
import { bytes, utc } from '../../lib/format';
import { SaveButton } from '../../shell/SaveButton';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { StoredDetail } from '../processes/StoredDetail';
import { StringsViewer } from '../processes/StringsViewer';
import { visibleText } from '../processes/visible-text';
import { ArtifactPreviewPanel } from './ArtifactPreviewPanel';
import { LogPager } from './LogPager';

/** One artifact's full provenance, a preview of its first bytes, and a copy-out that re-hashes on the way. */
/** A name for the saved copy: container, kind and ID, with an extension for what it holds (sanitised again on the way out). */
function artifactFilename(artifact: ArtifactInfo): string {
  const ext =
    artifact.mediaType === 'application/vnd.tcpdump.pcap' ? '.pcap' : artifact.mediaType === 'application/json' ? '.json' : '.bin';
  const who = artifact.source.containerName ?? artifact.source.host ?? 'drydock';
  return `${who}-${artifact.kind}-${artifact.id}${ext}`;
}

/** A memory image's strings, read only once the examiner opens them (a scan streams the image). */
function ImageStrings({ artifact }: { artifact: ArtifactInfo }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="dd-artifact-strings" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Strings (ASCII and UTF-16LE, paged, searchable)</summary>
      {open && <StringsViewer artifactId={artifact.id} size={artifact.size} />}
    </details>
  );
}

export function ArtifactDetail({ artifact, onClose, reveal }: { artifact: ArtifactInfo; onClose: () => void; reveal?: number }) {
  const panel = useRef<HTMLDivElement>(null);
  // Opened from another view (a timeline row's evidence link): bring it into sight.
  useEffect(() => {
    if (reveal !== undefined) panel.current?.scrollIntoView({ block: 'start' });
  }, [reveal, artifact.id]);
  const client = useClient();
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DrydockError | null>(null);
  const [result, setResult] = useState<ExportResult | null>(null);
  const attributes = JSON.stringify(artifact.attributes, null, 2);

  const exportIt = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    const r = await client.invoke('evidence.export-artifact', { artifactId: artifact.id, path: path.trim() });
    setBusy(false);
    if (r.ok) setResult(r.value);
    else setError(r.error);
  };

  return (
    <div className="dd-panel dd-artifact-detail" aria-label="Artifact detail" ref={panel}>
      <div className="dd-inv-detail-head">
        <div className="dd-artifact-title">
          <b>{artifact.kind}</b> <span className="dd-muted dd-mono">{artifact.id}</span>
        </div>
        <button type="button" className="dd-icon-btn" onClick={onClose} aria-label="Close artifact detail">
          ×
        </button>
      </div>
      <dl className="dd-kv">
        <dt>SHA-256</dt>
        <dd className="dd-mono dd-select-all">{artifact.sha256}</dd>
        <dt>Status</dt>
        <dd className={artifact.status === 'incomplete' ? 'dd-warn-text' : ''}>
          {artifact.status}
          {artifact.statusReason && ` — ${visibleText(artifact.statusReason, 600)}`}
        </dd>
        <dt>Size</dt>
        <dd>
          {bytes(artifact.size)} ({artifact.size} bytes) · {visibleText(artifact.mediaType, 80)}
        </dd>
        <dt>Source</dt>
        <dd className="dd-wrap">
          {artifact.source.host ? <>host {visibleText(artifact.source.host, 80)}</> : 'no host'}
          {(artifact.source.containerName || artifact.source.containerId) && (
            <>
              {' '}
              · container {visibleText(artifact.source.containerName ?? '', 120)}{' '}
              <span className="dd-mono dd-muted">{artifact.source.containerId ?? ''}</span>
            </>
          )}
        </dd>
        {artifact.source.path !== undefined && (
          <>
            <dt>Path</dt>
            <dd className="dd-mono dd-wrap">{visibleText(artifact.source.path, 4000)}</dd>
          </>
        )}
        <dt>Method</dt>
        <dd>{visibleText(artifact.method, 200)}</dd>
        <dt>Acquired</dt>
        <dd>
          {utc(artifact.acquiredAt)} by Drydock {visibleText(artifact.drydockVersion, 40)}
        </dd>
      </dl>
      {attributes !== '{}' && (
        <details>
          <summary>Attributes</summary>
          <pre className="dd-pre">
            {attributes
              .split('\n')
              .slice(0, 400)
              .map((line) => visibleText(line, 400))
              .join('\n')}
          </pre>
        </details>
      )}
      {artifact.kind === 'logs' && artifact.attributes.format === 'drydock-log-lines/1' ? (
        <LogPager key={artifact.id} artifact={artifact} />
      ) : artifact.kind === 'process-detail' ? (
        // Shown as the Processes view shows it, secret-looking environment values masked: the raw
        // JSON keeps them whole, so it is not previewed here (download or export it).
        <StoredDetail key={artifact.id} artifactId={artifact.id} />
      ) : (
        <ArtifactPreviewPanel key={artifact.id} artifact={artifact} />
      )}
      {artifact.kind === 'memory-image' && <ImageStrings key={artifact.id} artifact={artifact} />}
      <div className="dd-inline-form">
        <SaveButton request={{ kind: 'artifact', artifactId: artifact.id, filename: artifactFilename(artifact) }} label="artifact" />
      </div>
      <div className="dd-inline-form" title="A path on the machine that serves Drydock (for scripted use, prefer the CLI)">
        <input
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/absolute/path/for/the/copy"
          className="dd-mono"
          aria-label="Artifact export path"
          spellCheck={false}
        />
        <button type="button" onClick={() => void exportIt()} disabled={!path.trim() || busy}>
          Export artifact
        </button>
      </div>
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      {result && (
        <div className="dd-okbox">
          Wrote {bytes(result.bytes)} to <span className="dd-mono">{visibleText(result.path, 400)}</span>, sha256{' '}
          <span className="dd-mono">{result.sha256}</span>
        </div>
      )}
    </div>
  );
}
