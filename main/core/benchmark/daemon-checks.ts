import type { BenchmarkCheck } from '../../../shared/domain/benchmark';
import type { EngineFacts } from './facts';
import { ev, notMet, result } from './verdicts';

const INFO = 'GET /info';
const NOT_IN_API = 'not exposed by the Engine API (a dockerd flag or daemon.json key)';

const DAEMON_JSON = '/etc/docker/daemon.json';

/** daemon.json as the host-file helper read it: its keys, or why there are none to read. */
function daemonJson(facts: EngineFacts): { keys: Record<string, unknown> } | { why: string } {
  const files = facts.hostFiles;
  if (!files)
    return {
      why: "the engine host's files were not read: 'read host files' in the app's Audit view, or drydock audit without --no-host-files",
    };
  if ('error' in files) return { why: `the engine host's files could not be read: ${files.error}` };
  if (files.missing.has(DAEMON_JSON)) return { why: `${DAEMON_JSON} does not exist on the engine's host` };
  const text = files.texts.get(DAEMON_JSON);
  if (text === undefined) return { why: `${DAEMON_JSON} was not read` };
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return { keys: parsed as Record<string, unknown> };
    return { why: `${DAEMON_JSON} is not a JSON object` };
  } catch {
    return { why: `${DAEMON_JSON} is not valid JSON (dockerd would refuse to start with it)` };
  }
}

/**
 * A daemon setting the Engine API does not report, decided from daemon.json when it sets `key`
 * (`decide` gives the verdict and why); otherwise could-not-check: dockerd's command line, which
 * could also set it, is not read (that needs the host's PID namespace).
 */
function flagOnly(
  id: string,
  flag: string,
  facts?: EngineFacts,
  key?: string,
  decide?: (value: unknown) => [BenchmarkCheck['verdict'], string],
): BenchmarkCheck {
  const json = facts && key ? daemonJson(facts) : undefined;
  if (json && 'keys' in json && key && decide && Object.prototype.hasOwnProperty.call(json.keys, key)) {
    const value = json.keys[key];
    const [verdict, why] = decide(value);
    return result(
      id,
      verdict,
      `${why} (daemon.json sets "${key}"; a dockerd command-line flag would override it, and the command line is not read)`,
      [ev(`host file ${DAEMON_JSON}`, key, value)],
    );
  }
  const reason = json && 'why' in json ? json.why : json ? `daemon.json does not set "${key ?? ''}"` : '';
  return result(
    id,
    'could-not-check',
    `The Engine API does not report ${flag}; it needs the daemon's command line (not read: that needs the host's PID namespace) or daemon.json${reason ? ` (${reason})` : ''}`,
    [ev('dockerd flags / daemon.json', flag, NOT_IN_API)],
  );
}

/** name=seccomp,profile=default → { name: 'seccomp', profile: 'default' } */
function securityOption(options: readonly string[], name: string): Record<string, string> | undefined {
  for (const option of options) {
    const fields = Object.fromEntries(
      option
        .split(',')
        .map((kv) => [
          kv.slice(0, kv.indexOf('=') < 0 ? kv.length : kv.indexOf('=')),
          kv.includes('=') ? kv.slice(kv.indexOf('=') + 1) : '',
        ]),
    );
    if (fields['name'] === name) return fields;
  }
  return undefined;
}

/** API versions compare numerically: 1.9 < 1.41. */
export function apiAtLeast(version: string, wanted: string): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  const [c = 0, d = 0] = wanted.split('.').map(Number);
  return a > c || (a === c && b >= d);
}

/** Section 2: the daemon's configuration, as far as /info, /version and the default bridge show it. */
export function daemonChecks(facts: EngineFacts): BenchmarkCheck[] {
  const { info } = facts;
  const options = info.SecurityOptions ?? [];
  const swarmActive = info.Swarm?.LocalNodeState === 'active';
  const checks: BenchmarkCheck[] = [];

  const rootless = securityOption(options, 'rootless');
  checks.push(
    rootless
      ? result('2.1', 'pass', 'The daemon runs rootless', [ev(INFO, 'SecurityOptions', options)])
      : result('2.1', 'info', 'The daemon runs as root (no name=rootless in SecurityOptions); rootless mode is advised where possible', [
          ev(INFO, 'SecurityOptions', options),
        ]),
  );

  const icc = facts.defaultBridge?.options['com.docker.network.bridge.enable_icc'];
  if (!facts.defaultBridge)
    checks.push(
      result('2.2', 'not-applicable', 'The engine has no default bridge network (started with --bridge=none)', [
        ev('GET /networks', 'default bridge', 'none'),
      ]),
    );
  else {
    const field = 'Options["com.docker.network.bridge.enable_icc"]';
    const source = `GET /networks/${facts.defaultBridge.name}`;
    checks.push(
      icc === 'false'
        ? result('2.2', 'pass', 'Inter-container communication is off on the default bridge', [ev(source, field, icc)])
        : result('2.2', notMet('2.2'), 'Containers on the default bridge can talk to each other freely (icc is on)', [
            ev(source, field, icc),
          ]),
    );
  }

  checks.push(
    info.Debug === true
      ? result('2.3', notMet('2.3'), 'The daemon logs at debug level (Debug=true), not info', [ev(INFO, 'Debug', true)])
      : result(
          '2.3',
          'could-not-check',
          'The daemon is not at debug level, but /info does not say whether it logs at info or quieter (warn, error, fatal)',
          [ev(INFO, 'Debug', info.Debug)],
        ),
  );

  // dockerd refuses --icc=false with --iptables=false: a bridge without icc proves iptables is on.
  checks.push(
    icc === 'false'
      ? result('2.4', 'pass', 'Docker manages iptables: the default bridge has icc off, which dockerd refuses to start without iptables', [
          ev(`GET /networks/${facts.defaultBridge?.name ?? 'bridge'}`, 'Options["com.docker.network.bridge.enable_icc"]', icc),
        ])
      : flagOnly('2.4', '--iptables', facts, 'iptables', (v) =>
          v === false ? ['fail', 'Docker is not allowed to manage iptables'] : ['pass', 'Docker manages iptables'],
        ),
  );

  const cidrs = info.RegistryConfig?.InsecureRegistryCIDRs ?? [];
  const extraCidrs = cidrs.filter((c) => c !== '127.0.0.0/8' && c !== '::1/128');
  const insecureIndexes = Object.entries(info.RegistryConfig?.IndexConfigs ?? {})
    .filter(([, cfg]) => cfg.Secure === false)
    .map(([name]) => name);
  checks.push(
    extraCidrs.length || insecureIndexes.length
      ? result('2.5', notMet('2.5'), `Insecure registries are configured: ${[...extraCidrs, ...insecureIndexes].join(', ')}`, [
          ev(INFO, 'RegistryConfig.InsecureRegistryCIDRs', cidrs),
          ev(INFO, 'RegistryConfig.IndexConfigs (Secure=false)', insecureIndexes),
        ])
      : result('2.5', 'pass', 'No insecure registry beyond the loopback range the engine always trusts', [
          ev(INFO, 'RegistryConfig.InsecureRegistryCIDRs', cidrs),
          ev(INFO, 'RegistryConfig.IndexConfigs (Secure=false)', insecureIndexes),
        ]),
  );

  checks.push(
    info.Driver === 'aufs'
      ? result('2.6', notMet('2.6'), 'The storage driver is aufs', [ev(INFO, 'Driver', info.Driver)])
      : result('2.6', 'pass', `The storage driver is ${info.Driver ?? '(unreported)'}, not aufs`, [ev(INFO, 'Driver', info.Driver)]),
  );

  // Since API 1.41 (Engine 20.10) the daemon warns in /info about every TCP listener without TLS
  // or without client verification; older engines say nothing either way.
  const tlsWarnings = (info.Warnings ?? []).filter((w) =>
    /API is accessible on https?:\/\/.*(without encryption|without TLS client verification)/i.test(w),
  );
  if (tlsWarnings.length)
    checks.push(
      result(
        '2.7',
        notMet('2.7'),
        'The daemon listens on TCP without TLS client verification',
        tlsWarnings.map((w) => ev(INFO, 'Warnings', w.split('\n')[0] ?? w)),
      ),
    );
  else if (apiAtLeast(facts.apiVersion, '1.41'))
    checks.push(
      result(
        '2.7',
        'pass',
        'The daemon reports no TCP listener without TLS and client verification (it warns about each one since API 1.41)',
        [ev(INFO, 'Warnings', info.Warnings ?? []), ev('GET /version', 'ApiVersion', facts.apiVersion)],
      ),
    );
  else
    checks.push(
      result(
        '2.7',
        'could-not-check',
        `API ${facts.apiVersion} predates the daemon's warnings about TCP listeners; needs its command line`,
        [ev('GET /version', 'ApiVersion', facts.apiVersion)],
      ),
    );

  checks.push(
    flagOnly('2.8', '--default-ulimit', facts, 'default-ulimits', (v) => [
      'info',
      `Default ulimits are configured: ${JSON.stringify(v)}; review them`,
    ]),
  );

  const userns = securityOption(options, 'userns');
  checks.push(
    userns
      ? result('2.9', 'pass', 'User namespace remapping is on', [ev(INFO, 'SecurityOptions', options)])
      : result('2.9', notMet('2.9'), 'User namespace remapping is off: root in a container is root on the host', [
          ev(INFO, 'SecurityOptions', options),
        ]),
  );

  checks.push(
    flagOnly('2.10', '--cgroup-parent', facts, 'cgroup-parent', (v) => [
      'info',
      `The default cgroup parent is changed to ${JSON.stringify(v)}; confirm it is intended`,
    ]),
  );

  if (info.Driver !== 'devicemapper')
    checks.push(
      result(
        '2.11',
        'not-applicable',
        `The base device size applies to devicemapper only; the driver is ${info.Driver ?? '(unreported)'}`,
        [ev(INFO, 'Driver', info.Driver)],
      ),
    );
  else {
    const size = (info.DriverStatus ?? []).find(([k]) => k === 'Base Device Size')?.[1];
    checks.push(
      result(
        '2.11',
        'info',
        `devicemapper's base device size is ${size ?? '(unreported)'}; whether it was changed needs the daemon's flags`,
        [ev(INFO, 'DriverStatus["Base Device Size"]', size)],
      ),
    );
  }

  const authz = info.Plugins?.Authorization ?? [];
  checks.push(
    authz.length
      ? result('2.12', 'pass', `Authorization plugins: ${authz.join(', ')}`, [ev(INFO, 'Plugins.Authorization', authz)])
      : result('2.12', notMet('2.12'), 'No authorization plugin: anyone who reaches the API can do anything', [
          ev(INFO, 'Plugins.Authorization', authz),
        ]),
  );

  const driver = info.LoggingDriver ?? '';
  if (['json-file', 'local', 'none', ''].includes(driver))
    checks.push(
      result('2.13', notMet('2.13'), `The default logging driver (${driver || 'unreported'}) keeps logs on the host only`, [
        ev(INFO, 'LoggingDriver', driver),
      ]),
    );
  else if (driver === 'journald')
    checks.push(
      result('2.13', 'warn', "The default logging driver is journald: remote only if the host's journal is forwarded", [
        ev(INFO, 'LoggingDriver', driver),
      ]),
    );
  else
    checks.push(
      result('2.13', 'pass', `The default logging driver ${driver} ships logs off the host`, [ev(INFO, 'LoggingDriver', driver)]),
    );

  checks.push(
    flagOnly('2.14', '--no-new-privileges', facts, 'no-new-privileges', (v) =>
      v === true ? ['pass', 'Containers cannot acquire new privileges by default'] : [notMet('2.14'), 'no-new-privileges is not on'],
    ),
  );

  if (info.LiveRestoreEnabled === true) checks.push(result('2.15', 'pass', 'Live restore is on', [ev(INFO, 'LiveRestoreEnabled', true)]));
  else if (swarmActive)
    checks.push(
      result('2.15', 'not-applicable', 'Live restore is incompatible with Swarm mode, which is active', [
        ev(INFO, 'LiveRestoreEnabled', info.LiveRestoreEnabled),
        ev(INFO, 'Swarm.LocalNodeState', 'active'),
      ]),
    );
  else
    checks.push(
      result('2.15', notMet('2.15'), 'Live restore is off: containers stop whenever the daemon does', [
        ev(INFO, 'LiveRestoreEnabled', info.LiveRestoreEnabled),
      ]),
    );

  checks.push(
    flagOnly('2.16', '--userland-proxy', facts, 'userland-proxy', (v) =>
      v === false ? ['pass', 'The userland proxy is disabled'] : [notMet('2.16'), 'The userland proxy is enabled'],
    ),
  );

  const seccomp = securityOption(options, 'seccomp');
  if (!seccomp)
    checks.push(
      result('2.17', notMet('2.17'), 'The daemon applies no seccomp profile (none in SecurityOptions)', [
        ev(INFO, 'SecurityOptions', options),
      ]),
    );
  else if (seccomp['profile'] === 'unconfined')
    checks.push(result('2.17', notMet('2.17'), "The daemon's seccomp profile is unconfined", [ev(INFO, 'SecurityOptions', options)]));
  else
    checks.push(
      result(
        '2.17',
        'pass',
        `The daemon applies the ${seccomp['profile'] === 'default' ? 'default' : `custom (${seccomp['profile'] ?? '?'})`} seccomp profile`,
        [ev(INFO, 'SecurityOptions', options)],
      ),
    );

  if (info.ExperimentalBuild === true)
    checks.push(result('2.18', notMet('2.18'), 'Experimental features are on', [ev(INFO, 'ExperimentalBuild', true)]));
  else if (info.ExperimentalBuild === false)
    checks.push(result('2.18', 'pass', 'Experimental features are off', [ev(INFO, 'ExperimentalBuild', false)]));
  else
    checks.push(
      result('2.18', 'could-not-check', 'The engine does not report ExperimentalBuild', [ev(INFO, 'ExperimentalBuild', undefined)]),
    );
  return checks;
}
