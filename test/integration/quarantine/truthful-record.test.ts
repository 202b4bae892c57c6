// The record and the audit chain say what was done, from the engine's answers, never what a plan
// assumed: a release after a snapshot-only quarantine touches no network and says so; a snapshot
// of a container with volumes names the mounts it left out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUSYBOX, docker, removeContainers, runContainer, startTestCore, TEST_LABEL, type TestCore } from '../../helpers/docker';
import { networksOf, removeNetworks } from './fixture';

/** The engine's own clock (RFC 3339), for `docker events --since/--until`. */
function engineNow(): string {
  return docker(['system', 'info', '-f', '{{json .SystemTime}}']).replace(/"/g, '');
}

interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

/** Network events (connect, disconnect, create, destroy) between since and until that name this container. */
function networkEventsFor(containerId: string, since: string, until: string): EngineEvent[] {
  const out = docker(['events', '--since', since, '--until', until, '--filter', 'type=network', '--format', '{{json .}}']);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as EngineEvent)
    .filter((e) => e.Actor.Attributes.container === containerId);
}

describe('quarantine: the record says what was done', () => {
  let t: TestCore;
  const tag = `dd-qt-${process.pid}`;
  const net = `${tag}-net`;
  const volume = `${tag}-vol`;
  const ids: string[] = [];
  const images: string[] = [];

  before(async () => {
    t = startTestCore('drydock-quarantine-truth');
    docker(['network', 'create', '--label', TEST_LABEL, net]);
    docker(['volume', 'create', '--label', TEST_LABEL, volume]);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Truth case' });
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
    try {
      docker(['volume', 'rm', volume]);
    } catch {
      // Still in use by a container another run left, or gone.
    }
    await t.close();
  });

  const audit = async (recordId: string) =>
    (await t.call('evidence.audit', { limit: 1000 })).filter((e) => e.details.recordId === recordId);

  it('a release after a snapshot-only quarantine touches no network and audits the network steps as skipped', async () => {
    const id = runContainer(['--name', `${tag}-snap`, '--network', net, BUSYBOX, 'sleep', '3600']);
    ids.push(id);
    const record = await t.call('quarantine.apply', { host: 'local', container: id, modes: ['snapshot'] });
    if (record.snapshot?.imageId) images.push(record.snapshot.imageId);
    assert.equal(record.state, 'quarantined');

    const since = engineNow();
    const released = await t.call('quarantine.release', { host: 'local', container: id });
    const until = engineNow();
    assert.equal(released.state, 'released');
    assert.deepEqual(
      networkEventsFor(id, since, until),
      [],
      'the engine saw no network connect or disconnect of this container during release',
    );
    assert.deepEqual(Object.keys(networksOf(id)), [net]);

    const steps = Object.fromEntries((released.release?.steps ?? []).map((s) => [s.name, s]));
    assert.equal(steps.networks?.state, 'skipped');
    assert.equal(steps.networks?.detail, 'skipped: the quarantine did not change networks');
    assert.equal(steps['quarantine-network']?.state, 'skipped');
    assert.match(steps['quarantine-network']?.detail ?? '', /^skipped: the quarantine did not use drydock-quarantine/);
    assert.match(steps.unpause?.detail ?? '', /^skipped: the quarantine did not pause it/);
    assert.match(steps.start?.detail ?? '', /^skipped: the quarantine did not stop it/);

    const entries = await audit(record.id);
    const networks = entries.find((e) => e.action === 'quarantine.release.networks');
    assert.ok(networks, 'the networks step is audited');
    assert.equal(networks.details.outcome, 'skipped');
    assert.equal(networks.details.detail, 'skipped: the quarantine did not change networks');
    const claims = entries.filter((e) => /Reconnected|detached from/i.test(JSON.stringify(e.details.detail ?? '')));
    assert.deepEqual(
      claims.map((e) => e.action),
      [],
      'no entry claims a reconnect or a detach',
    );
    assert.equal(entries.find((e) => e.action === 'quarantine.release.quarantine-network')?.details.outcome, 'skipped');

    // The control: the same reading of the engine's events does see a release that reconnects.
    const iso = runContainer(['--name', `${tag}-iso`, '--network', net, BUSYBOX, 'sleep', '3600']);
    ids.push(iso);
    const isolated = await t.call('quarantine.apply', { host: 'local', container: iso, modes: ['isolate'] });
    assert.match(isolated.steps[0]?.detail ?? '', new RegExp(`^Disconnected from ${net}; `));
    const isoSince = engineNow();
    const isoReleased = await t.call('quarantine.release', { host: 'local', container: iso });
    const isoUntil = engineNow();
    assert.match(
      isoReleased.release?.steps.find((s) => s.name === 'networks')?.detail ?? '',
      new RegExp(`^Reconnected to ${net}; detached from drydock-quarantine`),
    );
    const actions = networkEventsFor(iso, isoSince, isoUntil).map((e) => `${e.Action} ${e.Actor.Attributes.name}`);
    assert.ok(actions.includes(`connect ${net}`), actions.join(', '));
    assert.ok(actions.includes('disconnect drydock-quarantine'), actions.join(', '));
  });

  it('a snapshot of a container with volumes names the mounts it left out, in the record and the artifact', async () => {
    const id = runContainer([
      '--name',
      `${tag}-vols`,
      '-v',
      `${volume}:/data`,
      '-v',
      '/etc/hostname:/host-name:ro',
      BUSYBOX,
      'sleep',
      '3600',
    ]);
    ids.push(id);
    const record = await t.call('quarantine.apply', { host: 'local', container: id, modes: ['snapshot'] });
    if (record.snapshot?.imageId) images.push(record.snapshot.imageId);
    const excluded = record.snapshot?.excludedMounts ?? [];
    const byDestination = Object.fromEntries(excluded.map((m) => [m.destination, m]));
    assert.equal(byDestination['/data']?.type, 'volume');
    assert.equal(byDestination['/data']?.name, volume);
    assert.equal(byDestination['/host-name']?.type, 'bind');
    assert.equal(byDestination['/host-name']?.source, '/etc/hostname');
    assert.equal(byDestination['/host-name']?.readWrite, false);
    const step = record.steps.find((s) => s.mode === 'snapshot');
    assert.match(
      step?.detail ?? '',
      new RegExp(
        `Not included .*volume ${volume} at /data, bind /etc/hostname at /host-name|Not included .*bind /etc/hostname at /host-name, volume ${volume} at /data`,
      ),
    );

    const artifact = await t.call('evidence.artifact', { artifactId: record.snapshot!.artifactId! });
    const inArtifact = artifact.attributes.excludedMounts as { destination: string; type: string }[];
    assert.deepEqual(inArtifact.map((m) => `${m.type} ${m.destination}`).sort(), ['bind /host-name', 'volume /data']);
    const entry = (await audit(record.id)).find((e) => e.action === 'quarantine.snapshot');
    const facts = entry?.details.facts as { excludedMounts?: { destination: string }[] } | undefined;
    assert.deepEqual(facts?.excludedMounts?.map((m) => m.destination).sort(), ['/data', '/host-name']);
  });
});
