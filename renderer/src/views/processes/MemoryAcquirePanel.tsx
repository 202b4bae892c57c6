import { useEffect, useRef, useState } from 'react';
import type { DrydockClient } from '../../../../shared/client';
import type { MemoryAcquireResult, MemoryAcquisition, MemoryProgressEvent } from '../../../../shared/domain/memory';
import type { DrydockError } from '../../../../shared/result';
import { bytes } from '../../lib/format';
import { useApp } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { useNotify } from '../../shell/toasts';
import { StringsViewer } from './StringsViewer';
import { visibleText } from './visible-text';

/** An acquisition ID the core accepts (ma-…), chosen here so Cancel can name the run before it answers. */
function newAcquisitionId(): string {
  const random = new Uint32Array(2);
  crypto.getRandomValues(random);
  return `ma-${Date.now().toString(36)}-${Array.from(random, (n) => n.toString(36)).join('')}`;
}

function ImageRow({ image, onStrings, showing }: { image: MemoryAcquisition; onStrings: () => void; showing: boolean }) {
  const { navigate } = useApp();
  return (
    <li className="dd-mem-image" data-testid="memory-image" data-artifact={image.artifactId}>
      <div>
        PID {image.pid} <span className="dd-mono">{visibleText(image.comm, 32)}</span> · {bytes(image.memoryBytes)} of memory in{' '}
        {image.regions} regions · image {bytes(image.bytes)} · artifact <span className="dd-mono">{image.artifactId}</span>
        {image.paused && <span className="dd-muted"> · read while paused</span>}
        {image.incomplete && <span className="dd-warn-text"> · incomplete: {visibleText(image.incomplete, 300)}</span>}
      </div>
      <div className="dd-mono dd-muted dd-select-all">sha256 {image.sha256}</div>
      <div className="dd-mem-actions">
        <button type="button" onClick={onStrings} aria-pressed={showing}>
          {showing ? 'Hide strings' : 'Strings…'}
        </button>
        <button type="button" className="dd-link" onClick={() => navigate('evidence', { artifact: image.artifactId })}>
          Open in Evidence
        </button>
      </div>
      {image.unreadable.length > 0 && (
        <details>
          <summary>{image.unreadable.length} regions not read (or read with pages missing)</summary>
          <table className="dd-table dd-pd-table">
            <tbody>
              {image.unreadable.slice(0, 1000).map((u) => (
                <tr key={`${u.start}-${u.end}`}>
                  <td className="dd-mono">
                    {visibleText(u.start, 16)}–{visibleText(u.end, 16)}
                  </td>
                  <td className="dd-mono">{visibleText(u.path, 200) || <span className="dd-muted">anonymous</span>}</td>
                  <td>{visibleText(u.reason, 300)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      {showing && <StringsViewer artifactId={image.artifactId} size={image.bytes} />}
    </li>
  );
}

/**
 * Memory images of one process or of all (memory.acquire), with a progress bar per process from the
 * 'memory.progress' events and a Cancel that keeps what was read as an incomplete image. The
 * optional pause freezes the container only while its memory is read; the core audits the pause
 * and the unpause and always unpauses, whatever happens.
 */
export function MemoryAcquirePanel({
  client,
  host,
  container,
  pid,
}: {
  client: DrydockClient;
  host: string;
  container: string;
  pid: number | null;
}) {
  const notify = useNotify();
  const [scope, setScope] = useState<'pid' | 'all'>('pid');
  const [target, setTarget] = useState(pid ?? 1);
  const [pause, setPause] = useState(false);
  const [running, setRunning] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [progress, setProgress] = useState<Map<number, MemoryProgressEvent>>(new Map());
  const [result, setResult] = useState<MemoryAcquireResult | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  const [strings, setStrings] = useState<string | null>(null);
  // The latest acquisition, kept after it ends: its last progress event may arrive after its answer.
  const latestRef = useRef<string | null>(null);

  // The process chosen in the live detail is the one "this PID" means (until the examiner types another).
  const [chosen, setChosen] = useState(pid);
  if (pid !== chosen) {
    setChosen(pid);
    if (pid !== null) setTarget(pid);
  }

  useEffect(
    () =>
      client.on('memory.progress', (event) => {
        if (event.acquisitionId !== latestRef.current) return;
        setProgress((prev) => new Map(prev).set(event.pid, event));
      }),
    [client],
  );

  const acquire = async () => {
    const acquisitionId = newAcquisitionId();
    latestRef.current = acquisitionId;
    setRunning(acquisitionId);
    setCancelling(false);
    setProgress(new Map());
    setResult(null);
    setError(null);
    setStrings(null);
    const r = await client.invoke('memory.acquire', {
      host,
      container,
      acquisitionId,
      pause,
      all: scope === 'all',
      ...(scope === 'pid' ? { pid: target } : {}),
    });
    setRunning(null);
    if (!r.ok) return setError(r.error);
    setResult(r.value);
  };

  const cancel = async () => {
    if (!running) return;
    setCancelling(true);
    const r = await client.invoke('memory.cancel', { acquisitionId: running });
    if (!r.ok) {
      setCancelling(false);
      notify.error(r.error, 'Cancelling the memory acquisition');
    } else if (!r.value.cancelled) notify.info('The acquisition had already finished.');
  };

  const bars = [...progress.values()];
  return (
    <section className="dd-panel dd-mem" aria-label="Acquire memory" data-testid="memory-panel">
      <div className="dd-panel-title">Acquire memory</div>
      <form
        className="dd-mem-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!running) void acquire();
        }}
      >
        <label className="dd-inline-label">
          <input type="radio" name="dd-mem-scope" checked={scope === 'pid'} onChange={() => setScope('pid')} disabled={!!running} /> This
          PID
        </label>
        <input
          type="number"
          min={1}
          max={4194304}
          value={target}
          onChange={(e) => setTarget(Math.max(1, Math.floor(Number(e.target.value)) || 1))}
          disabled={!!running || scope !== 'pid'}
          className="dd-narrow"
          aria-label="PID in the container"
        />
        <label className="dd-inline-label">
          <input type="radio" name="dd-mem-scope" checked={scope === 'all'} onChange={() => setScope('all')} disabled={!!running} /> All
          processes
        </label>
        <label
          className="dd-inline-label"
          title="The pause and the unpause are written to the case's audit log; the container is always unpaused after the read, even when it fails or is cancelled"
        >
          <input type="checkbox" checked={pause} onChange={(e) => setPause(e.target.checked)} disabled={!!running} /> Pause the container
          while reading
        </label>
        {running ? (
          <button
            type="button"
            className="dd-danger"
            onClick={() => void cancel()}
            disabled={cancelling}
            title="Stops the read: what was read so far is kept in the case as an incomplete image"
          >
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        ) : (
          <button type="submit" disabled={!host || !container}>
            Acquire memory
          </button>
        )}
      </form>
      <div className="dd-muted dd-small-text">
        One ELF core image per process, stored in the open case; read by a short-lived helper joined to the container&apos;s PID namespace,
        streamed with bounded memory.{' '}
        {pause
          ? 'Pausing freezes every process of the container during the read: the pause and the unpause are audited, and the container is always unpaused after.'
          : 'Without a pause the process keeps running: memory may change while it is read.'}
      </div>
      {(running || bars.length > 0) && (
        <div className="dd-mem-progress" data-testid="memory-progress" aria-live="polite">
          {running && bars.length === 0 && <div className="dd-muted">Starting the reader…</div>}
          {running && pause && (
            <div className="dd-warn-text">
              The container is paused for the read; it is unpaused when the read ends, fails or is cancelled.
            </div>
          )}
          {bars.map((b) => (
            <label key={b.pid} className="dd-mem-progress-row">
              <span>PID {b.pid}</span>
              <progress
                max={Math.max(1, b.bytesTotal)}
                value={Math.min(b.bytesDone, b.bytesTotal)}
                aria-label={`PID ${b.pid} memory read`}
              />
              <span className="dd-muted">
                {bytes(b.bytesDone)} of {bytes(b.bytesTotal)}
                {b.bytesDone >= b.bytesTotal && ' · read'}
              </span>
            </label>
          ))}
        </div>
      )}
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      {result && (
        <div className="dd-mem-result" data-testid="memory-result">
          {result.images.length === 0 && <div className="dd-warn-text">No image was taken.</div>}
          <ul className="dd-mem-images">
            {result.images.map((image) => (
              <ImageRow
                key={image.artifactId}
                image={image}
                showing={strings === image.artifactId}
                onStrings={() => setStrings(strings === image.artifactId ? null : image.artifactId)}
              />
            ))}
          </ul>
          {result.failures.map((f) => (
            <div key={f.pid} className="dd-warn-text">
              PID {f.pid} could not be imaged: {visibleText(f.message, 400)}
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
