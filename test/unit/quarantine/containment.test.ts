// Privileged containers cannot start on the test machine, so the plan's containment warning for
// them is checked on the inspect document the engine returns for `docker run --privileged`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerInspectInfo } from 'dockerode';
import { buildPlan, isolationEscapes } from '../../../main/core/quarantine/plan';
import type { QuarantineMode } from '../../../shared/domain/quarantine';

function inspect(hostConfig: Record<string, unknown>): ContainerInspectInfo {
  return {
    Id: 'f'.repeat(64),
    Name: '/suspect',
    Image: `sha256:${'a'.repeat(64)}`,
    State: { Status: 'running', Running: true, Paused: false },
    HostConfig: { NetworkMode: 'default', RestartPolicy: { Name: 'no' }, ...hostConfig },
    Config: { Image: 'busybox:1', User: '', Labels: {} },
    Mounts: [],
    NetworkSettings: { Networks: { bridge: { NetworkID: 'n'.repeat(64), IPAddress: '172.17.0.9', Aliases: null } }, Ports: {} },
  } as unknown as ContainerInspectInfo;
}

const plan = (hostConfig: Record<string, unknown>, modes: QuarantineMode[]) =>
  buildPlan({
    host: 'local',
    inspect: inspect(hostConfig),
    modes,
    networkName: 'drydock-quarantine',
    now: '2024-01-01T00:00:00Z',
    peers: [],
  });

describe('quarantine plan: containers that network isolation does not contain', () => {
  it('warns for a privileged container and proposes pause or stop', () => {
    assert.equal(isolationEscapes(inspect({ Privileged: true })).length, 1);
    assert.match(isolationEscapes(inspect({ Privileged: true }))[0]!, /Runs privileged/);
    const isolateOnly = plan({ Privileged: true }, ['isolate']);
    const danger = isolateOnly.notices.filter((n) => n.severity === 'danger');
    assert.equal(danger.length, 1);
    assert.match(
      danger[0]!.text,
      /^Network isolation does not contain it: Runs privileged.*Add pause \(keeps its memory\) or, as a last resort, stop\.$/,
    );
    const contained = plan({ Privileged: true }, ['isolate', 'stop']);
    assert.equal(
      contained.notices.some((n) => /does not contain it/.test(n.text)),
      false,
    );
    assert.ok(contained.notices.some((n) => n.severity === 'warning' && /The stop you chose does/.test(n.text)));
  });

  it('names every reason at once and says nothing for an ordinary container', () => {
    assert.equal(isolationEscapes(inspect({ Privileged: true, PidMode: 'host' })).length, 2);
    assert.deepEqual(isolationEscapes(inspect({})), []);
    assert.deepEqual(plan({}, ['isolate']).notices, []);
    assert.deepEqual(
      plan({ Privileged: true }, ['pause']).notices,
      [],
      'without isolate there is no false sense of containment to warn about',
    );
  });
});
