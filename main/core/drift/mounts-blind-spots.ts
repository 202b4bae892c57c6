import type { ContainerInspectInfo } from 'dockerode';
import type { BlindSpot } from '../../../shared/domain/drift';

/**
 * What the engine's diff cannot see: volumes, bind mounts and tmpfs live outside the container's
 * writable layer, and the files Docker writes itself (hosts, hostname, resolv.conf) are mounted
 * over the image's. Each is listed, never silently skipped; a mount can be hash-inventoried on
 * demand (drift.mount-inventory).
 */
export function blindSpots(inspect: ContainerInspectInfo): BlindSpot[] {
  const out: BlindSpot[] = [];
  const seen = new Set<string>();
  for (const m of inspect.Mounts ?? []) {
    const mount = m as { Type?: string; Source?: string; Destination?: string; Name?: string; RW?: boolean };
    const destination = mount.Destination ?? '';
    if (!destination) continue;
    seen.add(destination);
    const type = mount.Type ?? 'unknown';
    const note =
      type === 'tmpfs'
        ? 'tmpfs in memory: not in the diff; its contents vanish when the container stops — inventory it now if it matters'
        : type === 'volume'
          ? "volume: outside the container's layer, not in the diff; hash-inventory it to record its contents"
          : type === 'bind'
            ? 'bind mount of a host path: not in the diff; changes land on the host; hash-inventory it to record its contents'
            : `${type} mount: not in the diff`;
    out.push({
      type,
      destination,
      ...(mount.Source ? { source: mount.Source } : {}),
      ...(mount.Name ? { name: mount.Name } : {}),
      readOnly: mount.RW === false,
      note,
    });
  }
  const tmpfs = ((inspect.HostConfig ?? {}) as { Tmpfs?: Record<string, string> | null }).Tmpfs ?? {};
  for (const destination of Object.keys(tmpfs)) {
    if (seen.has(destination)) continue;
    seen.add(destination);
    out.push({
      type: 'tmpfs',
      destination,
      readOnly: /(^|,)ro(,|$)/.test(tmpfs[destination] ?? ''),
      note: 'tmpfs in memory: not in the diff; its contents vanish when the container stops — inventory it now if it matters',
    });
  }
  const managed: [string, string | undefined][] = [
    ['/etc/hosts', inspect.HostsPath],
    ['/etc/hostname', inspect.HostnamePath],
    ['/etc/resolv.conf', inspect.ResolvConfPath],
  ];
  for (const [destination, source] of managed) {
    if (!source || seen.has(destination)) continue;
    out.push({
      type: 'docker-managed',
      destination,
      source,
      readOnly: false,
      note: "written by Docker at start and mounted over the image's file: not in the diff; read it from the container to check it",
    });
  }
  return out;
}
