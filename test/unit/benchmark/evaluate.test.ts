import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerInspectInfo } from 'dockerode';
import { CATALOG } from '../../../main/core/benchmark/catalog';
import { evaluateBenchmark } from '../../../main/core/benchmark/evaluate';
import { normalizeInfo, type EngineFacts, type InfoFacts } from '../../../main/core/benchmark/facts';
import { HOST_FILES_REASON } from '../../../main/core/benchmark/host-checks';
import { assessRisks } from '../../../main/core/inventory/risk-flags';
import { gateHits, type BenchmarkCheck, type BenchmarkReport } from '../../../shared/domain/benchmark';

const BRIDGE = {
  id: 'b'.repeat(64),
  name: 'bridge',
  driver: 'bridge',
  options: { 'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': 'true' },
};

function facts(info: InfoFacts, extra: Partial<EngineFacts> = {}): EngineFacts {
  return {
    info,
    apiVersion: '1.41',
    defaultBridge: BRIDGE,
    networks: [BRIDGE],
    containers: [],
    containerTotal: 0,
    images: [],
    imagesInUse: new Set(),
    swarm: undefined,
    ...extra,
  };
}

function verdicts(checks: BenchmarkCheck[]): Map<string, string> {
  return new Map(checks.map((c) => [c.id, c.verdict]));
}

const WEAK: InfoFacts = {
  ServerVersion: '20.10.24',
  Driver: 'vfs',
  Debug: false,
  LoggingDriver: 'json-file',
  LiveRestoreEnabled: false,
  ExperimentalBuild: true,
  SecurityOptions: ['name=seccomp,profile=default'],
  Warnings: [
    'WARNING: API is accessible on http://127.0.0.1:2375 without encryption.\n         Access to the remote API is equivalent to root access on the host.',
  ],
  Plugins: { Authorization: null },
  RegistryConfig: {
    InsecureRegistryCIDRs: ['10.0.0.0/8', '127.0.0.0/8'],
    IndexConfigs: { 'docker.io': { Name: 'docker.io', Secure: true } },
  },
  Swarm: { LocalNodeState: 'inactive' },
};

describe('CIS benchmark evaluation', () => {
  it('judges every recommendation of the catalog exactly once, in order, each with evidence', () => {
    const checks = evaluateBenchmark(facts(WEAK));
    assert.deepEqual(
      checks.map((c) => c.id),
      CATALOG.map((e) => e.id),
    );
    assert.equal(CATALOG.length, 117);
    for (const c of checks) {
      assert.ok(c.evidence.length > 0, `${c.id} has no evidence`);
      assert.ok(c.reason.length > 0, `${c.id} has no reason`);
      assert.equal(c.scored, c.assessment === 'automated');
    }
  });

  it('leaves every host-file check (sections 1 and 3, but the version) could-not-check with the reason', () => {
    const checks = evaluateBenchmark(facts(WEAK)).filter((c) => c.section === 1 || c.section === 3);
    for (const c of checks.filter((x) => x.id !== '1.2.2')) {
      assert.equal(c.verdict, 'could-not-check', c.id);
      assert.equal(c.reason, HOST_FILES_REASON);
    }
    assert.equal(checks.find((c) => c.id === '1.2.2')?.verdict, 'info');
  });

  it('reads section 2 from /info and the default bridge: weak and hardened differ where the API shows it', () => {
    const hard: InfoFacts = {
      ...WEAK,
      LiveRestoreEnabled: true,
      ExperimentalBuild: false,
      SecurityOptions: ['name=seccomp,profile=default', 'name=userns'],
      Warnings: null,
      RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {} },
      Plugins: { Authorization: ['authz-broker'] },
      LoggingDriver: 'syslog',
    };
    const hardBridge = { ...BRIDGE, options: { ...BRIDGE.options, 'com.docker.network.bridge.enable_icc': 'false' } };
    const weak = verdicts(evaluateBenchmark(facts(WEAK)));
    const strong = verdicts(evaluateBenchmark(facts(hard, { defaultBridge: hardBridge, networks: [hardBridge] })));
    const expected: Record<string, [string, string]> = {
      '2.2': ['fail', 'pass'],
      '2.4': ['could-not-check', 'pass'],
      '2.5': ['fail', 'pass'],
      '2.7': ['fail', 'pass'],
      '2.9': ['fail', 'pass'],
      '2.12': ['fail', 'pass'],
      '2.13': ['fail', 'pass'],
      '2.15': ['fail', 'pass'],
      '2.18': ['warn', 'pass'],
    };
    for (const [id, [w, h]] of Object.entries(expected)) assert.deepEqual([weak.get(id), strong.get(id)], [w, h], id);
    for (const id of ['2.3', '2.8', '2.10', '2.14', '2.16'])
      assert.deepEqual([weak.get(id), strong.get(id)], ['could-not-check', 'could-not-check'], id);
  });

  it('takes section 5 from the inventory risk flags, per running container, with the values as evidence', () => {
    const inspect = {
      Id: 'c'.repeat(64),
      Name: '/web',
      Image: 'sha256:' + 'a'.repeat(64),
      AppArmorProfile: '',
      ExecIDs: null,
      Config: { User: '', Image: 'web:latest', Labels: {} },
      State: { Status: 'running', Running: true },
      HostConfig: { Privileged: true, NetworkMode: 'host', PidsLimit: 100, Memory: 0, SecurityOpt: null, ReadonlyRootfs: true },
      Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', RW: true, Propagation: 'rprivate' }],
      NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '80' }] }, Networks: { host: {} } },
    } as unknown as ContainerInspectInfo;
    const risks = assessRisks(inspect, { missing: false, dangling: false });
    const checks = evaluateBenchmark(
      facts(WEAK, {
        containers: [
          {
            inspect,
            risks,
            processes: { commands: ['/usr/sbin/sshd -D'] },
            execs: [{ id: 'e'.repeat(64), privileged: true, user: 'root', command: 'sh' }],
          },
        ],
        containerTotal: 1,
      }),
    );
    const v = verdicts(checks);
    for (const id of ['4.1', '5.5', '5.7', '5.8', '5.10', '5.11', '5.14', '5.23', '5.24', '5.26', '5.27', '5.32'])
      assert.notEqual(v.get(id), 'pass', id);
    for (const id of ['5.13', '5.29', '5.16']) assert.equal(v.get(id), 'pass', id);
    const privileged = checks.find((c) => c.id === '5.5');
    assert.ok(
      privileged?.evidence.some(
        (e) => e.field === 'HostConfig.Privileged' && e.value === 'true' && e.subject === `container web (${'c'.repeat(12)})`,
      ),
    );
    assert.ok(privileged?.evidence.some((e) => e.source === 'inventory risk flag' && e.field.startsWith('privileged')));
  });

  it('gates on failures, or on failures and warnings', () => {
    const checks = evaluateBenchmark(facts(WEAK));
    const report = { checks } as BenchmarkReport;
    const fails = gateHits(report, 'fail');
    const warns = gateHits(report, 'warn');
    assert.ok(fails.length > 0 && fails.every((c) => c.verdict === 'fail'));
    assert.ok(warns.length > fails.length && warns.some((c) => c.verdict === 'warn'));
  });

  it('reads a hostile /info field by field: wrong types count as not reported, never as a pass', () => {
    const junk = {
      SecurityOptions: 'name=userns',
      LiveRestoreEnabled: 'true',
      ExperimentalBuild: 1,
      Debug: null,
      Warnings: [42, 'WARNING: API is accessible on http://0.0.0.0:2375 without encryption.'],
      Plugins: { Authorization: [{ evil: true }] },
      RegistryConfig: {
        InsecureRegistryCIDRs: { 0: '10.0.0.0/8' },
        IndexConfigs: { 'evil.example': { Secure: 'no' }, 'plain.example': { Secure: false } },
      },
      DriverStatus: [['Base Device Size', 7], 'x'],
      Swarm: [],
    };
    const info = normalizeInfo(junk);
    assert.deepEqual(info.Warnings, ['WARNING: API is accessible on http://0.0.0.0:2375 without encryption.']);
    assert.equal(info.SecurityOptions, undefined);
    assert.equal(info.LiveRestoreEnabled, undefined);
    assert.deepEqual(info.Plugins, { Authorization: [] });
    const v = verdicts(evaluateBenchmark(facts(info)));
    assert.equal(v.get('2.9'), 'fail');
    assert.equal(v.get('2.15'), 'fail');
    assert.equal(v.get('2.18'), 'could-not-check');
    assert.equal(v.get('2.7'), 'fail');
    assert.equal(v.get('2.5'), 'fail'); // plain.example is Secure: false
    assert.equal(v.get('7.1'), 'not-applicable');
    for (const raw of [null, 'x', 42, [], { Swarm: 'active' }])
      assert.equal(evaluateBenchmark(facts(normalizeInfo(raw))).length, CATALOG.length);
  });

  it('decides the daemon settings the API hides from daemon.json when it sets them, and says why not otherwise', () => {
    const hostFiles = (text: string | undefined) => ({
      stats: new Map(),
      missing: new Set(text === undefined ? ['/etc/docker/daemon.json'] : []),
      texts: new Map(text === undefined ? [] : [['/etc/docker/daemon.json', text]]),
      dockerSocket: '/var/run/docker.sock',
    });
    const hardened = verdicts(
      evaluateBenchmark(facts(WEAK, { hostFiles: hostFiles('{"no-new-privileges": true, "userland-proxy": false, "iptables": true}') })),
    );
    assert.equal(hardened.get('2.14'), 'pass');
    assert.equal(hardened.get('2.16'), 'pass');
    assert.equal(hardened.get('2.4'), 'pass');
    const weak = verdicts(
      evaluateBenchmark(facts(WEAK, { hostFiles: hostFiles('{"no-new-privileges": false, "userland-proxy": true, "iptables": false}') })),
    );
    assert.equal(weak.get('2.14'), 'fail');
    assert.equal(weak.get('2.16'), 'fail');
    assert.equal(weak.get('2.4'), 'fail');
    for (const files of [hostFiles(undefined), hostFiles('{not json'), hostFiles('{}')]) {
      const checks = evaluateBenchmark(facts(WEAK, { hostFiles: files }));
      const check = checks.find((c) => c.id === '2.14');
      assert.equal(check?.verdict, 'could-not-check');
      assert.match(check?.reason ?? '', /command line/);
    }
    const missing = evaluateBenchmark(facts(WEAK, { hostFiles: hostFiles(undefined) })).find((c) => c.id === '2.16');
    assert.match(missing?.reason ?? '', /daemon\.json does not exist/);
  });
});
