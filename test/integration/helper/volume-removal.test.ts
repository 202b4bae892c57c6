// A helper's scratch volume is removed right after the helper, which the engine may still be
// removing (AutoRemove): the ledger waits on the engine instead of auditing a failure that is not
// one, and audits helper.volume-remove-failed only for a volume that is really left behind.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Dockerode from 'dockerode';
import { helperCreateOptions } from '../../../main/core/helper/container';
import { HelperLedger, type HelperMeta } from '../../../main/core/helper/ledger';
import { thisProcessOwner } from '../../../main/core/helper/owner';
import { helperSchema } from '../../../main/core/helper/schema';
import { openDatabase, type Db } from '../../../main/core/store/database';
import { systemClock } from '../../../main/core/clock';
import { BUSYBOX, docker as dockerCli, removeContainers, runContainer } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';

/** The real engine, with every volume removal's outcome noted (status code, or 'ok'). */
class ObservedDocker extends Dockerode {
  readonly removals: (number | 'ok')[] = [];
  override getVolume(name: string): Dockerode.Volume {
    const volume = super.getVolume(name);
    const remove = volume.remove.bind(volume) as (opts: object) => Promise<unknown>;
    volume.remove = ((opts: object) =>
      remove(opts).then(
        (value) => {
          this.removals.push('ok');
          return value;
        },
        (err: { statusCode?: number }) => {
          this.removals.push(err.statusCode ?? 0);
          throw err;
        },
      )) as typeof volume.remove;
    return volume;
  }
}

describe('scratch volume removal', () => {
  let store: string;
  let db: Db;
  let audits: { action: string; details: Record<string, unknown> }[];
  let ledger: HelperLedger;
  const containers: string[] = [];
  const volumes: string[] = [];

  before(() => {
    store = mkdtempSync(path.join(tmpdir(), 'ddvol-'));
    db = openDatabase(store, [helperSchema]);
    audits = [];
    ledger = new HelperLedger({ db, audit: (action, details) => audits.push({ action, details }), clock: systemClock });
  });

  after(() => {
    removeContainers(containers);
    for (const volume of volumes)
      try {
        dockerCli(['volume', 'rm', '-f', volume]);
      } catch {
        // Already gone.
      }
    db.close();
    rmSync(store, { recursive: true, force: true });
  });

  function meta(): HelperMeta {
    return {
      helperId: randomBytes(6).toString('hex'),
      purpose: 'volume-test',
      target: 'host',
      owner: thisProcessOwner,
      deadline: new Date(Date.now() + 600_000),
    };
  }

  const actions = (volume: string) => audits.filter((a) => a.details.volume === volume).map((a) => a.action);

  it('waits for the helper the engine is still removing, then removes the volume and audits no failure', async () => {
    const engine = new ObservedDocker();
    const volume = await ledger.createVolume(engine, 'local', 1024 * 1024, meta());
    volumes.push(volume);
    const options = helperCreateOptions({
      purpose: 'volume-test',
      id: randomBytes(6).toString('hex'),
      image: BUSYBOX,
      cmd: ['sleep', '3600'],
      capabilities: [],
      owner: thisProcessOwner,
      deadline: new Date(Date.now() + 600_000),
      scratchVolume: volume,
    });
    const helper = await ledger.create(engine, 'local', { ...options, Labels: { ...options.Labels, 'drydock.test': '1' } }, meta());
    containers.push(helper.id);
    await helper.start();
    const removing = ledger.removeVolume(engine, 'local', volume, 'run ended');
    // The helper still runs when the first removal is tried: the engine says the volume is in use.
    await waitFor(() => engine.removals.length > 0, { what: 'the first removal of the volume to be answered' });
    assert.equal(engine.removals[0], 409);
    // Killed, it is removed by the engine (AutoRemove) on its own schedule, as a helper whose run ended.
    await helper.kill({ signal: 'SIGKILL' });
    await removing;
    assert.equal(engine.removals.at(-1), 'ok');
    assert.deepEqual(actions(volume), ['helper.volume-created', 'helper.volume-removed']);
    assert.equal(dockerCli(['volume', 'ls', '-q', '--filter', `name=^${volume}$`]), '', 'the volume is gone');
  });

  it('audits one failure and rejects when a container that is not being removed keeps the volume', async () => {
    const engine = new ObservedDocker();
    const volume = await ledger.createVolume(engine, 'local', 1024 * 1024, meta());
    volumes.push(volume);
    const holder = runContainer(['-v', `${volume}:/held`, BUSYBOX, 'sleep', '3600']);
    containers.push(holder);
    await assert.rejects(
      ledger.removeVolume(engine, 'local', volume, 'run ended'),
      (err: { statusCode?: number }) => err.statusCode === 409,
    );
    assert.ok(engine.removals.length > 1, 'tried again while waiting');
    assert.deepEqual(actions(volume), ['helper.volume-created', 'helper.volume-remove-failed']);
    assert.ok(dockerCli(['ps', '-q', '--filter', `id=${holder}`]), 'the holder is untouched');
  });
});
