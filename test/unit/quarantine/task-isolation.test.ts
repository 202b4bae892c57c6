// The pure pieces of a Swarm task's quarantine: the service policy read from a hostile manager's
// spec, the consequences said before acting, the nft commands and the task reference forms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findTask, looksLikeTask, mayBeTaskIdPrefix } from '../../../main/app/task-quarantine';
import { actionConsequence, policyConsequences, servicePolicy } from '../../../main/core/quarantine/orchestrator';
import { hasOurTable, packetFilterRules } from '../../../main/core/quarantine/packet-filter';
import type { SwarmTaskTarget } from '../../../shared/domain/quarantine';

const task: SwarmTaskTarget = {
  manager: 'mgr',
  taskId: 'n1ez8ssnieed8gmpuilf2lo4n',
  taskName: 'web.2',
  serviceId: 'svc1',
  serviceName: 'web',
  slot: 2,
  nodeId: 'node3',
  nodeHostname: 'worker-3',
};

describe('Swarm task quarantine pieces', () => {
  it('reads the policy from the spec, in seconds, and keeps only typed fields of a hostile answer', () => {
    const policy = servicePolicy({
      Mode: { Replicated: { Replicas: 3 } },
      TaskTemplate: {
        RestartPolicy: { Condition: 'on-failure', Delay: 5_000_000_000, MaxAttempts: 2 },
        ContainerSpec: { Healthcheck: { Test: ['CMD', 'wget', 'http://localhost/'] } },
      },
      UpdateConfig: { Parallelism: '7', FailureAction: 'rollback', Order: 'start-first' },
    });
    assert.deepEqual(policy, {
      mode: 'replicated',
      replicas: 3,
      restart: { condition: 'on-failure', delaySeconds: 5, maxAttempts: 2 },
      update: { failureAction: 'rollback', order: 'start-first' },
      healthcheck: ['CMD', 'wget', 'http://localhost/'],
    });
    // The engine's default restart condition is "any"; a global service has no replica count.
    assert.deepEqual(servicePolicy({ Mode: { Global: {} } }), { mode: 'global', restart: { condition: 'any' }, update: {} });
  });

  it('states the consequences before acting: health check, pause, updates, scaling down, draining', () => {
    const policy = servicePolicy({
      Mode: { Replicated: { Replicas: 3 } },
      TaskTemplate: { ContainerSpec: { Healthcheck: { Test: ['CMD', 'true'] } } },
    });
    const lines = policyConsequences(task, policy, ['isolate', 'pause']).join('\n');
    assert.match(lines, /restart condition any/);
    assert.match(lines, /It has a health check \(CMD true\)/);
    assert.match(lines, /A paused task fails its health checks/);
    assert.match(lines, /hold updates of web/);
    assert.match(policyConsequences(task, undefined, ['isolate'])[0] ?? '', /could not be read/);
    assert.match(actionConsequence('scale-service', task, 2, policy), /from 3 to 2 .* may choose this one/);
    assert.match(actionConsequence('scale-service', task, 5, policy), /from 3 to 5 replicas: the manager starts 2 new tasks/);
    assert.match(actionConsequence('scale-service', task, 4, policy), /from 3 to 4 replicas: the manager starts 1 new task to serve/);
    assert.match(actionConsequence('scale-service', task, 1, policy), /from 3 to 1 replica: /);
    assert.match(
      policyConsequences(task, servicePolicy({ Mode: { Replicated: { Replicas: 1 } } }), ['isolate'])[0] ?? '',
      /mode replicated, 1 replica;/,
    );
    assert.doesNotMatch(
      [...policyConsequences(task, policy, ['isolate']), actionConsequence('scale-service', task, 5, policy)].join('\n'),
      /\(s\)/,
    );
    assert.match(actionConsequence('drain-node', task, 'drain', policy), /worker-3.*THIS ONE INCLUDED/);
    // Other nodes to go to: the replacements start there.
    assert.match(
      actionConsequence('drain-node', task, 'drain', policy, { otherAvailable: 2, leader: false, managers: 1 }),
      /moves every task off it, THIS ONE INCLUDED .* starts their replacements on the 2 other available nodes/,
    );
    // The only available node (a single-node swarm, or every other node drained or down): nowhere to go.
    const alone = actionConsequence('drain-node', task, 'drain', policy, { otherAvailable: 0, leader: true, managers: 1 });
    assert.doesNotMatch(alone, /replacements on other nodes|moves every task off/);
    assert.match(alone, /the only available node of the swarm: every task of every service on it is stopped, THIS ONE INCLUDED/);
    assert.match(alone, /with nowhere to go/);
    assert.match(alone, /It is the leader and only manager of the swarm/);
    assert.doesNotMatch(
      actionConsequence('drain-node', task, 'drain', policy, { otherAvailable: 0, leader: false, managers: 3 }),
      /leader/,
    );
  });

  it('names its table, keeps a hostile record id out of the nft commands, and finds its table in a listing', () => {
    const rules = packetFilterRules('q-1"; flush ruleset; "');
    assert.match(rules, /^add table inet drydock_quarantine \{ comment "Drydock quarantine q-1flushruleset" ; \}/);
    assert.equal((rules.match(/"/g) ?? []).length, 4 + 2, 'only the comment and the two "lo" names are quoted');
    assert.match(rules, /add rule inet drydock_quarantine input iifname "lo" accept ; add rule inet drydock_quarantine input drop/);
    assert.ok(hasOurTable('table ip nat {\n}\ntable inet drydock_quarantine {\n\tchain input {\n'));
    assert.ok(!hasOurTable('table inet drydock_quarantine_other {\n'));
  });

  it('takes a task ID or SERVICE.SLOT as a task reference', () => {
    assert.ok(looksLikeTask('n1ez8ssnieed8gmpuilf2lo4n'));
    assert.ok(looksLikeTask('web.2'));
    assert.ok(!looksLikeTask('web-1'));
    assert.ok(!looksLikeTask('3f2a9c1d'));
    assert.ok(mayBeTaskIdPrefix('xr1boon5bx57'));
    assert.ok(!mayBeTaskIdPrefix('web-1') && !mayBeTaskIdPrefix('Web'));
  });

  it('finds a task by ID, SERVICE.SLOT or a unique ID prefix; an ambiguous prefix names the candidates', () => {
    const tasks = [
      { id: 'xr1boon5bx57aaaaaaaaaaaaa', name: 'sl.1', createdAt: '2026-01-01T00:00:00Z' },
      { id: 'xr1boon5bx58bbbbbbbbbbbbb', name: 'sl.2', createdAt: '2026-01-01T00:00:00Z' },
      { id: 'q9aaaaaaaaaaaaaaaaaaaaaaa', name: 'sl.3', createdAt: '2026-01-01T00:00:00Z' },
    ];
    assert.equal(findTask(tasks, 'xr1boon5bx57', 'mgr')?.name, 'sl.1', 'the 12 characters docker service ps prints');
    assert.equal(findTask(tasks, 'q9', 'mgr')?.name, 'sl.3');
    assert.equal(findTask(tasks, 'sl.2', 'mgr')?.id, 'xr1boon5bx58bbbbbbbbbbbbb');
    assert.equal(findTask(tasks, 'zz', 'mgr'), undefined);
    assert.throws(
      () => findTask(tasks, 'xr1boon5bx5', 'mgr'),
      (err: Error & { kind?: string }) =>
        err.kind === 'invalid-input' && /ambiguous.*sl\.1 xr1boon5bx57, sl\.2 xr1boon5bx58/.test(err.message),
    );
  });
});
