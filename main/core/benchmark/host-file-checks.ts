import type { BenchmarkCheck } from '../../../shared/domain/benchmark';
import type { HostFiles, HostFileStat } from './host-files';
import { HOST_FILE_PATHS } from './host-files';
import { ev, notMet, result } from './verdicts';

// Sections 1 (audit rules) and 3 (ownership and permissions of the daemon's files) from the files
// the host-file helper read. A path that does not exist on the host is could-not-check, saying so:
// the benchmark's remediation assumes the file is there (a host without systemd has no unit files).

const SOURCE = 'host file (read-only helper)';

function octal(mode: number): string {
  return mode.toString(8).padStart(3, '0');
}

/** The first existing path of a list, or why none was readable. */
function found(files: HostFiles, paths: readonly string[]): HostFileStat | { why: string } {
  for (const p of paths) {
    const stat = files.stats.get(p);
    if (stat) return stat;
  }
  const missing = paths.filter((p) => files.missing.has(p));
  return {
    why:
      missing.length === paths.length
        ? `${paths.join(', ')} ${paths.length === 1 ? 'does' : 'do'} not exist on the engine's host`
        : `${paths.join(', ')} could not be read on the engine's host`,
  };
}

function groupName(files: HostFiles, gid: number): string | undefined {
  for (const line of (files.texts.get('/etc/group') ?? '').split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id !== undefined && Number(id) === gid) return name;
  }
  return undefined;
}

function ownership(id: string, files: HostFiles, paths: readonly string[], group: 'root' | 'docker'): BenchmarkCheck {
  const stat = found(files, paths);
  if ('why' in stat)
    return result(
      id,
      'could-not-check',
      stat.why,
      paths.map((p) => ev(SOURCE, p, files.missing.has(p) ? 'does not exist' : 'not read')),
    );
  const gname = groupName(files, stat.gid) ?? String(stat.gid);
  const ok = stat.uid === 0 && (group === 'root' ? stat.gid === 0 : gname === 'docker');
  return result(id, ok ? 'pass' : notMet(id), `${stat.path} is owned by ${stat.uid}:${gname}${ok ? '' : `, not root:${group}`}`, [
    ev(SOURCE, `${stat.path} uid:gid`, `${stat.uid}:${stat.gid} (${gname})`),
  ]);
}

function permissions(id: string, files: HostFiles, paths: readonly string[], allowed: number): BenchmarkCheck {
  const stat = found(files, paths);
  if ('why' in stat)
    return result(
      id,
      'could-not-check',
      stat.why,
      paths.map((p) => ev(SOURCE, p, files.missing.has(p) ? 'does not exist' : 'not read')),
    );
  const ok = (stat.mode & ~allowed) === 0;
  return result(
    id,
    ok ? 'pass' : notMet(id),
    `${stat.path} has mode ${octal(stat.mode)}${ok ? `, within ${octal(allowed)}` : `, more permissive than ${octal(allowed)}`}`,
    [ev(SOURCE, `${stat.path} mode`, octal(stat.mode))],
  );
}

/** The file each auditing recommendation (1.1.3 to 1.1.18) wants watched. */
const AUDITED: Record<string, string> = {
  '1.1.3': '/usr/bin/dockerd',
  '1.1.4': '/run/containerd',
  '1.1.5': '/var/lib/docker',
  '1.1.6': '/etc/docker',
  '1.1.7': 'docker.service',
  '1.1.8': 'containerd.sock',
  '1.1.9': 'docker.socket',
  '1.1.10': '/etc/default/docker',
  '1.1.11': '/etc/docker/daemon.json',
  '1.1.12': '/etc/containerd/config.toml',
  '1.1.13': '/etc/sysconfig/docker',
  '1.1.14': '/usr/bin/containerd',
  '1.1.15': '/usr/bin/containerd-shim',
  '1.1.16': '/usr/bin/containerd-shim-runc-v1',
  '1.1.17': '/usr/bin/containerd-shim-runc-v2',
  '1.1.18': '/usr/bin/runc',
};

function auditing(id: string, files: HostFiles): BenchmarkCheck {
  const rulesPath = HOST_FILE_PATHS.auditRules[0];
  const rules = files.texts.get(rulesPath);
  const target = AUDITED[id] as string;
  if (rules === undefined)
    return result(
      id,
      'could-not-check',
      `${rulesPath} ${files.missing.has(rulesPath) ? "does not exist on the engine's host (auditd is not installed)" : 'could not be read'}`,
      [ev(SOURCE, rulesPath, files.missing.has(rulesPath) ? 'does not exist' : 'not read')],
    );
  const watch = rules
    .split('\n')
    .find((l) => /^\s*-w\s/.test(l) && (target.startsWith('/') ? l.split(/\s+/)[1] === target : l.includes(target)));
  return result(id, watch ? 'pass' : notMet(id), watch ? `${rulesPath} watches ${target}` : `${rulesPath} has no -w rule for ${target}`, [
    ev(SOURCE, `${rulesPath} -w ${target}`, watch ?? '(no rule)'),
  ]);
}

/** The verdicts the host's files decide, by ID; the others stay with hostChecks' defaults. */
export function hostFileChecks(files: HostFiles): Map<string, BenchmarkCheck> {
  const P = HOST_FILE_PATHS;
  const socket = [files.dockerSocket];
  const checks: BenchmarkCheck[] = [
    ...Object.keys(AUDITED).map((id) => auditing(id, files)),
    ownership('3.1', files, P.dockerService, 'root'),
    permissions('3.2', files, P.dockerService, 0o644),
    ownership('3.3', files, P.dockerSocketUnit, 'root'),
    permissions('3.4', files, P.dockerSocketUnit, 0o644),
    ownership('3.5', files, P.etcDocker, 'root'),
    permissions('3.6', files, P.etcDocker, 0o755),
    ownership('3.7', files, P.registryCerts, 'root'),
    permissions('3.8', files, P.registryCerts, 0o755),
    ownership('3.15', files, socket, 'docker'),
    permissions('3.16', files, socket, 0o660),
    ownership('3.17', files, P.daemonJson, 'root'),
    permissions('3.18', files, P.daemonJson, 0o644),
    ownership('3.19', files, P.etcDefaultDocker, 'root'),
    permissions('3.20', files, P.etcDefaultDocker, 0o644),
    permissions('3.21', files, P.etcSysconfigDocker, 0o644),
    ownership('3.22', files, P.etcSysconfigDocker, 'root'),
    ownership('3.23', files, P.containerdSocket, 'root'),
    permissions('3.24', files, P.containerdSocket, 0o660),
  ];
  return new Map(checks.map((c) => [c.id, c]));
}
