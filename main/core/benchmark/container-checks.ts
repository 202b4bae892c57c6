import type { ContainerInspectInfo } from 'dockerode';
import type { BenchmarkCheck, BenchmarkVerdict } from '../../../shared/domain/benchmark';
import type { RiskFlagId } from '../../../shared/domain/inventory';
import { containerSubject, type ContainerFacts, type EngineFacts } from './facts';
import { ev, notMet, perSubject, result, type SubjectResult } from './verdicts';

/** The HostConfig fields section 5 reads, typed (dockerode leaves several loose). */
interface HostConfigFacts {
  Memory?: number;
  CpuShares?: number;
  NanoCpus?: number;
  PidsLimit?: number | null;
  CgroupParent?: string;
  NetworkMode?: string;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  SecurityOpt?: string[] | null;
  Ulimits?: { Name?: string; Soft?: number; Hard?: number }[] | null;
  UsernsMode?: string;
}

function hostConfig(inspect: ContainerInspectInfo): HostConfigFacts {
  return (inspect.HostConfig ?? {}) as HostConfigFacts;
}

function source(c: ContainerFacts): string {
  return `GET /containers/${c.inspect.Id.slice(0, 12)}/json`;
}

/** A check the inventory's risk flags already decide: the flag (with its reason) or the field that clears it. */
function fromFlag(
  id: string,
  containers: ContainerFacts[],
  flag: RiskFlagId,
  field: string,
  value: (i: ContainerInspectInfo) => unknown,
  severityVerdict?: (severity: string) => BenchmarkVerdict,
): SubjectResult[] {
  return containers.map((c) => {
    const hits = c.risks.filter((r) => r.id === flag);
    const verdicts = hits.map((h) => severityVerdict?.(h.severity) ?? notMet(id));
    const verdict: BenchmarkVerdict = verdicts.includes('fail') ? 'fail' : verdicts.includes('warn') ? 'warn' : 'pass';
    return {
      subject: containerSubject(c.inspect),
      verdict,
      evidence: [
        { source: source(c), field, value: value(c.inspect) },
        ...hits.map((h) => ({
          source: 'inventory risk flag',
          field: `${h.id} (${h.severity})`,
          value: `${h.reason}${h.evidence?.length ? ` [${h.evidence.join('; ')}]` : ''}`,
        })),
      ],
    };
  });
}

function byField(
  containers: ContainerFacts[],
  field: string,
  value: (c: ContainerFacts) => unknown,
  verdict: (c: ContainerFacts) => BenchmarkVerdict,
): SubjectResult[] {
  return containers.map((c) => ({
    subject: containerSubject(c.inspect),
    verdict: verdict(c),
    evidence: [{ source: source(c), field, value: value(c) }],
  }));
}

function ports(inspect: ContainerInspectInfo): { containerPort: string; hostIp: string; hostPort: number }[] {
  const bindings = (inspect.NetworkSettings?.Ports ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[] | null>;
  return Object.entries(bindings).flatMap(([containerPort, list]) =>
    (list ?? []).map((b) => ({ containerPort, hostIp: b.HostIp ?? '', hostPort: Number(b.HostPort ?? 0) })),
  );
}

function securityOptHas(inspect: ContainerInspectInfo, prefix: RegExp): string[] {
  return (hostConfig(inspect).SecurityOpt ?? []).filter((o) => prefix.test(o));
}

/** Section 5: every running container, judged from its inspect document and the inventory's risk flags. */
export function containerChecks(facts: EngineFacts): BenchmarkCheck[] {
  const running = facts.containers;
  const none = {
    verdict: 'not-applicable' as const,
    reason: 'No container is running (the benchmark audits running containers)',
    evidence: [ev('GET /containers/json', 'running containers', 0)],
  };
  const per = (id: string, subjects: SubjectResult[]) => perSubject(id, subjects, 'running containers', none);
  const options = facts.info.SecurityOptions ?? [];
  const checks: BenchmarkCheck[] = [];

  const swarmState = facts.info.Swarm?.LocalNodeState ?? '(unreported)';
  checks.push(
    swarmState === 'active'
      ? result('5.1', notMet('5.1'), 'Swarm mode is active: confirm it is needed (it opens management ports and holds secrets)', [
          ev('GET /info', 'Swarm.LocalNodeState', swarmState),
        ])
      : result('5.1', 'pass', 'Swarm mode is not active', [ev('GET /info', 'Swarm.LocalNodeState', swarmState)]),
  );

  const apparmorOn = options.some((o) => o.startsWith('name=apparmor'));
  checks.push(
    apparmorOn
      ? per(
          '5.2',
          running.map((c) => {
            const profile = c.inspect.AppArmorProfile ?? '';
            const flagged = c.risks.some((r) => r.id === 'apparmor-unconfined');
            return {
              subject: containerSubject(c.inspect),
              verdict: flagged || profile === '' || profile === 'unconfined' ? notMet('5.2') : 'pass',
              evidence: [{ source: source(c), field: 'AppArmorProfile', value: profile || '(none)' }],
            };
          }),
        )
      : result('5.2', 'not-applicable', 'AppArmor is not enabled on this engine (no name=apparmor in SecurityOptions)', [
          ev('GET /info', 'SecurityOptions', options),
        ]),
  );
  const selinuxOn = options.some((o) => o.startsWith('name=selinux'));
  checks.push(
    selinuxOn
      ? per(
          '5.3',
          byField(
            running,
            'HostConfig.SecurityOpt (label=…)',
            (c) => securityOptHas(c.inspect, /^label[=:]/),
            (c) => (securityOptHas(c.inspect, /^label[=:]disable/).length ? notMet('5.3') : 'pass'),
          ),
        )
      : result('5.3', 'not-applicable', 'SELinux is not enabled on this engine (no name=selinux in SecurityOptions)', [
          ev('GET /info', 'SecurityOptions', options),
        ]),
  );
  checks.push(
    per(
      '5.4',
      fromFlag('5.4', running, 'cap-added', 'HostConfig.CapAdd', (i) => i.HostConfig.CapAdd ?? []),
    ),
  );
  checks.push(
    per(
      '5.5',
      fromFlag('5.5', running, 'privileged', 'HostConfig.Privileged', (i) => i.HostConfig.Privileged ?? false),
    ),
  );
  checks.push(
    per(
      '5.6',
      fromFlag(
        '5.6',
        running,
        'sensitive-mount',
        'Mounts (bind sources)',
        (i) => (i.Mounts ?? []).filter((m) => m.Type === 'bind').map((m) => `${m.Source} -> ${m.Destination}${m.RW ? ' (rw)' : ' (ro)'}`),
        (s) => (s === 'medium' ? 'warn' : 'fail'),
      ),
    ),
  );
  checks.push(
    per(
      '5.7',
      running.map((c) => {
        if ('error' in c.processes)
          return {
            subject: containerSubject(c.inspect),
            verdict: 'could-not-check',
            evidence: [
              { source: `GET /containers/${c.inspect.Id.slice(0, 12)}/top`, field: 'Processes', value: `not read: ${c.processes.error}` },
            ],
          };
        const sshd = c.processes.commands.filter((cmd) => /(^|\/|\s)sshd(\s|:|$)/.test(cmd));
        return {
          subject: containerSubject(c.inspect),
          verdict: sshd.length ? notMet('5.7') : 'pass',
          evidence: [
            { source: `GET /containers/${c.inspect.Id.slice(0, 12)}/top`, field: 'Processes (sshd)', value: sshd.length ? sshd : 'none' },
          ],
        };
      }),
    ),
  );
  checks.push(
    per(
      '5.8',
      byField(
        running,
        'NetworkSettings.Ports (host ports below 1024)',
        (c) =>
          ports(c.inspect)
            .filter((p) => p.hostPort > 0 && p.hostPort < 1024)
            .map((p) => `${p.hostIp || '*'}:${p.hostPort} -> ${p.containerPort}`),
        (c) => (ports(c.inspect).some((p) => p.hostPort > 0 && p.hostPort < 1024) ? notMet('5.8') : 'pass'),
      ),
    ),
  );
  checks.push(
    per(
      '5.9',
      byField(
        running,
        'NetworkSettings.Ports',
        (c) => ports(c.inspect).map((p) => `${p.hostIp || '*'}:${p.hostPort} -> ${p.containerPort}`),
        () => 'info',
      ),
    ),
  );
  checks.push(
    per(
      '5.10',
      fromFlag('5.10', running, 'host-network', 'HostConfig.NetworkMode', (i) => i.HostConfig.NetworkMode),
    ),
  );
  checks.push(
    per(
      '5.11',
      byField(
        running,
        'HostConfig.Memory',
        (c) => hostConfig(c.inspect).Memory ?? 0,
        (c) => ((hostConfig(c.inspect).Memory ?? 0) > 0 ? 'pass' : notMet('5.11')),
      ),
    ),
  );
  checks.push(
    per(
      '5.12',
      byField(
        running,
        'HostConfig.CpuShares / NanoCpus',
        (c) => ({ CpuShares: hostConfig(c.inspect).CpuShares ?? 0, NanoCpus: hostConfig(c.inspect).NanoCpus ?? 0 }),
        (c) => {
          const hc = hostConfig(c.inspect);
          return (hc.CpuShares ?? 0) === 0 && (hc.NanoCpus ?? 0) === 0 ? notMet('5.12') : 'pass';
        },
      ),
    ),
  );
  checks.push(
    per(
      '5.13',
      fromFlag('5.13', running, 'writable-rootfs', 'HostConfig.ReadonlyRootfs', (i) => i.HostConfig.ReadonlyRootfs ?? false),
    ),
  );
  checks.push(
    per(
      '5.14',
      byField(
        running,
        'NetworkSettings.Ports (host addresses)',
        (c) => ports(c.inspect).map((p) => `${p.hostIp || '*'}:${p.hostPort} -> ${p.containerPort}`),
        (c) => (ports(c.inspect).some((p) => p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::') ? notMet('5.14') : 'pass'),
      ),
    ),
  );
  checks.push(
    per(
      '5.15',
      byField(
        running,
        'HostConfig.RestartPolicy',
        (c) => hostConfig(c.inspect).RestartPolicy ?? {},
        (c) => {
          const policy = hostConfig(c.inspect).RestartPolicy ?? {};
          if (policy.Name === 'always' || policy.Name === 'unless-stopped') return notMet('5.15');
          if (policy.Name === 'on-failure' && ((policy.MaximumRetryCount ?? 0) === 0 || (policy.MaximumRetryCount ?? 0) > 5))
            return notMet('5.15');
          return 'pass';
        },
      ),
    ),
  );
  checks.push(
    per(
      '5.16',
      fromFlag('5.16', running, 'host-pid', 'HostConfig.PidMode', (i) => i.HostConfig.PidMode ?? ''),
    ),
  );
  checks.push(
    per(
      '5.17',
      fromFlag('5.17', running, 'host-ipc', 'HostConfig.IpcMode', (i) => i.HostConfig.IpcMode ?? ''),
    ),
  );
  checks.push(
    per(
      '5.18',
      fromFlag('5.18', running, 'device-access', 'HostConfig.Devices', (i) =>
        ((i.HostConfig.Devices ?? []) as { PathOnHost?: string }[]).map((d) => d.PathOnHost ?? ''),
      ),
    ),
  );
  checks.push(
    per(
      '5.19',
      byField(
        running,
        "HostConfig.Ulimits (set for the container or by the daemon's --default-ulimit)",
        (c) => hostConfig(c.inspect).Ulimits ?? [],
        () => 'info',
      ),
    ),
  );
  checks.push(
    per(
      '5.20',
      byField(
        running,
        'Mounts[].Propagation',
        (c) => (c.inspect.Mounts ?? []).map((m) => `${m.Destination}: ${m.Propagation || '(default)'}`),
        (c) => ((c.inspect.Mounts ?? []).some((m) => m.Propagation === 'shared' || m.Propagation === 'rshared') ? notMet('5.20') : 'pass'),
      ),
    ),
  );
  checks.push(
    per(
      '5.21',
      fromFlag('5.21', running, 'host-uts', 'HostConfig.UTSMode', (i) => (i.HostConfig as { UTSMode?: string }).UTSMode ?? ''),
    ),
  );
  checks.push(
    per(
      '5.22',
      fromFlag('5.22', running, 'seccomp-unconfined', 'HostConfig.SecurityOpt', (i) => i.HostConfig.SecurityOpt ?? []),
    ),
  );
  const execNote = 'the engine remembers an exec only while it runs';
  checks.push(
    per(
      '5.23',
      running.map((c) => ({
        subject: containerSubject(c.inspect),
        verdict: c.execs.some((e) => e.privileged) ? notMet('5.23') : 'info',
        evidence: [
          {
            source: 'GET /exec/{id}/json for each of ExecIDs',
            field: `Privileged (${execNote})`,
            value: c.execs.length
              ? c.execs.map((e) => `${e.id.slice(0, 12)} ${e.command.slice(0, 80)}: Privileged=${e.privileged}`)
              : 'no exec recorded',
          },
        ],
      })),
    ),
  );
  checks.push(
    per(
      '5.24',
      running.map((c) => {
        const root = c.execs.filter((e) => /^(root|0)(:|$)/.test(e.user));
        return {
          subject: containerSubject(c.inspect),
          verdict: root.length ? notMet('5.24') : 'info',
          evidence: [
            {
              source: 'GET /exec/{id}/json for each of ExecIDs',
              field: `User (${execNote})`,
              value: c.execs.length
                ? c.execs.map((e) => `${e.id.slice(0, 12)} ${e.command.slice(0, 80)}: User=${e.user || '(container default)'}`)
                : 'no exec recorded',
            },
          ],
        };
      }),
    ),
  );
  checks.push(
    per(
      '5.25',
      byField(
        running,
        'HostConfig.CgroupParent',
        (c) => hostConfig(c.inspect).CgroupParent ?? '',
        (c) => (hostConfig(c.inspect).CgroupParent ? notMet('5.25') : 'pass'),
      ),
    ),
  );
  checks.push(
    per(
      '5.26',
      fromFlag('5.26', running, 'new-privileges', 'HostConfig.SecurityOpt (no-new-privileges)', (i) =>
        securityOptHas(i, /^no-new-privileges/),
      ),
    ),
  );
  checks.push(
    per(
      '5.27',
      byField(
        running,
        'State.Health.Status',
        (c) => c.inspect.State.Health?.Status ?? '(no health check)',
        (c) => (c.inspect.State.Health ? 'pass' : notMet('5.27')),
      ),
    ),
  );
  checks.push(
    result(
      '5.28',
      'could-not-check',
      "Needs the registry's current digest for each tag the containers were created from; an air-gapped host cannot ask",
      running.length
        ? running.map((c) => ev(source(c), 'Config.Image', c.inspect.Config.Image, containerSubject(c.inspect)))
        : [ev('GET /containers/json', 'running containers', 0)],
    ),
  );
  checks.push(
    per(
      '5.29',
      byField(
        running,
        'HostConfig.PidsLimit',
        (c) => hostConfig(c.inspect).PidsLimit ?? null,
        (c) => ((hostConfig(c.inspect).PidsLimit ?? 0) > 0 ? 'pass' : notMet('5.29')),
      ),
    ),
  );
  const bridgeName = facts.defaultBridge?.name;
  checks.push(
    per(
      '5.30',
      byField(
        running,
        'NetworkSettings.Networks',
        (c) => Object.keys(c.inspect.NetworkSettings?.Networks ?? {}),
        (c) =>
          bridgeName !== undefined &&
          (Object.keys(c.inspect.NetworkSettings?.Networks ?? {}).includes(bridgeName) || hostConfig(c.inspect).NetworkMode === 'default')
            ? notMet('5.30')
            : 'pass',
      ),
    ),
  );
  checks.push(
    per(
      '5.31',
      fromFlag('5.31', running, 'host-userns', 'HostConfig.UsernsMode', (i) => hostConfig(i).UsernsMode ?? ''),
    ),
  );
  checks.push(
    per(
      '5.32',
      fromFlag('5.32', running, 'docker-socket', 'Mounts (runtime sockets)', (i) =>
        (i.Mounts ?? [])
          .filter((m) => /\.sock$/.test(m.Source) || /\.sock$/.test(m.Destination))
          .map((m) => `${m.Source} -> ${m.Destination}`),
      ),
    ),
  );
  return checks;
}
