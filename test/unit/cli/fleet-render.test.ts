// `drydock fleet triage`'s table: hostile text from the nodes (hostnames, engine errors) is escaped
// before it reaches the terminal, counts agree with their nouns, and what could not be removed is
// listed plainly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderFleetTriage, renderProgress } from '../../../main/cli/commands/fleet';
import type { FleetTriageResult } from '../../../shared/domain/fleet';

const EVIL = 'node\x1b]0;pwned\x07\x1b[2J\u202Eevil';

function result(overrides: Partial<FleetTriageResult> = {}): FleetTriageResult {
  return {
    runId: 'fr-test-render',
    manager: 'mgr',
    clusterId: 'swarm1',
    caseId: 'c1',
    caseName: 'Fleet',
    startedAt: '2026-12-01T00:00:00.000Z',
    finishedAt: '2026-12-01T00:01:00.000Z',
    fleetKey: { fingerprint: 'f'.repeat(64), publicKey: 'AAAA', artifactId: 'a1' },
    collector: { tag: 'drydock/collector:0123456789ab', imageId: `sha256:${'0'.repeat(64)}`, sha256: '1'.repeat(64) },
    nodes: [
      {
        nodeId: 'n1',
        hostname: 'node-1',
        host: 'node1',
        state: 'merged',
        bundle: {
          artifactId: 'b1',
          sha256: '2'.repeat(64),
          bytes: 10,
          sourceCaseId: 'x',
          artifacts: [{ from: 'o1', to: 'm1', kind: 'inventory-snapshot' }],
          signedBy: 'f'.repeat(64),
          countersignedBy: 'e'.repeat(64),
        },
      },
      { nodeId: 'n2', hostname: EVIL, state: 'unreached', error: `no saved host profile answers for ${EVIL}` },
    ],
    merged: 1,
    failed: 0,
    cancelledNodes: 0,
    unreached: 1,
    cleanup: {
      service: 'removed',
      secret: 'removed',
      images: [{ nodeId: 'n1', hostname: 'node-1', host: 'node1', state: 'removed' }],
      problems: [],
    },
    ...overrides,
  };
}

describe('drydock fleet triage output', () => {
  it('escapes what the nodes said and counts in words', () => {
    const text = renderFleetTriage(result());
    for (const ch of ['\x1b', '\x07', '\u202E']) assert.ok(!text.includes(ch), `no ${JSON.stringify(ch)} reaches the terminal`);
    assert.match(text.split('\n')[0] ?? '', /: 1 node merged, 0 failed, 1 not reached$/);
    assert.match(text, /NOT REACHED/);
    assert.match(text, /^afterwards: service removed; secret removed; collector image removed from 1 of 1 node$/m);
    assert.doesNotMatch(text, /LEFT BEHIND/);
  });

  it('lists what was left behind, by engine', () => {
    const text = renderFleetTriage(
      result({
        cleanup: {
          service: 'removed',
          secret: 'failed',
          images: [],
          problems: ['secret drydock-fleet-fr-test-render on manager host mgr: refused'],
        },
        cancelled: { at: '2026-12-01T00:00:30.000Z' },
      }),
    );
    assert.match(text, /LEFT BEHIND \(remove by hand\):\n {2}- secret drydock-fleet-fr-test-render on manager host mgr: refused/);
    assert.match(text, /CANCELLED at 2026-12-01T00:00:30.000Z/);
  });

  it('a run cancelled during the image load: nothing raw, the node cancelled (not failed), only what existed named', () => {
    const text = renderFleetTriage(
      result({
        nodes: [
          {
            nodeId: 'n1',
            hostname: 'vm',
            host: 'local',
            state: 'cancelled',
            error: 'the fleet triage was cancelled before this node was done',
          },
        ],
        merged: 0,
        failed: 0,
        cancelledNodes: 1,
        unreached: 0,
        cleanup: {
          service: 'not-created',
          secret: 'not-created',
          images: [{ nodeId: 'n1', hostname: 'vm', host: 'local', state: 'removed' }],
          problems: [],
        },
        cancelled: { at: '2026-12-01T00:00:30.000Z' },
      }),
    );
    assert.match(text.split('\n')[0] ?? '', /: 0 nodes merged, 0 failed, 1 cancelled, 0 not reached$/);
    assert.match(text, /\bvm +local +CANCELLED\b/);
    assert.doesNotMatch(text, /FAILED|not-created/);
    assert.match(text, /^afterwards: no service or secret had been created; collector image removed from 1 of 1 node$/m);
  });

  it('says an image that was on a node before the run was left as found, and counts only what it loaded', () => {
    const text = renderFleetTriage(
      result({
        cleanup: {
          service: 'removed',
          secret: 'removed',
          images: [
            { nodeId: 'n1', hostname: 'node-1', host: 'node1', state: 'left-as-found' },
            { nodeId: 'n2', hostname: 'node-2', host: 'node2', state: 'removed' },
          ],
          problems: [],
        },
      }),
    );
    assert.match(
      text,
      /^afterwards: service removed; secret removed; collector image removed from 1 of 1 node; collector image left as found on node-1 \(it was there before the run\)$/m,
    );
  });

  it("words the progress: a task's Swarm state, the run key made", () => {
    assert.equal(renderProgress({ node: 'dd1', step: 'task', state: 'started', message: 'pending' }), 'node dd1 task pending');
    assert.equal(renderProgress({ node: 'dd1', step: 'task', state: 'started', message: 'running' }), 'node dd1 task running');
    assert.equal(renderProgress({ node: 'dd1', step: 'task', state: 'done', message: 'complete' }), 'node dd1 task done: complete');
    assert.equal(renderProgress({ step: 'key', state: 'done', message: 'ab'.repeat(32) }), `run key made: ${'ab'.repeat(32)}`);
  });
});
