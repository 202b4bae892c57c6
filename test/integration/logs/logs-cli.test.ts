// Container logs as evidence, through the built `drydock logs`: the stored lines are what
// `docker logs --timestamps` prints for each stream, byte for byte, with or without a TTY; since
// and tail are honoured; a hostile line is stored exactly and printed safely; a driver that keeps
// nothing is refused by name. (journald cannot be tried here: without systemd the engine will not even
// start a container with it — "journald is not enabled on this host".)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LogsAcquisition } from '../../../shared/domain/logs';
import { drydock } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, runContainer } from '../../helpers/docker';

const MIB = 1024 * 1024;
const ESC = '\u001b';
const HOSTILE = `${ESC}]0;pwned\u0007${ESC}[2J${ESC}[31mred`;

/** `docker logs --timestamps [args] C` as bytes, stdout and stderr apart, each split into lines. */
function dockerLogs(container: string, args: string[] = []): { stdout: string[]; stderr: string[] } {
  const out = mkdtempSync(path.join(tmpdir(), 'ddlogs-cmp-'));
  try {
    execFileSync('sh', ['-c', `docker logs --timestamps ${args.join(' ')} ${container} >${out}/o 2>${out}/e`]);
    // A last line without a newline is a line too.
    const lines = (file: string) =>
      readFileSync(path.join(out, file), 'latin1')
        .split('\n')
        .filter((line, i, all) => i < all.length - 1 || line !== '');
    return { stdout: lines('o'), stderr: lines('e') };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The stored artifact's records (latin1 keeps every byte), by stream tag. */
function storedLines(store: string, artifactId: string): Record<string, string[]> {
  const file = path.join(store, `${artifactId}.log`);
  const exported = drydock(store, ['artifact', 'export', artifactId, '--out', file]);
  assert.equal(exported.code, 0, exported.err);
  const text = readFileSync(file, 'latin1');
  assert.ok(text.endsWith('\n'), 'every record ends with a newline');
  const byStream: Record<string, string[]> = {};
  for (const record of text.split('\n').slice(0, -1)) {
    const space = record.indexOf(' ');
    (byStream[record.slice(0, space)] ??= []).push(record.slice(space + 1));
  }
  return byStream;
}

function acquire(store: string, args: string[]): LogsAcquisition {
  const run = drydock(store, ['logs', ...args, '--json']);
  assert.equal(run.code, 0, run.err);
  return JSON.parse(run.out) as LogsAcquisition;
}

describe('drydock logs', () => {
  let store: string;
  const containers: string[] = [];
  let plain = '';
  let tty = '';
  let counter = '';

  before(() => {
    store = mkdtempSync(path.join(tmpdir(), 'ddlogs-'));
    const script = [
      'echo out-1',
      'echo err-1 >&2',
      `printf '${HOSTILE.split(ESC).join('\\033').split('\u0007').join('\\007')}\\n'`,
      `head -c ${MIB} /dev/zero | tr '\\000' x; echo`,
      'echo err-2 >&2',
      'printf "last line without newline"',
    ].join('; ');
    plain = runContainer(['--name', `ddlogs-plain-${process.pid}`, BUSYBOX, 'sh', '-c', script]);
    tty = runContainer(['-t', '--name', `ddlogs-tty-${process.pid}`, BUSYBOX, 'sh', '-c', 'echo tty-1; echo tty-2 >&2']);
    counter = runContainer(['--name', `ddlogs-count-${process.pid}`, BUSYBOX, 'sh', '-c', 'for i in 1 2 3 4 5 6; do echo line-$i; done']);
    containers.push(plain, tty, counter);
    // The engine's own word that each wrote everything and exited.
    for (const id of containers) assert.equal(docker(['wait', id]), '0');
  });

  after(() => {
    removeContainers(containers);
    rmSync(store, { recursive: true, force: true });
  });

  it("stores each stream's lines as docker logs --timestamps prints them, a 1 MiB line whole, and says where", () => {
    const run = drydock(store, ['logs', plain]);
    assert.equal(run.code, 0, run.err);
    assert.match(
      run.out,
      /^6 log lines \(4 stdout, 2 stderr, \d{4}-.* to .*\) of ddlogs-plain-\d+ \([0-9a-f]{12}\) on \S+, logging driver json-file$/m,
    );
    const artifactId = /Stored as artifact (\S+) \(sha256 [0-9a-f]{64}, \d+ bytes\) in case /.exec(run.out)?.[1];
    assert.ok(artifactId, run.out);
    assert.match(run.err, /no case was open/, 'the acquisition opened an ad-hoc case and said so');
    assert.match(run.out, /Note: The last line of stdout had no newline/);

    const stored = storedLines(store, artifactId);
    const expected = dockerLogs(plain);
    assert.deepEqual(stored.stderr, expected.stderr);
    assert.equal(stored.stdout?.length, 4);
    // docker logs repeats the message's timestamp on every 16 KiB piece of a long line; the store keeps the line whole.
    const long = required(expected.stdout.find((line) => line.length > MIB));
    const stamp = long.slice(0, long.indexOf(' ') + 1);
    assert.equal(long.split(stamp).join(''), 'x'.repeat(MIB), "docker's pieces hold the same line");
    assert.equal(stored.stdout?.[2], `${stamp}${'x'.repeat(MIB)}`, 'the 1 MiB line is stored byte-exact, once');
    assert.deepEqual(
      stored.stdout?.filter((_, i) => i !== 2),
      expected.stdout.filter((line) => line !== long),
    );
    assert.ok(stored.stdout?.[1]?.endsWith(` ${HOSTILE}`), 'escape codes are stored as the container wrote them');

    // Printed safely: the preview shows the escape codes made visible, never raw.
    const shown = drydock(store, ['evidence', 'show', artifactId, '--bytes', '4096']);
    assert.equal(shown.code, 0, shown.err);
    assert.ok(!shown.out.includes(ESC) && !shown.out.includes('\u0007'), 'no raw escape or bell reaches the terminal');
    assert.match(shown.out, /pwned/);
  });

  it('reads a TTY container raw, its one stream as docker logs prints it', () => {
    const result = acquire(store, [tty]);
    assert.equal(result.tty, true);
    assert.equal(result.ttyLines, 2);
    const stored = storedLines(store, result.artifactId);
    assert.deepEqual(stored.tty, dockerLogs(tty).stdout);
    assert.match(stored.tty?.[1] ?? '', /Z tty-2\r$/, 'the terminal wrote stderr into the same stream, with its CR');
  });

  it('honours --tail and --since (an RFC 3339 time with nanoseconds names one line)', () => {
    const all = dockerLogs(counter).stdout;
    assert.equal(all.length, 6);
    const tail = acquire(store, [counter, '--tail', '2']);
    assert.equal(tail.lines, 2);
    const tailed = storedLines(store, tail.artifactId).stdout;
    assert.deepEqual(tailed, dockerLogs(counter, ['--tail', '2']).stdout);
    assert.deepEqual(tailed, all.slice(4));

    const third = required(all[2]).split(' ')[0] ?? '';
    const since = acquire(store, [counter, '--since', third]);
    assert.deepEqual(storedLines(store, since.artifactId).stdout, all.slice(2), `--since ${third} starts at line-3`);
    assert.equal(since.firstTimestamp, third);

    const bad = drydock(store, ['logs', counter, '--since', 'yesterday']);
    assert.equal(bad.code, 2, bad.err);
  });

  it("reads the local driver as json-file; another driver's engine cache with that stated; refuses one the engine cannot read back", () => {
    const udp = ['--log-opt', 'syslog-address=udp://127.0.0.1:5514'];
    const local = runContainer([
      '--log-driver',
      'local',
      '--name',
      `ddlogs-local-${process.pid}`,
      BUSYBOX,
      'sh',
      '-c',
      'echo local-1; echo local-2 >&2',
    ]);
    const cached = runContainer([
      '--log-driver',
      'syslog',
      ...udp,
      '--name',
      `ddlogs-syslog-${process.pid}`,
      BUSYBOX,
      'sh',
      '-c',
      'echo via-syslog',
    ]);
    const uncached = runContainer([
      '--log-driver',
      'syslog',
      ...udp,
      '--log-opt',
      'cache-disabled=true',
      '--name',
      `ddlogs-nocache-${process.pid}`,
      BUSYBOX,
      'sh',
      '-c',
      'echo lost',
    ]);
    containers.push(local, cached, uncached);
    for (const id of [local, cached, uncached]) assert.equal(docker(['wait', id]), '0');

    const fromLocal = acquire(store, [local]);
    assert.equal(fromLocal.driver, 'local');
    assert.deepEqual(fromLocal.limitations, []);
    const localLines = storedLines(store, fromLocal.artifactId);
    const expected = dockerLogs(local);
    assert.deepEqual([localLines.stdout, localLines.stderr], [expected.stdout, expected.stderr]);

    const fromCache = acquire(store, [cached]);
    assert.equal(fromCache.driver, 'syslog');
    assert.deepEqual(storedLines(store, fromCache.artifactId).stdout, dockerLogs(cached).stdout);
    assert.match(fromCache.limitations.join('\n'), /'syslog' driver ships logs elsewhere; .*local cache .*dual logging/);

    const refused = drydock(store, ['logs', uncached]);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.err,
      /ddlogs-nocache-\d+ on host \S+ cannot be read through the engine: its logging driver 'syslog' does not support reading back/,
    );
  });

  it('refuses a container whose driver keeps nothing, naming the driver, the container and the host', () => {
    const none = runContainer(['--log-driver', 'none', '--name', `ddlogs-none-${process.pid}`, BUSYBOX, 'true']);
    containers.push(none);
    const run = drydock(store, ['logs', none]);
    assert.notEqual(run.code, 0);
    assert.match(run.err, /ddlogs-none-\d+ on host \S+.*logging driver is 'none'/);
  });
});

function required<T>(value: T | undefined): T {
  assert.ok(value !== undefined);
  return value;
}
