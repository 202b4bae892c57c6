// Issue 12, faults 4 and 5 and the renamed directory: names that are not UTF-8 and collide once
// made text, a change the engine's change list cannot see, and a directory moved away.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DriftEntry, DriftReport, DriftScanInfo } from '../../../shared/domain/drift';
import { BUSYBOX, docker, removeContainers, runContainer, required, startTestCore, type TestCore } from '../../helpers/docker';

const WEB = 'drydock-fixture/web:1';

/** Files named /tmp/h\xE4, /tmp/h\xE5 … made inside the container with busybox printf (octal escapes). */
function collidingNames(containerId: string, count: number): Buffer[] {
  const bytes = [0xe4, 0xe5, 0xe6].slice(0, count);
  docker(['exec', containerId, 'sh', '-c', bytes.map((b) => `printf x > "$(printf '/tmp/h\\${b.toString(8)}')"`).join('; ')]);
  return bytes.map((b) => Buffer.concat([Buffer.from('/tmp/h'), Buffer.from([b])]));
}

function underTmpH(report: DriftReport): DriftEntry[] {
  return report.entries.filter((e) => e.path === '/tmp/h\uFFFD');
}

describe('drift on hostile names and the blind spots of the change list', () => {
  let t: TestCore;
  const ids: string[] = [];
  const names = {
    two: `dd-drift-two-${process.pid}`,
    three: `dd-drift-three-${process.pid}`,
    touched: `dd-drift-touch-${process.pid}`,
    moved: `dd-drift-moved-${process.pid}`,
    socket: `dd-drift-socket-${process.pid}`,
  };
  let raw2: Buffer[] = [];
  let raw3: Buffer[] = [];
  const reports = new Map<string, DriftReport>();

  async function scan(containers: string[], extra: Record<string, unknown> = {}): Promise<DriftScanInfo> {
    const started = await t.call('drift.scan', { host: 'local', containers, concurrency: 2, ...extra });
    return t.core.drift.wait(started.id);
  }

  before(async () => {
    t = startTestCore('drydock-drift-hostile');
    for (const name of [names.two, names.three, names.touched]) ids.push(runContainer(['--name', name, BUSYBOX, 'sleep', '3600']));
    ids.push(runContainer(['--name', names.moved, WEB]));
    ids.push(runContainer(['--name', names.socket, '-v', '/var/run/docker.sock:/var/run/docker.sock', BUSYBOX, 'sleep', '3600']));
    raw2 = collidingNames(names.two, 2);
    raw3 = collidingNames(names.three, 3);
    // Content changed (same length), size and mtime put back: the storage driver's change list does not list it.
    docker([
      'exec',
      names.touched,
      'sh',
      '-c',
      "cp -p /etc/nsswitch.conf /tmp/ref && printf 'hosts: evil1 dns\\n' > /etc/nsswitch.conf && touch -r /tmp/ref /etc/nsswitch.conf && rm /tmp/ref",
    ]);
    docker(['exec', '-u', '0', names.moved, 'mv', '/var/www/html', '/var/www/moved']);
    // A dropped ELF of more than 2 MiB: over the 1 MiB content cap, under the key-evidence cap.
    docker([
      'exec',
      names.touched,
      'sh',
      '-c',
      'cp /bin/busybox /tmp/.big && dd if=/dev/zero bs=1024 count=2048 >> /tmp/.big 2>/dev/null && chmod 755 /tmp/.big',
    ]);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Hostile drift case' });
    const done = await scan(Object.values(names));
    assert.equal(done.state, 'complete', done.stateReason);
    for (const c of done.containers)
      reports.set(
        c.containerName,
        await t.call('drift.report', { artifactId: required(c.reportArtifactId, `a report for ${c.containerName}`) }),
      );
  });

  after(async () => {
    removeContainers(ids);
    await t.close();
  });

  it('reports a bind-mount point the engine created as a mount point, not as a file that vanished while scanned', () => {
    const report = required(reports.get(names.socket), 'the socket container report');
    const entry = report.entries.find((e) => e.path === '/var/run/docker.sock');
    assert.ok(entry, 'the engine lists the mount point it created');
    assert.deepEqual(
      entry.reasons.map((r) => [r.severity, r.reason]),
      [['info', 'a mount point the engine created to mount over it; what is mounted there is not in this diff (see Not covered)']],
    );
    assert.ok(
      report.blindSpots.some((b) => b.destination === '/var/run/docker.sock'),
      'what is mounted there is a blind spot',
    );
  });

  for (const [label, key, rawOf] of [
    ['two', 'two', () => raw2],
    ['three', 'three', () => raw3],
  ] as const) {
    it(`gives one entry per name for ${label} names that differ only in invalid bytes`, () => {
      const report = reports.get(names[key])!;
      const entries = underTmpH(report);
      const expected = rawOf();
      assert.equal(entries.length, expected.length, `entries: ${entries.map((e) => e.pathBase64).join(', ')}`);
      const got = entries.map((e) => Buffer.from(e.pathBase64 ?? '', 'base64').toString('hex')).sort();
      assert.deepEqual(got, expected.map((b) => b.toString('hex')).sort(), 'each name once, by its exact bytes');
      for (const e of entries) {
        assert.equal(e.verdict, 'added');
        assert.equal(e.content.state, 'stored');
      }
    });
  }

  it('states in every report that content changed under a restored size and mtime is not in the change list', () => {
    for (const report of reports.values()) {
      assert.ok(
        report.limitations.some((l) => /size and modification time/.test(l) && /change list/.test(l)),
        `${report.containerName}: ${JSON.stringify(report.limitations)}`,
      );
    }
    const touched = reports.get(names.touched)!;
    assert.equal(
      touched.entries.find((e) => e.path === '/etc/nsswitch.conf'),
      undefined,
      'the engine does not list it (if it ever does, the limitation can go)',
    );
  });

  it('stores a dropped ELF over the default content cap (key evidence), by a default scan', async () => {
    const report = reports.get(names.touched)!;
    const big = report.entries.find((e) => e.path === '/tmp/.big');
    assert.ok(big && big.container && big.container.size > 2 * 1024 * 1024, 'the 2 MiB ELF is in the report');
    assert.equal(big.container.executable, 'elf');
    assert.equal(report.contentCapBytes, 1024 * 1024, 'the default content cap');
    assert.equal(big.content.state, 'stored', big.content.note);
    const artifact = await t.call('evidence.artifact', { artifactId: required(big.content.artifactId, 'the big file stored') });
    assert.equal(artifact.sha256, big.container.sha256);
    assert.equal(artifact.size, big.container.size);
  });

  it('lists the children of a directory moved away, and pairs them with the new place as a probable move', () => {
    const report = reports.get(names.moved)!;
    const gone = report.entries.find((e) => e.path === '/var/www/html/index.html');
    assert.ok(gone, `the moved directory's child is listed: ${report.entries.map((e) => `${e.verdict} ${e.path}`).join(', ')}`);
    assert.equal(gone.verdict, 'deleted');
    assert.ok(gone.image?.sha256);
    assert.equal(gone.movedTo, '/var/www/moved/index.html');
    const arrived = report.entries.find((e) => e.path === '/var/www/moved/index.html');
    assert.equal(arrived?.movedFrom, '/var/www/html/index.html');
    assert.equal(arrived?.container?.sha256, gone.image?.sha256);
    const dir = report.entries.find((e) => e.path === '/var/www/html');
    assert.equal(dir?.movedTo, '/var/www/moved', 'the directory pair is marked too');
  });
});
