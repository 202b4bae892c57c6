// What Drydock says about a Swarm task's quarantine, checked on the pure pieces: the plan's
// warnings name only the modes chosen, a dry run shows --drain-node and --scale with their
// consequences, release reports only what it undid, the footprint names the packet-filter table
// (never "networks changed"), an empty ruleset is labelled so, and no status word is doubled.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerInspectInfo } from 'dockerode';
import { nothingToDo, renderPlan, renderRecord, renderReleasePreview } from '../../../main/cli/commands/quarantine';
import { footprintByHost } from '../../../main/core/evidence/footprint';
import { releaseSummary } from '../../../renderer/src/views/quarantine/quarantine-text';
import { actionConsequence, policyConsequences, servicePolicy } from '../../../main/core/quarantine/orchestrator';
import { buildPlan } from '../../../main/core/quarantine/plan';
import type { AuditEntry } from '../../../shared/domain/evidence';
import {
  rulesetLabel,
  stepDetailText,
  type QuarantineMode,
  type QuarantinePlan,
  type QuarantineRecord,
  type SwarmTaskTarget,
} from '../../../shared/domain/quarantine';

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CONTAINER = 'c'.repeat(64);

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

function taskInspect(): ContainerInspectInfo {
  return {
    Id: CONTAINER,
    Name: '/web.2.n1ez8ssnieed8gmpuilf2lo4n',
    Image: `sha256:${'a'.repeat(64)}`,
    State: { Status: 'running', Running: true, Paused: false },
    HostConfig: { NetworkMode: 'default', RestartPolicy: { Name: 'no' } },
    Config: {
      Image: 'busybox:1',
      User: '',
      Labels: {
        'com.docker.swarm.task.id': task.taskId,
        'com.docker.swarm.task.name': 'web.2.n1ez8ssnieed8gmpuilf2lo4n',
        'com.docker.swarm.service.name': 'web',
      },
    },
    Mounts: [],
    NetworkSettings: { Networks: { 'web-net': { NetworkID: 'n'.repeat(64), IPAddress: '10.0.1.5', Aliases: null } }, Ports: {} },
  } as unknown as ContainerInspectInfo;
}

const planFor = (modes: QuarantineMode[]) =>
  buildPlan({ host: 'box-b', inspect: taskInspect(), modes, networkName: 'drydock-quarantine', now: '2026-01-01T00:00:00Z', peers: [] });

const allText = (plan: QuarantinePlan) =>
  [...plan.notices.map((n) => n.text), ...plan.steps.flatMap((s) => [s.action, ...s.notices.map((n) => n.text)])].join('\n');

function releasedTaskRecord(): QuarantineRecord {
  const at = '2026-01-01T00:00:00Z';
  return {
    id: 'q-1',
    host: 'box-b',
    containerId: CONTAINER,
    containerName: 'web.2.n1ez8ssnieed8gmpuilf2lo4n',
    caseId: null,
    state: 'released',
    modes: ['isolate'],
    before: {
      status: 'running',
      running: true,
      paused: false,
      networkMode: 'default',
      networks: [{ networkId: 'n'.repeat(64), networkName: 'bridge', aliases: [], links: [], ipv4: '172.17.0.5' }],
      hostLinks: [],
      restartPolicy: 'no',
      autoRemove: false,
      inspectedAt: at,
    },
    steps: [{ mode: 'isolate', state: 'done', detail: 'Packet filter in its network namespace' }],
    packetFilter: {
      table: 'inet drydock_quarantine',
      rules: 'add table inet drydock_quarantine',
      before: { sha256: EMPTY, ruleset: '' },
      helperImage: 'sha256:h',
      after: { sha256: EMPTY, identical: true },
    },
    swarm: {
      ...task,
      actions: [
        { kind: 'scale-service', target: 'svc1', previous: 3, to: 4, state: 'done', detail: 'Service web scaled to 4', restored: '3' },
      ],
    },
    release: {
      steps: [
        {
          name: 'packet-filter',
          state: 'done',
          detail: 'Deleted table inet drydock_quarantine from its network namespace and checked it is gone',
        },
        { name: 'networks', state: 'skipped', detail: 'skipped: its networks were never touched' },
        { name: 'unpause', state: 'skipped', detail: 'skipped: the quarantine did not pause it' },
        { name: 'start', state: 'skipped', detail: 'skipped: the quarantine did not stop it' },
        { name: 'quarantine-network', state: 'skipped', detail: 'skipped: the quarantine did not use drydock-quarantine' },
        { name: 'orchestrator', state: 'done', detail: 'Through manager mgr: replica count of service web restored to 3' },
      ],
      // What release now records for a task: nothing, as no network was touched.
      restored: [],
      reason: 'not given',
    },
    warnings: [],
    createdAt: at,
    updatedAt: at,
    releasedAt: '2026-01-01T00:05:00Z',
  };
}

describe('Swarm task quarantine: what Drydock says', () => {
  it('warns only about the modes chosen, and never calls a task disconnected', () => {
    const isolate = allText(planFor(['isolate']));
    assert.doesNotMatch(isolate, /disconnected/i);
    assert.doesNotMatch(isolate, /paused|stopped/i, isolate);
    assert.match(isolate, /stays attached to its networks/);
    const pause = planFor(['pause'])
      .notices.map((n) => n.text)
      .join('\n');
    assert.match(pause, /Paused, it can be marked failed/);
    assert.doesNotMatch(pause, /isolated|stopped|disconnected/i);
    const snapshotOnly = planFor(['snapshot'])
      .notices.map((n) => n.text)
      .join('\n');
    assert.doesNotMatch(snapshotOnly, /isolated|paused|stopped|disconnected/i);

    const policy = servicePolicy({
      Mode: { Replicated: { Replicas: 3 } },
      TaskTemplate: { ContainerSpec: { Healthcheck: { Test: ['CMD', 'true'] } } },
    });
    const pauseLines = policyConsequences(task, policy, ['pause']).join('\n');
    assert.doesNotMatch(pauseLines, /packet filter|Isolation/, 'no isolation text when isolate was not chosen');
    assert.match(pauseLines, /A paused task fails its health checks/);
    assert.match(policyConsequences(task, policy, ['isolate']).join('\n'), /Isolation here is a packet filter/);
  });

  it('a dry run shows --drain-node and --scale as steps with their consequences', () => {
    const plan = planFor(['isolate']);
    plan.swarm = {
      task,
      consequences: [],
      actions: [
        { kind: 'drain-node', to: 'drain', consequence: actionConsequence('drain-node', task, 'drain') },
        { kind: 'scale-service', to: 4, consequence: 'Scale service web from 3 to 4 replicas: the manager starts 1 new task' },
      ],
    };
    const text = renderPlan(plan);
    assert.match(text, /^2\. drain-node \(will run after its own confirmation\)\n!! Drain node worker-3 \(availability drain\)/m);
    assert.match(text, /^3\. scale-service to 4 \(will run after its own confirmation\)\n!! Scale service web from 3 to 4/m);
  });

  it('release reports what it undid (table removed and checked, replica count back), no network restored, no doubled word', () => {
    const text = renderRecord(releasedTaskRecord());
    assert.doesNotMatch(text, /restored bridge|reconnected/i, text);
    assert.doesNotMatch(text, /\b(\w+)\s+\1\b/i, `no doubled word: ${text}`);
    assert.doesNotMatch(text, /skipped\s+skipped/);
    assert.match(text, /release packet-filter\s+done\s+Deleted table inet drydock_quarantine .*checked it is gone/);
    assert.match(text, /release orchestrator\s+done\s+.*replica count of service web restored to 3/);
    assert.match(text, /release networks\s+skipped\s+its networks were never touched/);
    assert.match(text, /ruleset before \(empty ruleset\)/);
    assert.match(text, /ruleset after release: identical to before \(table gone\)/);
    assert.equal(text.split('(empty ruleset)').length - 1, 1, `"(empty ruleset)" said once: ${text}`);
    // Both times: when it was quarantined and when it was released.
    assert.match(text.split('\n')[0] ?? '', /RELEASED — quarantine q-1, quarantined 2026-01-01T00:00:00Z, released 2026-01-01T00:05:00Z$/);
    // Apply steps (and actions) and release steps each say which they are, in the same columns.
    const stepLines = text.split('\n').filter((l) => /^ {2}(apply|release) /.test(l) && !l.includes('release reason:'));
    assert.ok(
      stepLines.some((l) => /^ {2}apply {3}isolate +done /.test(l)),
      text,
    );
    assert.ok(
      stepLines.some((l) => /^ {2}apply {3}scale-service +done /.test(l)),
      text,
    );
    const stateColumn = new Set(stepLines.map((l) => l.search(/ (done|skipped|failed|pending|running) /)));
    assert.equal(stateColumn.size, 1, `one state column: ${stepLines.join('\n')}`);
    assert.ok(
      text.indexOf('  apply   isolate') < text.indexOf('  release packet-filter'),
      'the apply steps come before, not among, the release steps',
    );
    assert.equal(stepDetailText('skipped', 'skipped: x'), 'x');
    assert.equal(stepDetailText('done', 'skipped: x'), 'skipped: x');
    assert.equal(rulesetLabel(EMPTY), '(empty ruleset)');
    assert.equal(rulesetLabel('ab'.repeat(32)), `sha256 ${'ab'.repeat(8)}…`);
  });

  it('release --dry-run says what release would undo; a quarantine with nothing left to do is said so', () => {
    const active: QuarantineRecord = { ...releasedTaskRecord(), state: 'quarantined' };
    delete active.release;
    delete active.releasedAt;
    delete active.packetFilter!.after;
    active.swarm!.actions[0]!.restored = undefined;
    delete active.swarm!.actions[0]!.restored;
    const preview = renderReleasePreview(active);
    assert.match(preview, /^Release of web\.2 \(c{12}\) on box-b: quarantine q-1 \(quarantined, since 2026-01-01T00:00:00Z, isolate\)/);
    assert.match(preview, /delete packet-filter table inet drydock_quarantine from its network namespace/);
    assert.match(preview, /scale service web back to 3 through manager mgr/);
    assert.doesNotMatch(preview, /reconnect|unpause|start it again/);
    assert.match(preview, /Dry run: nothing was changed\.$/);
    // The Quarantine dialog's release summary counts in singular/plural too.
    assert.match(releaseSummary(active), /scales service web back to 3 replicas/);
    active.swarm!.actions[0]!.previous = 1;
    assert.match(releaseSummary(active), /scales service web back to 1 replica$|scales service web back to 1 replica;/);
    assert.match(
      renderReleasePreview(releasedTaskRecord()),
      /was already released by Drydock \(q-1, released 2026-01-01T00:05:00Z\): release would do nothing/,
    );

    const plan = planFor(['isolate']);
    assert.equal(nothingToDo(plan), undefined, 'a first quarantine has something to do');
    plan.existing = { recordId: 'q-1', state: 'quarantined', modes: ['isolate'], createdAt: '2026-01-01T00:00:00Z' };
    plan.steps = plan.steps.map((s) => ({ ...s, alreadyDone: true }));
    plan.swarm = { task, consequences: [], actions: [] };
    assert.equal(nothingToDo(plan), 'web.2 is already quarantined by Drydock (q-1, since 2026-01-01T00:00:00Z): nothing done');
    assert.match(renderPlan(plan), /Nothing to do: web\.2 is already quarantined by Drydock/);
  });

  it('the footprint names the table added in the namespace, its removal and the check that it is gone', () => {
    let seq = 0;
    const entry = (action: string, details: Record<string, unknown>): AuditEntry =>
      ({
        seq: ++seq,
        at: `2026-01-01T00:00:0${seq}Z`,
        action,
        examiner: 'ex',
        caseId: null,
        details: { recordId: 'q-1', host: 'box-b', containerId: CONTAINER, containerName: 'web.2', ...details },
      }) as unknown as AuditEntry;
    const table = 'inet drydock_quarantine';
    const [host] = footprintByHost([
      entry('quarantine.isolate', { outcome: 'done', facts: { table, rules: '…' } }),
      entry('quarantine.release.packet-filter', { outcome: 'done', facts: { table, removed: true, identical: true } }),
      entry('quarantine.packet-filter-verified', { table, gone: true, identical: true }),
      entry('quarantine.release.networks', { outcome: 'skipped' }),
    ]);
    const lines = host?.actions.map((a) => a.summary) ?? [];
    assert.deepEqual(lines, [
      'added packet-filter table inet drydock_quarantine in the network namespace of container web.2 (its networks stayed attached)',
      'removed packet-filter table inet drydock_quarantine from the network namespace of container web.2',
      'checked packet-filter table inet drydock_quarantine is gone from the network namespace of container web.2 (ruleset identical to the one recorded before quarantine)',
    ]);
    assert.ok(!lines.some((l) => /networks changed/.test(l)));
    // A plain container's isolation still says its networks changed; a failed task isolation names the table.
    const [plain] = footprintByHost([entry('quarantine.isolate', { outcome: 'done', facts: { quarantineNetwork: 'x' } })]);
    assert.match(plain?.actions[0]?.summary ?? '', /isolated container web.2 \(networks changed\)/);
    const [failed] = footprintByHost([entry('quarantine.isolate-failed', { error: 'boom', packetFilterTable: table })]);
    assert.match(failed?.actions[0]?.summary ?? '', /^tried: added packet-filter table inet drydock_quarantine/);
  });
});
