import { useState } from 'react';
import type { DriftEntry, DriftFileMeta, PreviewView } from '../../../../shared/domain/drift';
import type { ArtifactInfo } from '../../../../shared/domain/evidence';
import type { DrydockError } from '../../../../shared/result';
import { bytes, utc } from '../../lib/format';
import { useClient } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { Sha256 } from '../evidence/Sha256';
import { visibleText } from '../processes/visible-text';
import { displayPath, octalMode, owner } from './drift-text';
import { FilePreviewPanel } from './FilePreviewPanel';
import { TextDiff } from './TextDiff';

type Pane = 'diff' | PreviewView;

function MetaCell({ meta, field }: { meta: DriftFileMeta | undefined; field: string }) {
  if (!meta) return <td className="dd-muted">—</td>;
  switch (field) {
    case 'type':
      return (
        <td>
          {meta.type}
          {meta.executable ? ` (${meta.executable})` : ''}
        </td>
      );
    case 'mode':
      return <td className="dd-mono">{octalMode(meta.mode)}</td>;
    case 'owner':
      return <td className="dd-mono">{owner(meta)}</td>;
    case 'size':
      return <td>{bytes(meta.size)}</td>;
    case 'mtime':
      return <td>{utc(meta.mtime)}</td>;
    case 'sha256':
      return <td>{meta.sha256 ? <Sha256 value={meta.sha256} /> : <span className="dd-muted">—</span>}</td>;
    default:
      return <td className="dd-mono dd-wrap">{meta.linkTarget !== undefined ? visibleText(meta.linkTarget, 1000) : '—'}</td>;
  }
}

/** "Acquire this file": a file the scan only hashed (over a cap) fetched into the case now. */
function AcquireButton({
  entry,
  host,
  containerId,
  onAcquired,
}: {
  entry: DriftEntry;
  host: string;
  containerId: string;
  onAcquired: (artifact: ArtifactInfo) => void;
}) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DrydockError | null>(null);
  const acquire = async () => {
    setBusy(true);
    setError(null);
    const r = await client.invoke('drift.acquire', {
      host,
      container: containerId,
      path: entry.path,
      ...(entry.pathBase64 !== undefined ? { pathBase64: entry.pathBase64 } : {}),
    });
    setBusy(false);
    if (r.ok) onAcquired(r.value);
    else setError(r.error);
  };
  return (
    <div className="dd-actions">
      <button type="button" disabled={busy} onClick={() => void acquire()}>
        {busy ? 'Acquiring…' : 'Acquire this file'}
      </button>
      {error && <ErrorBox error={error} />}
    </div>
  );
}

/** What "Acquire this file" stored, and whether it is still the file the scan hashed. */
function AcquiredNote({ artifact, scanned }: { artifact: ArtifactInfo; scanned: string | undefined }) {
  const same = scanned === undefined ? undefined : scanned === artifact.sha256;
  return (
    <div className={same === false ? 'dd-warnbox' : 'dd-okbox'} data-testid="acquired-artifact" data-sha256={artifact.sha256}>
      Acquired into the case at {utc(artifact.acquiredAt)} · {bytes(artifact.size)} · sha256{' '}
      <span className="dd-mono dd-small-text">{artifact.sha256}</span>
      {same === true && ' · the same bytes the scan hashed'}
      {same === false && ' · differs from the hash the scan took: the file changed since the scan'}
    </div>
  );
}

/** One changed path: both sides' metadata, why it matters, and its bytes; a file only hashed can be acquired. */
export function EntryDetail({
  entry,
  imageId,
  host,
  containerId,
}: {
  entry: DriftEntry;
  imageId: string;
  host: string;
  containerId: string;
}) {
  const textual = entry.verdict === 'content-changed' && entry.container?.type === 'file' && !entry.container.executable;
  const [pane, setPane] = useState<Pane>(textual ? 'diff' : entry.container?.executable === 'elf' ? 'hex' : 'text');
  const [acquired, setAcquired] = useState<ArtifactInfo | undefined>(undefined);
  const artifactId = entry.content.artifactId ?? acquired?.id;
  const acquirable =
    !artifactId &&
    entry.container?.type === 'file' &&
    (entry.content.state === 'over-cap' || entry.content.state === 'not-read' || entry.content.state === 'failed');
  return (
    <div className="dd-panel dd-drift-detail" data-path={entry.path}>
      <div className="dd-panel-title">
        <h2 className="dd-mono dd-wrap">{displayPath(entry.path, entry.pathBase64)}</h2>
      </div>
      <div>
        <span className={`dd-sevtag dd-sevtag-${entry.severity}`}>{entry.severity}</span> {entry.change} · {entry.verdict}
        {entry.differences.length > 0 && <span className="dd-muted"> ({entry.differences.join(', ')})</span>}
        {entry.demoted && (
          <span className="dd-muted">
            {' '}
            · lowered from {entry.demoted.from} by noise rule {entry.demoted.ruleId}
          </span>
        )}
        {entry.package && <span className="dd-muted"> · package {visibleText(entry.package, 200)}</span>}
      </div>
      <ul className="dd-drift-reasons">
        {entry.reasons.map((r, i) => (
          <li key={i}>
            <span className={`dd-chip dd-chip-${r.severity}`}>{r.class}</span> {visibleText(r.reason, 1000)}
          </li>
        ))}
      </ul>
      <table className="dd-table dd-grid dd-grid-tight dd-drift-meta">
        <thead>
          <tr>
            <th />
            <th>image</th>
            <th>container</th>
          </tr>
        </thead>
        <tbody>
          {['type', 'mode', 'owner', 'size', 'mtime', 'sha256', 'link'].map((field) => (
            <tr key={field}>
              <th>{field}</th>
              <MetaCell meta={entry.image} field={field} />
              <MetaCell meta={entry.container} field={field} />
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dd-muted dd-small-text">
        Contents: {entry.content.state}
        {entry.content.artifactId ? ` · artifact ${entry.content.artifactId}` : ''}
        {entry.content.note ? ` · ${visibleText(entry.content.note, 300)}` : ''}
      </div>
      {acquirable && <AcquireButton entry={entry} host={host} containerId={containerId} onAcquired={setAcquired} />}
      {acquired && <AcquiredNote artifact={acquired} scanned={entry.container?.sha256} />}
      {artifactId && (
        <>
          <div className="dd-actions" role="tablist">
            {(textual ? (['diff', 'text', 'hex', 'strings'] as const) : (['text', 'hex', 'strings'] as const)).map((p) => (
              <button
                key={p}
                type="button"
                role="tab"
                aria-selected={pane === p}
                className={pane === p ? 'dd-selected' : ''}
                onClick={() => setPane(p)}
              >
                {p === 'diff' ? 'side by side' : p}
              </button>
            ))}
          </div>
          {pane === 'diff' ? <TextDiff entry={entry} imageId={imageId} /> : <FilePreviewPanel artifactId={artifactId} view={pane} />}
        </>
      )}
    </div>
  );
}
