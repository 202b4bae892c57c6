// The cluster commands' headlines count their nodes, services, tasks, outliers and replicas with
// the noun agreeing: "1 node", "2 nodes", never "1 nodes" or "service(s)".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gateHits, renderClusterTriage } from '../../../main/cli/commands/cluster-triage';
import { renderNodes, renderServices, renderTasks } from '../../../main/cli/commands/cluster';
import { counted } from '../../../main/cli/counted';
import { parseNode, parseService, parseTask } from '../../../main/core/cluster/parse';
import type { ClusterTriageResult } from '../../../shared/domain/cluster-triage';

const source = { host: 'mgr', takenAt: '2026-12-01T00:00:00Z', clusterId: 'swarm1', managerNodeId: 'n1', limitations: [] };

function node(id: string) {
  const parsed = parseNode({ ID: id, Description: { Hostname: `host-${id}` }, Status: { State: 'ready' }, Spec: {} }, 'n1');
  assert.ok(parsed);
  return parsed;
}

function service(id: string) {
  const parsed = parseService({ ID: id, Spec: { Name: `svc-${id}`, TaskTemplate: { ContainerSpec: { Image: 'nginx' } } } }, new Map());
  assert.ok(parsed);
  return parsed;
}

function task(id: string) {
  const parsed = parseTask({ ID: id, ServiceID: 's1', Slot: 1, NodeID: 'n1', Status: { State: 'running' } }, new Map(), new Map());
  assert.ok(parsed);
  return parsed;
}

const headline = (text: string): string => text.split('\n')[0] ?? '';

function triage(servicesTriaged: number, outliers: number, replicasNotRead: number): ClusterTriageResult {
  return {
    manager: 'mgr',
    clusterId: 'swarm1',
    startedAt: '2026-12-01T00:00:00Z',
    finishedAt: '2026-12-01T00:00:05Z',
    nodes: [],
    nodesReached: 1,
    nodesUnreached: 0,
    services: [],
    servicesTriaged,
    outliers,
    unattributed: 0,
    replicasNotRead,
    unanswered: [],
    limitations: [],
  };
}

describe('cluster command counts', () => {
  it('counts with the noun agreeing', () => {
    assert.equal(counted(0, 'node'), '0 nodes');
    assert.equal(counted(1, 'node'), '1 node');
    assert.equal(counted(2, 'process', 'processes'), '2 processes');
  });

  it('says 1 node, 1 service, 1 task, and the plural for more', () => {
    assert.match(headline(renderNodes({ ...source, nodes: [node('n1')] })), /^1 node of swarm swarm1,/);
    assert.match(headline(renderNodes({ ...source, nodes: [node('n1'), node('n2')] })), /^2 nodes of swarm swarm1,/);
    // No pronoun to agree: one node is not "them".
    for (const n of [1, 2]) {
      const line = headline(renderNodes({ ...source, nodes: Array.from({ length: n }, (_, i) => node(`n${i}`)) }));
      assert.doesNotMatch(line, /\bthem\b|\bit\b/);
      assert.match(line, /, as listed by manager host /);
    }
    assert.match(headline(renderServices({ ...source, services: [service('s1')] })), /^1 service of swarm swarm1,/);
    assert.match(headline(renderServices({ ...source, services: [] })), /^0 services of swarm swarm1,/);
    assert.match(headline(renderTasks({ ...source, tasks: [task('t1')] })), /^1 task of swarm swarm1,/);
    assert.match(headline(renderTasks({ ...source, tasks: [task('t1'), task('t2')] })), /^2 tasks of swarm swarm1,/);
  });

  it("says how many services, outliers and replicas a triage covered without '(s)'", () => {
    const one = headline(renderClusterTriage(triage(1, 1, 1)));
    assert.match(one, /: 1 service triaged, 1 outlier, 1 replica not read;/);
    const many = headline(renderClusterTriage(triage(3, 0, 2)));
    assert.match(many, /: 3 services triaged, 0 outliers, 2 replicas not read;/);
    assert.ok(!many.includes('(s)') && !one.includes('(s)'));
  });
});

// A service with two replicas, one tampered: no majority names an outlier, but the differences are
// real. The summary must not read as an all-clear (the comparison's own data, as triageCluster keeps it).
function twoReplicas(): ClusterTriageResult {
  const base = triage(1, 0, 0);
  const why = [
    'added /tmp/.x/nc here, in 0 of 1 sibling (an executable dropped in /tmp)',
    'listens on tcp 0.0.0.0:4444; 0 of 1 sibling do',
    'runs /tmp/.x/nc -l -p 4444; 0 of 1 sibling do',
    'added /tmp/.x here, in 0 of 1 sibling',
  ];
  return {
    ...base,
    unattributed: 2,
    services: [
      {
        serviceId: 's1',
        serviceName: 'sl',
        mode: 'replicated',
        running: 2,
        compared: 2,
        outliers: [],
        worst: 'info',
        unattributed: [
          {
            taskId: 't1',
            taskName: 'sl.1',
            containerId: 'c1'.repeat(10),
            nodeHostname: 'box-a',
            severity: 'critical',
            differences: 4,
            why,
          },
          {
            taskId: 't2',
            taskName: 'sl.2',
            nodeHostname: 'box-b',
            severity: 'low',
            differences: 1,
            why: ['does not run x, as 1 of 1 sibling do'],
          },
        ],
        notRead: [],
      },
    ],
  };
}

describe('cluster triage with no majority', () => {
  it('says the differences found where no outlier can be named, never "no replica differs"', () => {
    const text = renderClusterTriage(twoReplicas());
    const row = text.split('\n').find((l) => l.startsWith('sl '));
    assert.ok(row, text);
    assert.match(row, /\bcritical\b/, 'WORST is the worst difference found');
    assert.match(row, /2 replicas: no majority, no outlier named; sl\.1 critical \(4 differences\), sl\.2 low \(1 difference\)/);
    assert.doesNotMatch(text, /No replica differs/);
    assert.match(headline(text), /0 outliers, 2 replicas differing with no majority to name an outlier, 0 replicas not read/);
    assert.match(
      text,
      /Differences with no majority[^\n]*\n {2}sl {2}sl\.1 {2}task t1 .* on box-a {2}critical\n {4}- added \/tmp\/\.x\/nc here/,
    );
  });

  it('fails --fail-on at or above a difference with no majority, and not below it', () => {
    assert.deepEqual(gateHits(twoReplicas(), 'high'), { outliers: 0, unattributed: 1 });
    assert.deepEqual(gateHits(twoReplicas(), 'low'), { outliers: 0, unattributed: 2 });
    const clean = { ...twoReplicas(), unattributed: 0 };
    clean.services = clean.services.map((s) => ({ ...s, unattributed: [] }));
    assert.deepEqual(gateHits(clean, 'low'), { outliers: 0, unattributed: 0 });
    const text = renderClusterTriage(clean);
    assert.match(text, /2 replicas: no majority; they do not differ/);
  });

  it('escapes what the engine and the containers named', () => {
    const r = twoReplicas();
    const [s] = r.services;
    assert.ok(s);
    const [u] = s.unattributed;
    assert.ok(u);
    u.why = ['runs \u001b[2Jevil; 0 of 1 sibling do'];
    assert.ok(!renderClusterTriage(r).includes('\u001b'));
  });
});
