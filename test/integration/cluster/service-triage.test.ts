// One service triaged across a real three-node Swarm (test/helpers/swarm.ts): Drydock connected to
// the manager plus one saved profile per worker, each task read on its own node's engine, the
// replicas compared. One replica is tampered with on its node (a dropped copy of busybox running
// as a listener): it is raised, and only it. Then a node is killed while its reads are under way:
// it is reported, and the other nodes' results stand.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderServiceTriage } from '../../../main/cli/commands/drift';
import type { ServiceTriageResult } from '../../../shared/domain/replicas';
import { drydock } from '../../helpers/cli';
import { BUSYBOX, startTestCore, type TestCore } from '../../helpers/docker';
import { startSwarm, type Swarm } from '../../helpers/swarm';
import { createService, tamperReplica, type TamperedReplica } from '../../helpers/swarm-services';
import { recordEvents } from '../../helpers/wait';

const SERVICE = 'dd-tri';

describe('a service triaged across a three-node Swarm', () => {
  let swarm: Swarm;
  let store = '';
  let t: TestCore | undefined;
  let tampered: TamperedReplica | undefined;

  before(async () => {
    store = mkdtempSync(path.join(tmpdir(), 'drydock-triage-'));
    swarm = await startSwarm({ nodes: 3, images: [BUSYBOX] });
    const manager = swarm.manager.host;
    await createService(swarm, SERVICE);
    tampered = await tamperReplica(swarm, SERVICE, swarm.nodes[1]!);
    // Drydock knows the manager and one profile per worker (names unrelated to the nodes').
    for (const [name, url] of [
      ['mgr', manager],
      ['box-b', swarm.nodes[1]!.host],
      ['box-c', swarm.nodes[2]!.host],
    ] as const)
      assert.equal(drydock(store, ['hosts', 'add', name, url]).code, 0);
    assert.equal(drydock(store, ['case', 'create', '--name', 'Service triage']).code, 0);
  });

  after(async () => {
    await t?.close();
    await swarm?.teardown();
    if (store) rmSync(store, { recursive: true, force: true });
  });

  it('raises the tampered replica and only it, each task read on its own node (drydock drift --service)', () => {
    const run = drydock(store, ['drift', '--service', SERVICE, '--host', 'mgr', '--json'], { timeout: 600_000 });
    assert.equal(run.code, 0, run.err);
    const result = JSON.parse(run.out) as ServiceTriageResult;
    assert.equal(result.comparison.comparable, 3, JSON.stringify(result.comparison.limitations));
    assert.deepEqual(
      result.outliers.map((o) => [o.taskId, o.taskName, o.containerId]),
      [[tampered?.taskId, tampered?.name, tampered?.containerId]],
    );
    const why = result.outliers[0]?.why ?? [];
    const verdict = JSON.stringify(result.comparison.tasks.map((x) => [x.taskName, x.had, x.differences.map((d) => d.what)]));
    assert.ok(
      why.some((w) => /^added \/tmp\/\.x\/nc here, in 0 of 2 sibling/.test(w)),
      `${why.join('\n')}\n${verdict}`,
    );
    // busybox nc binds the IPv6 wildcard (dual stack).
    assert.ok(
      why.some((w) => /^listens on tcp (0\.0\.0\.0|\[::\]):4444; 0 of 2 siblings do$/.test(w)),
      `${why.join('\n')}\n${verdict}`,
    );
    assert.ok(
      why.some((w) => /^runs \/tmp\/\.x\/nc -l -p 4444/.test(w)),
      `${why.join('\n')}\n${verdict}`,
    );
    // Every node reached through the profile whose engine answers with its ID.
    const hostOf = new Map(result.nodes.map((n) => [n.nodeId, n.host]));
    assert.equal(hostOf.get(swarm.nodes[0]!.nodeId), 'mgr');
    assert.equal(hostOf.get(swarm.nodes[1]!.nodeId), 'box-b');
    assert.equal(hostOf.get(swarm.nodes[2]!.nodeId), 'box-c');
    assert.equal(result.driftScans.length, 3, 'one drift scan per node');
    assert.ok(result.stored?.artifactId);
    // The table names the outlier too.
    const table = drydock(store, ['drift', '--service', SERVICE, '--host', 'mgr'], { timeout: 600_000 });
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /Outliers \(differ from their siblings\):\n {2}dd-tri\.\d+ {2}task /);
    const gate = drydock(store, ['drift', '--service', SERVICE, '--host', 'mgr', '--fail-on', 'high'], { timeout: 600_000 });
    assert.equal(gate.code, 6, gate.err);
    // Without the workers' profiles their replicas are not read: said per task, and the run is incomplete (exit 1).
    const bare = mkdtempSync(path.join(tmpdir(), 'drydock-triage-bare-'));
    try {
      assert.equal(drydock(bare, ['hosts', 'add', 'mgr', swarm.manager.host]).code, 0);
      const partial = drydock(bare, ['drift', '--service', SERVICE, '--host', 'mgr'], { timeout: 600_000 });
      assert.equal(partial.code, 1, partial.err);
      assert.equal((partial.out.match(/NOT READ/g) ?? []).length, 2, partial.out);
      assert.match(partial.out, /no saved host profile answers as node \S+ \(add one for its engine; a guess from the address/);
      assert.match(partial.err, /2 running tasks of dd-tri were not read/);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('reports a node killed while its tasks are read, and keeps the other nodes\u2019 results', async () => {
    t = startTestCore('drydock-triage-kill');
    t.core.hosts.add({ name: 'mgr', url: swarm.manager.host });
    t.core.hosts.add({ name: 'box-b', url: swarm.nodes[1]!.host });
    t.core.hosts.add({ name: 'box-c', url: swarm.nodes[2]!.host });
    t.core.evidence.createCase({ name: 'Node lost mid-triage' });
    const progress = recordEvents(t.core, 'cluster.triage-progress');
    let killed: Promise<void> | undefined;
    const off = t.core.events.subscribe((event, payload) => {
      const p = payload as { host?: string; state?: string };
      if (event === 'cluster.triage-progress' && p.host === 'box-c' && p.state === 'reading' && !killed) killed = swarm.killNode(3);
    });
    let result: ServiceTriageResult;
    try {
      result = await t.call('cluster.triage-service', { host: 'mgr', service: SERVICE });
    } finally {
      off();
      progress.stop();
    }
    assert.ok(killed, 'node 3 was killed mid-triage');
    await killed;
    const lost = result.comparison.tasks.find((task) => task.nodeId === swarm.nodes[2]!.nodeId);
    assert.equal(lost?.compared, false);
    assert.match(lost?.reason ?? '', /through host box-c failed/);
    const kept = result.comparison.tasks.filter((task) => task.compared);
    assert.equal(kept.length, 2, "the other two nodes' tasks were compared");
    assert.ok(kept.some((task) => task.taskId === tampered?.taskId));
    assert.ok(result.comparison.limitations.some((l) => /Only 2 tasks of service dd-tri could be compared/.test(l)));
    // No majority, no outlier named: the text lists the tampered replica's differences, not just counts.
    assert.deepEqual(result.outliers, []);
    const text = renderServiceTriage(result);
    assert.match(text, /No outlier named: only 2 replicas compared/);
    assert.match(text, new RegExp(`\\n {2}${tampered!.name.replace('.', '\\.')} {2}task ${tampered!.taskId}[^\\n]*\\n {4}- \\w+ +\\S`));
    assert.match(text, /\n {4}- \w+ +added \/tmp\/\.x\/nc here/);
    assert.ok(
      progress.seen.some((p) => p.host === 'box-c' && p.state === 'failed'),
      'the failure was reported as it happened',
    );
    assert.ok(progress.seen.some((p) => p.host === 'box-b' && p.state === 'done'));
  });
});
