// Cancelling a collection against the real engine: through the contract (collect.cancel) while the
// memory step reads a large process, and through the built CLI (Ctrl-C, SIGINT) while the capture
// runs. Either way the steps done before keep their artifacts in the store, the running step stops
// through its capability's own cancel path and is recorded 'cancelled' with what it stored, the
// steps not started are 'cancelled' with nothing, no helper container or scratch volume is left on
// the host, and the audit log has 'collect.cancelled'.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CollectResult, CollectStep } from '../../../shared/domain/collect';
import type { ArtifactInfo, AuditEntry } from '../../../shared/domain/evidence';
import { drydock, drydockSpawn } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, runContainer, startTestCore, type TestCore } from '../../helpers/docker';
import { nextEvent, waitFor } from '../../helpers/wait';

/** Drydock's helper containers and scratch volumes on the host that work on `target` (their drydock.helper.target label). */
function leftovers(target: string): { containers: string; volumes: string } {
  return {
    containers: docker(['ps', '-aq', '--filter', `label=drydock.helper.target=${target}`]).trim(),
    volumes: docker(['volume', 'ls', '-q', '--filter', `label=drydock.helper.target=${target}`]).trim(),
  };
}

const step = (result: CollectResult, name: CollectStep) => {
  const found = result.steps.find((s) => s.step === name);
  assert.ok(found, `step ${name} is in the result`);
  return found;
};

describe('cancelling a collection', () => {
  let t: TestCore;
  let store: string;
  const containers: string[] = [];

  before(async () => {
    t = startTestCore('drydock-collect-cancel');
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Collect cancel' });
    store = mkdtempSync(path.join(tmpdir(), 'ddcolcancel-'));
    assert.equal(drydock(store, ['case', 'new', '--name', 'collect-cancel-cli']).code, 0);
  });

  after(async () => {
    removeContainers(containers);
    await t?.close();
    rmSync(store, { recursive: true, force: true });
  });

  it('collect.cancel during the memory step keeps the earlier steps, stops the read and leaves no helper', async () => {
    // 256 MiB of resident memory: a read long enough to be cancelled in the middle.
    const holder = runContainer([
      '--name',
      `ddcol-cancel-holder-${process.pid}`,
      'drydock-fixture/debian:bookworm',
      'perl',
      '-e',
      'my $x = $ARGV[1] x ($ARGV[0] * 1048576); $| = 1; print "ready\\n"; sleep 3600;',
      '256',
      'Z',
    ]);
    containers.push(holder);
    await waitFor(() => docker(['logs', holder]).includes('ready'), { what: 'the holder to fill its region', timeoutMs: 120_000 });
    const collectId = `col-cancel-${process.pid}`;
    const reading = nextEvent(t.core, 'memory.progress', (p) => p.acquisitionId.startsWith('ma-col-') && p.bytesDone > 0, {
      what: "the collection's memory read under way",
      timeoutMs: 180_000,
    });
    const run = t.call('collect.run', { host: 'local', container: holder, collectId, memory: 'all', captureSeconds: 5 });
    // Should the collection end before the read is seen, its result says why.
    await Promise.race([
      reading,
      run.then((r) => {
        throw new Error(`the collection ended before its memory read was seen: ${JSON.stringify(r.steps)}`);
      }),
    ]);
    assert.deepEqual(await t.call('collect.cancel', { collectId }), { cancelled: true });
    const result = await run;
    assert.equal(result.cancelled?.step, 'memory');
    for (const name of ['processes', 'process-detail', 'connections'] as const) {
      assert.equal(step(result, name).state, 'done', name);
      assert.ok(step(result, name).artifactIds.length > 0, `${name} stored its artifact`);
    }
    const memory = step(result, 'memory');
    assert.equal(memory.state, 'cancelled', memory.error?.message ?? memory.reason);
    assert.ok(memory.startedAt, 'the memory step had started');
    for (const name of ['capture', 'drift', 'logs', 'inspect'] as const) {
      const s = step(result, name);
      assert.equal(s.state, 'cancelled', name);
      assert.match(s.reason ?? '', /not started: the collection was cancelled during memory/);
      assert.deepEqual(s.artifactIds, []);
    }
    assert.deepEqual(result.failed, []);
    // What was stored before the cancel is in the store, in the collection's case.
    const stored = new Map((await t.call('evidence.artifacts', { caseRef: result.caseId })).map((a) => [a.id, a]));
    for (const s of result.steps) for (const id of s.artifactIds) assert.equal(stored.get(id)?.caseId, result.caseId, `${s.step}: ${id}`);
    // The image being read when the cancel came is kept, as incomplete.
    for (const id of memory.artifactIds) assert.equal(stored.get(id)?.kind, 'memory-image');
    assert.deepEqual(leftovers(holder), { containers: '', volumes: '' }, 'no helper and no scratch volume left on the host');
    const audit = await t.call('evidence.audit', { caseRef: result.caseId });
    const cancelled = audit.find((e) => e.action === 'collect.cancelled' && e.details.collectId === collectId);
    assert.equal(cancelled?.details.step, 'memory');
    const finished = audit.find((e) => e.action === 'collect.finished' && e.details.collectId === collectId);
    assert.ok(cancelled && finished && cancelled.seq < finished.seq, 'cancelled, then finished');
    assert.equal((finished.details.cancelled as { step: string }).step, 'memory');
    // Nothing runs any more: a second cancel finds nothing.
    assert.deepEqual(await t.call('collect.cancel', { collectId }), { cancelled: false });
  });

  it('Ctrl-C during `drydock collect` cancels the capture, keeps its pcap and exits 130', async () => {
    const target = runContainer(['--name', `ddcol-cancel-cli-${process.pid}`, BUSYBOX, 'sleep', '3600']);
    containers.push(target);
    const child = drydockSpawn(store, [
      'collect',
      target,
      '--memory',
      'none',
      '--capture-seconds',
      '600',
      '--case',
      'collect-cancel-cli',
      '--json',
    ]);
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // The capture's helper runs once the step is announced running and its helper is on the host.
    await waitFor(() => /\[5\/8\] capture: running/.test(stderr) && leftovers(target).containers !== '', {
      what: 'the capture step running (its helper on the host)',
      timeoutMs: 180_000,
    }).catch((err: Error) => {
      throw new Error(`${err.message}; collect stderr: ${stderr}`);
    });
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, `exit status of a cancelled collection: ${stderr}`);
    const result = JSON.parse(stdout) as CollectResult;
    assert.equal(result.cancelled?.step, 'capture');
    assert.match(stderr, /\[5\/8\] capture: cancelled/);
    for (const name of ['processes', 'process-detail', 'connections'] as const) assert.equal(step(result, name).state, 'done', name);
    assert.equal(step(result, 'memory').state, 'skipped');
    const capture = step(result, 'capture');
    assert.equal(capture.state, 'cancelled');
    for (const name of ['drift', 'logs', 'inspect'] as const) assert.equal(step(result, name).state, 'cancelled', name);
    const listed = drydock(store, ['case', 'artifacts', '--case', 'collect-cancel-cli', '--json']);
    assert.equal(listed.code, 0, listed.err);
    const byId = new Map((JSON.parse(listed.out) as ArtifactInfo[]).map((a) => [a.id, a]));
    const kinds = capture.artifactIds.map((id) => byId.get(id)?.kind);
    assert.ok(kinds.includes('pcap'), `the stopped capture's pcap is kept: ${kinds.join(',')}`);
    for (const name of ['processes', 'process-detail', 'connections'] as const)
      for (const id of step(result, name).artifactIds) assert.ok(byId.has(id), `${name}'s ${id} is in the store`);
    assert.deepEqual(leftovers(target), { containers: '', volumes: '' }, 'no capture helper left on the host');
    const audit = drydock(store, ['case', 'audit', '--case', 'collect-cancel-cli', '--json']);
    assert.equal(audit.code, 0, audit.err);
    const entries = audit.out
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as AuditEntry);
    const cancelled = entries.find((e) => e.action === 'collect.cancelled' && e.details.collectId === result.collectId);
    assert.equal(cancelled?.details.step, 'capture');
  });
});
