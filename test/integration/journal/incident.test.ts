// The event journal through the built `drydock watch`: a scripted incident on the real engine —
// create, start, `docker exec` as another user, killed, removed by --rm — leaves every step in the
// journal in the engine's order, the exec with its user and exact argv (inspected while it
// existed: the event carries neither), the exit code, and Ctrl-C ends the watch cleanly.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JournalEntry } from '../../../shared/domain/journal';
import { createCore } from '../../../main/app/core';
import { drydockSpawn } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, TEST_LABEL } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';

describe('drydock watch', () => {
  let store: string;
  const name = `ddj-incident-${process.pid}`;

  before(() => {
    store = mkdtempSync(path.join(tmpdir(), 'ddjournal-'));
  });

  after(() => {
    removeContainers([name]);
    rmSync(store, { recursive: true, force: true });
  });

  it('journals a short-lived container from create to destroy, with the exec command line and its user', async () => {
    const watch = drydockSpawn(store, ['watch', '--json']);
    let out = '';
    let err = '';
    watch.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    watch.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => watch.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => /journaling host \S+/.test(err), { what: 'drydock watch to say it is journaling', timeoutMs: 60_000 });

      const id = docker(['run', '-d', '--rm', '--label', TEST_LABEL, '--name', name, BUSYBOX, 'sleep', '300']);
      docker(['exec', '-u', 'nobody', name, 'sh', '-c', 'echo dropped > /tmp/.x; cat /tmp/.x']);
      docker(['kill', name]);
      const mine = () =>
        out
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as JournalEntry)
          .filter((entry) => entry.actorId === id);
      await waitFor(() => mine().some((entry) => entry.action === 'destroy'), { what: `the destroy of ${name} in the watch's output`, timeoutMs: 30_000 });
      watch.kill('SIGINT');
      assert.equal(await exited, 0, err);
      assert.match(err, /stopped: the journal of host \S+ holds \d+ entries/);

      // The store, read after the watch ended, holds the same story in engine-time order.
      const core = createCore({ storeDir: store });
      let journal: JournalEntry[];
      try {
        const host = required(/journaling host (\S+)/.exec(err)?.[1]);
        journal = core.journal.entries(host, undefined, 10_000).filter((entry) => entry.actorId === id);
      } finally {
        await core.close();
      }
      const steps = journal.map((entry) => entry.action);
      assert.deepEqual(
        steps.filter((action) => ['create', 'start', 'exec_create', 'exec_start', 'exec_die', 'kill', 'die', 'destroy'].includes(action)),
        ['create', 'start', 'exec_create', 'exec_start', 'exec_die', 'kill', 'die', 'destroy'],
        `every step, in order: ${steps.join(', ')}`,
      );
      const times = journal.map((entry) => BigInt(entry.timeNano));
      assert.deepEqual([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), times, 'ordered by the engine time');
      for (const entry of journal) {
        assert.equal(entry.name, name);
        assert.match(entry.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
        assert.ok(Date.parse(entry.receivedAt) >= Date.parse(entry.time.slice(0, 23)) - 1000, 'received after the engine sent it (same machine clock)');
      }
      const execCreate = required(journal.find((entry) => entry.action === 'exec_create'));
      assert.equal(execCreate.actionDetail, 'sh -c echo dropped > /tmp/.x; cat /tmp/.x', "the engine's command line");
      assert.deepEqual(execCreate.exec, { user: 'nobody', argv: ['sh', '-c', 'echo dropped > /tmp/.x; cat /tmp/.x'], privileged: false, tty: false });
      assert.match(required(execCreate.execId), /^[0-9a-f]{64}$/);
      assert.equal(journal.find((entry) => entry.action === 'exec_die')?.exitCode, 0);
      assert.equal(journal.find((entry) => entry.action === 'kill')?.attributes.signal, '9');
      assert.equal(journal.find((entry) => entry.action === 'die')?.exitCode, 137);
    } finally {
      if (watch.exitCode === null) watch.kill('SIGKILL');
    }
  });
});

function required<T>(value: T | undefined | null): T {
  assert.ok(value !== undefined && value !== null);
  return value;
}
