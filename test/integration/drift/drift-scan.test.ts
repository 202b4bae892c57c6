import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DriftEntry, DriftReport, DriftScanInfo, DriftSeverity } from '../../../shared/domain/drift';
import { BUSYBOX, docker, removeContainers, runContainer, required, startTestCore, type TestCore } from '../../helpers/docker';
import { BUSYBOX_PATHS, DEBIAN_PATHS, HOSTILE_NAMES, installTinyDeb, intrude, type IntrusionPaths } from './intrusion';

const DEBIAN = 'drydock-fixture/debian:bookworm';
const RANK: Record<DriftSeverity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

function entry(report: DriftReport, path: string): DriftEntry {
  const found = report.entries.find((e) => e.path === path);
  assert.ok(found, `${JSON.stringify(path)} is in the report of ${report.containerName}`);
  return found;
}

function expectFinding(
  report: DriftReport,
  path: string,
  expected: { verdict: DriftEntry['verdict']; class: DriftEntry['classes'][number]; atLeast: DriftSeverity },
): DriftEntry {
  const e = entry(report, path);
  assert.equal(e.verdict, expected.verdict, `${path}: verdict`);
  assert.ok(e.classes.includes(expected.class), `${path}: class ${expected.class} in ${e.classes.join(',')}`);
  assert.ok(RANK[e.severity] >= RANK[expected.atLeast], `${path}: ${e.severity} is at least ${expected.atLeast}`);
  return e;
}

/** The intrusion both images share, found and classified. */
function expectCommonFindings(report: DriftReport, paths: IntrusionPaths): void {
  const dropped = expectFinding(report, paths.dropped, { verdict: 'added', class: 'executable', atLeast: 'critical' });
  assert.equal(dropped.container?.executable, 'elf');
  assert.equal(dropped.content.state, 'stored');
  const passwd = expectFinding(report, '/etc/passwd', { verdict: 'content-changed', class: 'credentials', atLeast: 'critical' });
  assert.match(passwd.reasons[0]!.reason, /added evil; now uid 0: evil/);
  expectFinding(report, '/root/.ssh/authorized_keys', { verdict: 'added', class: 'credentials', atLeast: 'critical' });
  expectFinding(report, paths.cron, { verdict: 'added', class: 'persistence', atLeast: 'high' });
  expectFinding(report, paths.config, { verdict: 'content-changed', class: 'config', atLeast: 'medium' });
  const reverted = entry(report, paths.reverted);
  assert.equal(reverted.verdict, 'identical', 'touched and reverted is not a content change');
  assert.equal(reverted.severity, 'info');
  assert.equal(reverted.container?.sha256, reverted.image?.sha256);
  const deleted = expectFinding(report, paths.deleted, { verdict: 'deleted', class: 'deleted', atLeast: 'medium' });
  assert.ok(deleted.image, 'a deletion carries the image version');
  const setuid = expectFinding(report, paths.setuid, { verdict: 'metadata-only', class: 'setuid', atLeast: 'critical' });
  assert.equal(setuid.container!.mode & 0o4000, 0o4000);
  assert.equal(setuid.container?.sha256, setuid.image?.sha256, 'same content, new mode');
  const link = expectFinding(report, '/tmp/lnk', { verdict: 'added', class: 'symlink', atLeast: 'high' });
  assert.equal(link.container?.linkTarget, '/etc/shadow');
  assert.equal(link.content.state, 'not-regular', 'the link is recorded, never followed');
  for (const name of [HOSTILE_NAMES.newline, HOSTILE_NAMES.html, HOSTILE_NAMES.escape]) {
    const e = expectFinding(report, name, { verdict: 'added', class: 'hostile-name', atLeast: 'high' });
    assert.equal(e.pathBase64, undefined, 'valid UTF-8 needs no byte form');
  }
  const invalid = report.entries.find((e) => e.pathBase64 !== undefined);
  assert.ok(invalid, 'the invalid UTF-8 name is in the report');
  assert.ok(Buffer.from(invalid.pathBase64!, 'base64').equals(HOSTILE_NAMES.invalidUtf8), 'its exact bytes survive');
  assert.ok(invalid.classes.includes('hostile-name'));
  assert.equal(invalid.content.state, 'stored');
}

describe('drift scans on the real engine', () => {
  let t: TestCore;
  let debianId = '';
  let busyboxId = '';
  let scan: DriftScanInfo;
  let debian: DriftReport;
  let busybox: DriftReport;
  const debianName = `dd-drift-deb-${process.pid}`;
  const busyboxName = `dd-drift-bb-${process.pid}`;

  before(async () => {
    t = startTestCore('drydock-drift');
    debianId = runContainer(['--name', debianName, '-e', 'API_TOKEN=not-a-real-secret-0123456789', DEBIAN, 'sleep', '3600']);
    busyboxId = runContainer(['--name', busyboxName, '-v', '/data', '--tmpfs', '/scratch', BUSYBOX, 'sleep', '3600']);
    intrude(debianId, DEBIAN_PATHS, '/bin/ls');
    installTinyDeb(debianId);
    // uncompress is a hard link to gunzip in the image: the index must see a file with gunzip's bytes.
    docker(['exec', debianId, 'chmod', '700', '/usr/bin/uncompress']);
    docker(['exec', debianId, 'cp', '/bin/sleep', '/tmp/.sleeper']);
    docker(['exec', '-d', debianId, '/tmp/.sleeper', '3000']);
    intrude(busyboxId, BUSYBOX_PATHS, '/bin/busybox');
    docker(['exec', busyboxId, 'sh', '-c', 'echo one > /data/a.txt; mkdir -p /data/sub; echo two > /data/sub/b.txt']);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('evidence.case-create', { name: 'Drift case' });
    const started = await t.call('drift.scan', {
      host: 'local',
      containers: [debianName, busyboxName],
      concurrency: 2,
      contentCapBytes: 8 * 1024 * 1024,
    });
    scan = await t.core.drift.wait(started.id);
    const report = async (id: string) => {
      const status = scan.containers.find((c) => c.containerId === id);
      assert.ok(status?.reportArtifactId, `a report for ${id}`);
      return await t.call('drift.report', { artifactId: status.reportArtifactId });
    };
    debian = await report(debianId);
    busybox = await report(busyboxId);
  });

  after(async () => {
    removeContainers([debianId, busyboxId]);
    await t.close();
  });

  it('completes and ranks both containers with a stored host summary', () => {
    assert.equal(scan.state, 'complete', scan.stateReason);
    assert.equal(scan.total, 2);
    assert.ok(scan.summaryArtifactId);
    assert.ok(scan.containers.every((c) => c.state === 'complete' && c.topSeverity === 'critical'));
    const scores = scan.containers.map((c) => c.score ?? 0);
    assert.deepEqual(
      [...scores].sort((a, b) => b - a),
      scores,
      'ranked by score',
    );
  });

  it('finds and classifies every intrusion on Debian', () => {
    expectCommonFindings(debian, DEBIAN_PATHS);
    assert.equal(debian.status, 'complete');
    assert.equal(debian.imageIndex?.imageId, debian.imageId);
  });

  it('finds and classifies every intrusion on busybox', () => {
    expectCommonFindings(busybox, BUSYBOX_PATHS);
    const wget = entry(busybox, '/bin/wget');
    assert.equal(wget.image?.type, 'symlink');
  });

  it('compares hard-linked files by content, not as a type change', () => {
    // overlayfs copies up only the name that was changed: the other name of the inode stays as it was.
    for (const path of ['/usr/bin/uncompress']) {
      const e = entry(debian, path);
      assert.equal(e.verdict, 'metadata-only', `${path}: ${e.verdict}`);
      assert.deepEqual(
        e.differences.filter((d) => d !== 'mtime'),
        ['mode'],
      );
      assert.equal(e.container?.sha256, e.image?.sha256);
    }
  });

  it('itemises the package installed with dpkg and attributes its files', () => {
    const db = debian.packages.find((p) => p.manager === 'dpkg');
    assert.ok(db);
    assert.deepEqual(
      db.added.map((p) => `${p.name} ${p.version}`),
      ['drydock-hello 1.0'],
    );
    assert.deepEqual(db.removed, []);
    const status = entry(debian, '/var/lib/dpkg/status');
    assert.equal(status.severity, 'high');
    assert.match(status.reasons[0]!.reason, /^1 package installed after start: drydock-hello 1\.0 \(dpkg\)/);
    // Its file matches the MD5 dpkg recorded at installation: explained by the package finding above (issue 17).
    const binary = expectFinding(debian, '/usr/bin/drydock-hello', { verdict: 'added', class: 'executable', atLeast: 'info' });
    assert.equal(binary.container?.executable, 'script');
    assert.equal(binary.package, 'drydock-hello');
    assert.equal(binary.severity, 'info');
    assert.match(binary.reasons[0]!.reason, /matches the MD5 package drydock-hello recorded for it/);
  });

  it('compares configuration with secrets masked, and lists what the diff cannot see', () => {
    const token = debian.config.find((c) => c.field === 'env' && c.key === 'API_TOKEN');
    assert.equal(token?.masked, true);
    assert.ok(!JSON.stringify(debian).includes('not-a-real-secret'), 'the secret is not in the report');
    assert.ok(debian.risks.some((r) => r.id === 'root-user'));
    const spots = busybox.blindSpots.map((b) => `${b.type} ${b.destination}`);
    assert.ok(spots.includes('volume /data'), spots.join(', '));
    assert.ok(spots.includes('tmpfs /scratch'));
    assert.ok(spots.includes('docker-managed /etc/resolv.conf'));
  });

  it('stores file contents as container-file artifacts with the exact path, and audits the scan', async () => {
    const files = await t.call('evidence.artifacts', { kind: 'container-file' });
    const escape = files.find((a) => a.source.path === HOSTILE_NAMES.escape && a.source.containerId === debianId);
    assert.ok(escape, 'the escape-code name is stored exactly as the source path');
    const invalid = files.find((a) => a.attributes.pathBase64 !== undefined && a.source.containerId === busyboxId);
    assert.ok(invalid && Buffer.from(String(invalid.attributes.pathBase64), 'base64').equals(HOSTILE_NAMES.invalidUtf8));
    const reports = await t.call('evidence.artifacts', { kind: 'drift-report' });
    assert.equal(reports.length, 3, 'two container reports and the host summary');
    const audit = await t.call('evidence.audit', {});
    const started = audit.find((a) => a.action === 'drift.scan-started' && a.details.scanId === scan.id);
    const finished = audit.find((a) => a.action === 'drift.scan-finished' && a.details.scanId === scan.id);
    assert.ok(started && finished);
    assert.equal(finished.details.state, 'complete');
    const verify = await t.call('evidence.verify', {});
    assert.equal(verify.ok, true);
  });

  it('previews stored bytes as text, hex and strings, and the image side of a changed file', async () => {
    const dropped = entry(debian, DEBIAN_PATHS.dropped);
    const hex = await t.call('drift.file', {
      source: { artifactId: required(dropped.content.artifactId, 'the dropped file stored') },
      view: 'hex',
      length: 64,
    });
    assert.equal(hex.hex?.[0]?.hex.slice(0, 11), '7f 45 4c 46', 'ELF magic');
    assert.equal(hex.binary, true);
    const strings = await t.call('drift.file', {
      source: { artifactId: required(dropped.content.artifactId, 'the dropped file stored') },
      view: 'strings',
      length: 1024 * 1024,
    });
    assert.ok((strings.strings ?? []).length > 10);
    const passwd = entry(debian, '/etc/passwd');
    const containerSide = await t.call('drift.file', {
      source: { artifactId: required(passwd.content.artifactId, '/etc/passwd stored') },
      view: 'text',
    });
    const imageSide = await t.call('drift.file', { source: { imageId: debian.imageId, path: '/etc/passwd' }, view: 'text' });
    assert.match(containerSide.text ?? '', /^evil:x:0:0:/m);
    assert.doesNotMatch(imageSide.text ?? '', /evil/);
    assert.equal(imageSide.sha256, passwd.image?.sha256);
    assert.equal(containerSide.sha256, passwd.container?.sha256);
  });

  it('cross-references the latest drift report in process snapshots', async () => {
    const result = await t.call('processes.snapshot', { host: 'local', container: debianName });
    assert.equal(result.snapshot.drift.checked, true);
    const sleeper = result.snapshot.processes.find((p) => p.args.startsWith('/tmp/.sleeper'));
    assert.ok(
      sleeper?.flags.some((f) => f.kind === 'not-from-image'),
      'the process runs a binary the image never had',
    );
    const init = result.snapshot.processes.find((p) => p.isInit);
    assert.ok(!init?.flags.some((f) => f.kind === 'not-from-image'));
  });

  it('hash-inventories a mount the diff cannot see', async () => {
    const result = await t.call('drift.mount-inventory', { host: 'local', container: busyboxName, destination: '/data' });
    assert.equal(result.status, 'complete');
    assert.equal(result.files, 4, '/data, a.txt, sub, sub/b.txt');
    const refused = await t.dispatch('drift.mount-inventory', { host: 'local', container: busyboxName, destination: '/etc' });
    assert.equal(refused.ok, false);
  });

  it('cancels a running scan, keeps what it had, and resumes it to completion', async () => {
    const started = await t.call('drift.scan', { host: 'local', containers: [busyboxName, debianName], concurrency: 1 });
    const cancelled = await t.call('drift.cancel', { scanId: started.id });
    assert.equal(cancelled.cancelled, true);
    const ended = await t.core.drift.wait(started.id);
    assert.equal(ended.state, 'cancelled');
    assert.ok(ended.containers.some((c) => c.state === 'cancelled'));
    await t.call('drift.resume', { scanId: started.id });
    const resumed = await t.core.drift.wait(started.id);
    assert.equal(resumed.state, 'complete', resumed.stateReason);
    assert.ok(resumed.containers.every((c) => c.state === 'complete'));
    const listed = await t.call('drift.list', { host: 'local' });
    assert.ok(listed.some((s) => s.id === started.id && s.state === 'complete'));
  });

  it('applies user noise rules on the next scan: demoted, never dropped', async () => {
    const rules = await t.call('drift.rules', {});
    await t.call('drift.rules-set', {
      rules: [...rules, { id: 'fixture-config', pattern: '/etc/nsswitch.conf', demoteTo: 'info', description: 'test' }],
    });
    const started = await t.call('drift.scan', { host: 'local', containers: [busyboxName] });
    const ended = await t.core.drift.wait(started.id);
    const report = await t.call('drift.report', { artifactId: required(ended.containers[0]?.reportArtifactId, 'a report') });
    const config = entry(report, '/etc/nsswitch.conf');
    assert.equal(config.severity, 'info');
    assert.deepEqual(config.demoted, { ruleId: 'fixture-config', from: 'medium' });
    const dropped = entry(report, BUSYBOX_PATHS.dropped);
    assert.equal(dropped.severity, 'critical', 'executables are not demoted');
    assert.equal(
      dropped.content.state,
      'stored',
      'busybox is over the default 1 MiB cap, but an ELF is key evidence: stored up to the 256 MiB cap',
    );
    assert.match(dropped.container?.sha256 ?? '', /^[a-f0-9]{64}$/);
  });
});
