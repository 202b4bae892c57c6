import type { SocketProtocol } from '../../../shared/domain/network';
import { addressScope, canonicalIp } from './ip-address';

/** What the resolver needs to know about one container (from the engine's list and inspect). */
export interface TopologyContainer {
  host: string;
  nodeId: string;
  id: string;
  name: string;
  networks: { name: string; networkId: string; ipv4?: string; ipv6?: string }[];
  ports: { containerPort: number; protocol: string; hostIp?: string; hostPort?: number }[];
  /** network mode host: its sockets are the host's. */
  hostNetwork: boolean;
  /** network mode container:<id>: the node whose namespace (and addresses) it uses. */
  namespaceOwner?: string;
}

export interface SwarmServiceInfo {
  nodeId: string;
  id: string;
  name: string;
  /** Virtual IPs per overlay network. */
  vips: { networkId: string; ip: string }[];
}

export interface HostTopology {
  host: string;
  hostNodeId: string;
  containers: TopologyContainer[];
  /** The host's own addresses as containers see them: every network's gateway. */
  hostAddresses: string[];
  services: SwarmServiceInfo[];
}

export type Resolution =
  | { kind: 'self' }
  | { kind: 'unspecified' }
  | { kind: 'container'; nodeId: string; via?: 'published-port' }
  | { kind: 'swarm-service'; nodeId: string; via: 'swarm-vip' }
  | { kind: 'host'; nodeId: string; via?: 'gateway' }
  | { kind: 'external'; nodeId: string; ip: string };

export function hostNodeId(host: string): string {
  return `h:${host}`;
}

export function containerNodeId(host: string, containerId: string): string {
  return `c:${host}/${containerId}`;
}

export function serviceNodeId(host: string, serviceId: string): string {
  return `s:${host}/${serviceId}`;
}

export function externalNodeId(ip: string): string {
  return `x:${ip}`;
}

interface HostIndex {
  topology: HostTopology;
  byIp: Map<string, string[]>;
  hostAddresses: Set<string>;
  published: Map<string, { nodeId: string; hostIp?: string }[]>;
  vips: Map<string, string>;
}

/**
 * Maps an address seen in a socket table (or a captured flow) to what it is, from the point of
 * view of the container whose table it came from, in this order: its own addresses; a container
 * on a network it shares (by network ID, so overlay networks resolve across Swarm nodes); a Swarm
 * service VIP; a host address (a gateway), where a published port leads on to the container
 * behind it; any container of the same host by IP; otherwise an external endpoint.
 */
export class EndpointResolver {
  private readonly hosts = new Map<string, HostIndex>();
  private readonly byNetworkIp = new Map<string, string>();
  private readonly containers = new Map<string, TopologyContainer>();

  constructor(topologies: readonly HostTopology[]) {
    for (const topology of topologies) {
      const index: HostIndex = { topology, byIp: new Map(), hostAddresses: new Set(), published: new Map(), vips: new Map() };
      for (const address of topology.hostAddresses) {
        const ip = canonicalIp(address);
        if (ip) index.hostAddresses.add(ip);
      }
      for (const c of topology.containers) {
        this.containers.set(c.nodeId, c);
        if (c.hostNetwork || c.namespaceOwner) continue;
        for (const n of c.networks) {
          for (const raw of [n.ipv4, n.ipv6]) {
            const ip = canonicalIp(raw);
            if (!ip) continue;
            this.byNetworkIp.set(`${n.networkId}|${ip}`, c.nodeId);
            index.byIp.set(ip, [...(index.byIp.get(ip) ?? []), c.nodeId]);
          }
        }
        for (const p of c.ports) {
          if (p.hostPort === undefined) continue;
          const key = `${p.protocol}|${p.hostPort}`;
          index.published.set(key, [
            ...(index.published.get(key) ?? []),
            { nodeId: c.nodeId, ...(p.hostIp ? { hostIp: canonicalIp(p.hostIp) ?? p.hostIp } : {}) },
          ]);
        }
      }
      for (const s of topology.services) {
        for (const vip of s.vips) {
          const ip = canonicalIp(vip.ip);
          if (ip) index.vips.set(ip, s.nodeId);
        }
      }
      this.hosts.set(topology.host, index);
    }
  }

  container(nodeId: string): TopologyContainer | undefined {
    return this.containers.get(nodeId);
  }

  /** The addresses a container's namespace answers to (its owner's, when it shares one). */
  ownAddresses(from: TopologyContainer): Set<string> {
    const owner = (from.namespaceOwner && this.containers.get(from.namespaceOwner)) || from;
    const out = new Set<string>();
    for (const n of owner.networks)
      for (const raw of [n.ipv4, n.ipv6]) {
        const ip = canonicalIp(raw);
        if (ip) out.add(ip);
      }
    return out;
  }

  resolve(rawIp: string, port: number, protocol: SocketProtocol, from: TopologyContainer): Resolution {
    const ip = canonicalIp(rawIp) ?? rawIp;
    const scope = addressScope(ip);
    if (scope === 'unspecified') return { kind: 'unspecified' };
    if (scope === 'loopback' || this.ownAddresses(from).has(ip)) return { kind: 'self' };
    const owner = (from.namespaceOwner && this.containers.get(from.namespaceOwner)) || from;
    for (const n of owner.networks) {
      const hit = this.byNetworkIp.get(`${n.networkId}|${ip}`);
      if (hit) return { kind: 'container', nodeId: hit };
    }
    const index = this.hosts.get(from.host);
    if (index) {
      const vip = index.vips.get(ip);
      if (vip) return { kind: 'swarm-service', nodeId: vip, via: 'swarm-vip' };
      if (index.hostAddresses.has(ip)) {
        const behind = this.publishedBehind(index, ip, port, protocol);
        if (behind) return { kind: 'container', nodeId: behind, via: 'published-port' };
        return { kind: 'host', nodeId: index.topology.hostNodeId, via: 'gateway' };
      }
      const same = index.byIp.get(ip);
      if (same?.length === 1 && same[0]) return { kind: 'container', nodeId: same[0] };
    }
    return { kind: 'external', nodeId: externalNodeId(ip), ip };
  }

  /** A flow endpoint seen by a capture of `from`: its own address is the container itself. */
  resolveForFlow(rawIp: string, port: number, protocol: SocketProtocol, from: TopologyContainer): Resolution {
    const ip = canonicalIp(rawIp) ?? rawIp;
    if (this.ownAddresses(from).has(ip)) return { kind: 'container', nodeId: from.namespaceOwner ?? from.nodeId };
    return this.resolve(ip, port, protocol, from);
  }

  private publishedBehind(index: HostIndex, ip: string, port: number, protocol: SocketProtocol): string | undefined {
    const candidates = index.published.get(`${protocol}|${port}`) ?? [];
    const matching = candidates.filter((c) => !c.hostIp || c.hostIp === ip || c.hostIp === '0.0.0.0' || c.hostIp === '::');
    const ids = new Set(matching.map((c) => c.nodeId));
    return ids.size === 1 ? [...ids][0] : undefined;
  }
}
