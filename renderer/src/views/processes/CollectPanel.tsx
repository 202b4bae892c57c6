import { useEffect, useRef, useState } from 'react';
import type { DrydockClient } from '../../../../shared/client';
import { COLLECT_STEPS, type CollectProgressEvent, type CollectResult, type CollectStep } from '../../../../shared/domain/collect';
import type { DrydockError } from '../../../../shared/result';
import { utc } from '../../lib/format';
import { useApp } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from './visible-text';

/** Each step in the words of the evidence it takes, most volatile first. */
const STEP_LABEL: Record<CollectStep, string> = {
  processes: 'Process tree',
  'process-detail': 'Process detail (/proc)',
  connections: 'Connections',
  memory: 'Memory images',
  capture: 'Packet capture',
  drift: 'File system drift',
  logs: 'Logs',
  inspect: 'Configuration (inspect)',
};

type StepView = { state: 'pending' | CollectProgressEvent['state']; artifactIds: string[]; reason?: string; error?: DrydockError };

/** A collection ID the core accepts (col-…), chosen here so this panel's events are told from others'. */
function newCollectId(): string {
  const random = new Uint32Array(2);
  crypto.getRandomValues(random);
  return `col-${Date.now().toString(36)}-${Array.from(random, (n) => n.toString(36)).join('')}`;
}

function pending(): Record<CollectStep, StepView> {
  const out = {} as Record<CollectStep, StepView>;
  for (const step of COLLECT_STEPS) out[step] = { state: 'pending', artifactIds: [] };
  return out;
}

/**
 * "Collect all" (collect.run): every acquisition Drydock has for the container, in order of
 * volatility (RFC 3227), each stored and audited by its own capability; the step list follows the
 * 'collect.progress' events, and a failed step does not stop the later ones.
 */
export function CollectPanel({ client, host, container }: { client: DrydockClient; host: string; container: string }) {
  const { navigate } = useApp();
  const [memory, setMemory] = useState<'all' | 'none'>('all');
  const [captureSeconds, setCaptureSeconds] = useState(10);
  const [running, setRunning] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [steps, setSteps] = useState<Record<CollectStep, StepView>>(pending);
  const [result, setResult] = useState<CollectResult | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  const latestRef = useRef<string | null>(null);

  useEffect(
    () =>
      client.on('collect.progress', (event) => {
        if (event.collectId !== latestRef.current) return;
        setSteps((prev) => ({
          ...prev,
          [event.step]: {
            state: event.state,
            artifactIds: event.artifactIds,
            ...(event.reason !== undefined ? { reason: event.reason } : {}),
            ...(event.error !== undefined ? { error: event.error } : {}),
          },
        }));
      }),
    [client],
  );

  const run = async () => {
    const collectId = newCollectId();
    latestRef.current = collectId;
    setRunning(true);
    setCancelling(false);
    setSteps(pending());
    setResult(null);
    setError(null);
    const r = await client.invoke('collect.run', { host, container, memory, captureSeconds, collectId });
    setRunning(false);
    setCancelling(false);
    if (!r.ok) return setError(r.error);
    setResult(r.value);
    // The answer is the record: it wins over events that may still be on their way.
    setSteps((prev) => {
      const next = { ...prev };
      for (const o of r.value.steps)
        next[o.step] = {
          state: o.state,
          artifactIds: o.artifactIds,
          ...(o.reason !== undefined ? { reason: o.reason } : {}),
          ...(o.error !== undefined ? { error: o.error } : {}),
        };
      return next;
    });
  };

  // collect.cancel: the running step stops through its own cancel path, what was stored is kept.
  const cancel = async () => {
    const collectId = latestRef.current;
    if (!running || !collectId) return;
    setCancelling(true);
    const r = await client.invoke('collect.cancel', { collectId });
    if (!r.ok) {
      setCancelling(false);
      setError(r.error);
    }
  };

  const outcome = (step: CollectStep) => result?.steps.find((o) => o.step === step);
  const settled = COLLECT_STEPS.filter((s) => steps[s].state !== 'pending' && steps[s].state !== 'running').length;
  return (
    <section className="dd-panel dd-collect" aria-label="Collect all" data-testid="collect-panel">
      <div className="dd-panel-title">Collect all (order of volatility)</div>
      <form
        className="dd-mem-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!running) void run();
        }}
      >
        <label className="dd-inline-label">
          Memory
          <select value={memory} onChange={(e) => setMemory(e.target.value === 'none' ? 'none' : 'all')} disabled={running}>
            <option value="all">every process</option>
            <option value="none">none</option>
          </select>
        </label>
        <label className="dd-inline-label">
          Capture (s)
          <input
            type="number"
            min={0}
            max={3600}
            value={captureSeconds}
            onChange={(e) => setCaptureSeconds(Math.min(3600, Math.max(0, Math.floor(Number(e.target.value)) || 0)))}
            disabled={running}
            className="dd-narrow"
            aria-label="Capture seconds (0 skips the capture)"
          />
        </label>
        <button type="submit" disabled={running || !host || !container}>
          {running ? 'Collecting…' : 'Collect all'}
        </button>
        {running && (
          <button
            type="button"
            className="dd-danger"
            onClick={() => void cancel()}
            disabled={cancelling}
            title="Stops the running step (memory, capture and drift stop at once; the short steps finish) and starts no other: what was stored is kept"
          >
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
        {running && <progress max={COLLECT_STEPS.length} value={settled} aria-label="Steps done" className="dd-collect-progress" />}
      </form>
      <div className="dd-muted dd-small-text">
        Most volatile first: processes, their /proc detail, connections, memory, packets, then the file system, logs and configuration —
        each stored in the open case and audited. A step that fails is recorded and the rest still run; a stopped container&apos;s volatile
        steps are skipped with the reason.
      </div>
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      <ol className="dd-collect-steps" aria-label="Collection steps">
        {COLLECT_STEPS.map((step, index) => {
          const view = steps[step];
          const o = outcome(step);
          return (
            <li key={step} className={`dd-collect-step dd-collect-${view.state}`} data-step={step} data-state={view.state}>
              <span className="dd-collect-index">{index + 1}.</span>
              <span className="dd-collect-state">{view.state === 'running' ? 'running…' : view.state}</span>
              <b>{STEP_LABEL[step]}</b>
              {view.artifactIds.length > 0 && (
                <button type="button" className="dd-link" onClick={() => navigate('evidence', { artifact: view.artifactIds[0] })}>
                  {view.artifactIds.length} artifact{view.artifactIds.length === 1 ? '' : 's'}
                </button>
              )}
              {o?.startedAt !== undefined && <span className="dd-muted">{(o.durationMs / 1000).toFixed(1)} s</span>}
              {view.reason && <span className="dd-muted">{visibleText(view.reason, 300)}</span>}
              {view.error && <span className="dd-warn-text">{visibleText(view.error.message, 400)}</span>}
              {o?.note && <span className="dd-muted">{visibleText(o.note, 300)}</span>}
            </li>
          );
        })}
      </ol>
      {result && (
        <div className={result.failed.length || result.cancelled ? 'dd-warn-text' : 'dd-good'} data-testid="collect-result">
          {result.cancelled
            ? `Cancelled${result.cancelled.step ? ` during ${STEP_LABEL[result.cancelled.step]}` : ''}; what the steps stored is kept${result.failed.length ? ` (${result.failed.length} failed)` : ''},`
            : result.failed.length
              ? `Collected with ${result.failed.length} failed step${result.failed.length === 1 ? '' : 's'} (${result.failed.map((s) => STEP_LABEL[s]).join(', ')})`
              : 'Collected, no step failed,'}{' '}
          into case {visibleText(result.caseName, 120)}, {utc(result.startedAt)} to {utc(result.finishedAt)}.
        </div>
      )}
    </section>
  );
}
