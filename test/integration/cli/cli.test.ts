import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { drydock } from '../../helpers/cli';
import { BUSYBOX, removeContainers, runContainer } from '../../helpers/docker';

describe('drydock CLI', () => {
  let store: string;
  let hostile: string;

  before(() => {
    store = mkdtempSync('/tmp/drydock-cli-');
    chmodSync(store, 0o777);
    hostile = runContainer([
      '--name',
      `dd-cli-${process.pid}`,
      '--privileged',
      BUSYBOX,
      'sh',
      '-c',
      'sleep 600; echo "\u001b]0;pwned\u0007\u001b[2J"',
    ]);
  });

  after(() => {
    removeContainers([hostile]);
    rmSync(store, { recursive: true, force: true });
  });

  it('adds, lists and tests a host', () => {
    const added = drydock(store, ['hosts', 'add', 'local', 'unix:///var/run/docker.sock']);
    assert.equal(added.code, 0, added.err);
    const listed = drydock(store, ['hosts', 'list', '--json']);
    assert.deepEqual(
      (JSON.parse(listed.out) as { name: string }[]).map((h) => h.name),
      ['local'],
    );
    const tested = drydock(store, ['hosts', 'test', 'local']);
    assert.equal(tested.code, 0, tested.err);
    assert.match(tested.out, /Host local: Docker \d+\.\d+.*API 1\.\d+/);
  });

  it('prints the inventory without letting escape codes reach the terminal', () => {
    const text = drydock(store, ['inventory', '--host', 'local']);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, new RegExp(`critical\\s+dd-cli-${process.pid}`));
    const json = drydock(store, ['inventory', '--host', 'local', '--json']);
    const snapshot = JSON.parse(json.out) as { containers: { id: string; command: string }[] };
    const mine = snapshot.containers.find((c) => c.id === hostile);
    assert.ok((mine?.command ?? '').includes('\u001b]0;pwned'), 'JSON keeps the bytes exactly');
    const detail = drydock(store, ['inventory', '--host', 'local', '--flagged']);
    assert.ok(!detail.out.includes('\u001b'), 'no raw ESC in human output');
  });

  it('exits with distinct codes and clear messages for bad input and refused access', () => {
    const bad = drydock(store, ['hosts', 'add', 'x', 'ftp://nowhere']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /url: a unix:\/\/, tcp:\/\/ or ssh:\/\/ URL/);
    // An engine that does not answer: nothing saved unless asked, and the way to ask is named.
    const dead = drydock(store, ['hosts', 'add', 'dead', 'tcp://127.0.0.1:1']);
    assert.equal(dead.code, 4, dead.err);
    assert.match(dead.err, /host dead not saved: .*unreachable.*--no-test/);
    const names = () => (JSON.parse(drydock(store, ['hosts', 'list', '--json']).out) as { name: string }[]).map((h) => h.name);
    assert.ok(!names().includes('dead'));
    const kept = drydock(store, ['hosts', 'add', 'dead', 'tcp://127.0.0.1:1', '--no-test']);
    assert.equal(kept.code, 0, kept.err);
    assert.match(kept.out, /not tested \(--no-test\)/);
    assert.ok(names().includes('dead'));
    assert.equal(drydock(store, ['hosts', 'remove', 'dead']).code, 0);
    const unknown = drydock(store, ['inventory', '--host', 'nope']);
    assert.equal(unknown.code, 3);
    assert.match(unknown.err, /No host named nope/);
    // An examiner account without access to the socket, with a store of its own.
    const own = mkdtempSync('/tmp/drydock-cli-nobody-');
    chmodSync(own, 0o777);
    try {
      const denied = drydock(own, ['hosts', 'test', 'local', 'unix:///var/run/docker.sock'], { user: 'nobody' });
      assert.equal(denied.code, 4, denied.err);
      assert.match(denied.err, /host local: permission denied on the Docker socket/);
      // Someone else's store that this account cannot write: refused, clearly, and left as it was.
      const readOnly = drydock(store, ['hosts', 'test', 'local'], { user: 'nobody' });
      assert.notEqual(readOnly.code, 0);
      assert.match(readOnly.err, /read-only/);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('names a container the engine does not know the same way in every command', () => {
    const missing = `dd-cli-nosuch-${process.pid}`;
    for (const args of [
      ['memory', missing],
      ['collect', missing],
      ['yara', '@starter', '--container', missing],
    ]) {
      const run = drydock(store, [...args, '--host', 'local']);
      assert.equal(run.code, 3, `${args.join(' ')}: ${run.err}`);
      assert.match(run.err, new RegExp(`^drydock ${args[0]}: No container ${missing} on host local$`, 'm'), args.join(' '));
      assert.doesNotMatch(run.err, /No such container|failed on host/, args.join(' '));
    }
  });
});
