import type { BenchmarkCheck } from '../../../shared/domain/benchmark';
import { counted } from '../../../shared/counted';
import { CATALOG } from './catalog';
import type { EngineFacts } from './facts';
import { ev, notMet, perSubject, result } from './verdicts';

const NOT_IN_API = 'not exposed by the Engine API';

/** `counted`, or "? nouns" when the engine did not report the number. */
function countedOrUnknown(n: number | undefined, noun: string): string {
  return n === undefined ? `? ${noun}s` : counted(n, noun);
}

/** Section 7: Swarm. Not applicable unless this engine is an active Swarm node. */
export function swarmChecks(facts: EngineFacts): BenchmarkCheck[] {
  const swarm = facts.info.Swarm;
  const state = swarm?.LocalNodeState ?? '(unreported)';
  if (state !== 'active') {
    return CATALOG.filter((e) => e.section === 7).map((e) =>
      result(e.id, 'not-applicable', `Swarm mode is not active on this engine (Swarm.LocalNodeState=${state})`, [
        ev('GET /info', 'Swarm.LocalNodeState', state),
      ]),
    );
  }
  const manager = swarm?.ControlAvailable === true;
  const onWorker = (id: string, what: string) =>
    result(id, 'could-not-check', `This node is a worker: ${what} is read from a manager only`, [
      ev('GET /info', 'Swarm.ControlAvailable', swarm?.ControlAvailable),
    ]);
  const checks: BenchmarkCheck[] = [];
  checks.push(
    result(
      '7.1',
      'info',
      `${countedOrUnknown(swarm?.Managers, 'manager')} among ${countedOrUnknown(swarm?.Nodes, 'node')}: the right number (odd, small) is the auditor's call`,
      [ev('GET /info', 'Swarm.Managers', swarm?.Managers), ev('GET /info', 'Swarm.Nodes', swarm?.Nodes)],
    ),
  );
  checks.push(
    result(
      '7.2',
      'could-not-check',
      "The Swarm listen address (default 0.0.0.0:2377) is not in the Engine API; it needs the host's listening sockets",
      [
        ev('GET /info', 'Swarm.NodeAddr (advertised, not the listen address)', swarm?.NodeAddr),
        ev('host sockets', 'listen address of port 2377', NOT_IN_API),
      ],
    ),
  );
  const overlays = facts.networks.filter((n) => n.driver === 'overlay');
  checks.push(
    perSubject(
      '7.3',
      overlays.map((n) => ({
        subject: `network ${n.name} (${n.id.slice(0, 12)})`,
        verdict: 'encrypted' in n.options ? 'pass' : notMet('7.3'),
        evidence: [
          { source: `GET /networks/${n.id.slice(0, 12)}`, field: 'Options.encrypted', value: n.options['encrypted'] ?? '(absent)' },
        ],
      })),
      'overlay networks',
      { verdict: 'not-applicable', reason: 'No overlay network', evidence: [ev('GET /networks', 'overlay networks', 0)] },
    ),
  );
  checks.push(
    manager
      ? result(
          '7.4',
          'info',
          `${countedOrUnknown(facts.swarm?.secrets, 'Swarm secret')}; whether secrets are kept anywhere else is the auditor's call`,
          [ev('GET /secrets', 'count', facts.swarm?.secrets)],
        )
      : onWorker('7.4', 'the secret list'),
  );
  if (!manager) checks.push(onWorker('7.5', 'the auto-lock setting'));
  else
    checks.push(
      facts.swarm?.autoLockManagers === true
        ? result('7.5', 'pass', 'Managers auto-lock', [ev('GET /swarm', 'Spec.EncryptionConfig.AutoLockManagers', true)])
        : result('7.5', notMet('7.5'), 'Managers do not auto-lock: the Raft keys sit unencrypted on disk', [
            ev('GET /swarm', 'Spec.EncryptionConfig.AutoLockManagers', facts.swarm?.autoLockManagers),
          ]),
    );
  checks.push(
    result('7.6', 'could-not-check', 'When the unlock key was last rotated is not recorded by the engine', [
      ev('GET /swarm', 'unlock key rotation', NOT_IN_API),
    ]),
  );
  const expiryHours = facts.swarm?.nodeCertExpiryNs !== undefined ? facts.swarm.nodeCertExpiryNs / 3.6e12 : undefined;
  checks.push(
    manager
      ? result(
          '7.7',
          'info',
          `Node certificates expire after ${expiryHours !== undefined ? `${expiryHours} h` : '(unreported)'}; whether that is appropriate is the auditor's call`,
          [ev('GET /swarm', 'Spec.CAConfig.NodeCertExpiry (ns)', facts.swarm?.nodeCertExpiryNs)],
        )
      : onWorker('7.7', 'the certificate expiry'),
  );
  checks.push(
    result('7.8', 'could-not-check', 'When the CA was last rotated is not recorded by the engine', [
      ev('GET /swarm', 'CA rotation', NOT_IN_API),
    ]),
  );
  checks.push(
    result('7.9', 'could-not-check', 'The data-path address is not in /info; it needs the swarm init flags or the node spec', [
      ev('GET /info', 'Swarm.NodeAddr', swarm?.NodeAddr),
    ]),
  );
  return checks;
}
