// Quarantine of a Swarm task on a real three-node Swarm (test/helpers/swarm.ts). The engine refuses
// to disconnect a task from its overlay network, so Drydock cuts it inside the task's network
// namespace (an nftables table added by a NET_ADMIN helper) and removes exactly that on release.
// Three replicas serve their own task ID over HTTP on an overlay network; the one on a worker is
// quarantined by SERVICE.SLOT through the manager: from another task on the overlay it no longer
// answers while the other two do. Release: it answers again, its namespace's ruleset (read here
// with the host's own nft, not Drydock's helper) is byte for byte what it was, no helper is left,
// the replica count Drydock changed is back, and every step is in the audit log.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry } from '../../../shared/domain/evidence';
import type { FootprintSummary } from '../../../shared/domain/footprint';
import type { QuarantinePlan, QuarantineRecord } from '../../../shared/domain/quarantine';
import { drydock } from '../../helpers/cli';
import { BUSYBOX, docker } from '../../helpers/docker';
import { startSwarm, type Swarm, type SwarmNode } from '../../helpers/swarm';
import { createService, taskContainerId } from '../../helpers/swarm-services';
import { waitFor } from '../../helpers/wait';

const SERVICE = 'dd-qt';
const NETWORK = 'dd-qt-net';

interface Replica {
  taskId: string;
  name: string;
  node: SwarmNode;
  containerId: string;
  ip: string;
}

describe('quarantine of a Swarm task', () => {
  let swarm: Swarm;
  let store = '';
  let replicas: Replica[] = [];

  /** The task container's network namespace ruleset, read with the host's nft through the container's PID. */
  function ruleset(r: Replica): string {
    const pid = docker(['inspect', '-f', '{{.State.Pid}}', r.containerId], { host: r.node.host });
    return execFileSync('nsenter', ['-t', pid, '-n', 'nft', '-s', 'list', 'ruleset'], { encoding: 'utf8' });
  }

  /** What `from` gets when it asks `to` over the overlay: the task ID it serves, or null (no answer in 2 s). */
  function fetchFrom(from: Replica, to: Replica): string | null {
    // busybox nc, not wget (the fixture's wget crashes under the nodes' engines); the body is the last line.
    try {
      const reply = docker(['exec', from.containerId, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 ${to.ip} 8080`], {
        host: from.node.host,
      });
      return reply.split('\n').pop()?.trim() || null;
    } catch {
      return null;
    }
  }

  before(async () => {
    store = mkdtempSync(path.join(tmpdir(), 'drydock-task-quarantine-'));
    swarm = await startSwarm({ nodes: 3, images: [BUSYBOX] });
    const manager = swarm.manager.host;
    docker(['network', 'create', '-d', 'overlay', NETWORK], { host: manager });
    const rows = await createService(swarm, SERVICE, {
      extra: ['--network', NETWORK, '--hostname', '{{.Task.ID}}'],
      command: ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www'],
      timeoutMs: 180_000,
    });
    replicas = rows.map((row) => {
      const node = swarm.nodes.find((n) => n.hostname === row.Node);
      assert.ok(node, `node ${row.Node}`);
      const containerId = taskContainerId(node, row.ID);
      const ip = docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${NETWORK}").IPAddress}}`, containerId], {
        host: node.host,
      });
      return { taskId: row.ID, name: row.Name, node, containerId, ip };
    });
    for (const [name, url] of [
      ['mgr', manager],
      ['box-b', swarm.nodes[1]!.host],
      ['box-c', swarm.nodes[2]!.host],
    ] as const)
      assert.equal(drydock(store, ['hosts', 'add', name, url]).code, 0);
    assert.equal(drydock(store, ['case', 'create', '--name', 'Task quarantine']).code, 0);
  });

  after(async () => {
    await swarm?.teardown();
    if (store) rmSync(store, { recursive: true, force: true });
  });

  it('quarantining it isolates it while the service keeps serving from the others; release puts it back exactly', async () => {
    const target = replicas.find((r) => r.node.index === 2)!;
    const observer = replicas.find((r) => r.node.index === 1)!;
    const others = replicas.filter((r) => r !== target);
    // Every replica answers with its own task ID before (the overlay's peers are learnt as the tasks start).
    for (const r of replicas)
      await waitFor(() => fetchFrom(observer, r) === r.taskId, { what: `${r.name} answering over the overlay`, timeoutMs: 60_000 });
    const rulesetBefore = ruleset(target);

    // A task Drydock never quarantined, by SERVICE.SLOT or task ID: the task named, said so, exit 3 (not found).
    for (const ref of [observer.name, observer.taskId]) {
      const never = drydock(store, ['release', ref, '--host', 'mgr'], { timeout: 300_000 });
      assert.equal(never.code, 3, never.err);
      assert.match(
        never.err,
        new RegExp(`task ${observer.name.replace('.', '\\.')} \\(${observer.taskId.slice(0, 12)}\\) is not quarantined by Drydock`),
      );
      assert.doesNotMatch(never.err, /no container of that name/);
    }

    // The dry run in text shows --drain-node and --scale as steps with their consequences, and warns
    // only about isolation (the mode chosen), never calling the task disconnected.
    const dryText = drydock(
      store,
      ['quarantine', target.name, '--host', 'mgr', '--mode', 'isolate', '--drain-node', '--scale', '4', '--dry-run'],
      { timeout: 300_000 },
    );
    assert.equal(dryText.code, 0, dryText.err);
    assert.match(dryText.out, /^2\. drain-node \(will run after its own confirmation\)\n!! Drain node \S+ \(availability drain\)/m);
    assert.match(dryText.out, /^3\. scale-service to 4 \(will run after its own confirmation\)\n!! Scale service dd-qt from 3 to 4/m);
    assert.doesNotMatch(dryText.out, /disconnected/i);
    assert.doesNotMatch(dryText.out, /paused|stopped task|A stopped/i, 'no warning about modes not chosen');

    // The plan states the service's policy and the scale's consequence before anything is done; the task
    // named by the 12-character ID `docker service ps` prints.
    const shortId = target.taskId.slice(0, 12);
    const dry = drydock(store, ['quarantine', shortId, '--host', 'mgr', '--mode', 'isolate', '--scale', '4', '--dry-run', '--json'], {
      timeout: 300_000,
    });
    assert.equal(dry.code, 0, dry.err);
    const plan = JSON.parse(dry.out) as QuarantinePlan;
    assert.equal(plan.host, 'box-b', 'the task resolved to the profile of its node');
    assert.equal(plan.containerId, target.containerId);
    assert.equal(plan.swarm?.task.taskId, target.taskId);
    assert.equal(plan.swarm?.policy?.restart.condition, 'none');
    assert.equal(plan.swarm?.policy?.replicas, 3);
    assert.match(plan.swarm?.consequences.join('\n') ?? '', /restart condition none/);
    assert.match(
      plan.swarm?.actions[0]?.consequence ?? '',
      /from 3 to 4 replicas: the manager starts 1 new task to serve.*Release sets the replica count back to 3/,
    );
    assert.match(plan.steps[0]?.action ?? '', /nftables table inet drydock_quarantine/);
    assert.equal(docker(['ps', '-aq', '--filter', 'label=drydock.helper'], { host: target.node.host }), '', 'the plan ran no helper');

    const applied = drydock(store, ['quarantine', target.name, '--host', 'mgr', '--mode', 'isolate', '--scale', '4', '--yes', '--json'], {
      timeout: 300_000,
    });
    assert.equal(applied.code, 0, applied.err);
    const record = JSON.parse(applied.out) as QuarantineRecord;
    assert.equal(record.state, 'quarantined');
    assert.equal(record.host, 'box-b');
    assert.equal(record.packetFilter?.before.ruleset, rulesetBefore, 'the recorded ruleset is the one the host reads');
    assert.deepEqual(
      record.swarm?.actions.map((a) => [a.kind, a.previous, a.to, a.state]),
      [['scale-service', 3, 4, 'done']],
    );
    assert.equal(docker(['service', 'inspect', '-f', '{{.Spec.Mode.Replicated.Replicas}}', SERVICE], { host: swarm.manager.host }), '4');
    // It still runs (the orchestrator sees nothing wrong) but answers no one; the other two serve.
    assert.equal(docker(['inspect', '-f', '{{.State.Running}}', target.containerId], { host: target.node.host }), 'true');
    assert.match(ruleset(target), /table inet drydock_quarantine \{/);
    assert.equal(fetchFrom(observer, target), null, 'the quarantined task does not answer');
    for (const r of others) assert.equal(fetchFrom(observer, r), r.taskId, `${r.name} keeps serving`);
    assert.equal(docker(['ps', '-aq', '--filter', 'label=drydock.helper'], { host: target.node.host }), '', 'no helper left after apply');
    // Quarantining it again does nothing and says so (exit 1), never "QUARANTINED … done".
    const again = drydock(store, ['quarantine', target.name, '--host', 'mgr', '--mode', 'isolate', '--yes'], { timeout: 300_000 });
    assert.equal(again.code, 1, again.err);
    assert.match(
      again.err,
      new RegExp(
        `${target.name.replace('.', '\\.')} is already quarantined by Drydock \\(${record.id}, since ${record.createdAt}\\): nothing done`,
      ),
    );
    assert.doesNotMatch(again.out, /QUARANTINED/);
    // release --dry-run says what release would undo, by the short task ID too, and changes nothing.
    const preview = drydock(store, ['release', shortId, '--host', 'mgr', '--dry-run'], { timeout: 300_000 });
    assert.equal(preview.code, 0, preview.err);
    assert.match(preview.out, /delete packet-filter table inet drydock_quarantine from its network namespace/);
    assert.match(preview.out, /scale service dd-qt back to 3 through manager mgr/);
    assert.match(ruleset(target), /table inet drydock_quarantine \{/, 'the dry run left the table');

    const released = drydock(store, ['release', target.name, '--host', 'mgr', '--reason', 'cleared', '--json'], { timeout: 300_000 });
    assert.equal(released.code, 0, released.err);
    const after = JSON.parse(released.out) as QuarantineRecord;
    assert.equal(after.state, 'released');
    assert.equal(after.packetFilter?.after?.identical, true);
    assert.equal(after.swarm?.actions[0]?.restored, '3');
    assert.deepEqual(after.release?.restored, [], 'no network restored: none was touched');
    // Release says what it undid: the table removed and checked gone, the replica count back; no network restored.
    const shown = drydock(store, ['quarantine', 'status', '--host', 'box-b', target.containerId, '--all']).out;
    // The task's history through its manager, released quarantine included, with both times.
    const history = drydock(store, ['quarantine', 'status', target.name, '--host', 'mgr']);
    assert.equal(history.code, 0, history.err);
    assert.match(history.out, new RegExp(`RELEASED — quarantine ${record.id}, quarantined ${record.createdAt}, released \\S+Z`));
    assert.doesNotMatch(shown, /^\s+restored /m, shown);
    assert.doesNotMatch(shown, /skipped\s+skipped|disconnected/i, shown);
    assert.match(
      shown,
      /release packet-filter\s+done\s+Deleted table inet drydock_quarantine from its network namespace and checked it is gone/,
    );
    assert.match(shown, /release orchestrator\s+done\s+.*replica count of service dd-qt restored to 3/);
    // The footprint names the table added in the namespace, its removal and the check that it is gone.
    const footprint = JSON.parse(drydock(store, ['footprint', '--host', 'box-b', '--json']).out) as FootprintSummary;
    const said = (footprint.hosts[0]?.actions ?? []).map((a) => a.summary).join('\n');
    assert.match(
      said,
      /added packet-filter table inet drydock_quarantine in the network namespace of container \S+ \(its networks stayed attached\)/,
    );
    assert.match(said, /removed packet-filter table inet drydock_quarantine from the network namespace/);
    assert.match(said, /checked packet-filter table inet drydock_quarantine is gone from the network namespace .*identical/);
    // In the order it happened: removed, then checked gone (and timestamped so).
    const fpActions = footprint.hosts[0]?.actions ?? [];
    const removedAt = fpActions.findIndex((a) => /^removed packet-filter table/.test(a.summary));
    const checkedAt = fpActions.findIndex((a) => /^checked packet-filter table/.test(a.summary));
    assert.ok(removedAt >= 0 && removedAt < checkedAt, said);
    assert.ok(fpActions[removedAt]!.at <= fpActions[checkedAt]!.at, `${fpActions[removedAt]!.at} ≤ ${fpActions[checkedAt]!.at}`);
    assert.doesNotMatch(said, /networks changed/);
    assert.equal(ruleset(target), rulesetBefore, 'the namespace ruleset is byte for byte the one before');
    assert.equal(docker(['service', 'inspect', '-f', '{{.Spec.Mode.Replicated.Replicas}}', SERVICE], { host: swarm.manager.host }), '3');
    await waitFor(() => fetchFrom(observer, target) === target.taskId, { what: 'the released task to answer again', timeoutMs: 20_000 });
    for (const r of others) assert.equal(fetchFrom(observer, r), r.taskId);
    assert.equal(docker(['ps', '-aq', '--filter', 'label=drydock.helper'], { host: target.node.host }), '', 'no helper left after release');

    const audit = drydock(store, ['case', 'audit', '--json'])
      .out.split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry)
      .filter((e) => e.details.recordId === record.id);
    const actions = audit.map((e) => e.action);
    for (const action of [
      'quarantine.recorded',
      'quarantine.packet-filter-recorded',
      'quarantine.isolate',
      'quarantine.scale-service',
      'quarantine.applied',
      'quarantine.release-started',
      'quarantine.release.packet-filter',
      'quarantine.packet-filter-verified',
      'quarantine.release.orchestrator',
      'quarantine.released',
    ])
      assert.ok(actions.includes(action), `${action} audited: ${actions.join(', ')}`);
    const scaled = audit.find((e) => e.action === 'quarantine.scale-service');
    assert.equal(scaled?.details.previous, 3);
  });

  it('--drain-node is confirmed on its own line after its consequence, drains the node, and release makes it active again', async () => {
    const target = replicas.find((r) => r.node.index === 3)!;
    const nodeAvailability = () =>
      docker(['node', 'inspect', '-f', '{{.Spec.Availability}}', target.node.nodeId], { host: swarm.manager.host });
    // Piped answers: yes to the quarantine, yes to the drain.
    const run = drydock(store, ['quarantine', target.taskId, '--host', 'mgr', '--mode', 'isolate', '--drain-node'], {
      input: 'y\ny\n',
      timeout: 300_000,
    });
    assert.equal(run.code, 0, run.err);
    assert.match(run.out, /restart condition none/);
    assert.match(run.out, /!! Drain node \S+ \(availability drain\): the manager moves every task off it, THIS ONE INCLUDED/);
    assert.match(run.err, /Drain the node\? \[y\/N\]/);
    assert.equal(nodeAvailability(), 'drain', `${run.out}\n${run.err}`);
    // The orchestrator stops the task on the drained node: its namespace, and the table in it, go with it.
    await waitFor(() => docker(['inspect', '-f', '{{.State.Running}}', target.containerId], { host: target.node.host }) === 'false', {
      what: 'the drained node\u2019s task to be stopped by the orchestrator',
      timeoutMs: 60_000,
    });
    const released = drydock(store, ['release', target.taskId, '--host', 'mgr', '--json'], { timeout: 300_000 });
    assert.equal(released.code, 0, released.err);
    const record = JSON.parse(released.out) as QuarantineRecord;
    assert.equal(record.state, 'released');
    assert.equal(record.host, 'box-c');
    assert.deepEqual(
      record.swarm?.actions.map((a) => [a.kind, a.previous, a.restored]),
      [['drain-node', 'active', 'active']],
    );
    assert.match(record.release?.steps.find((x) => x.name === 'packet-filter')?.detail ?? '', /^skipped: the task's container is exited/);
    assert.equal(nodeAvailability(), 'active');
    assert.equal(docker(['ps', '-aq', '--filter', 'label=drydock.helper'], { host: target.node.host }), '', 'no helper left');
    const audit = drydock(store, ['case', 'audit', '--json'])
      .out.split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry)
      .filter((e) => e.details.recordId === record.id)
      .map((e) => e.action);
    assert.ok(audit.includes('quarantine.drain-node') && audit.includes('quarantine.release.orchestrator'), audit.join(', '));
  });

  it('a ruleset changed by someone else meanwhile is reported and audited on release, which still completes', () => {
    const target = replicas.find((r) => r.node.index === 1)!;
    const applied = drydock(store, ['quarantine', target.name, '--host', 'mgr', '--mode', 'isolate', '--yes', '--json'], {
      timeout: 300_000,
    });
    assert.equal(applied.code, 0, applied.err);
    assert.equal((JSON.parse(applied.out) as QuarantineRecord).host, 'mgr', 'a task on the manager resolves to the manager profile');
    const pid = docker(['inspect', '-f', '{{.State.Pid}}', target.containerId], { host: target.node.host });
    execFileSync('nsenter', ['-t', pid, '-n', 'nft', 'add table ip someone_else']);
    const released = drydock(store, ['release', target.name, '--host', 'mgr', '--json'], { timeout: 300_000 });
    assert.equal(released.code, 0, released.err);
    const record = JSON.parse(released.out) as QuarantineRecord;
    assert.equal(record.state, 'released');
    assert.equal(record.packetFilter?.after?.identical, false);
    assert.ok(
      record.warnings.some((w) => /ruleset differs from the one recorded before quarantine/.test(w)),
      record.warnings.join('\n'),
    );
    assert.doesNotMatch(ruleset(target), /drydock_quarantine/, "Drydock's table is gone");
    assert.match(ruleset(target), /table ip someone_else/, 'the other change is left alone');
    const audit = drydock(store, ['case', 'audit', '--json'])
      .out.split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry)
      .find((e) => e.action === 'quarantine.packet-filter-ruleset-differs' && e.details.recordId === record.id);
    assert.match(String(audit?.details.after), /table ip someone_else/);
  });

  it('refuses --drain-node on a plain container name, changing nothing', () => {
    const run = drydock(store, ['quarantine', 'no-such-box', '--host', 'box-c', '--mode', 'isolate', '--drain-node', '--yes']);
    assert.notEqual(run.code, 0);
    assert.equal(
      docker(['node', 'inspect', '-f', '{{.Spec.Availability}}', swarm.nodes[2]!.nodeId], { host: swarm.manager.host }),
      'active',
    );
  });
});
