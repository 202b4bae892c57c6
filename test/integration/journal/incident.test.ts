// The event journal through the built `drydock watch`: a scripted incident on the real engine —
// create, start, `docker exec` as another user, killed, removed by --rm, with its volume, network and
// image events around it — leaves every step in the
// journal in the engine's order, the exec with its user and exact argv (inspected while it
// existed: the event carries neither), the exit code, and Ctrl-C ends the watch cleanly.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JournalEntry } from '../../../shared/domain/journal';
import { createCore } from '../../../main/app/core';
import { drydock, drydockSpawn } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, TEST_LABEL } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';

describe('drydock watch', () => {
  let store: string;
  const name = `ddj-incident-${process.pid}`;
  const volume = `ddj-incident-vol-${process.pid}`;
  const tag = `ddj-incident-image:${process.pid}`;

  before(() => {
    store = mkdtempSync(path.join(tmpdir(), 'ddjournal-'));
  });

  after(() => {
    removeContainers([name]);
    for (const args of [
      ['rmi', tag],
      ['volume', 'rm', volume],
    ]) {
      try {
        docker(args);
      } catch {
        // Removed by the test itself.
      }
    }
    rmSync(store, { recursive: true, force: true });
  });

  it('journals a short-lived container from create to destroy, with the exec command line and its user, and keeps its logs', async () => {
    drydock(store, ['case', 'new', '--name', 'journal-incident']);
    const watch = drydockSpawn(store, ['watch', '--json']);
    let out = '';
    let err = '';
    watch.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    watch.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => watch.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => /followed into case journal-incident/.test(err), {
        what: 'drydock watch to say it is journaling and following logs',
        timeoutMs: 120_000,
      });

      docker(['volume', 'create', volume]);
      docker(['tag', BUSYBOX, tag]);
      const id = docker([
        'run',
        '-d',
        '--rm',
        '--label',
        TEST_LABEL,
        '--name',
        name,
        '-v',
        `${volume}:/data`,
        tag,
        'sh',
        '-c',
        'echo ddj-started-marker; echo ddj-to-stderr >&2; exec sleep 300',
      ]);
      docker(['exec', '-u', 'nobody', name, 'sh', '-c', 'echo dropped > /tmp/.x; cat /tmp/.x']);
      docker(['kill', name]);
      const mine = () =>
        out
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as JournalEntry)
          .filter((entry) => entry.actorId === id || entry.actorId === volume);
      // --rm removes the container after its die: wait for that before removing its image tag and volume.
      await waitFor(() => mine().some((entry) => entry.type === 'container' && entry.action === 'destroy'), {
        what: `the destroy of ${name} in the watch's output`,
        timeoutMs: 30_000,
      });
      docker(['rmi', tag]);
      docker(['volume', 'rm', volume]);
      await waitFor(() => mine().some((entry) => entry.type === 'volume' && entry.action === 'destroy'), {
        what: `the removal of volume ${volume} in the watch's output`,
        timeoutMs: 30_000,
      });
      // The logs were followed from the start and kept although --rm removed the container.
      await waitFor(() => /kept 2 log lines of ddj-incident-/.test(err), { what: 'the followed logs to be kept', timeoutMs: 30_000 });
      watch.kill('SIGINT');
      assert.equal(await exited, 0, err);
      assert.match(err, /stopped: the journal of host \S+ holds \d+ entries/);

      // The store, read after the watch ended, holds the same story in engine-time order.
      const core = createCore({ storeDir: store });
      let journal: JournalEntry[];
      let all: JournalEntry[];
      try {
        const host = required(/journaling host (\S+)/.exec(err)?.[1]);
        all = core.journal.entries(host, undefined, 10_000);
        journal = all.filter((entry) => entry.actorId === id);
        const logs = (await core.evidence.listArtifacts({ caseRef: 'journal-incident', kind: 'logs' })).filter(
          (artifact) => artifact.source.containerId === id,
        );
        assert.equal(logs.length, 1, 'one followed logs artifact for the container');
        const kept = required(logs[0]);
        assert.equal(kept.status, 'complete');
        assert.equal(kept.attributes.followed, true);
        let text = '';
        for await (const chunk of await core.evidence.openArtifact(kept.id)) text += (chunk as Buffer).toString('utf8');
        assert.match(text, /^stdout \S+Z ddj-started-marker$/m);
        assert.match(text, /^stderr \S+Z ddj-to-stderr$/m);
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
      assert.deepEqual(
        [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        times,
        'ordered by the engine time',
      );
      for (const entry of journal) {
        assert.equal(entry.name, name);
        assert.match(entry.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
        assert.ok(
          Date.parse(entry.receivedAt) >= Date.parse(entry.time.slice(0, 23)) - 1000,
          'received after the engine sent it (same machine clock)',
        );
      }
      const execCreate = required(journal.find((entry) => entry.action === 'exec_create'));
      assert.equal(execCreate.actionDetail, 'sh -c echo dropped > /tmp/.x; cat /tmp/.x', "the engine's command line");
      assert.deepEqual(execCreate.exec, {
        user: 'nobody',
        argv: ['sh', '-c', 'echo dropped > /tmp/.x; cat /tmp/.x'],
        privileged: false,
        tty: false,
      });
      assert.match(required(execCreate.execId), /^[0-9a-f]{64}$/);
      assert.equal(journal.find((entry) => entry.action === 'exec_die')?.exitCode, 0);
      assert.equal(journal.find((entry) => entry.action === 'kill')?.attributes.signal, '9');
      assert.equal(journal.find((entry) => entry.action === 'die')?.exitCode, 137);

      // The volume, network and image events around it, in the engine's order.
      // (The engine names the image by its tag when tagging and by its ID when untagging.)
      const image = required(
        all.find((entry) => entry.type === 'image' && entry.action === 'tag' && entry.attributes.name === tag),
      ).actorId;
      const around = all
        .filter(
          (entry) =>
            entry.actorId === volume ||
            entry.attributes.container === id ||
            entry.actorId === id ||
            (entry.type === 'image' && entry.actorId === image),
        )
        .map((entry) => `${entry.type} ${entry.action}`);
      const expected = [
        'volume create',
        'image tag',
        'container create',
        'network connect',
        'volume mount',
        'container start',
        'container die',
        'network disconnect',
        'volume unmount',
        'container destroy',
        'image untag',
        'volume destroy',
      ];
      let at = 0;
      for (const step of around) if (step === expected[at]) at++;
      assert.equal(at, expected.length, `every step in order (${expected.join(', ')}); the journal has: ${around.join(', ')}`);
    } finally {
      if (watch.exitCode === null) watch.kill('SIGKILL');
    }
  });
});

function required<T>(value: T | undefined | null): T {
  assert.ok(value !== undefined && value !== null);
  return value;
}
