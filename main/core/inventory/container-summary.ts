import type { ContainerInspectInfo } from 'dockerode';
import type { ContainerSummary, MountInfo, NetworkAttachment, PortBinding } from '../../../shared/domain/inventory';
import { assessRisks, topSeverity, type ImageFacts } from './risk-flags';

const ZERO_TIME = '0001-01-01T00:00:00Z';

function time(value: string | undefined): string | undefined {
  return value && value !== ZERO_TIME ? value : undefined;
}

function networks(inspect: ContainerInspectInfo): NetworkAttachment[] {
  const raw = (inspect.NetworkSettings?.Networks ?? {}) as Record<
    string,
    { NetworkID?: string; IPAddress?: string; GlobalIPv6Address?: string; MacAddress?: string; Aliases?: string[] | null; Gateway?: string }
  >;
  return Object.entries(raw).map(([network, n]) => ({
    network,
    networkId: n.NetworkID ?? '',
    ...(n.IPAddress ? { ipv4: n.IPAddress } : {}),
    ...(n.GlobalIPv6Address ? { ipv6: n.GlobalIPv6Address } : {}),
    ...(n.MacAddress ? { mac: n.MacAddress } : {}),
    aliases: n.Aliases ?? [],
    ...(n.Gateway ? { gateway: n.Gateway } : {}),
  }));
}

function ports(inspect: ContainerInspectInfo): PortBinding[] {
  const out: PortBinding[] = [];
  const raw = (inspect.NetworkSettings?.Ports ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[] | null>;
  for (const [key, bindings] of Object.entries(raw)) {
    const [port = '0', protocol = 'tcp'] = key.split('/');
    const containerPort = Number(port);
    if (!bindings?.length) {
      out.push({ containerPort, protocol });
      continue;
    }
    for (const b of bindings)
      out.push({
        containerPort,
        protocol,
        ...(b.HostIp ? { hostIp: b.HostIp } : {}),
        ...(b.HostPort ? { hostPort: Number(b.HostPort) } : {}),
      });
  }
  return out.sort((a, b) => a.containerPort - b.containerPort);
}

function mounts(inspect: ContainerInspectInfo): MountInfo[] {
  return (inspect.Mounts ?? []).map((m) => ({
    type: m.Type,
    source: m.Source,
    destination: m.Destination,
    readOnly: !m.RW,
    ...(m.Name ? { name: m.Name } : {}),
  }));
}

/** The inventory's view of one container, from the engine's inspect document. */
export function summarizeContainer(host: string, inspect: ContainerInspectInfo, image: ImageFacts): ContainerSummary {
  const labels = inspect.Config?.Labels ?? {};
  const risks = assessRisks(inspect, image);
  const severity = topSeverity(risks);
  const cmd = [...(inspect.Config?.Entrypoint ? ([] as string[]).concat(inspect.Config.Entrypoint) : []), ...(inspect.Config?.Cmd ?? [])];
  const state = inspect.State;
  const status = state.Paused ? 'paused' : state.Restarting ? 'restarting' : state.Running ? 'running' : state.Status;
  return {
    host,
    id: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    image: inspect.Config?.Image ?? '',
    imageId: inspect.Image,
    createdAt: inspect.Created,
    ...(time(state.StartedAt) ? { startedAt: time(state.StartedAt) } : {}),
    ...(time(state.FinishedAt) && !state.Running ? { finishedAt: time(state.FinishedAt) } : {}),
    state: state.Status,
    status: state.Running ? status : `${status} (exit ${state.ExitCode})`,
    restartCount: inspect.RestartCount ?? 0,
    command: cmd.join(' '),
    user: inspect.Config?.User ?? '',
    networks: networks(inspect),
    ports: ports(inspect),
    mounts: mounts(inspect),
    labels,
    ...(labels['com.docker.compose.project']
      ? { compose: { project: labels['com.docker.compose.project'], service: labels['com.docker.compose.service'] ?? '' } }
      : {}),
    ...(labels['com.docker.swarm.service.name']
      ? {
          swarm: {
            serviceName: labels['com.docker.swarm.service.name'],
            ...(labels['com.docker.swarm.service.id'] ? { serviceId: labels['com.docker.swarm.service.id'] } : {}),
            ...(labels['com.docker.swarm.task.id'] ? { taskId: labels['com.docker.swarm.task.id'] } : {}),
            ...(labels['com.docker.swarm.task.name'] ? { taskName: labels['com.docker.swarm.task.name'] } : {}),
          },
        }
      : {}),
    risks,
    ...(severity ? { topSeverity: severity } : {}),
  };
}
