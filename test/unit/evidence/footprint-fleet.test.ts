// `drydock footprint` lists what a fleet triage did on each engine, from the case's audit log: the
// collector image loaded onto each node (or found there and left), the Swarm secret and the
// global-job service on the manager, the collector containers on each node and their removal, the
// image removed, and what the collector itself did on its node (from the merged bundle's chain).
// The entries are shaped as main/core/fleet/fleet-run.ts and mergeRunBundle write them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectorFootprint, footprintByHost } from '../../../main/core/evidence/footprint';
import type { AuditEntry } from '../../../shared/domain/evidence';

const RUN = 'fr-abc-123456';
const IMAGE = `sha256:${'c'.repeat(64)}`;
const SECRET = 's'.repeat(25);
const SERVICE = 'v'.repeat(25);
const C1 = '1'.repeat(64);
const C2 = '2'.repeat(64);

function chain(caseId: string | null = 'case-1') {
  let seq = 0;
  return (action: string, details: Record<string, unknown>): AuditEntry => ({
    seq: ++seq,
    caseId,
    at: `2026-12-01T04:00:${String(seq).padStart(2, '0')}Z`,
    examiner: 'ex',
    action,
    details,
    prevHash: '',
    hash: '',
  });
}

/** A fleet run over manager dd1 (node n1) and worker dd2 (node n2, which held the collector image before). */
function fleetRun(): AuditEntry[] {
  const e = chain();
  const n1 = { runId: RUN, nodeId: 'n1', hostname: 'dd1', host: 'dd1' };
  const n2 = { runId: RUN, nodeId: 'n2', hostname: 'dd2', host: 'dd2' };
  return [
    e('fleet.key-created', { runId: RUN, manager: 'dd1', fingerprint: 'fp' }),
    e('fleet.node-unreached', { runId: RUN, nodeId: 'n3', hostname: 'dd3', reason: 'down' }),
    e('fleet.collector-loaded', { ...n1, image: 'drydock/collector:0.1.0', imageId: IMAGE, bytes: 174_000_000, alreadyPresent: false }),
    e('fleet.collector-loaded', { ...n2, image: 'drydock/collector:0.1.0', imageId: IMAGE, bytes: 0, alreadyPresent: true }),
    e('fleet.secret-created', { runId: RUN, host: 'dd1', secretId: SECRET, name: `drydock-fleet-${RUN}`, fingerprint: 'fp' }),
    e('fleet.service-created', {
      runId: RUN,
      host: 'dd1',
      serviceId: SERVICE,
      name: `drydock-fleet-${RUN}`,
      mode: 'global-job',
      image: IMAGE,
      nodes: ['n1', 'n2'],
      excluded: ['n3'],
      nodeSocket: '/var/run/docker.sock',
    }),
    // The task entries name the node only: placed on the host its image step named.
    e('fleet.task-ended', { runId: RUN, nodeId: 'n1', hostname: 'dd1', taskId: 't1'.padEnd(25, 'x'), state: 'complete', exitCode: 0 }),
    e('fleet.task-ended', { runId: RUN, nodeId: 'n2', hostname: 'dd2', taskId: 't2'.padEnd(25, 'x'), state: 'complete', exitCode: 0 }),
    e('fleet.bundle-fetched', { ...n1, taskId: 't1', containerId: C1, bytes: 1000 }),
    e('fleet.bundle-merged', {
      ...n1,
      bundleArtifactId: 'a1',
      collectorFootprint: [
        {
          at: '2026-12-01T04:00:20Z',
          action: 'helper.created',
          objectKind: 'container',
          objectId: 'h'.repeat(64),
          summary: 'created helper container drydock-drift-index-1a2b (drift-index)',
        },
        {
          at: '2026-12-01T04:00:21Z',
          action: 'helper.removed',
          objectKind: 'container',
          objectId: 'h'.repeat(64),
          summary: 'removed helper container drydock-drift-index-1a2b (drift-index): done',
        },
      ],
    }),
    e('fleet.service-removed', { runId: RUN, host: 'dd1', serviceId: SERVICE }),
    e('fleet.collector-containers-removed', { ...n1, containers: [C1] }),
    e('fleet.collector-containers-removed', { ...n2, containers: [C2] }),
    e('fleet.secret-removed', { runId: RUN, host: 'dd1', secretId: SECRET }),
    e('fleet.collector-removed', { ...n1, imageId: IMAGE }),
    e('fleet.collector-left-as-found', { ...n2, imageId: IMAGE }),
    e('fleet.triage', { runId: RUN, host: 'dd1' }),
    e('fleet.key-destroyed', { runId: RUN, fingerprint: 'fp' }),
  ];
}

describe('footprint of a fleet triage', () => {
  it('lists, per engine and in order, what was added and what was removed', () => {
    const hosts = footprintByHost(fleetRun());
    assert.deepEqual(
      hosts.map((h) => h.host),
      ['dd1', 'dd2'],
      'the unreached node dd3 was not touched',
    );
    const [dd1, dd2] = hosts;
    assert.deepEqual(
      dd1?.actions.map((a) => a.summary),
      [
        `loaded the collector image drydock/collector:0.1.0 (174.0 MB) onto node dd1 (fleet run ${RUN})`,
        `created Swarm secret drydock-fleet-${RUN} holding the run key of fleet run ${RUN} (private half; fingerprint fp)`,
        `created global-job service drydock-fleet-${RUN} running the collector (cccccccccccc) on 2 nodes, the node's Docker socket /var/run/docker.sock mounted (fleet run ${RUN})`,
        `the swarm ran a collector container on node dd1 (task t1xxxxxxxxxx of fleet run ${RUN}, the Docker socket mounted); it ended complete (exit code 0)`,
        `the collector of fleet run ${RUN} on node dd1: created helper container drydock-drift-index-1a2b (drift-index)`,
        `the collector of fleet run ${RUN} on node dd1: removed helper container drydock-drift-index-1a2b (drift-index): done`,
        `removed service vvvvvvvvvvvv (fleet run ${RUN})`,
        `removed 1 collector container 111111111111 from node dd1 (fleet run ${RUN})`,
        `removed Swarm secret ssssssssssss (fleet run ${RUN})`,
        `removed the collector image cccccccccccc from node dd1 (fleet run ${RUN})`,
      ],
    );
    assert.deepEqual(
      dd1?.actions.map((a) => a.objectKind),
      ['image', 'secret', 'service', 'container', 'container', 'container', 'service', 'container', 'secret', 'image'],
    );
    // The collector's own helper lines keep its action and time, attributed to the node's engine.
    assert.equal(dd1?.actions[4]?.action, 'helper.created');
    assert.equal(dd1?.actions[4]?.at, '2026-12-01T04:00:20Z');
    assert.deepEqual(
      dd2?.actions.map((a) => a.summary),
      [
        `the swarm ran a collector container on node dd2 (task t2xxxxxxxxxx of fleet run ${RUN}, the Docker socket mounted); it ended complete (exit code 0)`,
        `removed 1 collector container 222222222222 from node dd2 (fleet run ${RUN})`,
        `left the collector image cccccccccccc on node dd2 as found: it was there before fleet run ${RUN} (nothing loaded, nothing removed)`,
      ],
      'a node that held the image before: nothing loaded, the image left',
    );
    assert.deepEqual(
      footprintByHost(fleetRun(), 'dd2').map((h) => h.host),
      ['dd2'],
      '--host keeps that engine only',
    );
  });

  it('says when the image it removed was there before the run (audit logs of runs that removed it)', () => {
    const e = chain();
    const n = { runId: RUN, nodeId: 'n2', hostname: 'dd2', host: 'dd2' };
    const [dd2] = footprintByHost([
      e('fleet.collector-loaded', { ...n, imageId: IMAGE, bytes: 0, alreadyPresent: true }),
      e('fleet.collector-removed', { ...n, imageId: IMAGE }),
    ]);
    assert.deepEqual(
      dd2?.actions.map((a) => a.summary),
      [`removed the collector image cccccccccccc from node dd2, which it held before the run (Drydock did not load it) (fleet run ${RUN})`],
    );
  });

  it('through a registry: the push on the manager, the pull on each node, the registry reference as the image', () => {
    const e = chain();
    const reference = `registry.lan:5000/drydock/collector@sha256:${'d'.repeat(64)}`;
    const hosts = footprintByHost([
      e('fleet.collector-pushed', {
        runId: RUN,
        host: 'dd1',
        registry: 'registry.lan:5000',
        reference,
        tagged: 'registry.lan:5000/drydock/collector:fr',
        imageId: IMAGE,
        bytes: 0,
      }),
      e('fleet.collector-pulled', {
        runId: RUN,
        nodeId: 'n2',
        hostname: 'dd2',
        host: 'dd2',
        reference,
        imageId: IMAGE,
        alreadyPresent: false,
      }),
      e('fleet.service-created', {
        runId: RUN,
        host: 'dd1',
        serviceId: SERVICE,
        name: 'svc',
        image: reference,
        nodes: ['n2'],
        nodeSocket: '/var/run/docker.sock',
      }),
      e('fleet.collector-removed', {
        runId: RUN,
        nodeId: 'manager',
        hostname: 'manager dd1',
        host: 'dd1',
        imageId: IMAGE,
        withoutTask: true,
      }),
    ]);
    assert.deepEqual(
      hosts.map((h) => [h.host, h.actions.map((a) => a.summary)]),
      [
        [
          'dd1',
          [
            `tagged the collector image cccccccccccc as registry.lan:5000/drydock/collector:fr and pushed it to registry registry.lan:5000 (fleet run ${RUN})`,
            `created global-job service svc running the collector (${reference}) on 1 node, the node's Docker socket /var/run/docker.sock mounted (fleet run ${RUN})`,
            `removed the collector image cccccccccccc from manager dd1 (it held the image without a task: a load, pull or push there) (fleet run ${RUN})`,
          ],
        ],
        ['dd2', [`pulled the collector image ${reference} onto node dd2 (fleet run ${RUN})`]],
      ],
    );
  });

  it("reads a collector's own footprint from its bundle's chain, whatever host name the collector used", () => {
    const e = chain('node-case');
    const lines = collectorFootprint([
      e('fleet.collector-started', { runId: RUN, nodeId: 'n1', hostname: 'dd1', host: 'unix:///var/run/docker.sock' }),
      e('helper.created', {
        host: 'unix:///var/run/docker.sock',
        containerId: 'h'.repeat(64),
        name: 'drydock-drift-index-1a2b',
        purpose: 'drift-index',
      }),
      e('helper.removed', {
        host: 'unix:///var/run/docker.sock',
        containerId: 'h'.repeat(64),
        name: 'drydock-drift-index-1a2b',
        purpose: 'drift-index',
        reason: 'done',
      }),
    ]);
    assert.deepEqual(
      lines.map((l) => [l.action, l.summary]),
      [
        ['helper.created', 'created helper container drydock-drift-index-1a2b (drift-index)'],
        ['helper.removed', 'removed helper container drydock-drift-index-1a2b (drift-index): done'],
      ],
    );
  });
});
