import type { Flow, FlowEndpoint, FlowProtocol } from '../../../../shared/domain/capture';

// A capture's flows folded into conversations: one row per (protocol, client address, server
// address, server port), however many client ports the client used. An HTTP client polling a
// server every second opens a new connection each time; the examiner wants to see "app → web:80,
// 40 connections", not 40 rows.

export interface Conversation {
  key: string;
  protocol: FlowProtocol;
  clientIp: string;
  server: FlowEndpoint;
  /** Flows (connections) folded into this row. */
  connections: number;
  /** Distinct client ports, ascending. */
  clientPorts: number[];
  packetsToServer: number;
  packetsToClient: number;
  bytesToServer: number;
  bytesToClient: number;
  firstSeen: string;
  lastSeen: string;
  tlsServerNames: string[];
  httpHosts: string[];
  dnsQueries: string[];
}

export function endpointText(e: FlowEndpoint): string {
  if (e.port === null) return e.ip;
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function union(into: string[], more: readonly string[]): string[] {
  if (!more.length) return into;
  const set = new Set(into);
  for (const m of more) set.add(m);
  return set.size === into.length ? into : [...set];
}

export function conversations(flows: readonly Flow[]): Conversation[] {
  const byKey = new Map<string, Conversation>();
  for (const f of flows) {
    const key = `${f.protocol}|${f.ipProtocol}|${f.client.ip}|${endpointText(f.server)}`;
    const c = byKey.get(key);
    if (!c) {
      byKey.set(key, {
        key,
        protocol: f.protocol,
        clientIp: f.client.ip,
        server: f.server,
        connections: 1,
        clientPorts: f.client.port === null ? [] : [f.client.port],
        packetsToServer: f.packetsToServer,
        packetsToClient: f.packetsToClient,
        bytesToServer: f.bytesToServer,
        bytesToClient: f.bytesToClient,
        firstSeen: f.firstSeen,
        lastSeen: f.lastSeen,
        tlsServerNames: [...f.tlsServerNames],
        httpHosts: [...f.httpHosts],
        dnsQueries: [...f.dnsQueries],
      });
      continue;
    }
    c.connections++;
    if (f.client.port !== null && !c.clientPorts.includes(f.client.port)) c.clientPorts.push(f.client.port);
    c.packetsToServer += f.packetsToServer;
    c.packetsToClient += f.packetsToClient;
    c.bytesToServer += f.bytesToServer;
    c.bytesToClient += f.bytesToClient;
    if (f.firstSeen < c.firstSeen) c.firstSeen = f.firstSeen;
    if (f.lastSeen > c.lastSeen) c.lastSeen = f.lastSeen;
    c.tlsServerNames = union(c.tlsServerNames, f.tlsServerNames);
    c.httpHosts = union(c.httpHosts, f.httpHosts);
    c.dnsQueries = union(c.dnsQueries, f.dnsQueries);
  }
  for (const c of byKey.values()) c.clientPorts.sort((a, b) => a - b);
  return [...byKey.values()];
}

/** "40000–40031 (32 ports)", "40000, 40007", "—". */
export function portsText(ports: readonly number[]): string {
  if (ports.length === 0) return '—';
  if (ports.length <= 3) return ports.join(', ');
  return `${ports[0]}–${ports[ports.length - 1]} (${ports.length} ports)`;
}
