// `drydock checkpoint` through the built CLI: refused with the reason on this machine's engine (not an
// experimental build), audited, nothing stored; on a second dockerd started with --experimental the
// engine is asked, and what happens is what CRIU on this machine can do (`criu check`): a checkpoint
// left running, its host path audited as footprint and its record stored; or CRIU's failure reported
// as 'unsupported' with the engine's own words and the path where a partial checkpoint may remain.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckpointResult } from '../../../shared/domain/checkpoint';
import type { AuditEntry } from '../../../shared/domain/evidence';
import type { FootprintSummary } from '../../../shared/domain/footprint';
import { drydock } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, runContainer } from '../../helpers/docker';
import { startSecondEngine, type SecondEngine } from '../../helpers/second-engine';

function auditLog(store: string): AuditEntry[] {
  const run = drydock(store, ['case', 'audit', '--json']);
  assert.equal(run.code, 0, run.err);
  return run.out
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as AuditEntry);
}

/** Whether CRIU can run on this machine at all (what the experimental engine's checkpoint relies on). */
function criuWorks(): { works: boolean; said: string } {
  const run = spawnSync('criu', ['check'], { encoding: 'utf8' });
  if (run.error) return { works: false, said: String(run.error.message) };
  return { works: run.status === 0 && !/Error/.test(run.stderr + run.stdout), said: (run.stderr + run.stdout).trim() };
}

describe('drydock checkpoint', () => {
  let store: string;
  const containers: string[] = [];

  before(() => {
    store = mkdtempSync(path.join(tmpdir(), 'ddckpt-'));
    assert.equal(drydock(store, ['case', 'new', '--name', 'checkpoint-tests']).code, 0);
  });

  after(() => {
    removeContainers(containers);
    rmSync(store, { recursive: true, force: true });
  });

  it('says it is not available on an engine that is not an experimental build, and writes nothing', () => {
    assert.equal(docker(['info', '--format', '{{.ExperimentalBuild}}']), 'false', "this machine's default dockerd is not experimental");
    const id = runContainer(['--name', `ddckpt-plain-${process.pid}`, BUSYBOX, 'sleep', '3600']);
    containers.push(id);
    const run = drydock(store, ['checkpoint', id]);
    assert.notEqual(run.code, 0);
    assert.match(run.err, /docker checkpoint is not available on host \S+ for container ddckpt-plain-\d+/);
    assert.match(run.err, /not an experimental build/);
    assert.match(run.err, /CRIU/);
    assert.match(run.err, /nothing was written/);
    assert.equal(docker(['inspect', '-f', '{{.State.Running}}', id]), 'true');
    const entry = auditLog(store).find((e) => e.action === 'memory.checkpoint-unavailable' && e.details.containerId === id);
    assert.ok(entry, 'the refusal is audited');
    assert.equal(entry.details.hostPath, undefined, 'no path: the engine was never asked');
    const artifacts = JSON.parse(drydock(store, ['case', 'artifacts', '--json']).out) as { kind: string }[];
    assert.ok(!artifacts.some((a) => a.kind === 'checkpoint'));
    const footprint = JSON.parse(drydock(store, ['footprint', '--json']).out) as FootprintSummary;
    assert.ok(!footprint.hosts.some((h) => h.actions.some((a) => a.action.startsWith('memory.checkpoint'))), 'no footprint');
  });

  describe('on an experimental engine', () => {
    let engine: SecondEngine;
    before(async () => {
      engine = await startSecondEngine('ddckpt', [BUSYBOX], { daemonArgs: ['--experimental'] });
    });
    after(async () => {
      await engine?.stop();
    });

    it("checkpoints leaving the container running, or reports CRIU's own failure", () => {
      const host = `unix://${engine.socket}`;
      const id = docker(['-H', host, 'run', '-d', '--label', 'drydock.test=1', BUSYBOX, 'sleep', '3600']);
      const criu = criuWorks();
      const run = drydock(store, ['checkpoint', id, '--host', host, '--name', 'ddckpt1', '--json']);
      const root = docker(['-H', host, 'info', '--format', '{{.DockerRootDir}}']);
      const hostPath = `${root}/containers/${id}/checkpoints/ddckpt1`;
      if (criu.works) {
        assert.equal(run.code, 0, run.err);
        const result = JSON.parse(run.out) as CheckpointResult;
        assert.equal(result.hostPath, hostPath);
        assert.equal(result.runningAfter, true);
        assert.ok(result.listing.some((c) => c.Name === 'ddckpt1'));
        assert.equal(docker(['-H', host, 'inspect', '-f', '{{.State.Running}}', id]), 'true', 'left running');
        const footprint = JSON.parse(drydock(store, ['footprint', '--json']).out) as FootprintSummary;
        assert.ok(footprint.hosts.some((h) => h.actions.some((a) => a.action === 'memory.checkpoint' && a.summary.includes(hostPath))));
      } else {
        // This machine's CRIU cannot dump (criu check said why): the engine's answer is passed on.
        assert.notEqual(run.code, 0);
        assert.match(run.err, /failed in CRIU/);
        assert.match(run.err, /the engine said: /);
        assert.ok(run.err.includes(hostPath), 'names where a partial checkpoint may remain');
        const entry = auditLog(store).find((e) => e.action === 'memory.checkpoint-unavailable' && e.details.containerId === id);
        assert.equal(entry?.details.hostPath, hostPath);
        const footprint = JSON.parse(drydock(store, ['footprint', '--json']).out) as FootprintSummary;
        assert.ok(
          footprint.hosts.some((h) => h.actions.some((a) => a.action === 'memory.checkpoint-unavailable' && a.summary.includes(hostPath))),
          'the partial checkpoint is footprint',
        );
        assert.equal(docker(['-H', host, 'inspect', '-f', '{{.State.Running}}', id]), 'true', 'still running');
      }
    });
  });
});
