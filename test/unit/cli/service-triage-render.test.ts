// `drydock drift --service` as text: with fewer than three replicas compared there is no majority
// to name an outlier, so each replica's differences are listed (bounded, escaped), a replica with
// none shows WORST '-', and --fail-on counts a difference at or above it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderServiceTriage, serviceGateHits } from '../../../main/cli/commands/drift';
import type { ReplicaDifference, ReplicaTaskVerdict, ServiceTriageResult } from '../../../shared/domain/replicas';

function diff(why: string, severity: ReplicaDifference['severity']): ReplicaDifference {
  return { kind: 'process', direction: 'extra', what: why, siblingsWith: 0, siblings: 1, severity, why };
}

function verdict(n: number, differences: ReplicaDifference[], severity: ReplicaTaskVerdict['severity']): ReplicaTaskVerdict {
  return {
    taskId: `t${n}`,
    taskName: `sl.${n}`,
    containerId: `${n}`.repeat(64),
    nodeId: `n${n}`,
    nodeHostname: `box-${n}`,
    compared: true,
    had: { drift: true, processes: true, listening: true },
    differences,
    outlier: false,
    severity,
  };
}

function result(tasks: ReplicaTaskVerdict[]): ServiceTriageResult {
  return {
    manager: 'mgr',
    service: { id: 'svc1'.repeat(4), name: 'sl', mode: 'replicated' },
    nodes: [],
    driftScans: [],
    comparison: {
      serviceId: 'svc1',
      serviceName: 'sl',
      comparable: tasks.filter((t) => t.compared).length,
      tasks,
      outliers: [],
      shared: { drift: 1, processes: 1, listening: 2 },
      limitations: [],
    },
    outliers: [],
    unanswered: [],
  };
}

const tampered = () =>
  result([
    verdict(
      1,
      [
        diff('added /tmp/.x/nc here, in 0 of 1 sibling', 'critical'),
        diff('listens on tcp 0.0.0.0:4444; 0 of 1 sibling do', 'high'),
        diff('runs \u001b[31m/tmp/.x/nc; 0 of 1 sibling do', 'medium'),
        diff('added /tmp/.x here, in 0 of 1 sibling', 'low'),
        diff('modified /etc here, in 0 of 1 sibling', 'info'),
      ],
      'critical',
    ),
    verdict(2, [], 'info'),
  ]);

describe('drift --service with two replicas', () => {
  it("lists each replica's differences, escaped, and shows WORST '-' for a replica without any", () => {
    const text = renderServiceTriage(tampered());
    assert.match(text, /^service sl .*: 2 running tasks, 2 compared$/m);
    assert.match(text, /: 1 drift entry, 1 process, 2 listening sockets$/m);
    assert.match(text, /No outlier named: only 2 replicas compared, so there is no majority/);
    assert.match(
      text,
      /\n {2}sl\.1 {2}task t1 {2}container 111111111111 {2}on box-1 {2}critical\n {4}- critical +added \/tmp\/\.x\/nc here/,
    );
    assert.match(text, /\n {4}- high +listens on tcp 0\.0\.0\.0:4444/);
    assert.match(text, /\n {4}- info +modified \/etc here/);
    assert.ok(!text.includes('\u001b'), 'a command line from the container is escaped');
    const row2 = text.split('\n').find((l) => l.startsWith('sl.2 '));
    assert.ok(row2, text);
    assert.deepEqual(row2.split(/\s{2,}/).slice(4, 6), ['-', '0'], "WORST '-' and no differences");
    assert.doesNotMatch(text, /\n {2}sl\.2 {2}task/, 'a replica with no difference gets no list');
  });

  it('bounds the list per replica', () => {
    const many = Array.from({ length: 25 }, (_, i) => diff(`runs p${i}; 0 of 1 sibling do`, 'medium'));
    const text = renderServiceTriage(result([verdict(1, many, 'medium'), verdict(2, [], 'info')]));
    assert.equal((text.match(/\n {4}- medium /g) ?? []).length, 20);
    assert.match(text, /… 5 more \(--json lists them all\)/);
  });

  it('fails the gate on a difference at or above it even with no outlier named', () => {
    assert.deepEqual(serviceGateHits(tampered(), 'critical'), { outliers: 0, unattributed: 1 });
    const clean = result([verdict(1, [], 'info'), verdict(2, [], 'info')]);
    assert.deepEqual(serviceGateHits(clean, 'low'), { outliers: 0, unattributed: 0 });
    assert.match(renderServiceTriage(clean), /no difference between them was found/);
  });
});
