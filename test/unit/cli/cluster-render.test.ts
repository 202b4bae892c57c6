// The cluster commands' headlines count their nodes, services, tasks, outliers and replicas with
// the noun agreeing: "1 node", "2 nodes", never "1 nodes" or "service(s)".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderClusterTriage } from '../../../main/cli/commands/cluster-triage';
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
