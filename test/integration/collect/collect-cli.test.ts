// `drydock collect` through the built CLI against the real engine: a running scenario container (the web
// server, running as www-data: its memory is read though its /proc files are not root's) gets
// every step's artifacts in one case, stored in the order of volatility, with the plan and the outcome
// in the audit log; a step that fails on its own (a capture of a container sharing the host's network
// namespace) is recorded and the later steps still run; a stopped container's volatile steps are
// skipped with the reason and the rest run.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CollectResult, CollectStep } from '../../../shared/domain/collect';
import type { ArtifactInfo, AuditEntry } from '../../../shared/domain/evidence';
import { drydock } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, runContainer } from '../../helpers/docker';
import { startScenario, type Scenario } from '../../helpers/scenario';
import { waitFor } from '../../helpers/wait';

const ORDER: CollectStep[] = ['processes', 'process-detail', 'connections', 'memory', 'capture', 'drift', 'logs', 'inspect'];

function collect(store: string, args: string[]): { code: number | null; result: CollectResult; err: string } {
  const run = drydock(store, ['collect', ...args, '--json']);
  assert.ok(run.out.trim(), `drydock collect ${args.join(' ')} printed no result: ${run.err}`);
  return { code: run.code, result: JSON.parse(run.out) as CollectResult, err: run.err };
}

/** An artifact's bytes, exported through the CLI. */
function exported(store: string, artifactId: string): Buffer {
  const out = path.join(store, `export-${artifactId}`);
  const run = drydock(store, ['artifact', 'export', artifactId, '--out', out]);
  assert.equal(run.code, 0, run.err);
  return readFileSync(out);
}

function json<T>(store: string, args: string[]): T {
  const run = drydock(store, [...args, '--json']);
  assert.equal(run.code, 0, `drydock ${args.join(' ')}: ${run.err}`);
  return JSON.parse(run.out) as T;
}

/** The case's audit log (`case audit --json` prints one entry a line). */
function auditLog(store: string): AuditEntry[] {
  const run = drydock(store, ['case', 'audit', '--case', 'collect-tests', '--json']);
  assert.equal(run.code, 0, run.err);
  return run.out
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as AuditEntry);
}

describe('drydock collect', () => {
  let store: string;
  let scenario: Scenario;
  const containers: string[] = [];

  before(() => {
    store = mkdtempSync(path.join(tmpdir(), 'ddcollect-'));
    assert.equal(drydock(store, ['case', 'new', '--name', 'collect-tests']).code, 0);
    scenario = startScenario({ suffix: `col${process.pid}` });
  });

  after(() => {
    removeContainers(containers);
    scenario?.teardown();
    rmSync(store, { recursive: true, force: true });
  });

  it('collects a running container step by step into one case, in the order of volatility, audited', () => {
    // The web server runs as www-data: its /proc files are not root's (the memory helper must still read them).
    const { code, result, err } = collect(store, [scenario.names.web, '--capture-seconds', '1', '--case', 'collect-tests']);
    assert.equal(code, 0, `every step succeeds: ${err}`);
    assert.deepEqual(
      result.steps.map((s) => s.step),
      ORDER,
    );
    for (const step of result.steps) assert.equal(step.state, 'done', `${step.step}: ${step.error?.message ?? step.reason ?? ''}`);
    assert.deepEqual(result.failed, []);
    // Progress on stderr, each step as it starts and ends.
    for (const [i, step] of ORDER.entries()) {
      assert.match(err, new RegExp(`\\[${i + 1}/8\\] ${step}: running`));
      assert.match(err, new RegExp(`\\[${i + 1}/8\\] ${step}: done`));
    }

    const artifacts = json<ArtifactInfo[]>(store, ['case', 'artifacts', '--case', 'collect-tests']);
    const byId = new Map(artifacts.map((a) => [a.id, a]));
    const expectedKinds: Record<CollectStep, string[]> = {
      processes: ['process-snapshot'],
      'process-detail': ['process-detail'],
      connections: ['connection-snapshot'],
      memory: ['memory-image'],
      capture: ['pcap', 'flow-summary'],
      drift: ['drift-report'],
      logs: ['logs'],
      inspect: ['container-inspect'],
    };
    let previous = '';
    for (const step of result.steps) {
      assert.ok(step.artifactIds.length > 0, `${step.step} stored something`);
      const kinds = step.artifactIds.map((id) => byId.get(id)?.kind);
      for (const kind of expectedKinds[step.step]) assert.ok(kinds.includes(kind as ArtifactInfo['kind']), `${step.step} stored a ${kind}`);
      for (const id of step.artifactIds) {
        const artifact = byId.get(id);
        assert.ok(artifact, `artifact ${id} of ${step.step} is in the one case`);
        assert.equal(artifact.caseId, result.caseId);
        assert.ok(
          artifact.acquiredAt >= previous,
          `${step.step}'s ${artifact.kind} (${artifact.acquiredAt}) not before the step before (${previous})`,
        );
      }
      previous =
        step.artifactIds
          .map((id) => byId.get(id)?.acquiredAt ?? '')
          .sort()
          .at(-1) ?? previous;
    }
    const inspectId = result.steps.find((s) => s.step === 'inspect')?.artifactIds[0];
    const inspect = JSON.parse(exported(store, inspectId ?? '').toString('utf8')) as {
      container: { Id: string; Config: { Cmd: string[] } };
    };
    assert.equal(inspect.container.Id, scenario.ids.web);
    assert.deepEqual(inspect.container.Config.Cmd, ['httpd', '-f', '-p', '8080', '-h', '/var/www/html']);

    const audit = auditLog(store);
    const started = audit.find((e) => e.action === 'collect.started' && e.details.collectId === result.collectId);
    const finished = audit.find((e) => e.action === 'collect.finished' && e.details.collectId === result.collectId);
    assert.ok(started && finished, 'one entry before and one after');
    assert.ok(started.seq < finished.seq);
    assert.deepEqual(
      (started.details.plan as { step: string }[]).map((p) => p.step),
      ORDER,
    );
    assert.deepEqual(finished.details.failed, []);
    assert.deepEqual(
      (finished.details.steps as { step: string; state: string }[]).map((s) => `${s.step}:${s.state}`),
      ORDER.map((s) => `${s}:done`),
    );
    // Each capability audited its own acquisition, between the two.
    for (const action of ['memory.process-detail', 'capture.started', 'collect.inspect-stored'])
      assert.ok(
        audit.some((e) => e.action === action && e.seq > started.seq && e.seq < finished.seq),
        `${action} is audited within the collection`,
      );
  });

  it('records a step that fails and still runs the later ones', () => {
    // A container in the host's network namespace: a capture there would record the host's traffic,
    // which Drydock refuses.
    const hostNet = runContainer(['--name', `ddcol-hostnet-${process.pid}`, '--network', 'host', BUSYBOX, 'sleep', '3600']);
    containers.push(hostNet);
    const { code, result, err } = collect(store, [hostNet, '--capture-seconds', '1', '--memory', 'none', '--case', 'collect-tests']);
    assert.equal(code, 1, 'a failed step makes the exit status non-zero');
    assert.match(err, /Failed steps: capture\b/);
    assert.deepEqual(result.failed, ['capture']);
    const step = (name: CollectStep) => result.steps.find((s) => s.step === name);
    assert.equal(step('capture')?.state, 'failed');
    assert.equal(step('capture')?.error?.kind, 'unsupported');
    assert.match(step('capture')?.error?.message ?? '', /host/);
    assert.equal(step('memory')?.state, 'skipped');
    assert.match(step('memory')?.reason ?? '', /--memory none/);
    for (const later of ['drift', 'logs', 'inspect'] as const) {
      assert.equal(step(later)?.state, 'done', `${later} ran after the failed capture: ${step(later)?.error?.message ?? ''}`);
      assert.ok((step(later)?.artifactIds.length ?? 0) > 0);
    }
    const audit = auditLog(store);
    const finished = audit.find((e) => e.action === 'collect.finished' && e.details.collectId === result.collectId);
    assert.deepEqual(finished?.details.failed, ['capture']);
    const captured = (finished?.details.steps as { step: string; error?: string }[]).find((s) => s.step === 'capture');
    assert.match(captured?.error ?? '', /host/);
  });

  it("skips a stopped container's volatile steps with the reason and runs the rest", async () => {
    const stopped = runContainer([
      '--name',
      `ddcol-stopped-${process.pid}`,
      BUSYBOX,
      'sh',
      '-c',
      'echo collected-line-7f3a; touch /left-behind',
    ]);
    containers.push(stopped);
    await waitFor(() => docker(['inspect', '-f', '{{.State.Status}}', stopped]) === 'exited', { what: 'the container to exit' });
    const { code, result, err } = collect(store, [stopped, '--case', 'collect-tests']);
    assert.equal(code, 0, err);
    assert.equal(result.running, false);
    for (const s of result.steps) {
      if (['processes', 'process-detail', 'connections', 'memory', 'capture'].includes(s.step)) {
        assert.equal(s.state, 'skipped', s.step);
        assert.match(s.reason ?? '', /not running \(exited\)/);
        assert.deepEqual(s.artifactIds, []);
      } else assert.equal(s.state, 'done', `${s.step}: ${s.error?.message ?? ''}`);
    }
    const logsId = result.steps.find((s) => s.step === 'logs')?.artifactIds[0] ?? '';
    assert.match(exported(store, logsId).toString('utf8'), /collected-line-7f3a/);
    const audit = auditLog(store);
    const started = audit.find((e) => e.action === 'collect.started' && e.details.collectId === result.collectId);
    assert.equal(
      (started?.details.plan as { step: string; skip?: string }[]).find((p) => p.step === 'memory')?.skip?.includes('not running'),
      true,
    );
  });
});
