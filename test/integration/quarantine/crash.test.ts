import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCore } from '../../../main/app/core';
import { createDispatcher } from '../../../main/app/dispatch';
import { createHandlers } from '../../../main/app/handlers';
import { QuarantineRecordStore } from '../../../main/core/quarantine/record-store';
import { QuarantineService } from '../../../main/core/quarantine/quarantine-service';
import type { Checkpoint } from '../../../main/core/quarantine/step-context';
import type { QuarantineRecord } from '../../../shared/domain/quarantine';
import { docker, removeContainers, runContainer, startTestCore, TEST_LABEL, type TestCore } from '../../helpers/docker';
import { fetches, networksOf, networkWithSubnet, QUARANTINE_NET, removeNetworks, stateOf, userAliasesOf, WEB } from './fixture';

class SimulatedCrash extends Error {}

describe('quarantine: crash half-way, then finish', () => {
  let t: TestCore;
  const tag = `dd-qc-${process.pid}`;
  const netA = `${tag}-a`;
  const netB = `${tag}-b`;
  let prefix = '';
  const ids: string[] = [];
  let client = '';

  before(async () => {
    t = startTestCore('drydock-quarantine-crash');
    prefix = networkWithSubnet(netA).prefix;
    docker(['network', 'create', '--label', TEST_LABEL, netB]);
    client = runContainer(['--name', `${tag}-client`, '--network', netA, WEB]);
    ids.push(client);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Crash case' });
  });

  after(async () => {
    for (const id of ids) await t.call('quarantine.release', { host: 'local', container: id }).catch(() => undefined);
    removeContainers(ids);
    removeNetworks([netA, netB]);
    await t.close();
  });

  /** A suspect on two networks: a static address with aliases on one, an alias on the other. */
  function suspect(name: string, lastOctet: number): { id: string; ip: string } {
    const ip = `${prefix}.${lastOctet}`;
    const id = runContainer(['--name', `${tag}-${name}`, '--network', netA, '--ip', ip, '--network-alias', `${name}-alias`, WEB]);
    docker(['network', 'connect', '--alias', `${name}-b`, netB, id]);
    ids.push(id);
    return { id, ip };
  }

  /** The same service, with a hook that throws at one checkpoint: the record is left as a crash leaves it. */
  function crashingAt(point: (at: Checkpoint) => boolean): QuarantineService {
    return new QuarantineService({
      records: new QuarantineRecordStore(t.core.db),
      hosts: t.core.hosts,
      evidence: t.core.evidence,
      helpers: t.core.helpers,
      events: t.core.events,
      clock: t.core.clock,
      examiner: t.core.evidence.actingExaminer().name,
      hooks: {
        checkpoint(at) {
          if (point(at)) throw new SimulatedCrash(`crash at ${at.phase}/${at.step}/${at.point}`);
        },
      },
    });
  }

  function assertRestored(id: string, ip: string, name: string): void {
    const nets = networksOf(id);
    assert.deepEqual(Object.keys(nets).sort(), [netA, netB].sort());
    assert.equal(nets[netA]!.IPAddress, ip);
    assert.equal(nets[netA]!.IPAMConfig?.IPv4Address, ip);
    assert.deepEqual(userAliasesOf(nets[netA], id), [`${name}-alias`]);
    assert.deepEqual(userAliasesOf(nets[netB], id), [`${name}-b`]);
  }

  it('a crash after the first disconnect: release restores both networks as they were', async () => {
    const { id, ip } = suspect('one', 21);
    const crashing = crashingAt((at) => at.phase === 'apply' && at.point.startsWith('disconnected'));
    await assert.rejects(
      crashing.apply({ host: 'local', container: id, modes: ['isolate', 'pause'] }),
      /crash at apply\/isolate\/disconnected/,
    );
    assert.equal(Object.keys(networksOf(id)).length, 1, 'left half-way: one network gone, no quarantine network yet');
    const [record] = await t.call('quarantine.status', { host: 'local', container: id });
    assert.equal(record?.state, 'applying');
    assert.equal(record?.before.networks.length, 2, 'the state before was recorded before acting');

    const released = await t.call('quarantine.release', { host: 'local', container: id });
    assert.equal(released.state, 'released');
    assertRestored(id, ip, 'one');
    assert.equal(stateOf(id).Paused, false);
    assert.ok(await fetches(client, `http://one-alias:8080/`), 'reachable by alias again');
  });

  it('a crash mid-apply is completed by applying again; a crash mid-release by releasing again', async () => {
    const { id, ip } = suspect('two', 22);
    await assert.rejects(
      crashingAt((at) => at.point.startsWith('disconnected')).apply({ host: 'local', container: id, modes: ['isolate', 'pause'] }),
      /crash at apply/,
    );
    const applied = await t.call('quarantine.apply', { host: 'local', container: id, modes: ['isolate', 'pause'] });
    assert.equal(applied.state, 'quarantined');
    assert.deepEqual(Object.keys(networksOf(id)), [QUARANTINE_NET]);
    assert.equal(stateOf(id).Paused, true);
    assert.equal(applied.before.networks.length, 2, 'the resumed apply kept the original state, not the half-isolated one');

    await assert.rejects(
      crashingAt((at) => at.phase === 'release' && at.point.startsWith('reconnected')).release({ host: 'local', container: id }),
      /crash at release/,
    );
    const [half] = await t.call('quarantine.status', { host: 'local', container: id });
    assert.equal(half?.state, 'releasing');
    await assert.rejects(t.call('quarantine.apply', { host: 'local', container: id, modes: ['isolate'] }), /conflict: .*run release again/);
    const released = await t.call('quarantine.release', { host: 'local', container: id });
    assert.equal(released.state, 'released');
    assertRestored(id, ip, 'two');
    assert.equal(stateOf(id).Paused, false);
    const audit = await t.call('evidence.audit', { limit: 5000 });
    const actions = audit.filter((e) => e.details.recordId === released.id).map((e) => e.action);
    for (const action of [
      'quarantine.recorded',
      'quarantine.isolate-failed',
      'quarantine.resumed',
      'quarantine.isolate',
      'quarantine.pause',
      'quarantine.release-started',
      'quarantine.release.networks-failed',
      'quarantine.release-resumed',
      'quarantine.released',
    ]) {
      assert.ok(actions.includes(action), `audited: ${action} (have ${actions.join(', ')})`);
    }
  });

  it('killed with SIGKILL half-way through isolating: a new process releases it exactly', async () => {
    const { id, ip } = suspect('three', 23);
    const storeDir = mkdtempSync(path.join(tmpdir(), 'drydock-quarantine-kill-'));
    try {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, 'crash-child.ts'), storeDir, id, 'attached to quarantine network'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      assert.equal(signal, 'SIGKILL', `the child died at the checkpoint (stderr: ${stderr})`);
      assert.deepEqual(Object.keys(networksOf(id)), [QUARANTINE_NET], 'killed after isolating, before pausing');
      assert.equal(stateOf(id).Paused, false);

      const core = createCore({ storeDir, examiner: 'after-the-crash' });
      try {
        const dispatch = createDispatcher(createHandlers(core));
        const status = await dispatch('quarantine.status', { host: 'local', container: id });
        assert.ok(status.ok, JSON.stringify(status));
        assert.equal((status.value as QuarantineRecord[])[0]?.state, 'applying');
        const released = await dispatch('quarantine.release', { host: 'local', container: id });
        assert.ok(released.ok, JSON.stringify(released));
        assert.equal((released.value as QuarantineRecord).state, 'released');
      } finally {
        await core.close();
      }
      assertRestored(id, ip, 'three');
    } finally {
      rmSync(storeDir, { recursive: true, force: true });
    }
  });
});
