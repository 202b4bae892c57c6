// The dead-box timeline and the processes' last known configuration, through the built `drydock`,
// from the hand-made data root of test/helpers/data-root-fixture.ts (no daemon needed: a dead box
// has none), dressed as a small scene: a container whose record carries nanosecond times, a name
// and a command with terminal escape codes and a secret in its environment; a json-file log with
// nanosecond timestamps and an escape sequence in a line; a file planted in its writable layer at a
// known mtime (nanoseconds) and a whiteout; an image with a creation time and build steps. The
// timeline must hold each of them in time order, in Timesketch JSON Lines and in l2tcsv, from a
// directory and from a tar archive, marked as read from the data root; ps must print the recorded
// command and say no process list exists; escapes stay escaped; the data root is untouched.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DataRootProcessConfig } from '../../../shared/domain/dataroot';
import { drydock } from '../../helpers/cli';
import { diffTrees, hex, IMAGE, makeDataRoot, snapshotTree, write, type Victim } from '../../helpers/data-root-fixture';

const ESC = '\u001b';
const NAME = `ddx-tl${ESC}[31mred`;
const CREATED = '2026-11-30T10:00:00.111111111Z';
const STARTED = '2026-11-30T10:00:01.222222222Z';
const LOG_1 = '2026-11-30T10:01:02.123456789Z';
const LOG_2 = '2026-11-30T10:02:03.987654321Z';
const PLANTED = '2026-11-30T10:03:04.123456789Z';
const DELETED = '2026-11-30T10:03:30.5Z';
const FINISHED = '2026-11-30T10:05:00.333333333Z';
const IMAGE_CREATED = '2026-11-29T08:00:00.5Z';
const STEP = '2026-11-29T07:59:59.25Z';

interface JsonlRow {
  message: string;
  datetime: string;
  timestamp_desc: string;
  source: string;
  hostname?: string;
  container?: string;
  filename?: string;
  evidence_origin?: string;
  data_root?: string;
  severity?: string;
}

/** The nanoseconds since the epoch of an RFC 3339 UTC time with up to nine fractional digits. */
function nanos(iso: string): bigint {
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  assert.ok(m, iso);
  return BigInt(Date.parse(`${m[1]}${m[3]}`)) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

describe('dead-box timeline and last known processes from a data root', () => {
  let work: string;
  let store: string;
  let root: string;
  let tarball: string;
  let before0: Map<string, string>;
  let tarBefore: string;
  const victim: Victim = { id: hex('c5'), name: NAME, mount: hex('d6') };
  // Running when the disk was imaged: its record still holds the PID its init had on that host.
  const crashed: Victim = { id: hex('e7'), name: 'ddx-crashed', mount: hex('f8') };

  before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'ddx-tl-'));
    store = mkdtempSync(path.join(tmpdir(), 'ddx-tl-store-'));
    root = path.join(work, 'docker');
    makeDataRoot(root, [victim, crashed]);
    write(
      path.join(root, 'containers', crashed.id, 'config.v2.json'),
      JSON.stringify({
        ID: crashed.id,
        Name: '/ddx-crashed',
        Created: '2026-11-30T09:00:00.000000001Z',
        Path: 'nginx',
        Args: ['-g', 'daemon off;'],
        State: { Running: true, Pid: 4242, ExitCode: 0, StartedAt: '2026-11-30T09:00:01.5Z', FinishedAt: '0001-01-01T00:00:00Z' },
        Config: { Image: 'evil:1', Labels: {} },
        Image: `sha256:${IMAGE}`,
        MountPoints: {},
        NetworkSettings: { Networks: {} },
      }),
    );
    write(
      path.join(root, 'image/overlay2/imagedb/content/sha256', IMAGE),
      JSON.stringify({
        created: IMAGE_CREATED,
        rootfs: { type: 'layers', diff_ids: [`sha256:${hex('2b')}`] },
        config: { Cmd: ['sh'] },
        history: [{ created: STEP, created_by: '/bin/sh -c #(nop) ADD file:rootfs in /' }],
      }),
    );
    write(
      path.join(root, 'containers', victim.id, 'config.v2.json'),
      JSON.stringify({
        ID: victim.id,
        Name: `/${NAME}`,
        Created: CREATED,
        Path: '/bin/sh',
        Args: ['-c', `printf '${ESC}[2J'; exec /tmp/implant`],
        State: {
          Running: false,
          Pid: 0,
          ExitCode: 137,
          OOMKilled: true,
          StartedAt: STARTED,
          FinishedAt: FINISHED,
          Error: '',
        },
        RestartCount: 2,
        Config: {
          Image: 'evil:1',
          Cmd: ['sh'],
          User: 'nobody',
          WorkingDir: '/srv',
          Env: ['PATH=/usr/bin:/bin', 'DB_PASSWORD=hunter2-secret'],
          Labels: {},
        },
        Image: `sha256:${IMAGE}`,
        MountPoints: {},
        NetworkSettings: { Networks: {} },
        LogPath: `/var/lib/docker/containers/${victim.id}/${victim.id}-json.log`,
      }),
    );
    write(
      path.join(root, 'containers', victim.id, `${victim.id}-json.log`),
      [
        JSON.stringify({ log: 'hello from the dead box\n', stream: 'stdout', time: LOG_1 }),
        JSON.stringify({ log: `${ESC}]0;pwned${ESC}\\oops\n`, stream: 'stderr', time: LOG_2 }),
        '',
      ].join('\n'),
    );
    const upper = path.join(root, 'overlay2', victim.mount, 'diff');
    write(path.join(upper, 'tmp', 'implant'), 'ELF-ish\n');
    chmodSync(path.join(upper, 'tmp', 'implant'), 0o755);
    execFileSync('touch', ['-m', '-d', PLANTED, path.join(upper, 'tmp', 'implant')]);
    mkdirSync(path.join(upper, 'etc'), { recursive: true });
    execFileSync('mknod', [path.join(upper, 'etc', 'motd'), 'c', '0', '0']);
    execFileSync('touch', ['-m', '-d', DELETED, path.join(upper, 'etc', 'motd')]);
    // Directories' mtimes are left as they are (now): rows of their own, later than the scene.
    tarball = path.join(work, 'docker.tar');
    execFileSync('tar', ['--format=posix', '--xattrs', '--xattrs-include=trusted.*', '-C', root, '-cf', tarball, '.']);
    execFileSync('sh', ['-c', 'find "$1" "$2" -type f -exec touch -a -d 2000-01-01T00:00:00Z {} +', 'sh', root, tarball]);
    before0 = snapshotTree(root);
    tarBefore = snapshotTree(work).get('/docker.tar') ?? '';
  });

  after(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(store, { recursive: true, force: true });
  });

  for (const form of ['directory', 'tarball'] as const) {
    it(`builds the timeline of a data root ${form} in Timesketch JSON Lines: lifecycle, image, log and file rows in time order, nanoseconds kept`, () => {
      const source = form === 'directory' ? root : tarball;
      const run = drydock(store, ['timeline', '--data-root', source, '--format', 'jsonl']);
      assert.equal(run.code, 0, run.err);
      assert.ok(!run.out.includes(ESC) && !run.err.includes(ESC), 'no raw escape code reaches the terminal');
      assert.match(run.err, /rows from data-root:/);
      assert.match(run.err, /ctime and atime are not used/);
      const rows = run.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as JsonlRow);
      const host = `data-root:${source}`;
      assert.ok(rows.length > 0);
      for (const r of rows) {
        assert.equal(r.hostname, host, `every row is the data root's: ${r.message}`);
        // Audit rows name the data root Drydock acted on; they were not read from it.
        assert.equal(r.evidence_origin, r.source === 'audit' ? undefined : 'disk');
        assert.equal(r.data_root, r.source === 'audit' ? undefined : source);
      }
      assert.ok(rows.filter((r) => r.source !== 'audit').length >= 9);
      const times = rows.map((r) => nanos(r.datetime));
      for (let i = 1; i < times.length; i++) assert.ok((times[i] as bigint) >= (times[i - 1] as bigint), 'time order');
      const find = (pred: (r: JsonlRow) => boolean, what: string) => {
        const hit = rows.find(pred);
        assert.ok(hit, `a row: ${what} (stderr: ${run.err})`);
        return hit;
      };
      const at = (iso: string) => (r: JsonlRow) => nanos(r.datetime) === nanos(iso);
      const lifecycle = (desc: string) => find((r) => r.source === 'lifecycle' && r.container === NAME && r.timestamp_desc === desc, desc);
      assert.equal(lifecycle('Creation Time').datetime, '2026-11-30T10:00:00.111111111+00:00', 'the name as recorded (JSON escapes it)');
      assert.ok(at(STARTED)(lifecycle('Start Time')));
      assert.ok(at(FINISHED)(lifecycle('Finish Time')));
      assert.ok(at(LOG_1)(find((r) => r.source === 'logs' && r.message.includes('hello from the dead box'), 'the stdout line')));
      assert.ok(at(LOG_2)(find((r) => r.source === 'logs' && r.message.includes('pwned'), 'the line with escapes')));
      const planted = find((r) => r.source === 'file' && r.filename === '/tmp/implant', 'the planted file');
      assert.equal(planted.datetime, '2026-11-30T10:03:04.123456789+00:00', 'its mtime to the nanosecond');
      assert.equal(planted.timestamp_desc, 'Content Modification Time');
      // The upper directory alone cannot tell added from changed: the row says so, and an executable dropped there is raised.
      assert.match(planted.message, /^file \/tmp\/implant last written in the writable layer \(added or changed since the image/);
      assert.match(planted.message, /, executable, mode 0755/);
      assert.equal(planted.severity, 'low');
      const deleted = find((r) => r.source === 'file' && r.filename === '/etc/motd', 'the whiteout');
      assert.ok(at(DELETED)(deleted));
      assert.match(deleted.message, /^deleted \/etc\/motd/);
      assert.ok(at(IMAGE_CREATED)(find((r) => r.source === 'image' && r.timestamp_desc === 'Image Creation Time', 'image created')));
      assert.ok(at(STEP)(find((r) => r.source === 'image' && r.message.includes('ADD file:rootfs'), 'the build step')));
      const order = [STEP, IMAGE_CREATED, CREATED, STARTED, LOG_1, LOG_2, PLANTED, DELETED, FINISHED].map(nanos);
      const seen = order.map((t) => times.indexOf(t));
      assert.ok(!seen.includes(-1), 'every dated fact of the scene is a row');
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        seen,
        'in the order they happened',
      );
    });
  }

  it('writes the same timeline as l2tcsv with escapes made visible and the data root named as the source', () => {
    const out = path.join(work, 'dead-box.csv');
    const run = drydock(store, ['timeline', '--data-root', root, '--format', 'l2tcsv', '--out', out]);
    assert.equal(run.code, 0, run.err);
    const csv = execFileSync('cat', [out], { encoding: 'latin1' });
    assert.ok(!csv.includes(ESC), 'no raw escape code in the CSV');
    const lines = csv.trim().split('\n');
    assert.match(lines[0] ?? '', /^date,time,timezone,MACB,source,sourcetype,type,user,host,short/);
    const body = lines.slice(1);
    for (const l of body) {
      assert.ok(l.includes(`data-root:${root}`), `the host column names the data root: ${l}`);
      if (!l.includes('Drydock audit log')) assert.match(l, /from a data root on disk/);
    }
    const line = (pattern: RegExp) => {
      const hit = body.find((l) => pattern.test(l));
      assert.ok(hit, String(pattern));
      return hit;
    };
    const created = line(/,Creation Time,.*container ddx-tl\\x1b/);
    assert.match(created, /^11\/30\/2026,10:00:00,UTC,\.\.\.B,EVT,"?Docker container lifecycle \(inspect\), from a data root on disk/);
    assert.match(created, /nanoseconds: 111111111/);
    assert.match(created, /container: ddx-tl\\x1b\[31mred/, 'the name escaped');
    assert.match(line(/pwned/), /\\x1b\]0;pwned\\x1b\\oops/, 'the log line escaped');
    assert.match(
      line(/\/tmp\/implant/),
      /^11\/30\/2026,10:03:04,UTC,M\.\.\.,FILE,"?Container writable layer entry \(mtime\), from a data root on disk/,
    );
    assert.match(line(/\/tmp\/implant/), /nanoseconds: 123456789/);
    assert.match(line(/\/tmp\/implant/), /ctime and atime not used/);
    const stamps = body.map((l) => {
      const [date, time] = l.split(',');
      const nano = /nanoseconds: (\d{9})/.exec(l)?.[1] ?? '000000000';
      return `${date?.slice(6, 10)}${date?.slice(0, 5)} ${time} ${nano}`;
    });
    assert.deepEqual([...stamps].sort(), stamps, 'time order');
    const finish = stamps.indexOf(stamps.find((_s, i) => (body[i] ?? '').includes('Finish Time')) ?? '');
    const planted = stamps.indexOf(stamps.find((_s, i) => (body[i] ?? '').includes('/tmp/implant')) ?? '');
    const log = stamps.indexOf(stamps.find((_s, i) => (body[i] ?? '').includes('hello from the dead box')) ?? '');
    assert.ok(log >= 0 && log < planted && planted < finish, 'log line, then the file, then the finish');
  });

  it("prints a container's recorded command and last state, says there is no process list, masks secrets and escapes codes", () => {
    const run = drydock(store, ['ps', victim.id.slice(0, 12), '--data-root', root]);
    assert.equal(run.code, 0, run.err);
    assert.ok(!run.out.includes(ESC) && !run.err.includes(ESC), 'no raw escape code reaches the terminal');
    assert.match(run.out, /No process list exists on disk/);
    assert.match(run.out, /command {6}\["\/bin\/sh","-c","printf '\\u001b\[2J'; exec \/tmp\/implant"\]/);
    assert.match(run.out, /ddx-tl\\x1b\[31mred/);
    assert.match(run.out, /user {9}nobody/);
    assert.match(run.out, /working dir {2}\/srv/);
    assert.match(run.out, /exit code {4}137 {3}OOM killed yes/);
    assert.match(run.out, /restarts {5}2/);
    assert.match(run.out, /started at {3}2026-11-30T10:00:01\.222222222Z/);
    assert.match(run.out, /DB_PASSWORD=•••• \(14 characters, masked/);
    assert.ok(!run.out.includes('hunter2'), 'the secret is not printed');
    const json = drydock(store, ['ps', victim.id, '--data-root', root, '--json', '--no-store']);
    assert.equal(json.code, 0, json.err);
    const config = JSON.parse(json.out) as DataRootProcessConfig;
    assert.equal(config.path, '/bin/sh');
    assert.deepEqual(config.args, ['-c', `printf '${ESC}[2J'; exec /tmp/implant`]);
    assert.equal(config.state.pid, 0);
    assert.equal(config.state.finishedAt, FINISHED);
    assert.ok(config.env.includes('DB_PASSWORD=hunter2-secret'), '--json keeps the record whole');
    assert.ok(config.notes.some((n) => /No process list exists on disk/.test(n)));
    assert.equal(config.stored, undefined, '--no-store stores nothing');
    const running = drydock(store, ['ps', 'ddx-crashed', '--data-root', root]);
    assert.equal(running.code, 0, running.err);
    assert.match(running.out, /pid {10}4242 {3}\(a host PID at that time, not now\)/);
    assert.match(running.out, /PID 4242 was the container's init as a PID of the host's \(not the container's\) namespace/);
    assert.match(running.out, /running yes/);
    const live = drydock(store, ['ps', victim.id, '--data-root', root, '--watch', '2']);
    assert.equal(live.code, 2);
    assert.match(live.err, /a data root has no processes/);
  });

  it('left the data root and its tarball exactly as they were', () => {
    assert.deepEqual(diffTrees(before0, snapshotTree(root)), []);
    assert.equal(snapshotTree(work).get('/docker.tar'), tarBefore);
  });
});
