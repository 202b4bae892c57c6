import type Dockerode from 'dockerode';
import type { ContainerSummary } from '../../../shared/domain/inventory';
import type { HostScanReport, NodeScan, SocketEntry } from '../../../shared/domain/network';
import type { HelperLedger } from '../helper/ledger';
import { DrydockFailure } from '../errors';
import { engineCall, engineWhere } from '../hosts/engine-call';
import {
  containerNodeId,
  hostNodeId,
  serviceNodeId,
  type HostTopology,
  type SwarmServiceInfo,
  type TopologyContainer,
} from './endpoint-resolver';
import type { HostGraphInput } from './graph-builder';
import type { ByteOrder } from './ip-address';
import type { NamespaceReadRequest, NamespaceReadResult } from './namespace-reader';

export interface CollectorDeps {
  /** The host's inventory, freshly listed (risk flags, compose and Swarm labels). */
  inventory(host: string): Promise<ContainerSummary[]>;
  /** The helper image to run on this host (loads the bundled one when missing). */
  helperImage(docker: Dockerode, host: string): Promise<string>;
  readNamespace(docker: Dockerode, request: NamespaceReadRequest): Promise<NamespaceReadResult>;
  /** Drydock's record of its own helpers (the socket readers are recorded there). */
  helpers: HelperLedger;
  /** Whether a drift report shows the container changed; null when none is known. */
  drift?(host: string, containerId: string): Promise<boolean | null>;
  now(): Date;
}

/** One namespace's socket tables as read, for the stored artifact. */
export interface SocketTableRecord {
  host: string;
  containerId: string;
  containerName: string;
  readAt: string;
  entries: SocketEntry[];
  skippedLines: number;
  droppedEntries: number;
  missingTables: string[];
  truncated: boolean;
}

/** A namespace's last reading, kept by a watch between refreshes. */
export interface CachedTables {
  record: SocketTableRecord;
  scan: NodeScan;
}

export interface CollectOptions {
  /** Readings from earlier refreshes, by container ID (a watch's). */
  cache?: Map<string, CachedTables>;
  /** Namespaces read at most per call: unread ones first, then the oldest readings; the rest reuse their last reading or wait. */
  budget?: number;
  /** Checked before each namespace: true = start no further helper (the watch was stopped). */
  stopped?: () => boolean;
}

export interface HostCollection {
  input: HostGraphInput;
  report: HostScanReport;
  /** The readings behind this graph (fresh and reused). */
  tables: SocketTableRecord[];
  limitations: string[];
}

/** Helpers at once per host: each is a container create/start/remove on the suspect's engine. */
const SCAN_CONCURRENCY = 6;

/** Architectures whose engines report them big-endian; the kernel prints addresses in host byte order. */
const BIG_ENDIAN = /^(s390x?|ppc64|ppc|mips|mips64|sparc.*|m68k|hppa.*|armeb|aarch64_be)$/i;

export function byteOrderOf(architecture: string): ByteOrder {
  return BIG_ENDIAN.test(architecture.trim()) ? 'big' : 'little';
}

interface EngineInfo {
  Architecture?: string;
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean };
}

function engine<T>(host: string, action: string, run: () => Promise<T>, container?: string): Promise<T> {
  return engineCall(engineWhere(host, container, action), run);
}

function gatewaysOf(networks: Dockerode.NetworkInspectInfo[]): string[] {
  const out: string[] = [];
  for (const n of networks) for (const config of n.IPAM?.Config ?? []) if (config.Gateway) out.push(config.Gateway);
  return out;
}

async function swarmServices(docker: Dockerode, host: string): Promise<{ services: SwarmServiceInfo[]; note?: string }> {
  try {
    const services = await docker.listServices();
    return {
      services: services.map((s) => {
        const spec = s as { ID?: string; Spec?: { Name?: string }; Endpoint?: { VirtualIPs?: { NetworkID?: string; Addr?: string }[] } };
        const id = spec.ID ?? '';
        return {
          nodeId: serviceNodeId(host, id),
          id,
          name: spec.Spec?.Name ?? id.slice(0, 12),
          vips: (spec.Endpoint?.VirtualIPs ?? [])
            .filter((v) => v.Addr)
            .map((v) => ({ networkId: v.NetworkID ?? '', ip: (v.Addr ?? '').replace(/\/\d+$/, '') })),
        };
      }),
    };
  } catch (err) {
    return {
      services: [],
      note: `Swarm services of host ${host} could not be listed (${(err as Error).message}); service VIPs resolve as external`,
    };
  }
}

/**
 * Everything the graph needs from one host: its inventory, each container's network mode, the
 * networks' gateways (the host's own addresses), Swarm service VIPs (from a manager), and the
 * socket tables of every running container's namespace, read once per namespace.
 */
export async function collectHost(
  docker: Dockerode,
  host: string,
  deps: CollectorDeps,
  options: CollectOptions = {},
): Promise<HostCollection> {
  const takenAt = deps.now().toISOString();
  const limitations: string[] = [];
  const info = (await engine(host, 'read engine information', () => docker.info())) as EngineInfo;
  const byteOrder = byteOrderOf(info.Architecture ?? '');
  const swarmState = info.Swarm?.LocalNodeState === 'active' ? (info.Swarm.ControlAvailable ? 'manager' : 'worker') : 'inactive';
  const [summaries, listed, networks] = await Promise.all([
    deps.inventory(host),
    engine(host, 'list containers', () => docker.listContainers({ all: true })),
    engine(host, 'list networks', () => docker.listNetworks()),
  ]);
  const swarm = swarmState === 'manager' ? await swarmServices(docker, host) : { services: [] as SwarmServiceInfo[] };
  if ('note' in swarm && swarm.note) limitations.push(swarm.note);
  if (swarmState === 'worker')
    limitations.push(
      `Host ${host} is a Swarm worker: service VIPs are only known to managers, so connections to them show as external addresses`,
    );

  // Drydock's own helpers (recognised by recorded ID, never by label) are tools, not part of the scene.
  const scene = summaries.filter((c) => c.helper !== true);
  const modes = new Map(listed.map((c) => [c.Id, c.HostConfig?.NetworkMode ?? 'default']));
  const byRef = new Map<string, ContainerSummary>();
  for (const c of scene) {
    byRef.set(c.id, c);
    byRef.set(c.name, c);
  }
  const ownerOf = (mode: string): ContainerSummary | undefined => {
    const ref = mode.slice('container:'.length);
    return byRef.get(ref) ?? scene.find((c) => ref.length >= 12 && c.id.startsWith(ref));
  };

  const topologyContainers: TopologyContainer[] = [];
  const scans = new Map<string, NodeScan>();
  const toScan: { summary: ContainerSummary; nodeId: string }[] = [];
  for (const c of scene) {
    const nodeId = containerNodeId(host, c.id);
    const mode = modes.get(c.id) ?? 'default';
    const owner = mode.startsWith('container:') ? ownerOf(mode) : undefined;
    topologyContainers.push({
      host,
      nodeId,
      id: c.id,
      name: c.name,
      networks: c.networks.map((n) => ({
        name: n.network,
        networkId: n.networkId,
        ...(n.ipv4 ? { ipv4: n.ipv4 } : {}),
        ...(n.ipv6 ? { ipv6: n.ipv6 } : {}),
      })),
      ports: c.ports,
      hostNetwork: mode === 'host',
      ...(owner ? { namespaceOwner: containerNodeId(host, owner.id) } : {}),
    });
    const running = c.state === 'running' || c.state === 'paused';
    if (mode === 'host')
      scans.set(nodeId, { status: 'skipped', reason: "shares the host's network namespace: its sockets are the host's, not read" });
    else if (mode.startsWith('container:')) {
      scans.set(
        nodeId,
        owner
          ? { status: 'shared', sharedWith: containerNodeId(host, owner.id), reason: `uses the network namespace of ${owner.name}` }
          : { status: 'skipped', reason: 'uses the network namespace of a container that is not listed' },
      );
    } else if (!running) scans.set(nodeId, { status: 'skipped', reason: `not running (${c.state}): no network namespace` });
    else toScan.push({ summary: c, nodeId });
  }

  const sockets = new Map<string, SocketEntry[]>();
  const tables: SocketTableRecord[] = [];
  const cache = options.cache;
  if (cache) {
    // Readings of containers no longer running are history, not part of the live picture.
    const live = new Set(toScan.map((t) => t.summary.id));
    for (const id of cache.keys()) if (!live.has(id)) cache.delete(id);
    // Never read first, then the oldest readings.
    toScan.sort((a, b) => (cache.get(a.summary.id)?.record.readAt ?? '').localeCompare(cache.get(b.summary.id)?.record.readAt ?? ''));
  }
  const budget = options.budget ?? Infinity;
  for (const item of toScan.splice(Math.min(budget, toScan.length))) {
    const cached = cache?.get(item.summary.id);
    if (cached) {
      sockets.set(item.nodeId, cached.record.entries);
      scans.set(item.nodeId, cached.scan);
      tables.push(cached.record);
    } else {
      scans.set(item.nodeId, { status: 'pending', reason: 'not read yet: a following refresh reads it' });
    }
  }
  let helperImage: string | undefined;
  if (toScan.length > 0) {
    helperImage = await deps.helperImage(docker, host);
    const image = helperImage;
    let next = 0;
    const worker = async () => {
      while (next < toScan.length && !options.stopped?.()) {
        const item = toScan[next++];
        if (!item) break;
        const { summary, nodeId } = item;
        try {
          const read = await engine(
            host,
            'read the socket tables',
            () =>
              deps.readNamespace(docker, {
                host,
                ledger: deps.helpers,
                containerId: summary.id,
                containerName: summary.name,
                image,
                byteOrder,
              }),
            summary.name,
          );
          sockets.set(nodeId, read.entries);
          const notes: string[] = [];
          if (read.missing.length) notes.push(`no ${read.missing.join(', ')} table (IPv6 disabled?)`);
          if (read.dropped) notes.push(`${read.dropped} sockets beyond the cap were not kept`);
          if (read.truncated) notes.push('the helper output was cut at its size cap');
          const readAt = deps.now().toISOString();
          const scan: NodeScan = {
            status: 'scanned',
            readAt,
            sockets: read.entries.length,
            skippedLines: read.skipped,
            ...(notes.length ? { reason: notes.join('; ') } : {}),
          };
          const record: SocketTableRecord = {
            host,
            containerId: summary.id,
            containerName: summary.name,
            readAt,
            entries: read.entries,
            skippedLines: read.skipped,
            droppedEntries: read.dropped,
            missingTables: read.missing,
            truncated: read.truncated,
          };
          scans.set(nodeId, scan);
          tables.push(record);
          cache?.set(summary.id, { record, scan });
        } catch (err) {
          // A container that stopped between list and scan is not a failure of the scan.
          const message = (err as Error).message;
          const gone = err instanceof DrydockFailure && (err.kind === 'not-found' || err.kind === 'conflict');
          scans.set(nodeId, { status: gone ? 'skipped' : 'failed', reason: message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SCAN_CONCURRENCY, toScan.length) }, worker));
  }

  const drift = new Map<string, boolean>();
  if (deps.drift) {
    for (const c of scene) {
      // No drift answer (never scanned, scan failed): the node gets no drift mark at all, not 'unchanged'.
      const changed = await deps.drift(host, c.id).catch(() => null);
      if (changed !== null) drift.set(containerNodeId(host, c.id), changed);
    }
  }

  const topology: HostTopology = {
    host,
    hostNodeId: hostNodeId(host),
    containers: topologyContainers,
    hostAddresses: gatewaysOf(networks),
    services: swarm.services,
  };
  const counts = { scanned: 0, skipped: 0, failed: 0, pending: 0 };
  for (const scan of scans.values()) {
    if (scan.status === 'scanned') counts.scanned++;
    else if (scan.status === 'failed') counts.failed++;
    else if (scan.status === 'pending') counts.pending++;
    else counts.skipped++;
  }
  return {
    input: { topology, containers: scene, scans, sockets, drift },
    report: { host, takenAt, ...counts, ...(helperImage ? { helperImage } : {}), byteOrder, swarm: swarmState },
    tables,
    limitations,
  };
}
