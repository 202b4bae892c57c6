import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DriftProgressEvent, DriftScanInfo } from '../../../shared/domain/drift';
import { BUSYBOX, docker, required, startTestCore, TEST_LABEL, type TestCore } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';
import { startSecondEngine, type SecondEngine } from '../../helpers/second-engine';

// The engine dies (SIGKILL) while a container's files stream out: the finished container keeps
// its complete report, the one being read gets an incomplete report with what the scan had, the
// rest are marked failed, and a resume after the engine is back finishes the scan.

describe('drift scan when the engine dies mid-scan', () => {
  let engine: SecondEngine;
  let t: TestCore;
  const ids: string[] = [];
  const prefix = `dd-drift-dead-${process.pid}`;

  before(async () => {
    engine = await startSecondEngine('dddrift', [BUSYBOX]);
    const host = engine.socket;
    const run = (name: string, script: string) => {
      const id = docker(['run', '-d', '--label', TEST_LABEL, '--name', `${prefix}-${name}`, BUSYBOX, 'sleep', '3600'], {
        host: `unix://${host}`,
      });
      docker(['exec', id, 'sh', '-c', script], { host: `unix://${host}` });
      ids.push(id);
      return id;
    };
    run('first', 'cp /bin/busybox /tmp/x');
    run('big', "echo 'evil:x:0:0::/root:/bin/sh' >> /etc/passwd; dd if=/dev/zero of=/tmp/big bs=1048576 count=768 2>/dev/null");
    run('last', 'echo x > /tmp/y');
    t = startTestCore('drydock-drift-dead');
    await t.call('hosts.add', { name: 'second', url: engine.tcpUrl, tls: engine.tls });
    await t.call('evidence.case-create', { name: 'Engine death' });
  });

  after(async () => {
    await t?.close();
    await engine?.stop();
  });

  it('stores what it had as incomplete, and resumes once the engine is back', async () => {
    let killed: Promise<void> | undefined;
    const off = t.core.events.subscribe((event, payload) => {
      if (event !== 'drift.progress' || killed) return;
      const c = (payload as DriftProgressEvent).container;
      // Once everything but the big file is read: /etc/passwd is in hand, /tmp/big is streaming.
      if (c?.containerName === `${prefix}-big` && c.phase === 'reading' && c.filesDone >= 3) killed = engine.kill();
    });
    let ended: DriftScanInfo;
    try {
      const started = await t.call('drift.scan', { host: 'second', containers: ids, concurrency: 1, contentCapBytes: 1024 * 1024 * 1024 });
      ended = await t.core.drift.wait(started.id);
    } finally {
      off();
    }
    assert.ok(killed, 'the engine was killed while the big container was being read');
    await killed;
    assert.equal(ended.state, 'incomplete', ended.stateReason);
    const [first, big, last] = ids.map((id) => ended.containers.find((c) => c.containerId === id)!);
    assert.equal(first!.state, 'complete');
    assert.equal(big!.state, 'incomplete');
    assert.match(big!.error ?? '', /cut short/);
    assert.equal(last!.state, 'failed');
    assert.ok(last!.error, 'the failure says why');
    assert.ok(ended.summaryArtifactId, 'the host summary is stored even so');

    const reportInfo = await t.call('evidence.artifact', { artifactId: required(big?.reportArtifactId, "the big container's report") });
    assert.equal(reportInfo.status, 'incomplete', 'the report artifact itself is marked incomplete');
    const report = await t.call('drift.report', { artifactId: required(big?.reportArtifactId, "the big container's report") });
    assert.equal(report.status, 'incomplete');
    const passwd = report.entries.find((e) => e.path === '/etc/passwd');
    assert.equal(passwd?.verdict, 'content-changed', 'what was read before the engine died is kept');
    const bigFile = report.entries.find((e) => e.path === '/tmp/big');
    assert.ok(bigFile, 'the file being read is in the report');
    assert.equal(bigFile.container?.sha256, undefined, 'no hash for a file read partway');
    assert.equal(bigFile.content.state, 'failed');
    assert.ok(bigFile.content.artifactId, 'the bytes received are kept');
    const partial = await t.call('evidence.artifact', { artifactId: bigFile.content.artifactId });
    assert.equal(partial.status, 'incomplete');
    assert.ok(partial.size < 768 * 1024 * 1024);

    await engine.restart();
    for (const id of ids)
      await engine
        .docker()
        .getContainer(id)
        .start()
        .catch(() => undefined);
    await waitFor(
      async () => {
        const list = await engine.docker().listContainers();
        return ids.every((id) => list.some((c) => c.Id === id)) || undefined;
      },
      { what: 'containers running again', timeoutMs: 60000 },
    );
    await t.call('drift.resume', { scanId: ended.id });
    const resumed = await t.core.drift.wait(ended.id);
    assert.equal(resumed.state, 'complete', resumed.stateReason);
    const again = resumed.containers.find((c) => c.containerId === ids[1]);
    const full = await t.call('drift.report', { artifactId: required(again?.reportArtifactId, 'the report of the scan again') });
    assert.match(full.entries.find((e) => e.path === '/tmp/big')?.container?.sha256 ?? '', /^[a-f0-9]{64}$/);
  });
});
