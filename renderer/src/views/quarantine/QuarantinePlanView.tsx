import type { NetworkNamespacePeer, PlanNotice, QuarantinePlan } from '../../../../shared/domain/quarantine';
import { visibleText } from '../processes/visible-text';
import { MODE_LABEL } from './quarantine-text';

function Notice({ notice }: { notice: PlanNotice }) {
  return (
    <li className={`dd-q-notice dd-q-notice-${notice.severity}`} data-severity={notice.severity}>
      {visibleText(notice.text, 1200)}
    </li>
  );
}

const PEER_RELATION: Record<NetworkNamespacePeer['relation'], string> = {
  'joined-target': 'runs in its network namespace',
  'target-joined': 'owns the network namespace it runs in',
  'joined-same': 'runs in the same network namespace',
};

/**
 * What each step will do, in the order it runs, for the responder to confirm. appliedHere: the
 * quarantine this dialog just applied, so its plan reads as "add modes", not "already under
 * quarantine" (which would suggest someone else's).
 */
export function QuarantinePlanView({ plan, appliedHere }: { plan: QuarantinePlan; appliedHere?: string }) {
  return (
    <div className="dd-q-plan" data-testid="quarantine-plan">
      <p className="dd-muted">
        {visibleText(plan.containerName, 200)} ({plan.containerId.slice(0, 12)}, {visibleText(plan.status, 40)}) on{' '}
        {visibleText(plan.host, 80)} —{' '}
        {plan.caseName ? (
          <>audit and snapshot go to case {visibleText(plan.caseName, 200)}</>
        ) : (
          <>no case open: the audit goes to the store&rsquo;s own log</>
        )}
      </p>
      {plan.existing &&
        (plan.existing.recordId === appliedHere ? (
          <p className="dd-hint" data-testid="quarantine-plan-existing">
            You applied this quarantine ({plan.existing.modes.join(', ')}). Tick more modes and apply again to add them; steps done are not
            repeated.
          </p>
        ) : (
          <p className="dd-hint" data-testid="quarantine-plan-existing">
            Already under quarantine ({plan.existing.modes.join(', ')}, {plan.existing.state}): steps already done are skipped and the state
            recorded then is what release restores.
          </p>
        ))}
      {plan.sharedNetworkNamespace.length > 0 && (
        <div className="dd-q-notice dd-q-notice-warning" data-testid="quarantine-shared-namespace">
          <b>Shares its network namespace with:</b>
          <ul className="dd-q-peers">
            {plan.sharedNetworkNamespace.map((p) => (
              <li key={p.containerId} data-container={p.containerId}>
                {visibleText(p.containerName, 200)} <span className="dd-mono dd-muted">{p.containerId.slice(0, 12)}</span>{' '}
                <span className="dd-muted">({visibleText(p.status, 40)})</span> — {PEER_RELATION[p.relation]}
              </li>
            ))}
          </ul>
        </div>
      )}
      {plan.notices.length > 0 && (
        <ul className="dd-q-notices">
          {plan.notices.map((n, i) => (
            <Notice key={i} notice={n} />
          ))}
        </ul>
      )}
      <ol className="dd-q-steps">
        {plan.steps.map((step) => (
          <li key={step.mode} className={step.blocked ? 'dd-q-step-blocked' : ''} data-mode={step.mode}>
            <div className="dd-q-step-head">
              <b>{MODE_LABEL[step.mode]}</b>
              {step.alreadyDone && <span className="dd-pill">already done</span>}
              {step.blocked && <span className="dd-pill dd-pill-warn">cannot be done</span>}
            </div>
            <div>{visibleText(step.action, 2000)}</div>
            {step.blocked && <div className="dd-q-notice dd-q-notice-danger">{visibleText(step.blocked, 600)}</div>}
            {step.notices.length > 0 && (
              <ul className="dd-q-notices">
                {step.notices.map((n, i) => (
                  <Notice key={i} notice={n} />
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
