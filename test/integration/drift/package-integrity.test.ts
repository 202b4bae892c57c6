// debsums for containers in the drift report: after `apt-get install curl` in a running Debian
// container (this machine's containers reach Debian's mirror), every new file the packages own
// matches the MD5 dpkg recorded and collapses into one high finding for the package operation, no
// critical file entry left; a package-owned binary overwritten in place is critical, with the
// recorded and the actual digest both shown; so is a file of an rpm package (rpm -V's SHA-256).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DriftReport } from '../../../shared/domain/drift';
import { docker, removeContainers, runContainer, startTestCore, type TestCore } from '../../helpers/docker';

const DEBIAN = 'drydock-fixture/debian:bookworm';
const RPM = 'drydock-fixture/sbom-rpm:1';

describe('package integrity in drift reports', () => {
  let t: TestCore;
  const ids: string[] = [];
  let installed: DriftReport;
  let replaced: DriftReport;
  let rpmReplaced: DriftReport;
  let recordedMd5 = '';
  let actualMd5 = '';
  const installedName = `dd-integrity-apt-${process.pid}`;
  const replacedName = `dd-integrity-tr-${process.pid}`;
  const rpmName = `dd-integrity-rpm-${process.pid}`;

  before(async () => {
    t = startTestCore('drydock-integrity');
    ids.push(runContainer(['--name', installedName, DEBIAN, 'sleep', '3600']));
    ids.push(runContainer(['--name', replacedName, DEBIAN, 'sleep', '3600']));
    ids.push(runContainer(['--name', rpmName, RPM, 'sleep', '3600']));
    // A file of the rpm package drydock-probe, rewritten in place.
    docker(['exec', rpmName, 'sh', '-c', 'echo tampered > /usr/share/drydock-probe/README']);
    docker([
      'exec',
      '-e',
      'DEBIAN_FRONTEND=noninteractive',
      installedName,
      'sh',
      '-c',
      'apt-get update -qq && apt-get install -y -qq --no-install-recommends curl >/dev/null',
    ]);
    // Overwritten in place (same inode): the bytes of sleep under coreutils' tr.
    docker(['exec', replacedName, 'sh', '-c', 'cat /bin/sleep > /usr/bin/tr']);
    recordedMd5 = docker(['exec', replacedName, 'sh', '-c', "grep ' usr/bin/tr$' /var/lib/dpkg/info/coreutils.md5sums | cut -d' ' -f1"]);
    actualMd5 = docker(['exec', replacedName, 'sh', '-c', "md5sum /usr/bin/tr | cut -d' ' -f1"]);
    assert.match(recordedMd5, /^[0-9a-f]{32}$/);
    assert.notEqual(recordedMd5, actualMd5);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Integrity case' });
    const started = await t.call('drift.scan', { host: 'local', containers: [installedName, replacedName, rpmName], concurrency: 2 });
    const scan = await t.core.drift.wait(started.id);
    assert.equal(scan.state, 'complete', scan.stateReason);
    const report = (id: string) => {
      const status = scan.containers.find((c) => c.containerId === id);
      assert.ok(status?.reportArtifactId, `a report for ${id}`);
      return t.call('drift.report', { artifactId: status.reportArtifactId });
    };
    installed = await report(ids[0] as string);
    replaced = await report(ids[1] as string);
    rpmReplaced = await report(ids[2] as string);
  });

  after(async () => {
    removeContainers(ids);
    await t.close();
  });

  it('collapses an apt-get install into one high finding for the package operation, with no critical file entry', () => {
    const dpkg = installed.packages.find((p) => p.manager === 'dpkg');
    assert.ok(dpkg && dpkg.added.some((p) => p.name === 'curl'), 'curl is itemised as installed');
    const status = installed.entries.find((e) => e.path === '/var/lib/dpkg/status');
    assert.equal(status?.severity, 'high');
    assert.match(
      status?.reasons[0]?.reason ?? '',
      new RegExp(
        `^${dpkg.added.length} packages installed after start: .*curl \\S+.*; \\d+ of their files match the digests their packages recorded`,
      ),
    );
    const curl = installed.entries.find((e) => e.path === '/usr/bin/curl');
    assert.equal(curl?.severity, 'info');
    assert.equal(curl?.package, 'curl');
    assert.match(curl?.reasons[0]?.reason ?? '', /matches the MD5 package curl recorded for it/);
    const critical = installed.entries.filter((e) => e.severity === 'critical').map((e) => e.path);
    assert.deepEqual(critical, [], 'no file of the installed packages is left critical');
    assert.ok(installed.integrity, 'the report has its integrity check');
    assert.ok((installed.integrity?.verified ?? 0) >= 10, `verified ${installed.integrity?.verified}`);
    assert.deepEqual(installed.integrity?.mismatched, []);
    assert.ok(installed.integrity?.explained.some((e) => e.package === 'curl'));
  });

  it('reports a package-owned binary overwritten in place as critical, with both digests', () => {
    const tr = replaced.entries.find((e) => e.path === '/usr/bin/tr');
    assert.equal(tr?.severity, 'critical');
    assert.equal(tr?.package, 'coreutils');
    assert.match(
      tr?.reasons[0]?.reason ?? '',
      new RegExp(`owned by package coreutils, but no longer what it installed: MD5 recorded ${recordedMd5} .* now ${actualMd5}`),
    );
    assert.deepEqual(
      replaced.integrity?.mismatched.map((m) => [m.path, m.package, m.algorithm, m.recorded, m.actual]),
      [['/usr/bin/tr', 'coreutils', 'md5', recordedMd5, actualMd5]],
    );
    assert.match(replaced.integrity?.mismatched[0]?.sha256 ?? '', /^[0-9a-f]{64}$/);
  });

  it("checks rpm packages' files against the SHA-256 rpm recorded (rpm -V)", () => {
    const readme = rpmReplaced.entries.find((e) => e.path === '/usr/share/drydock-probe/README');
    assert.equal(readme?.severity, 'critical');
    assert.equal(readme?.package, 'drydock-probe');
    const mismatch = rpmReplaced.integrity?.mismatched.find((m) => m.path === '/usr/share/drydock-probe/README');
    assert.equal(mismatch?.algorithm, 'sha256');
    // "probe\n" as rpmbuild packaged it, and what the container holds now.
    assert.equal(mismatch?.recorded, createHash('sha256').update('probe\n').digest('hex'));
    assert.equal(mismatch?.actual, createHash('sha256').update('tampered\n').digest('hex'));
    assert.match(readme?.reasons[0]?.reason ?? '', /owned by package drydock-probe, but no longer what it installed: SHA256 recorded/);
  });
});
