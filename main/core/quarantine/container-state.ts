import type { ContainerInspectInfo } from 'dockerode';
import type { ContainerStateBefore, NetworkBefore } from '../../../shared/domain/quarantine';

/** The endpoint fields quarantine reads (dockerode types several of them loosely). */
export interface EndpointFacts {
  NetworkID?: string;
  IPAddress?: string;
  GlobalIPv6Address?: string;
  MacAddress?: string;
  Aliases?: string[] | null;
  Links?: string[] | null;
  DriverOpts?: Record<string, string> | null;
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] | null } | null;
}

interface HostConfigFacts {
  NetworkMode?: string;
  Links?: string[] | null;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  AutoRemove?: boolean;
}

export function endpoints(inspect: ContainerInspectInfo): Record<string, EndpointFacts> {
  return (inspect.NetworkSettings?.Networks ?? {}) as Record<string, EndpointFacts>;
}

export function hostConfig(inspect: ContainerInspectInfo): HostConfigFacts {
  return (inspect.HostConfig ?? {}) as HostConfigFacts;
}

export function containerName(inspect: ContainerInspectInfo): string {
  return inspect.Name.replace(/^\//, '');
}

/**
 * The engine adds the container's short ID as an alias on every user-defined network and adds
 * it again on connect: leaving it out keeps release from doubling it.
 */
export function userAliases(inspect: ContainerInspectInfo, aliases: string[] | null | undefined): string[] {
  const shortId = inspect.Id.slice(0, 12);
  return (aliases ?? []).filter((a) => a !== shortId && a !== inspect.Id);
}

function networkBefore(inspect: ContainerInspectInfo, name: string, ep: EndpointFacts): NetworkBefore {
  const ipam = ep.IPAMConfig ?? {};
  const driverOpts = ep.DriverOpts && Object.keys(ep.DriverOpts).length ? { ...ep.DriverOpts } : undefined;
  return {
    networkId: ep.NetworkID ?? '',
    networkName: name,
    aliases: userAliases(inspect, ep.Aliases),
    ...(ipam.IPv4Address ? { staticIpv4: ipam.IPv4Address } : {}),
    ...(ipam.IPv6Address ? { staticIpv6: ipam.IPv6Address } : {}),
    ...(ipam.LinkLocalIPs?.length ? { linkLocalIps: [...ipam.LinkLocalIPs] } : {}),
    links: [...(ep.Links ?? [])],
    ...(driverOpts ? { driverOpts } : {}),
    ...(ep.IPAddress ? { ipv4: ep.IPAddress } : {}),
    ...(ep.GlobalIPv6Address ? { ipv6: ep.GlobalIPv6Address } : {}),
    ...(ep.MacAddress ? { mac: ep.MacAddress } : {}),
  };
}

/** What release must put back, read once before any step acts. */
export function stateBefore(inspect: ContainerInspectInfo, at: string, quarantineNetwork?: string): ContainerStateBefore {
  const hc = hostConfig(inspect);
  const networks = Object.entries(endpoints(inspect))
    // A quarantine network left attached by a lost record is never something to restore.
    .filter(([name]) => name !== quarantineNetwork)
    .map(([name, ep]) => networkBefore(inspect, name, ep))
    .sort((a, b) => a.networkName.localeCompare(b.networkName));
  const policy = hc.RestartPolicy?.Name || 'no';
  return {
    status: inspect.State.Status,
    running: inspect.State.Running,
    paused: inspect.State.Paused,
    networkMode: hc.NetworkMode ?? 'default',
    networks,
    hostLinks: [...(hc.Links ?? [])],
    restartPolicy:
      policy === 'on-failure' && hc.RestartPolicy?.MaximumRetryCount ? `on-failure:${hc.RestartPolicy.MaximumRetryCount}` : policy,
    autoRemove: hc.AutoRemove === true,
    inspectedAt: at,
  };
}

/** A compact picture for the audit entry written with each step: what it looked like just before. */
export function auditState(inspect: ContainerInspectInfo): Record<string, unknown> {
  return {
    status: inspect.State.Status,
    running: inspect.State.Running,
    paused: inspect.State.Paused,
    networks: Object.entries(endpoints(inspect)).map(([name, ep]) => ({
      network: name,
      networkId: ep.NetworkID ?? '',
      ipv4: ep.IPAddress ?? '',
      ...(ep.GlobalIPv6Address ? { ipv6: ep.GlobalIPv6Address } : {}),
      aliases: userAliases(inspect, ep.Aliases),
      ...(ep.IPAMConfig?.IPv4Address || ep.IPAMConfig?.IPv6Address
        ? { static: { ipv4: ep.IPAMConfig.IPv4Address ?? '', ipv6: ep.IPAMConfig.IPv6Address ?? '' } }
        : {}),
    })),
  };
}

export function swarmTask(inspect: ContainerInspectInfo): { service: string; task: string } | undefined {
  const labels = inspect.Config?.Labels ?? {};
  const task = labels['com.docker.swarm.task.id'];
  if (!task) return undefined;
  return { service: labels['com.docker.swarm.service.name'] ?? '(unnamed service)', task: labels['com.docker.swarm.task.name'] ?? task };
}
