// The CIS audit against two throwaway engines on this machine: one deliberately weak, one hardened.
// Both share this machine's host files (and it has no systemd or auditd), so the host checks are
// could-not-check on both; what differs is what the Engine API shows of each daemon.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HOST_FILES_REASON } from '../../../main/core/benchmark/host-checks';
import type { BenchmarkCheck, BenchmarkReport } from '../../../shared/domain/benchmark';
import { drydock } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, required, runContainer, startTestCore, type TestCore } from '../../helpers/docker';
import { startSecondEngine, type SecondEngine } from '../../helpers/second-engine';

const WEAK_ARGS = ['--icc=true', '--insecure-registry', '10.0.0.0/8', '--experimental'];
const HARD_ARGS = [
  '--icc=false',
  '--live-restore',
  '--userns-remap=default',
  '--no-new-privileges',
  '--default-ulimit',
  'nofile=1024:2048',
];

/** Every recommendation whose verdict differs between the weak and the hardened engine: [weak, hardened]. */
const CHANGES: Record<string, [string, string]> = {
  '2.2': ['fail', 'pass'], // enable_icc on the default bridge
  '2.4': ['could-not-check', 'pass'], // icc off proves iptables on; otherwise not in the API
  '2.5': ['fail', 'pass'], // RegistryConfig.InsecureRegistryCIDRs has 10.0.0.0/8
  '2.7': ['fail', 'pass'], // /info Warnings: plain HTTP on 127.0.0.1
  '2.9': ['fail', 'pass'], // SecurityOptions name=userns
  '2.15': ['fail', 'pass'], // LiveRestoreEnabled
  '2.18': ['warn', 'pass'], // ExperimentalBuild (Manual in v1.6.0: warn)
};

function byId(report: BenchmarkReport): Map<string, BenchmarkCheck> {
  return new Map(report.checks.map((c) => [c.id, c]));
}

describe('CIS Docker Benchmark on a weak and a hardened engine', () => {
  let t: TestCore;
  let weak: SecondEngine;
  let hard: SecondEngine;
  let weakReport: BenchmarkReport;
  let hardReport: BenchmarkReport;

  before(async () => {
    [weak, hard] = await Promise.all([
      startSecondEngine('ddbw', [BUSYBOX], { daemonArgs: WEAK_ARGS, plainTcp: true }),
      startSecondEngine('ddbh', [BUSYBOX], { daemonArgs: HARD_ARGS, ownNetns: true }),
    ]);
    // The same plain container on both: its section 5 verdicts must not depend on the daemon.
    for (const engine of [weak, hard])
      runContainer(['--name', 'dd-bench-plain', BUSYBOX, 'sleep', '600'], { host: `unix://${engine.socket}` });
    t = startTestCore('drydock-benchmark');
    await t.call('hosts.add', { name: 'weak', url: `unix://${weak.socket}` });
    await t.call('hosts.add', { name: 'hard', url: `unix://${hard.socket}` });
    weakReport = await t.call('benchmark.run', { host: 'weak' });
    hardReport = await t.call('benchmark.run', { host: 'hard' });
  });

  after(async () => {
    await t?.close();
    await Promise.all([weak?.stop(), hard?.stop()]);
  });

  it('pins, check by check, which verdicts change between the weak and the hardened daemon', () => {
    const w = byId(weakReport);
    const h = byId(hardReport);
    const changed: Record<string, [string, string]> = {};
    for (const [id, check] of w) if (check.verdict !== h.get(id)?.verdict) changed[id] = [check.verdict, h.get(id)?.verdict ?? '(missing)'];
    assert.deepEqual(changed, CHANGES);
    assert.equal(weakReport.checks.length, 117);
  });

  it('shows the evidence each changed verdict rests on', () => {
    const field = (report: BenchmarkReport, id: string, name: string) =>
      byId(report)
        .get(id)
        ?.evidence.find((e) => e.field === name)?.value;
    assert.equal(field(weakReport, '2.2', 'Options["com.docker.network.bridge.enable_icc"]'), 'true');
    assert.equal(field(hardReport, '2.2', 'Options["com.docker.network.bridge.enable_icc"]'), 'false');
    assert.match(field(weakReport, '2.5', 'RegistryConfig.InsecureRegistryCIDRs') ?? '', /10\.0\.0\.0\/8/);
    assert.match(field(weakReport, '2.7', 'Warnings') ?? '', /http:\/\/127\.0\.0\.1:\d+ without encryption/);
    assert.match(field(hardReport, '2.9', 'SecurityOptions') ?? '', /name=userns/);
    assert.equal(field(weakReport, '2.15', 'LiveRestoreEnabled'), 'false');
    assert.equal(field(hardReport, '2.15', 'LiveRestoreEnabled'), 'true');
    assert.equal(field(weakReport, '2.18', 'ExperimentalBuild'), 'true');
    // The daemon's --default-ulimit is not in /info (2.8 stays could-not-check) but shows in the
    // containers it starts (5.19, an info verdict on both).
    const ulimits = (report: BenchmarkReport) =>
      byId(report)
        .get('5.19')
        ?.evidence.find((e) => e.subject?.startsWith('container dd-bench-plain'))?.value;
    assert.equal(ulimits(weakReport), '[]');
    assert.match(ulimits(hardReport) ?? '', /"Name":"nofile","Hard":2048,"Soft":1024/);
  });

  it('leaves the host checks and the flags the API does not show could-not-check on both, saying why', () => {
    for (const report of [weakReport, hardReport]) {
      const hostChecks = report.checks.filter((c) => (c.section === 1 && c.id !== '1.2.2') || c.section === 3);
      assert.equal(hostChecks.length, 43);
      for (const c of hostChecks) assert.deepEqual([c.id, c.verdict, c.reason], [c.id, 'could-not-check', HOST_FILES_REASON]);
      for (const id of ['2.3', '2.8', '2.10', '2.14', '2.16']) {
        const c = required(byId(report).get(id), id);
        assert.equal(c.verdict, 'could-not-check', id);
        assert.ok(c.evidence.length > 0 && c.reason.length > 0, id);
      }
    }
  });

  it('judges the running container through the inventory risk flags, with its inspect values', () => {
    const plain = (report: BenchmarkReport, id: string) =>
      byId(report)
        .get(id)
        ?.evidence.filter((e) => e.subject?.startsWith('container dd-bench-plain'));
    for (const report of [weakReport, hardReport]) {
      assert.equal(byId(report).get('5.5')?.verdict, 'pass');
      assert.equal(byId(report).get('5.13')?.verdict, 'fail');
      assert.ok(plain(report, '5.13')?.some((e) => e.source === 'inventory risk flag' && e.field.startsWith('writable-rootfs')));
      assert.ok(plain(report, '4.1')?.some((e) => e.field === 'Config.User' && e.value === '(none: root)' && e.verdict === 'fail'));
    }
  });

  it('stores each report in the case as a benchmark-report artifact', async () => {
    for (const report of [weakReport, hardReport]) {
      const stored = required(report.stored, 'stored');
      const artifact = required(await t.core.evidence.getArtifact(stored.artifactId), 'artifact');
      assert.equal(artifact.kind, 'benchmark-report');
      assert.equal(artifact.sha256, stored.sha256);
      assert.equal(artifact.source.host, report.host);
    }
    assert.equal(weakReport.stored?.caseId, hardReport.stored?.caseId);
  });

  it('drydock audit: exit 6 when the --fail-on gate fails, the report as JSON, exit 2 for a gate it does not know', () => {
    const store = mkdtempSync(path.join(tmpdir(), 'drydock-benchmark-cli-'));
    try {
      const gated = drydock(store, ['audit', '--host', `unix://${weak.socket}`, '--fail-on', 'fail']);
      assert.equal(gated.code, 6, gated.err);
      assert.match(gated.err, /gate failed: \d+ recommendations? at fail: .*2\.2/);
      assert.match(gated.out, /^2\.2 +L1 +fail /m);
      assert.match(gated.err, /recorded: benchmark report \S+ \(sha256 [0-9a-f]{64}\)/);
      const json = drydock(store, ['audit', '--host', `unix://${hard.socket}`, '--json', '--no-record']);
      assert.equal(json.code, 0, json.err);
      const report = JSON.parse(json.out) as BenchmarkReport;
      assert.equal(byId(report).get('2.9')?.verdict, 'pass');
      assert.equal(report.stored, undefined);
      const bad = drydock(store, ['audit', '--host', `unix://${hard.socket}`, '--fail-on', 'high']);
      assert.equal(bad.code, 2);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });
});

describe('CIS Docker Benchmark section 7 on a Swarm manager', () => {
  let t: TestCore;
  let engine: SecondEngine;
  let host = '';

  before(async () => {
    engine = await startSecondEngine('ddbs', []);
    host = `unix://${engine.socket}`;
    // Its own listen port: the swarm must not collide with anything on the machine's 2377.
    docker(['swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', `127.0.0.1:${20000 + ((process.pid + 7) % 20000)}`], {
      host,
    });
    docker(['network', 'create', '-d', 'overlay', 'dd-bench-plain-ovl'], { host });
    docker(['network', 'create', '-d', 'overlay', '--opt', 'encrypted', 'dd-bench-sealed-ovl'], { host });
    t = startTestCore('drydock-benchmark-swarm');
    await t.call('hosts.add', { name: 'swarm', url: host });
  });

  after(async () => {
    await t?.close();
    try {
      docker(['swarm', 'leave', '--force'], { host });
    } catch {
      // Not a swarm member any more.
    }
    await engine?.stop();
  });

  it('judges the swarm from /info, /swarm and the overlay networks; auto-lock turns 7.5 from fail to pass', async () => {
    const before = byId(await t.call('benchmark.run', { host: 'swarm', record: false }));
    const verdict = (m: Map<string, BenchmarkCheck>, id: string) => m.get(id)?.verdict;
    assert.equal(verdict(before, '5.1'), 'fail');
    assert.equal(verdict(before, '2.15'), 'not-applicable');
    assert.equal(verdict(before, '7.1'), 'info');
    assert.equal(verdict(before, '7.2'), 'could-not-check');
    const overlays = required(before.get('7.3'), '7.3');
    assert.equal(overlays.verdict, 'fail');
    const of = (name: string) => overlays.evidence.find((e) => e.subject?.startsWith(`network ${name} `));
    assert.deepEqual([of('dd-bench-plain-ovl')?.verdict, of('dd-bench-plain-ovl')?.value], ['fail', '(absent)']);
    assert.equal(of('dd-bench-sealed-ovl')?.verdict, 'pass');
    assert.equal(verdict(before, '7.4'), 'info');
    assert.deepEqual([verdict(before, '7.5'), before.get('7.5')?.evidence[0]?.value], ['fail', 'false']);
    assert.match(before.get('7.7')?.reason ?? '', /expire after 2160 h/);
    for (const id of ['7.6', '7.8', '7.9']) assert.equal(verdict(before, id), 'could-not-check', id);

    docker(['swarm', 'update', '--autolock=true'], { host });
    const after = byId(await t.call('benchmark.run', { host: 'swarm', record: false }));
    assert.deepEqual([verdict(after, '7.5'), after.get('7.5')?.evidence[0]?.value], ['pass', 'true']);
  });
});

describe('CIS Docker Benchmark section 5 from top and the execs the engine remembers', () => {
  let t: TestCore;
  let suspect = '';
  let plain = '';

  before(async () => {
    // A process named sshd (a shell script of that name), seen through the engine's top.
    suspect = runContainer([
      '--name',
      `dd-bench-sshd-${process.pid}`,
      '-p',
      '127.0.0.1::80',
      '--memory',
      '64m',
      '--pids-limit',
      '50',
      BUSYBOX,
      'sh',
      '-c',
      'printf "#!/bin/sh\\nsleep 600\\n" > /tmp/sshd && chmod +x /tmp/sshd && exec /tmp/sshd',
    ]);
    plain = runContainer(['--name', `dd-bench-quiet-${process.pid}`, BUSYBOX, 'sleep', '600']);
    // The engine forgets an exec when it ends: this one stays running. (A --privileged exec cannot
    // start in a sandbox whose capability bounding set is short, so 5.23's fail is unit-tested.)
    docker(['exec', '-d', '-u', 'root', suspect, 'sleep', '600']);
    t = startTestCore('drydock-benchmark-main');
    await t.call('hosts.add', { name: 'main', url: 'unix:///var/run/docker.sock' });
  });

  after(async () => {
    await t?.close();
    removeContainers([suspect, plain].filter(Boolean));
  });

  it('fails 5.7 and warns 5.24 for the suspect container only, shows its exec under 5.23, and passes its limits and loopback binding', async () => {
    const report = byId(await t.call('benchmark.run', { host: 'main', record: false }));
    const of = (id: string, ref: string) => report.get(id)?.evidence.filter((e) => e.subject?.endsWith(`(${ref.slice(0, 12)})`)) ?? [];
    assert.equal(of('5.7', suspect)[0]?.verdict, 'fail');
    assert.match(of('5.7', suspect)[0]?.value ?? '', /\/tmp\/sshd/);
    assert.deepEqual([of('5.7', plain)[0]?.verdict, of('5.7', plain)[0]?.value], ['pass', 'none']);
    assert.equal(of('5.23', suspect)[0]?.verdict, 'info');
    assert.match(of('5.23', suspect)[0]?.value ?? '', /sleep 600: Privileged=false/);
    assert.equal(of('5.24', suspect)[0]?.verdict, 'warn'); // Manual in v1.6.0
    assert.match(of('5.24', suspect)[0]?.value ?? '', /User=root/);
    assert.deepEqual([of('5.23', plain)[0]?.verdict, of('5.23', plain)[0]?.value], ['info', 'no exec recorded']);
    assert.equal(of('5.11', suspect)[0]?.verdict, 'pass');
    assert.equal(of('5.11', plain)[0]?.verdict, 'fail');
    assert.equal(of('5.29', suspect)[0]?.verdict, 'pass');
    assert.equal(of('5.14', suspect)[0]?.verdict, 'pass');
    assert.match(of('5.14', suspect)[0]?.value ?? '', /127\.0\.0\.1:\d+ -> 80\/tcp/);
  });
});
