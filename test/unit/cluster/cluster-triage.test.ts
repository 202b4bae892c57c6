// triageCluster's own logic, without an engine (the swarm itself is in
// test/integration/cluster/cluster-triage.test.ts): services triaged a bounded number at a time,
// a service whose triage fails reported while the others stand, services with no running task
// skipped, and each node summed up from the tasks read on it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterNode, ClusterService, ClusterSource, ClusterTask } from '../../../shared/domain/cluster';
import type { ServiceTriageResult } from '../../../shared/domain/replicas';
import { triageCluster } from '../../../main/core/cluster/cluster-triage';
import { DrydockFailure } from '../../../main/core/errors';

const SOURCE: ClusterSource = { host: 'mgr', takenAt: '2026-11-30T00:00:00.000Z', clusterId: 'c1', managerNodeId: 'n1', limitations: [] };

function node(id: string, reachable = true): ClusterNode {
  return {
    id,
    hostname: `host-${id}`,
    role: id === 'n1' ? 'manager' : 'worker',
    availability: 'active',
    state: reachable ? 'ready' : 'down',
    address: `10.0.0.${id.slice(1)}`,
    engineVersion: '20.10',
    platform: 'linux/x86_64',
    labels: {},
    engineLabels: {},
    reachable,
    self: id === 'n1',
  };
}

function service(name: string): ClusterService {
  return {
    id: `id-${name}`,
    name,
    mode: 'replicated',
    replicas: { desired: 3, running: 3 },
    image: { reference: 'busybox' },
    ports: [],
    networks: [],
    secrets: [],
    configs: [],
    labels: {},
  };
}

function task(svc: string, slot: number, nodeId: string): ClusterTask {
  return {
    id: `${svc}-t${slot}`,
    name: `${svc}.${slot}`,
    serviceId: `id-${svc}`,
    serviceName: svc,
    slot,
    nodeId,
    nodeHostname: `host-${nodeId}`,
    image: { reference: 'busybox' },
    desiredState: 'running',
    state: 'running',
    containerId: `c-${svc}-${slot}`,
    ports: [],
  };
}

const NODES = ['n1', 'n2', 'n3'];
const SERVICES = ['a', 'b', 'c', 'd', 'idle'];

/** A service's result where the task on `unread` (if any) was not read. */
function result(svc: string, unread?: string): ServiceTriageResult {
  const tasks = NODES.map((n, i) => ({
    taskId: `${svc}-t${i + 1}`,
    taskName: `${svc}.${i + 1}`,
    nodeId: n,
    nodeHostname: `host-${n}`,
    compared: n !== unread,
    ...(n === unread ? { reason: `reading node host-${n} failed` } : {}),
    had: { drift: true, processes: true, listening: true },
    differences: [],
    outlier: false,
    severity: 'info' as const,
  }));
  return {
    manager: 'mgr',
    service: { id: `id-${svc}`, name: svc, mode: 'replicated' },
    nodes: [],
    driftScans: [],
    comparison: {
      serviceId: `id-${svc}`,
      serviceName: svc,
      comparable: tasks.filter((t) => t.compared).length,
      tasks,
      outliers: [],
      shared: { drift: 0, processes: 0, listening: 0 },
      limitations: [],
    },
    outliers: [],
    unanswered: [],
  };
}

describe('triageCluster', () => {
  it('triages at most `concurrency` services at once, keeps the others when one fails, and sums up each node', async () => {
    let running = 0;
    let most = 0;
    const listed: string[] = [];
    const view = {
      nodes: async () => ({ ...SOURCE, nodes: NODES.map((n) => node(n)) }),
      services: async () => ({ ...SOURCE, services: SERVICES.map(service) }),
      tasks: async () => ({ ...SOURCE, tasks: ['a', 'b', 'c', 'd'].flatMap((s) => NODES.map((n, i) => task(s, i + 1, n))) }),
    };
    const outcome = await triageCluster(
      {
        view,
        engines: { profiles: () => [], docker: () => Promise.reject(new Error('no engine here')) },
        clock: { now: () => new Date('2026-11-30T00:00:00Z') },
        async listed(l) {
          listed.push(`${l.nodes.nodes.length}/${l.services.services.length}/${l.tasks.tasks.length}`);
        },
        async triage(s) {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
          if (s.name === 'b') throw new DrydockFailure('unreachable', 'Host mgr did not answer', { host: 'mgr' });
          return result(s.name, s.name === 'c' ? 'n3' : undefined);
        },
      },
      { manager: 'mgr', concurrency: 2 },
    );
    assert.deepEqual(listed, ['3/5/12'], 'the listings are handed over once, before any triage');
    assert.equal(most, 2, 'never more than two services at once');
    const by = new Map(outcome.services.map((s) => [s.serviceName, s]));
    assert.match(by.get('b')?.error ?? '', /Host mgr did not answer/);
    assert.equal(by.get('idle')?.skipped, 'no running task to read');
    assert.deepEqual(
      by.get('c')?.notRead.map((t) => t.nodeHostname),
      ['host-n3'],
    );
    assert.equal(outcome.servicesTriaged, 3);
    assert.equal(outcome.replicasNotRead, 1);
    // n3: a's, c's and d's tasks; c's not read, b's (failed as a whole) not read either.
    const n3 = outcome.nodes.find((n) => n.nodeId === 'n3');
    assert.deepEqual([n3?.state, n3?.read, n3?.tasks], ['partly-reached', 2, 4]);
    assert.ok(n3?.reasons.some((r) => /reading node host-n3 failed/.test(r)));
    assert.ok(n3?.reasons.some((r) => /did not answer/.test(r)));
    assert.ok(outcome.limitations.some((l) => /Service b was not triaged/.test(l)));
    assert.equal(n3?.suggestion, 'tcp://10.0.0.3:2376', 'a node no profile reaches gets a suggested URL');
  });

  it('says a host that is not a manager plainly, before triaging anything', async () => {
    const notManager = () => Promise.reject(new DrydockFailure('unsupported', 'Host w is not a swarm manager', { host: 'w' }));
    let triaged = 0;
    await assert.rejects(
      triageCluster(
        {
          view: { nodes: notManager, services: notManager, tasks: notManager },
          engines: { profiles: () => [], docker: () => Promise.reject(new Error('unused')) },
          clock: { now: () => new Date() },
          async triage() {
            triaged++;
            return result('x');
          },
        },
        { manager: 'w' },
      ),
      /not a swarm manager/,
    );
    assert.equal(triaged, 0);
  });
});

describe('triageCluster with no majority', () => {
  it('keeps the differences of a two-replica service that names no outlier', async () => {
    const two = result('pair');
    const [t1, t2] = two.comparison.tasks;
    assert.ok(t1 && t2);
    two.comparison.tasks = [
      {
        ...t1,
        severity: 'critical',
        differences: [
          {
            kind: 'drift',
            direction: 'extra',
            what: '/tmp/.x/nc',
            siblingsWith: 0,
            siblings: 1,
            severity: 'critical',
            why: 'added /tmp/.x/nc',
          },
          { kind: 'drift', direction: 'extra', what: '/tmp/.x', siblingsWith: 0, siblings: 1, severity: 'info', why: 'added /tmp/.x' },
        ],
      },
      t2,
    ];
    two.comparison.comparable = 2;
    const outcome = await triageCluster(
      {
        view: {
          nodes: async () => ({ ...SOURCE, nodes: ['n1', 'n2'].map((n) => node(n)) }),
          services: async () => ({ ...SOURCE, services: [service('pair')] }),
          tasks: async () => ({ ...SOURCE, tasks: [task('pair', 1, 'n1'), task('pair', 2, 'n2')] }),
        },
        engines: { profiles: () => [], docker: () => Promise.reject(new Error('no engine here')) },
        clock: { now: () => new Date('2026-11-30T00:00:00Z') },
        triage: async () => two,
      },
      { manager: 'mgr' },
    );
    const [s] = outcome.services;
    assert.equal(outcome.outliers, 0);
    assert.equal(outcome.unattributed, 1);
    assert.deepEqual(s?.outliers, []);
    assert.equal(s?.worst, 'info', "'worst' keeps its meaning: the outliers' worst");
    assert.deepEqual(
      s?.unattributed.map((u) => [u.taskName, u.severity, u.differences, u.why]),
      [['pair.1', 'critical', 1, ['added /tmp/.x/nc']]],
    );
  });
});
