import { useCallback, useEffect, useRef, useState } from 'react';
import type { DrydockClient } from '../../../../shared/client';
import { QUARANTINE_MODES, type QuarantineMode, type QuarantinePlan, type QuarantineRecord } from '../../../../shared/domain/quarantine';
import type { DrydockError } from '../../../../shared/result';
import { useAsyncAction } from '../../lib/use-async';
import { ErrorBox } from '../../shell/ErrorBox';
import { visibleText } from '../processes/visible-text';
import { QuarantineBanner } from './QuarantineBanner';
import { QuarantinePlanView } from './QuarantinePlanView';
import { QuarantineRecordView } from './QuarantineRecordView';
import { NO_ORCHESTRATION, OrchestratorOptions, QuarantineSwarmPlan, scaleOf, type OrchestratorChoice } from './QuarantineSwarmPlan';
import { MODE_LABEL, MODE_SUMMARY, TASK_ISOLATE_SUMMARY, releaseSummary } from './quarantine-text';
import { useQuarantine } from './use-quarantine';
import './quarantine.css';

interface Props {
  client: DrydockClient;
  host: string;
  /**
   * Container ID or name; or a Swarm task (task ID or SERVICE.SLOT) with `host` its manager, which the
   * core resolves to the node and container it runs on.
   */
  container: string;
  /** For the title while the plan loads. */
  containerName?: string;
  onClose: () => void;
}

/**
 * Quarantine of one container or Swarm task: choose the modes, read what each step will do (the plan
 * comes from the core, not guessed here), acknowledge the dangerous ones, apply; then follow its
 * progress and release it. A task's plan adds the service's policy and what the orchestrator will do,
 * and offers draining its node and scaling its service, each acknowledged on its own.
 */
export function QuarantineDialog({ client, host, container, containerName, onClose }: Props) {
  const [modes, setModes] = useState<ReadonlySet<QuarantineMode>>(new Set(['isolate']));
  const [orchestration, setOrchestration] = useState<OrchestratorChoice>(NO_ORCHESTRATION);
  // Each plan and acknowledgement belongs to one choice of modes: a change of modes voids both.
  const [planned, setPlanned] = useState<{ key: string; plan: QuarantinePlan | null; error: DrydockError | null } | null>(null);
  const [ackFor, setAckFor] = useState<string | null>(null);
  const [result, setResult] = useState<QuarantineRecord | null>(null);
  // Release is asked for apart from apply: a reason, then an explicit confirmation.
  const [releasing, setReleasing] = useState(false);
  const [reason, setReason] = useState('');
  const planRequest = useRef(0);
  const first = useRef<HTMLInputElement>(null);

  const chosen = QUARANTINE_MODES.filter((m) => modes.has(m));
  const scale = scaleOf(orchestration);
  const orchestrationRequest = {
    ...(orchestration.drain ? { drainNode: true } : {}),
    ...(scale !== undefined ? { scale } : {}),
  };
  const modesKey = chosen.join(',');
  const chosenKey = `${modesKey}|${orchestration.drain ? 'drain' : ''}|${scale ?? ''}`;
  const plan = planned?.key === chosenKey ? planned.plan : null;
  const planError = planned?.key === chosenKey ? planned.error : null;
  // Dangers acknowledged belong to the modes they were read for.
  const acknowledged = ackFor === modesKey;
  // A task is watched where the core resolved it (its node's host, its container), not by the name given.
  const [resolved, setResolved] = useState<{ host: string; containerId: string } | null>(null);
  const { record } = useQuarantine(client, resolved?.host ?? host, resolved?.containerId ?? container);

  useEffect(() => {
    first.current?.focus();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  useEffect(() => {
    if (!modesKey) return;
    const request = ++planRequest.current;
    const [, drain, scaleTo] = chosenKey.split('|');
    void client
      .invoke('quarantine.plan', {
        host,
        container,
        modes: modesKey.split(',') as QuarantineMode[],
        ...(drain ? { drainNode: true } : {}),
        ...(scaleTo ? { scale: Number(scaleTo) } : {}),
      })
      .then((r) => {
        if (request !== planRequest.current) return;
        if (r.ok) setResolved((prev) => (prev?.host === r.value.host && prev.containerId === r.value.containerId ? prev : r.value));
        setPlanned(r.ok ? { key: chosenKey, plan: r.value, error: null } : { key: chosenKey, plan: null, error: r.error });
      });
  }, [client, host, container, modesKey, chosenKey, record?.state]);

  const applyCall = useCallback(
    (m: QuarantineMode[], extra: { drainNode?: boolean; scale?: number }) =>
      client.invoke('quarantine.apply', { host, container, modes: m, ...extra }),
    [client, host, container],
  );
  // Release goes to the record: a task's quarantine lives on its node's host, under its container.
  const releaseCall = useCallback(
    (why: string, target: { host: string; container: string }) => client.invoke('quarantine.release', { ...target, reason: why }),
    [client],
  );
  const apply = useAsyncAction(applyCall);
  const release = useAsyncAction(releaseCall);

  const toggle = (mode: QuarantineMode) =>
    setModes((prev) => {
      const next = new Set(prev);
      if (next.has(mode)) next.delete(mode);
      else next.add(mode);
      return next;
    });

  // The reply to apply/release and the event stream race: the newer of the two is the truth.
  const shown =
    record && result && result.id === record.id
      ? result.updatedAt >= record.updatedAt
        ? result
        : record
      : (record ?? result ?? undefined);
  const active = shown && shown.state !== 'released' ? shown : undefined;
  const blocked = plan?.steps.some((s) => s.blocked && !s.alreadyDone) ?? false;
  const dangers = plan ? [...plan.notices, ...plan.steps.flatMap((s) => s.notices)].filter((n) => n.severity === 'danger') : [];
  const pendingSteps = plan?.steps.some((s) => !s.alreadyDone) ?? false;
  const swarm = plan?.swarm;
  const orchestrationAsked = swarm !== undefined && (orchestration.drain || orchestration.scale);
  // Each orchestrator action chosen needs its own acknowledgement (and a count, for scaling).
  const orchestrationReady =
    (!orchestration.drain || orchestration.drainAck) && (!orchestration.scale || (scale !== undefined && orchestration.scaleAck));
  const isTask = Boolean(swarm ?? shown?.swarm);
  const canApply =
    plan !== null &&
    chosen.length > 0 &&
    (pendingSteps || orchestrationAsked) &&
    !blocked &&
    (dangers.length === 0 || acknowledged) &&
    orchestrationReady &&
    !apply.busy &&
    !release.busy &&
    active?.state !== 'releasing';
  const title = plan?.containerName ?? containerName ?? container;

  return (
    <div className="dd-q-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="dd-panel dd-q-dialog"
        role="dialog"
        aria-modal="true"
        aria-label={`Quarantine ${title}`}
        data-testid="quarantine-dialog"
      >
        <div className="dd-q-dialog-head">
          <h2>Quarantine {visibleText(title, 160)}</h2>
          <button type="button" className="dd-icon-btn" onClick={onClose} aria-label="Close" title="Close (Esc)">
            ×
          </button>
        </div>
        {active && <QuarantineBanner record={active} />}

        <fieldset className="dd-fieldset">
          <legend>Modes</legend>
          {QUARANTINE_MODES.map((mode, i) => (
            <label key={mode} className="dd-check dd-q-mode">
              <input
                ref={i === 0 ? first : undefined}
                type="checkbox"
                checked={modes.has(mode)}
                onChange={() => toggle(mode)}
                data-mode={mode}
              />
              <span>
                <b>{MODE_LABEL[mode]}</b>{' '}
                <span className="dd-muted">{mode === 'isolate' && isTask ? TASK_ISOLATE_SUMMARY : MODE_SUMMARY[mode]}</span>
              </span>
            </label>
          ))}
        </fieldset>

        {chosen.length === 0 && <p className="dd-hint">Choose at least one mode.</p>}
        {planError && <ErrorBox error={planError} compact />}
        {plan && <QuarantinePlanView plan={plan} {...(result && result.state !== 'released' ? { appliedHere: result.id } : {})} />}
        {swarm && <QuarantineSwarmPlan swarm={swarm} host={plan.host} />}
        {swarm && <OrchestratorOptions swarm={swarm} choice={orchestration} onChange={setOrchestration} />}
        {dangers.length > 0 && !blocked && (
          <label className="dd-check dd-q-ack">
            <input
              type="checkbox"
              checked={acknowledged}
              onChange={(e) => setAckFor(e.target.checked ? modesKey : null)}
              data-testid="quarantine-ack"
            />
            <span>I have read the warnings above{modes.has('stop') ? ': stopping loses the memory of this container' : ''}.</span>
          </label>
        )}

        <div className="dd-actions">
          <button
            type="button"
            className="dd-primary dd-danger"
            disabled={!canApply}
            onClick={() =>
              void apply.run(chosen, orchestrationRequest).then((r) => {
                if (!r.ok) return;
                setResult(r.value);
                setOrchestration(NO_ORCHESTRATION);
              })
            }
            data-testid="quarantine-apply"
          >
            {apply.busy ? 'Applying…' : active?.state === 'applying' ? 'Finish quarantine' : active ? 'Apply added modes' : 'Quarantine'}
          </button>
          <span className="dd-spacer" />
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
        {apply.error && <ErrorBox error={apply.error} onDismiss={apply.clearError} />}
        {shown && (
          <section className="dd-q-section">
            <h3 className="dd-panel-title">Progress</h3>
            <QuarantineRecordView record={shown} />
          </section>
        )}
        {active && (
          <section className="dd-q-section dd-q-release" data-testid="quarantine-release-section">
            <h3 className="dd-panel-title">Release</h3>
            {!releasing ? (
              <button
                type="button"
                disabled={release.busy || apply.busy}
                onClick={() => setReleasing(true)}
                data-testid="quarantine-release"
              >
                {active.state === 'releasing' ? 'Finish release…' : 'Release…'}
              </button>
            ) : (
              <form
                className="dd-q-release-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (!reason.trim() || release.busy) return;
                  void release.run(reason.trim(), { host: active.host, container: active.containerId }).then((r) => {
                    if (!r.ok) return;
                    setResult(r.value);
                    setReleasing(false);
                    setReason('');
                  });
                }}
              >
                <p className="dd-hint" data-testid="quarantine-release-summary">
                  Release {visibleText(releaseSummary(active), 1200)}. The reason is kept in the audit log.
                </p>
                <label className="dd-q-reason">
                  Reason for release (required)
                  <textarea
                    value={reason}
                    onChange={(e) => setReason(e.target.value)}
                    rows={2}
                    maxLength={2000}
                    data-testid="quarantine-release-reason"
                  />
                </label>
                <div className="dd-actions">
                  <button
                    type="submit"
                    className="dd-danger"
                    disabled={!reason.trim() || release.busy || apply.busy}
                    data-testid="quarantine-release-confirm"
                  >
                    {release.busy ? 'Releasing…' : 'Confirm release'}
                  </button>
                  <button type="button" onClick={() => setReleasing(false)} disabled={release.busy}>
                    Cancel
                  </button>
                </div>
              </form>
            )}
            {release.error && <ErrorBox error={release.error} onDismiss={release.clearError} />}
          </section>
        )}
      </div>
    </div>
  );
}
