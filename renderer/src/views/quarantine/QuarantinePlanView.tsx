import type { PlanNotice, QuarantinePlan } from '../../../../shared/domain/quarantine';
import { visibleText } from '../processes/visible-text';
import { MODE_LABEL } from './quarantine-text';

function Notice({ notice }: { notice: PlanNotice }) {
  return (
    <li className={`dd-q-notice dd-q-notice-${notice.severity}`} data-severity={notice.severity}>
      {visibleText(notice.text, 1200)}
    </li>
  );
}

/** What each step will do, in the order it runs, for the responder to confirm. */
export function QuarantinePlanView({ plan }: { plan: QuarantinePlan }) {
  return (
    <div className="dd-q-plan" data-testid="quarantine-plan">
      <p className="dd-muted">
        {visibleText(plan.containerName, 200)} ({plan.containerId.slice(0, 12)}, {visibleText(plan.status, 40)}) on {visibleText(plan.host, 80)} —{' '}
        {plan.caseName ? <>audit and snapshot go to case {visibleText(plan.caseName, 200)}</> : <>no case open: the audit goes to the store&rsquo;s own log</>}
      </p>
      {plan.existing && (
        <p className="dd-hint">
          Already under quarantine ({plan.existing.modes.join(', ')}, {plan.existing.state}): steps already done are skipped and the state recorded then is what release restores.
        </p>
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
