// The whole swarm triaged from its manager (cluster.triage, `drydock cluster triage`) on a real
// three-node Swarm (test/helpers/swarm.ts), with the fixtures of service-triage.test.ts: two
// services of three replicas each, one replica of the first tampered with on its node (a dropped
// copy of busybox running as a listener). It is raised, and only it; the manager's listings and the
// summary are stored in the case and the run is audited. Then a node is killed while its reads are
// under way: it is reported, and the other nodes' results stand.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderClusterTriage } from '../../../main/cli/commands/cluster-triage';
import type { ClusterTriageResult } from '../../../shared/domain/cluster-triage';
import { severityRank } from '../../../shared/domain/drift';
import { drydock } from '../../helpers/cli';
import { BUSYBOX, startTestCore, type TestCore } from '../../helpers/docker';
import { startSwarm, type Swarm } from '../../helpers/swarm';
import { createService, tamperReplica, type TamperedReplica } from '../../helpers/swarm-services';
import { recordEvents } from '../../helpers/wait';

const TAMPERED = 'dd-ct-a';
const CLEAN = 'dd-ct-b';

describe('a whole swarm triaged from its manager', () => {
  let swarm: Swarm;
  let store = '';
  let t: TestCore | undefined;
  let tampered: TamperedReplica | undefined;

  before(async () => {
    store = mkdtempSync(path.join(tmpdir(), 'drydock-cluster-triage-'));
    swarm = await startSwarm({ nodes: 3, images: [BUSYBOX] });
    const manager = swarm.manager.host;
    for (const service of [TAMPERED, CLEAN]) await createService(swarm, service);
    tampered = await tamperReplica(swarm, TAMPERED, swarm.nodes[1]!);
    for (const [name, url] of [
      ['mgr', manager],
      ['box-b', swarm.nodes[1]!.host],
      ['box-c', swarm.nodes[2]!.host],
    ] as const)
      assert.equal(drydock(store, ['hosts', 'add', name, url]).code, 0);
    // A saved profile whose engine is gone, unrelated to this swarm: no gap once every node is mapped.
    assert.equal(drydock(store, ['hosts', 'add', 'gone', 'tcp://127.0.0.1:1', '--no-test']).code, 0);
    assert.equal(drydock(store, ['case', 'create', '--name', 'Cluster triage']).code, 0);
  });

  after(async () => {
    await t?.close();
    await swarm?.teardown();
    if (store) rmSync(store, { recursive: true, force: true });
  });

  it('raises the tampered replica and only it, across both services (drydock cluster triage)', () => {
    const run = drydock(store, ['cluster', 'triage', '--host', 'mgr', '--json', '--fail-on', 'high'], { timeout: 600_000 });
    // The tampered replica listens on a new port (high): the gate fails, the JSON is still written.
    assert.equal(run.code, 6, run.err);
    assert.match(run.err, /gate failed: 1 outlier task at or above high/);
    const result = JSON.parse(run.out) as ClusterTriageResult;
    assert.equal(result.servicesTriaged, 2, JSON.stringify(result.limitations));
    assert.equal(result.replicasNotRead, 0, JSON.stringify(result.services.map((s) => s.notRead)));
    assert.equal(result.outliers, 1);
    assert.deepEqual(result.unanswered, [], 'a dead profile is no gap when every node has its engine');
    const [a, b] = [TAMPERED, CLEAN].map((name) => result.services.find((s) => s.serviceName === name));
    assert.equal(a?.compared, 3);
    assert.equal(b?.compared, 3);
    assert.deepEqual(
      a?.outliers.map((o) => [o.taskId, o.taskName, o.containerId, o.nodeHostname]),
      [[tampered?.taskId, tampered?.name, tampered?.containerId, swarm.nodes[1]!.hostname]],
    );
    assert.ok(
      a?.outliers[0]?.why.some((w) => /^added \/tmp\/\.x\/nc here, in 0 of 2 sibling/.test(w)),
      a?.outliers[0]?.why.join('\n'),
    );
    assert.deepEqual(b?.outliers, [], 'the clean service has no outlier');
    assert.ok(a?.stored?.artifactId && b?.stored?.artifactId, "each service's comparison is stored");
    // Every node reached through the profile that answers as it.
    const nodeRow = new Map(result.nodes.map((n) => [n.nodeId, [n.host, n.state, n.read, n.tasks]]));
    assert.deepEqual(
      swarm.nodes.map((n) => nodeRow.get(n.nodeId)),
      [
        ['mgr', 'reached', 2, 2],
        ['box-b', 'reached', 2, 2],
        ['box-c', 'reached', 2, 2],
      ],
    );
    assert.equal(result.nodesReached, 3);
    assert.equal(result.nodesUnreached, 0);
    assert.ok(result.listings?.artifactId, "the manager's listings are stored");
    assert.ok(result.stored?.artifactId, 'the summary is stored');
    // The table: the nodes reached, both services, the outlier named with why; no gate, all read: exit 0.
    const table = drydock(store, ['cluster', 'triage', '--host', 'mgr'], { timeout: 600_000 });
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /2 services triaged, 1 outlier, 0 replicas not read; nodes reached 3, not reached 0/);
    assert.match(
      table.out,
      new RegExp(
        `Outliers \\(differ from their siblings\\):\n {2}${TAMPERED} {2}${tampered!.name.replace('.', '\\.')} {2}task ${tampered!.taskId}`,
      ),
    );
    assert.match(table.out, /stored: artifact \S+ \(cluster-triage\)/);
    // What it did on the hosts is said, not hidden under "read-only": whatever helpers ran were removed.
    assert.ok(result.footprint, 'the footprint is gathered');
    assert.equal(result.footprint.helpersCreated, result.footprint.helpersRemoved, JSON.stringify(result.footprint));
    assert.match(
      table.out,
      /^On the hosts: (helper image .+ loaded on \d+ hosts? \(.+; left there for later runs\)|no helper image loaded), (\d+ helper containers? run and removed|no helper container run)/m,
    );
    // A worker is no manager: said plainly, nothing triaged.
    const worker = drydock(store, ['cluster', 'triage', '--host', 'box-b']);
    assert.notEqual(worker.code, 0);
    assert.match(worker.err, /Host box-b is not a swarm manager: it is a swarm worker/);
    // An engine in no swarm (the machine's own): pointed at a manager, never told to create or join a swarm.
    const single = drydock(store, ['cluster', 'triage', '--host', 'unix:///var/run/docker.sock']);
    assert.notEqual(single.code, 0);
    assert.match(
      single.err,
      /is not a swarm manager: it is not in a swarm .*give Drydock a manager of the swarm under investigation as its host/,
    );
    assert.doesNotMatch(single.err, /swarm init|join it/);
    // The core's words, not one front end's: no app wording on the command line.
    assert.doesNotMatch(single.err, /in the app/);
    const help = drydock(store, ['cluster', 'triage', '--help']);
    assert.equal(help.code, 0, help.err);
    assert.match(help.out, /--fail-on/);
  });

  it('reports a node killed while its tasks are read, keeps the other nodes\u2019 results, and stores what the manager said', async () => {
    t = startTestCore('drydock-cluster-triage-kill');
    t.core.hosts.add({ name: 'mgr', url: swarm.manager.host });
    t.core.hosts.add({ name: 'box-b', url: swarm.nodes[1]!.host });
    t.core.hosts.add({ name: 'box-c', url: swarm.nodes[2]!.host });
    const kase = t.core.evidence.createCase({ name: 'Node lost mid cluster triage' });
    const progress = recordEvents(t.core, 'cluster.triage-progress');
    const services = recordEvents(t.core, 'cluster.triage-service-progress');
    let killed: Promise<void> | undefined;
    const off = t.core.events.subscribe((event, payload) => {
      const p = payload as { host?: string; state?: string };
      if (event === 'cluster.triage-progress' && p.host === 'box-c' && p.state === 'reading' && !killed) killed = swarm.killNode(3);
    });
    let result: ClusterTriageResult;
    try {
      result = await t.call('cluster.triage', { host: 'mgr', concurrency: 2 });
    } finally {
      off();
      progress.stop();
      services.stop();
    }
    assert.ok(killed, 'node 3 was killed mid-triage');
    await killed;
    const byNode = new Map(result.nodes.map((n) => [n.nodeId, n]));
    const lost = byNode.get(swarm.nodes[2]!.nodeId);
    assert.notEqual(lost?.state, 'reached', JSON.stringify(lost));
    assert.ok(lost && lost.read < lost.tasks);
    assert.ok(
      lost?.reasons.some((r) => /box-c/.test(r)),
      JSON.stringify(lost?.reasons),
    );
    assert.ok(result.nodesUnreached + result.nodesReached === 3);
    for (const i of [0, 1]) assert.equal(byNode.get(swarm.nodes[i]!.nodeId)?.state, 'reached', `node ${i + 1} kept`);
    for (const s of result.services) {
      assert.equal(s.error, undefined, s.error);
      assert.ok(s.compared >= 2, `${s.serviceName}: the other nodes' replicas were compared`);
      for (const n of s.notRead)
        assert.equal(n.nodeHostname, swarm.nodes[2]!.hostname, `${s.serviceName}: only node 3's replica is not read`);
    }
    assert.ok(result.replicasNotRead >= 1);
    // With node 3 lost, two replicas of the tampered service are left to compare: no majority names an
    // outlier, but the tampered replica's differences are kept in the summary, never an all-clear.
    const a = result.services.find((s) => s.serviceName === TAMPERED);
    if (a?.compared === 2) {
      assert.deepEqual(a.outliers, []);
      assert.ok(
        a.unattributed.some((u) => u.taskId === tampered?.taskId && severityRank(u.severity) >= severityRank('high')),
        JSON.stringify(a.unattributed),
      );
      assert.ok(result.unattributed >= 1);
      const text = renderClusterTriage(result);
      assert.doesNotMatch(text, /No replica differs/);
      assert.match(text, new RegExp(`2 replicas: no majority, no outlier named; ${tampered!.name.replace('.', '\\.')} (critical|high)`));
    } else
      assert.deepEqual(
        a?.outliers.map((o) => o.taskId),
        [tampered?.taskId],
      );
    assert.ok(
      progress.seen.some((p) => p.host === 'box-c' && p.state === 'failed'),
      'the node failure was reported as it happened',
    );
    assert.deepEqual(
      services.seen
        .filter((p) => p.state === 'done')
        .map((p) => p.service)
        .sort(),
      [TAMPERED, CLEAN],
    );
    // The case keeps the manager's listings, each comparison and the summary; the run is audited.
    const listings = await t.core.evidence.listArtifacts({ kind: 'cluster-listings', caseRef: kase.id });
    assert.equal(listings.length, 1);
    assert.equal(listings[0]?.id, result.listings?.artifactId);
    assert.equal((await t.core.evidence.listArtifacts({ kind: 'cluster-triage', caseRef: kase.id })).length, 1);
    assert.equal((await t.core.evidence.listArtifacts({ kind: 'replica-comparison', caseRef: kase.id })).length, 2);
    const audit = await t.core.evidence.auditEntries({ caseRef: kase.id, limit: 10_000 });
    const entry = audit.find((e) => e.action === 'cluster.triage');
    assert.ok(entry, 'the cluster triage is audited');
    assert.equal((entry.details as { host?: string }).host, 'mgr');
  });
});
