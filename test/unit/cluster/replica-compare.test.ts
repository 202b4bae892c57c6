import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DriftEntry, DriftSeverity } from '../../../shared/domain/drift';
import { compareReplicas, type ReplicaEvidence } from '../../../main/core/cluster/replica-compare';

const SERVICE = { id: 'svc1', name: 'web' };

function entry(path: string, change: DriftEntry['change'], severity: DriftSeverity, sha256?: string): DriftEntry {
  return {
    path,
    change,
    verdict: change === 'deleted' ? 'deleted' : change === 'added' ? 'added' : 'content-changed',
    differences: [],
    ...(change !== 'deleted' ? { container: { type: 'file', mode: 0o644, uid: 0, gid: 0, size: 1, ...(sha256 ? { sha256 } : {}) } } : {}),
    severity,
    classes: [],
    reasons: [{ class: 'change', severity, reason: `reason for ${path}` }],
    content: { state: 'not-read' },
  } as DriftEntry;
}

/** Three replicas of an application that writes a log (different bytes each) and a cache (the same bytes). */
function replicas(extra: (slot: number) => Partial<ReplicaEvidence> = () => ({})): ReplicaEvidence[] {
  return [1, 2, 3].map((slot) => ({
    taskId: `t${slot}`,
    taskName: `web.${slot}`,
    containerId: `c${slot}`,
    nodeId: `n${slot}`,
    nodeHostname: `node${slot}`,
    drift: {
      entries: [
        entry('/var/log/app.log', 'modified', 'info', `${slot}`.repeat(64)),
        entry('/var/cache/app/index', 'added', 'low', 'c'.repeat(64)),
        entry('/usr/local/bin/app', 'modified', 'medium', 'a'.repeat(64)),
      ],
    },
    processes: ['/usr/local/bin/app --serve', 'sh -c exec app'],
    listening: ['tcp 0.0.0.0:8080'],
    ...extra(slot),
  }));
}

describe('replica comparison', () => {
  it('raises nothing when the replicas differ only by what every one of them changes', () => {
    const result = compareReplicas(SERVICE, replicas());
    assert.deepEqual(result.outliers, []);
    assert.equal(result.comparable, 3);
    assert.deepEqual(result.shared, { drift: 3, processes: 2, listening: 1 });
    assert.ok(result.tasks.every((t) => t.differences.length === 0 && t.compared));
  });

  it('raises the one replica with a dropped binary, a listener and a process of its own, and only it', () => {
    const tampered = replicas((slot) =>
      slot === 2
        ? {
            drift: {
              entries: [
                entry('/var/log/app.log', 'modified', 'info', '2'.repeat(64)),
                entry('/var/cache/app/index', 'added', 'low', 'c'.repeat(64)),
                entry('/usr/local/bin/app', 'modified', 'medium', 'a'.repeat(64)),
                entry('/tmp/.x/kworker', 'added', 'high', 'e'.repeat(64)),
              ],
            },
            processes: ['/usr/local/bin/app --serve', 'sh -c exec app', '/tmp/.x/kworker'],
            listening: ['tcp 0.0.0.0:8080', 'tcp 0.0.0.0:4444'],
          }
        : {},
    );
    const result = compareReplicas(SERVICE, tampered);
    assert.deepEqual(
      result.outliers.map((o) => o.taskName),
      ['web.2'],
    );
    const [outlier] = result.outliers;
    assert.equal(outlier?.severity, 'high');
    assert.ok(outlier?.why.some((w) => /^added \/tmp\/\.x\/kworker here, in 0 of 2 sibling/.test(w)));
    assert.ok(outlier?.why.some((w) => w === 'listens on tcp 0.0.0.0:4444; 0 of 2 siblings do'));
    assert.ok(outlier?.why.some((w) => w === 'runs /tmp/.x/kworker; 0 of 2 siblings do'));
    assert.ok(
      result.tasks.filter((t) => t.taskName !== 'web.2').every((t) => t.differences.length === 0),
      "the siblings are not blamed for the outlier's extras",
    );
  });

  it('raises a file every replica changed when one copy differs from the content the others agree on', () => {
    const result = compareReplicas(
      SERVICE,
      replicas((slot) =>
        slot === 3
          ? {
              drift: {
                entries: [
                  entry('/var/log/app.log', 'modified', 'info', '3'.repeat(64)),
                  entry('/var/cache/app/index', 'added', 'low', 'c'.repeat(64)),
                  entry('/usr/local/bin/app', 'modified', 'medium', 'f'.repeat(64)),
                ],
              },
            }
          : {},
      ),
    );
    assert.deepEqual(
      result.outliers.map((o) => o.taskName),
      ['web.3'],
    );
    const diff = result.tasks.find((t) => t.taskName === 'web.3')?.differences[0];
    assert.equal(diff?.direction, 'content');
    assert.equal(diff?.what, '/usr/local/bin/app');
    assert.equal(diff?.siblingsWith, 2);
    // The log differs in every replica: no majority content, no difference.
    assert.ok(!result.tasks.some((t) => t.differences.some((d) => d.what === '/var/log/app.log')));
  });

  it('names no outlier with two comparable replicas, and says why; an unreachable task is listed, not compared', () => {
    const [a, b, c] = replicas((slot) => (slot === 2 ? { listening: ['tcp 0.0.0.0:8080', 'tcp 0.0.0.0:4444'] } : {}));
    const result = compareReplicas(SERVICE, [
      a as ReplicaEvidence,
      b as ReplicaEvidence,
      { ...(c as ReplicaEvidence), unreadable: 'node node3 is down' },
    ]);
    assert.equal(result.comparable, 2);
    assert.deepEqual(result.outliers, []);
    assert.ok(result.tasks.find((t) => t.taskName === 'web.2')?.differences.some((d) => d.what === 'tcp 0.0.0.0:4444'));
    assert.ok(result.limitations.some((l) => /Only 2 tasks of service web could be compared/.test(l)));
    assert.ok(result.limitations.some((l) => /Task web\.3 \(t3\) on node3 was not compared: node node3 is down/.test(l)));
    assert.equal(result.tasks.find((t) => t.taskName === 'web.3')?.compared, false);
  });

  it('lists what a task lacks that its siblings have, below the outlier threshold for drift', () => {
    const result = compareReplicas(
      SERVICE,
      replicas((slot) => (slot === 1 ? { drift: { entries: [entry('/var/log/app.log', 'modified', 'info', '1'.repeat(64))] } } : {})),
    );
    const t1 = result.tasks.find((t) => t.taskName === 'web.1');
    assert.deepEqual(t1?.differences.map((d) => [d.direction, d.what, d.severity]).sort(), [
      ['missing', '/usr/local/bin/app', 'info'],
      ['missing', '/var/cache/app/index', 'info'],
    ]);
    assert.deepEqual(result.outliers, []);
  });
});
