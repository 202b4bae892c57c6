// A memory read with --pause stopped by a signal, through the built `drydock`: SIGTERM (and SIGHUP)
// stop it as Ctrl-C does (thawed, helper and scratch volume removed, what was read kept as
// incomplete, exit 128 + the signal); a second signal is told what is still being cleaned up, a
// third quits at once naming what it leaves; and a Drydock killed with the container paused leaves
// it to `drydock capture-helper sweep`, which unpauses it and says so.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry } from '../../../shared/domain/evidence';
import type { MemoryAcquireResult } from '../../../shared/domain/memory';
import { drydock, drydockSpawn } from '../../helpers/cli';
import { docker, removeContainers } from '../../helpers/docker';
import { holdMemory } from '../../helpers/memory-holder';

function state(id: string): { running: boolean; paused: boolean } {
  const [r, p] = docker(['inspect', '-f', '{{.State.Running}} {{.State.Paused}}', id]).trim().split(' ');
  return { running: r === 'true', paused: p === 'true' };
}

/** Drydock's helper containers and scratch volumes on the host that work on `target`. */
function leftovers(target: string): { containers: string; volumes: string } {
  return {
    containers: docker(['ps', '-aq', '--filter', `label=drydock.helper.target=${target}`]).trim(),
    volumes: docker(['volume', 'ls', '-q', '--filter', `label=drydock.helper.target=${target}`]).trim(),
  };
}

/** Resolves when the engine reports the container paused (its own event, not a poll that could miss a short pause). */
function pausedEvent(id: string): { paused: Promise<void>; stop: () => void } {
  const events = spawn('docker', ['events', '--filter', `container=${id}`, '--filter', 'event=pause', '--format', '{{.Action}}']);
  const paused = new Promise<void>((resolve, reject) => {
    events.stdout.on('data', () => resolve());
    events.once('exit', (code) => reject(new Error(`docker events ended (${code}) before the pause`)));
  });
  return { paused, stop: () => events.kill() };
}

/** Starts `drydock memory ID --pid 1 --pause --json` and resolves once the engine has paused the container. */
async function pausedRead(
  store: string,
  holder: string,
): Promise<{
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
  said: (pattern: RegExp) => Promise<void>;
}> {
  const watch = pausedEvent(holder);
  const child = drydockSpawn(store, ['memory', holder, '--pid', '1', '--pause', '--json']);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await Promise.race([
      watch.paused,
      exit.then((code) => {
        throw new Error(`drydock memory exited (${code}) before the container was paused: ${err}`);
      }),
    ]);
  } finally {
    watch.stop();
  }
  // Resolves once stderr matches: what the CLI says on a signal is the event that it was handled.
  const said = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(err)) return;
        child.stderr?.off('data', check);
        resolve();
      };
      child.stderr?.on('data', check);
      void exit.then((code) => reject(new Error(`drydock memory exited (${code}) before saying ${pattern}: ${err}`)));
      check();
    });
  return { child, out: () => out, err: () => err, exit, said };
}

function auditEntries(store: string): AuditEntry[] {
  const run = drydock(store, ['case', 'audit', '--json']);
  assert.equal(run.code, 0, run.err);
  return run.out
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as AuditEntry);
}

describe('drydock memory --pause stopped by signals', () => {
  let store: string;
  const containers: string[] = [];

  before(() => {
    store = mkdtempSync(path.join(tmpdir(), 'ddsig-'));
    assert.equal(drydock(store, ['case', 'new', '--name', 'signal-tests']).code, 0);
    // Helpers are not followed into the case (see memory-cli.test.ts).
    assert.equal(drydock(store, ['logs', '--follow-on-start', 'off']).code, 0);
  });

  after(() => {
    // A failed test may have left one paused: unpaused so it can be removed.
    for (const id of containers) if (state(id).paused) docker(['unpause', id]);
    removeContainers(containers);
    rmSync(store, { recursive: true, force: true });
  });

  it('SIGTERM stops the read as Ctrl-C does: thawed, nothing left on the host, the partial image kept, exit 143', async () => {
    const holder = await holdMemory(`ddsig-term-${process.pid}`, 512, 'Q');
    containers.push(holder);
    const run = await pausedRead(store, holder);
    run.child.kill('SIGTERM');
    const code = await run.exit;
    assert.equal(code, 143, `exit 128 + SIGTERM; stderr: ${run.err()}`);
    assert.deepEqual(state(holder), { running: true, paused: false }, 'the container runs again');
    assert.deepEqual(leftovers(holder), { containers: '', volumes: '' }, 'helper and scratch volume removed');
    const result = JSON.parse(run.out()) as MemoryAcquireResult;
    assert.equal(result.images.length, 1, run.out());
    assert.equal(result.images[0]?.incomplete, 'cancelled by the examiner');
    const pauses = auditEntries(store)
      .filter((e) => e.details.acquisitionId === result.acquisitionId)
      .map((e) => e.action);
    assert.deepEqual(
      pauses.filter((a) => a.startsWith('memory.container-')),
      ['memory.container-paused', 'memory.container-unpaused'],
    );
  });

  it('a second signal says what is still being cleaned up and the cleanup goes on', async () => {
    const holder = await holdMemory(`ddsig-twice-${process.pid}`, 512, 'Q');
    containers.push(holder);
    const run = await pausedRead(store, holder);
    run.child.kill('SIGINT');
    await run.said(/SIGINT: stopping; cleaning up/);
    run.child.kill('SIGTERM');
    const code = await run.exit;
    assert.equal(code, 130, `the first signal's status; stderr: ${run.err()}`);
    assert.match(run.err(), /SIGTERM again: still stopping, cleaning up/);
    assert.deepEqual(state(holder), { running: true, paused: false });
    assert.deepEqual(leftovers(holder), { containers: '', volumes: '' });
    const result = JSON.parse(run.out()) as MemoryAcquireResult;
    assert.equal(result.images[0]?.incomplete, 'cancelled by the examiner');
  });

  it('a third signal quits at once, naming the paused container and helpers it leaves; the sweep undoes them', async () => {
    const holder = await holdMemory(`ddsig-thrice-${process.pid}`, 512, 'Q');
    containers.push(holder);
    const run = await pausedRead(store, holder);
    // Each sent once the one before was heard: SIGHUP, SIGINT, then SIGTERM quits.
    run.child.kill('SIGHUP');
    await run.said(/SIGHUP: stopping; cleaning up/);
    run.child.kill('SIGINT');
    await run.said(/SIGINT again: still stopping/);
    run.child.kill('SIGTERM');
    const code = await run.exit;
    assert.equal(code, 143, run.err());
    // Its cleanup had begun (the thaw may have reached the engine): what it names may be left, and the sweep settles it either way.
    // Paused, recorded or not yet (the pause is audited once the engine answers): named either way.
    assert.match(
      run.err(),
      new RegExp(
        `SIGTERM: quitting now, without cleaning up\\. Possibly left behind .*: .*container (ddsig-thrice-${process.pid} PAUSED|${holder.slice(0, 12)} possibly PAUSED)`,
      ),
    );
    assert.match(run.err(), /helper container drydock-memory-/);
    assert.match(run.err(), /`drydock capture-helper sweep --host local` unpauses and removes what is left/);
    const swept = drydock(store, ['capture-helper', 'sweep', '--host', 'local']);
    assert.equal(swept.code, 0, swept.err);
    assert.match(
      swept.out,
      new RegExp(
        `unpaused container ddsig-thrice-${process.pid} \\(${holder.slice(0, 12)}\\)|not unpaused: container ddsig-thrice-${process.pid} .*found not paused`,
      ),
    );
    assert.deepEqual(state(holder), { running: true, paused: false });
    assert.deepEqual(leftovers(holder), { containers: '', volumes: '' });
  });

  it('a Drydock killed while the container is paused leaves it paused; capture-helper sweep unpauses it and says so', async () => {
    const holder = await holdMemory(`ddsig-kill-${process.pid}`, 512, 'Q');
    containers.push(holder);
    const run = await pausedRead(store, holder);
    run.child.kill('SIGKILL');
    await run.exit;
    assert.deepEqual(state(holder), { running: true, paused: true }, 'nothing thawed it');
    const swept = drydock(store, ['capture-helper', 'sweep', '--host', 'local']);
    assert.equal(swept.code, 0, swept.err);
    assert.match(
      swept.out,
      new RegExp(
        `unpaused container ddsig-kill-${process.pid} \\(${holder.slice(0, 12)}\\): Drydock process ${run.child.pid} on .* is gone`,
      ),
    );
    assert.deepEqual(state(holder), { running: true, paused: false }, 'the sweep unpaused it');
    assert.deepEqual(leftovers(holder), { containers: '', volumes: '' }, 'helper and volume swept after');
    const unpaused = auditEntries(store).filter((e) => e.action === 'memory.container-unpaused' && e.details.containerId === holder);
    assert.equal(unpaused.length, 1, 'one unpause recorded');
    assert.equal(unpaused[0]?.details.by, 'helper-sweep');
    // A later sweep finds nothing left to do.
    const again = drydock(store, ['capture-helper', 'sweep', '--host', 'local']);
    assert.doesNotMatch(again.out, /unpaused/);
  });
});
