import type { OrchestratorAction, QuarantinePlan, SwarmServicePolicy } from '../../../../shared/domain/quarantine';
import { counted } from '../../../../shared/counted';
import { visibleText } from '../processes/visible-text';

type SwarmPlan = NonNullable<QuarantinePlan['swarm']>;

/** The service's policy in a few words each ("—" where the spec leaves it to the engine's default). */
function policyRows(p: SwarmServicePolicy): [string, string][] {
  const r = p.restart;
  const u = p.update;
  const seconds = (s: number | undefined) => (s === undefined ? '—' : `${s} s`);
  return [
    ['Mode', `${p.mode}${p.replicas !== undefined ? `, ${counted(p.replicas, 'replica')}` : ''}`],
    [
      'Restart policy',
      `condition ${r.condition}; delay ${seconds(r.delaySeconds)}; attempts ${r.maxAttempts ? r.maxAttempts : 'unlimited'}; window ${seconds(r.windowSeconds)}`,
    ],
    [
      'Update policy',
      `parallelism ${u.parallelism ?? 1}; on failure ${u.failureAction ?? 'pause'}; order ${u.order ?? 'stop-first'}; monitor ${seconds(u.monitorSeconds)}`,
    ],
    ['Health check', p.healthcheck?.length ? p.healthcheck.join(' ') : 'none'],
  ];
}

/**
 * A Swarm task's part of the plan: which task it resolved to (node, manager), the service's restart
 * and update policy as the manager holds it, and what the orchestrator will do to the task under it.
 */
export function QuarantineSwarmPlan({ swarm, host }: { swarm: SwarmPlan; host: string }) {
  const t = swarm.task;
  return (
    <div className="dd-q-swarm" data-testid="quarantine-swarm-plan">
      <p>
        Swarm task <b>{visibleText(t.taskName, 200)}</b> <span className="dd-mono dd-muted">{visibleText(t.taskId, 40)}</span> of service{' '}
        <b>{visibleText(t.serviceName, 200)}</b>, on node {visibleText(t.nodeHostname || t.nodeId, 200)} (host {visibleText(host, 80)}),
        through manager {visibleText(t.manager, 80)}
      </p>
      {swarm.policy && (
        <table className="dd-table dd-q-policy" aria-label="Service policy">
          <tbody>
            {policyRows(swarm.policy).map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{visibleText(v, 600)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {swarm.policyProblem && <p className="dd-q-notice dd-q-notice-warning">Policy not read: {visibleText(swarm.policyProblem, 600)}</p>}
      <ul className="dd-q-notices" data-testid="quarantine-swarm-consequences">
        {swarm.consequences.map((c, i) => (
          <li key={i} className="dd-q-notice dd-q-notice-warning">
            {visibleText(c, 1200)}
          </li>
        ))}
      </ul>
    </div>
  );
}

export interface OrchestratorChoice {
  drain: boolean;
  drainAck: boolean;
  scale: boolean;
  /** The replica count typed (digits only, checked before use). */
  scaleTo: string;
  scaleAck: boolean;
}

export const NO_ORCHESTRATION: OrchestratorChoice = { drain: false, drainAck: false, scale: false, scaleTo: '', scaleAck: false };

/** The replica count asked for, or undefined when scaling is not chosen or the count is not a number. */
export function scaleOf(choice: OrchestratorChoice): number | undefined {
  return choice.scale && /^\d{1,6}$/.test(choice.scaleTo) ? Number(choice.scaleTo) : undefined;
}

/**
 * Draining the task's node and scaling its service: each optional, each with its consequence (from
 * the plan) and its own acknowledgement; apply does only the ones acknowledged.
 */
export function OrchestratorOptions({
  swarm,
  choice,
  onChange,
}: {
  swarm: SwarmPlan;
  choice: OrchestratorChoice;
  onChange: (next: OrchestratorChoice) => void;
}) {
  const consequence = (kind: OrchestratorAction['kind']) => swarm.actions.find((a) => a.kind === kind)?.consequence;
  const node = swarm.task.nodeHostname || swarm.task.nodeId;
  const drainText = consequence('drain-node');
  const scaleText = consequence('scale-service');
  return (
    <fieldset className="dd-fieldset dd-q-orchestrator" data-testid="quarantine-orchestrator">
      <legend>Orchestrator (optional; release puts each back)</legend>
      <label className="dd-check">
        <input
          type="checkbox"
          checked={choice.drain}
          onChange={(e) => onChange({ ...choice, drain: e.target.checked, drainAck: false })}
          data-testid="quarantine-drain"
        />
        <span>Drain node {visibleText(node, 120)}</span>
      </label>
      {choice.drain && drainText && (
        <div className="dd-q-orchestrator-step" data-testid="quarantine-drain-consequence">
          <p className="dd-q-notice dd-q-notice-danger">{visibleText(drainText, 1200)}</p>
          <label className="dd-check dd-q-ack">
            <input
              type="checkbox"
              checked={choice.drainAck}
              onChange={(e) => onChange({ ...choice, drainAck: e.target.checked })}
              data-testid="quarantine-drain-ack"
            />
            <span>I understand: drain node {visibleText(node, 120)}.</span>
          </label>
        </div>
      )}
      <label className="dd-check">
        <input
          type="checkbox"
          checked={choice.scale}
          onChange={(e) => onChange({ ...choice, scale: e.target.checked, scaleAck: false })}
          data-testid="quarantine-scale"
        />
        <span>Scale service {visibleText(swarm.task.serviceName, 120)} to</span>
        <input
          className="dd-q-scale-to"
          value={choice.scaleTo}
          inputMode="numeric"
          maxLength={6}
          aria-label="Replica count"
          disabled={!choice.scale}
          onChange={(e) => onChange({ ...choice, scaleTo: e.target.value.replace(/\D/g, ''), scaleAck: false })}
          data-testid="quarantine-scale-to"
        />
        <span>replicas</span>
      </label>
      {choice.scale && scaleText && (
        <div className="dd-q-orchestrator-step" data-testid="quarantine-scale-consequence">
          <p className="dd-q-notice dd-q-notice-warning">{visibleText(scaleText, 1200)}</p>
          <label className="dd-check dd-q-ack">
            <input
              type="checkbox"
              checked={choice.scaleAck}
              onChange={(e) => onChange({ ...choice, scaleAck: e.target.checked })}
              data-testid="quarantine-scale-ack"
            />
            <span>I understand: scale to {visibleText(choice.scaleTo, 6)}.</span>
          </label>
        </div>
      )}
    </fieldset>
  );
}
