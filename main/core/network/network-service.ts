import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { ClusterNode } from '../../../shared/domain/cluster';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import type { InventorySnapshot } from '../../../shared/domain/inventory';
import type {
  HostScanReport,
  NetworkGraphSnapshot,
  NetworkSnapshotResult,
  NetworkWatchInfo,
  StoredSnapshotRef,
} from '../../../shared/domain/network';
import type { NodeEngine } from '../../../shared/domain/replicas';
import type { AuditFn } from '../audit-fn';
import type { NewArtifact } from '../evidence/port';
import { ensureHelperImage } from '../helper/image';
import type { Clock } from '../clock';
import { DrydockFailure } from '../errors';
import { WatchLease } from '../watch-lease';
import type { EventHub } from '../event-hub';
import { engineFailure } from '../hosts/engine-errors';
import { enrichWithFlows, FlowSummaryCache, type FlowEvidence } from './flow-enrichment';
import { diffGraphs, isEmptyDiff } from './graph-diff';
import { buildGraph, type HostGraphInput } from './graph-builder';
import { collectHost, type CachedTables, type CollectorDeps, type SocketTableRecord } from './host-collector';
import { readNamespaceSockets } from './namespace-reader';
import { buildSwarmLayer, type SwarmListings } from './swarm-layer';

export interface NetworkEvidence extends FlowEvidence {
  resolveWritableCase(ref?: string, acquisition?: { host: string }): { id: string; name: string } | Promise<{ id: string; name: string }>;
  ingestJson(meta: NewArtifact, value: unknown): Promise<ArtifactInfo>;
}

export interface NetworkServiceDeps {
  hosts: { docker(host: string): Promise<Dockerode>; statuses(): { name: string; state: string }[] };
  inventory: { list(host: string, options: { record: boolean }): Promise<InventorySnapshot> };
  evidence: NetworkEvidence;
  events: EventHub;
  clock: Clock;
  audit: AuditFn;
  /** Drydock's record of the helper containers it creates. */
  helpers: CollectorDeps['helpers'];
  /** The user's own helper image from the capture settings; null = the bundled one. */
  helperImageOverride: () => string | null;
  /** Whether a drift report shows a container changed; absent until drift is wired in. */
  drift?: CollectorDeps['drift'];
  /** Replaces the namespace reader (tests of the service's own logic). */
  readNamespace?: CollectorDeps['readNamespace'];
  /** A Swarm manager's listings and how its nodes are reached, for cluster graphs; absent: a cluster graph fails 'unsupported'. */
  swarm?: SwarmSource;
}

/** Where a cluster graph's listings come from (the cluster capability, wired by the app). */
export interface SwarmSource {
  /**
   * The manager's nodes, services and tasks, and what the listings left out.
   * @throws DrydockFailure('unsupported') when `manager` is not a Swarm manager, or the engine kinds.
   */
  listings(manager: string): Promise<Omit<SwarmListings, 'engines'> & { limitations: string[] }>;
  /** Which saved profile answers as each node (mapNodeEngines); never throws. */
  engines(nodes: readonly ClusterNode[]): Promise<{ engines: NodeEngine[]; unanswered: { host: string; error: string }[] }>;
}

/** A cluster graph's plan for one refresh: the listings, how nodes are reached, the hosts to read. */
interface ClusterPlan {
  listings: SwarmListings;
  hosts: string[];
  limitations: string[];
}

export interface SnapshotRequest {
  host?: string;
  hosts?: string[];
  /** A Swarm manager: the graph of its cluster (its nodes' hosts, nodes as groups, overlays as edges). */
  cluster?: string;
  record: boolean;
  caseRef?: string;
}

/** The host an ad-hoc case is named for: the one asked about, else the first of several, else "all hosts". */
function acquisitionHost(request: { host?: string; hosts?: string[]; cluster?: string }): string {
  return request.host ?? request.cluster ?? request.hosts?.[0] ?? 'all hosts';
}

export interface WatchRequest {
  host?: string;
  hosts?: string[];
  cluster?: string;
  intervalSeconds: number;
  record: boolean;
  caseRef?: string;
  leaseSeconds?: number;
}

interface Watch {
  info: NetworkWatchInfo;
  caseRef?: string;
  /** Timer, lease, failures, the refresh under way and the one end (shared with process watches). */
  lease: WatchLease;
  previous: NetworkGraphSnapshot | undefined;
  /** Per host: each namespace's last reading, so a refresh reads only a bounded few. */
  caches: Map<string, Map<string, CachedTables>>;
  /** A cluster watch: how the nodes were last mapped to profiles (probing every profile takes seconds), by the node IDs it was for. */
  engines?: { key: string; result: Awaited<ReturnType<SwarmSource['engines']>> };
}
/**
 * Namespaces a watch reads per host and refresh (each is a helper container on the host, about
 * a second of the engine's time): a host with hundreds of containers still refreshes in seconds,
 * the oldest readings first, and the first refreshes fill the picture in progressively.
 */
const WATCH_SCAN_BUDGET = 16;
/** While namespaces are still unread, the next refresh follows at once rather than after the interval. */
const CATCH_UP_MS = 250;
const ARTIFACT_FORMAT = 'drydock.connection-snapshot/1';

/**
 * Connection discovery: for each host, every running container's socket tables (read by a helper
 * sharing its namespace), resolved into one graph with the host, Swarm services and external
 * endpoints, enriched with the case's captured flows. Snapshots on demand or live (a watch
 * refreshes on an interval and emits 'network.changed'); recorded ones are artifacts.
 */
export class NetworkService {
  private readonly watches = new Map<string, Watch>();
  private readonly flows = new FlowSummaryCache();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: NetworkServiceDeps) {}

  /**
   * One network graph of the hosts asked for (all connected ones when none is named): nodes, edges,
   * per-host scan results and the case's captured flows; `takenAt` ISO 8601 UTC. With `record`, it is
   * stored as an artifact of the case and `stored` names it (artifact ID, sha256). A host that cannot be
   * read is reported in the snapshot, except when it is the one host named: then its failure is thrown.
   * With `cluster` (a Swarm manager) the hosts read are the saved profiles that answer as its nodes,
   * and `snapshot.swarm` gives the nodes as groups and overlay networks as edges (buildSwarmLayer);
   * a node that cannot be read is a group of what the manager lists.
   * @throws DrydockFailure ('not-found')/('conflict') from resolveWritableCase (unknown, closed or read-only case); ('not-found') for an unknown host, ('disconnected'), or the engine kinds of engineCall ('unreachable', 'tls', 'permission-denied', 'ssh-auth', 'engine') for the one named host or the cluster's manager; ('unsupported') when `cluster` is not a Swarm manager; ('store'), ('disk-full') when the evidence store cannot write.
   */
  async snapshot(request: SnapshotRequest): Promise<NetworkSnapshotResult> {
    const kase = request.record
      ? await this.deps.evidence.resolveWritableCase(request.caseRef, { host: acquisitionHost(request) })
      : undefined;
    const explicit = request.host !== undefined || request.hosts !== undefined;
    const plan = request.cluster !== undefined ? await this.clusterPlan(request.cluster) : undefined;
    const hosts = plan ? plan.hosts : this.selectHosts(request);
    const { snapshot, tables, failures } = await this.take(hosts, request.caseRef ?? kase?.id, undefined, plan);
    // One named host that could not be read at all is a failure, not an empty graph.
    const [failure] = failures;
    if (explicit && hosts.length === 1 && failure) throw failure;
    const audit = {
      hosts,
      ...(request.cluster !== undefined ? { cluster: request.cluster } : {}),
      nodes: snapshot.nodes.length,
      edges: snapshot.edges.length,
      namespacesRead: snapshot.hosts.reduce((n, h) => n + h.scanned, 0),
    };
    if (!kase) {
      this.deps.audit('network.snapshot', { ...audit, recorded: false });
      return { snapshot };
    }
    const stored = await this.store(kase.id, snapshot, tables, {});
    this.deps.audit('network.snapshot', { ...audit, recorded: true, artifactId: stored.artifactId, sha256: stored.sha256 }, kase.id);
    return { snapshot, stored };
  }

  /**
   * Starts a live watch: a snapshot every `intervalSeconds` seconds emitted as 'network.changed' (stored
   * when `record`), until unwatched, shut down, its lease (seconds) runs out or refreshes fail too often
   * ('network.watch-ended' says which). Returns the watch (`startedAt` ISO 8601 UTC); the first refresh
   * follows the reply. With `cluster` (a Swarm manager) each refresh lists its cluster again and reads
   * its nodes' hosts (see snapshot()); a manager that cannot be listed counts as a failed refresh.
   * @throws DrydockFailure ('not-found')/('conflict') from resolveWritableCase (unknown, closed or read-only case) when `record`; ('unsupported') when cluster graphs are not wired.
   */
  async watch(request: WatchRequest): Promise<NetworkWatchInfo> {
    const kase = request.record
      ? await this.deps.evidence.resolveWritableCase(request.caseRef, { host: acquisitionHost(request) })
      : undefined;
    if (request.cluster !== undefined && !this.deps.swarm) throw new DrydockFailure('unsupported', 'Cluster graphs are not available here');
    const hosts = request.host !== undefined ? [request.host] : (request.hosts ?? []);
    const id = `nw-${this.deps.clock.now().getTime().toString(36)}-${randomBytes(4).toString('hex')}`;
    const info: NetworkWatchInfo = {
      id,
      hosts,
      ...(request.cluster !== undefined ? { cluster: request.cluster } : {}),
      intervalSeconds: request.intervalSeconds,
      record: request.record,
      ...(kase ? { caseId: kase.id } : {}),
      startedAt: this.deps.clock.now().toISOString(),
      refreshes: 0,
      storedSnapshots: 0,
    };
    const watch: Watch = {
      info,
      ...(request.caseRef !== undefined ? { caseRef: request.caseRef } : {}),
      lease: new WatchLease({
        clock: this.deps.clock,
        ...(request.leaseSeconds !== undefined ? { leaseSeconds: request.leaseSeconds } : {}),
        refresh: () => this.tick(watch),
        ended: {
          record: (reason, message) => {
            this.watches.delete(id);
            // Ended, but a refresh may still be under way (helpers on the hosts): close() waits for it.
            const settling = watch.lease.settled();
            this.running.add(settling);
            void settling.finally(() => this.running.delete(settling));
            this.deps.audit(
              'network.watch-ended',
              { watchId: id, reason, refreshes: info.refreshes, storedSnapshots: info.storedSnapshots, ...(message ? { message } : {}) },
              info.caseId,
            );
          },
          // A refresh under way starts no further helper (stopped is checked per namespace) and is announced once its helpers are gone.
          announce: (reason, message) =>
            this.deps.events.emit('network.watch-ended', {
              watchId: id,
              reason,
              refreshes: info.refreshes,
              ...(message ? { message } : {}),
            }),
        },
      }),
      previous: undefined,
      caches: new Map(),
    };
    this.syncLease(watch);
    this.watches.set(id, watch);
    this.deps.audit(
      'network.watch-started',
      {
        watchId: id,
        hosts: request.cluster !== undefined ? `the nodes of ${request.cluster}'s swarm` : hosts.length ? hosts : 'every connected host',
        intervalSeconds: request.intervalSeconds,
        record: request.record,
      },
      kase?.id,
    );
    this.deps.events.emit('network.watch-started', { ...watch.info });
    // The first refresh starts now; its 'network.changed' follows the reply.
    watch.lease.schedule(0);
    return { ...watch.info };
  }

  /**
   * Extends a watch's lease by its length from now.
   * @throws DrydockFailure('not-found') when the watch ended or its lease expired.
   */
  renew(watchId: string): NetworkWatchInfo {
    const watch = this.watches.get(watchId);
    if (!watch) throw new DrydockFailure('not-found', `No network watch ${watchId} (it ended or its lease expired)`);
    watch.lease.renew();
    this.syncLease(watch);
    return { ...watch.info };
  }

  /**
   * Stops a watch; `stopped` is false (and no `watch`) when there was none with that ID.
   */
  unwatch(watchId: string): { stopped: boolean; watch?: NetworkWatchInfo } {
    const watch = this.watches.get(watchId);
    if (!watch) return { stopped: false };
    watch.lease.end('stopped');
    return { stopped: true, watch: { ...watch.info } };
  }

  /**
   * The watches running now.
   */
  list(): NetworkWatchInfo[] {
    return [...this.watches.values()].map((w) => ({ ...w.info }));
  }

  /**
   * Ends every watch ('shutdown') and waits for refreshes under way to remove their helpers.
   */
  async close(): Promise<void> {
    const watches = [...this.watches.values()];
    for (const watch of watches) watch.lease.end('shutdown');
    // A refresh under way still holds helpers on a host: let it finish removing them.
    await Promise.all([...watches.map((w) => w.lease.settled()), ...this.running]);
  }

  private selectHosts(request: { host?: string; hosts?: string[] }): string[] {
    if (request.host !== undefined) return [request.host];
    if (request.hosts !== undefined) return [...new Set(request.hosts)];
    return this.deps.hosts
      .statuses()
      .filter((s) => s.state === 'connected')
      .map((s) => s.name);
  }

  /**
   * The cluster's listings from its manager and the hosts to read: one saved profile per node that
   * one answers as. A watch passes its last mapping, reused while the nodes are the same and none
   * still lacks a profile.
   */
  private async clusterPlan(manager: string, watch?: Watch): Promise<ClusterPlan> {
    const swarm = this.deps.swarm;
    if (!swarm) throw new DrydockFailure('unsupported', 'Cluster graphs are not available here', { host: manager });
    const listings = await swarm.listings(manager);
    const key = listings.nodes
      .map((n) => n.id)
      .sort()
      .join(',');
    const cached = watch?.engines;
    const mapping =
      cached && cached.key === key && cached.result.engines.every((e) => e.state !== 'no-profile')
        ? cached.result
        : await swarm.engines(listings.nodes);
    if (watch) watch.engines = { key, result: mapping };
    const hosts = [...new Set(mapping.engines.flatMap((e) => (e.state === 'mapped' && e.host !== undefined ? [e.host] : [])))];
    const limitations = [
      ...listings.limitations,
      ...mapping.unanswered.map((u) => `profile ${u.host} did not say which node it is (${u.error}); it may be one of the nodes not read`),
    ];
    return { listings: { ...listings, engines: mapping.engines }, hosts, limitations };
  }

  private async take(
    hosts: string[],
    flowCase: string | undefined,
    live?: { caches: Map<string, Map<string, CachedTables>>; budget: number; stopped: () => boolean },
    cluster?: ClusterPlan,
  ): Promise<{ snapshot: NetworkGraphSnapshot; tables: SocketTableRecord[]; failures: DrydockFailure[] }> {
    const takenAt = this.deps.clock.now().toISOString();
    const limitations: string[] = [];
    const inputs: HostGraphInput[] = [];
    const reports: HostScanReport[] = [];
    const tables: SocketTableRecord[] = [];
    const failures: DrydockFailure[] = [];
    if (hosts.length === 0 && !cluster) limitations.push('No host is connected: connect one on the Hosts view');
    const collected = await Promise.all(
      hosts.map(async (host) => {
        try {
          const docker = await this.deps.hosts.docker(host);
          let options = {};
          if (live) {
            const cache = live.caches.get(host) ?? new Map<string, CachedTables>();
            live.caches.set(host, cache);
            options = { cache, budget: live.budget, stopped: live.stopped };
          }
          return { host, result: await collectHost(docker, host, this.collectorDeps(), options) };
        } catch (err) {
          const failure = engineFailure(err, { host, action: 'read its connections' });
          return { host, error: failure };
        }
      }),
    );
    for (const item of collected) {
      if ('error' in item && item.error) {
        failures.push(item.error);
        reports.push({
          host: item.host,
          takenAt,
          scanned: 0,
          skipped: 0,
          failed: 0,
          pending: 0,
          swarm: 'inactive',
          error: { kind: item.error.kind, message: item.error.message },
        });
        continue;
      }
      if (!item.result) continue;
      inputs.push(item.result.input);
      reports.push(item.result.report);
      tables.push(...item.result.tables);
      limitations.push(...item.result.limitations);
    }
    const graph = buildGraph(inputs);
    const stored = await this.flows.load(this.deps.evidence, new Set(inputs.map((i) => i.topology.host)), flowCase);
    const flows = enrichWithFlows(graph, stored);
    const { nodes, edges } = graph.finish();
    if (!cluster) return { snapshot: { takenAt, hosts: reports, nodes, edges, flows, limitations }, tables, failures };
    const hostErrors = new Map(reports.flatMap((r) => (r.error ? [[r.host, r.error.message] as const] : [])));
    const layered = buildSwarmLayer({ ...cluster.listings, graph: nodes, hostErrors });
    limitations.push(...cluster.limitations);
    return {
      snapshot: { takenAt, hosts: reports, nodes: layered.nodes, edges, flows, limitations, swarm: layered.swarm },
      tables,
      failures,
    };
  }

  private collectorDeps(): CollectorDeps {
    return {
      inventory: async (host) => (await this.deps.inventory.list(host, { record: false })).containers,
      helperImage: async (docker, host) =>
        (await ensureHelperImage(docker, { host, override: this.deps.helperImageOverride(), audit: this.deps.audit })).image,
      readNamespace: this.deps.readNamespace ?? ((docker, request) => readNamespaceSockets(docker, request)),
      ...(this.deps.drift ? { drift: this.deps.drift } : {}),
      helpers: this.deps.helpers,
      now: () => this.deps.clock.now(),
    };
  }

  private async store(
    caseId: string,
    snapshot: NetworkGraphSnapshot,
    tables: SocketTableRecord[],
    extra: Record<string, unknown>,
  ): Promise<StoredSnapshotRef> {
    const hosts = snapshot.hosts.map((h) => h.host);
    const artifact = await this.deps.evidence.ingestJson(
      {
        caseId,
        kind: 'connection-snapshot',
        source: hosts.length === 1 && hosts[0] ? { host: hosts[0] } : {},
        method:
          "socket tables (/proc/net/tcp, tcp6, udp, udp6) read by a helper container sharing each container's network namespace, through the Engine API attach stream; no exec in the containers",
        mediaType: 'application/json',
        attributes: {
          hosts,
          nodes: snapshot.nodes.length,
          edges: snapshot.edges.length,
          namespacesRead: tables.length,
          flowSummaries: snapshot.flows.summaries,
          ...(snapshot.swarm ? { cluster: snapshot.swarm.manager, swarmNodes: snapshot.swarm.nodes.length } : {}),
          ...extra,
        },
      },
      { format: ARTIFACT_FORMAT, ...extra, snapshot, socketTables: tables },
    );
    return { artifactId: artifact.id, sha256: artifact.sha256, caseId };
  }

  private syncLease(watch: Watch): void {
    if (watch.lease.leaseExpiresAt !== undefined) watch.info.leaseExpiresAt = watch.lease.leaseExpiresAt;
  }

  private async tick(watch: Watch): Promise<void> {
    if (watch.lease.stopped) return;
    try {
      const plan = watch.info.cluster !== undefined ? await this.clusterPlan(watch.info.cluster, watch) : undefined;
      if (watch.lease.stopped) return;
      const hosts = plan ? plan.hosts : this.selectHosts(watch.info.hosts.length ? { hosts: watch.info.hosts } : {});
      for (const host of watch.caches.keys()) if (!hosts.includes(host)) watch.caches.delete(host);
      const { snapshot, tables } = await this.take(
        hosts,
        watch.caseRef ?? watch.info.caseId,
        {
          caches: watch.caches,
          budget: WATCH_SCAN_BUDGET,
          stopped: () => watch.lease.stopped,
        },
        plan,
      );
      if (watch.lease.stopped) return;
      watch.lease.succeeded();
      const diff = diffGraphs(watch.previous, snapshot);
      const refresh = ++watch.info.refreshes;
      let stored: StoredSnapshotRef | undefined;
      if (watch.info.caseId && (refresh === 1 || !isEmptyDiff(diff))) {
        stored = await this.store(watch.info.caseId, snapshot, tables, { watchId: watch.info.id, refresh });
        watch.info.storedSnapshots++;
        this.deps.audit(
          'network.snapshot',
          {
            watchId: watch.info.id,
            refresh,
            hosts,
            nodes: snapshot.nodes.length,
            edges: snapshot.edges.length,
            recorded: true,
            artifactId: stored.artifactId,
            sha256: stored.sha256,
          },
          watch.info.caseId,
        );
      }
      watch.previous = snapshot;
      this.deps.events.emit('network.changed', { watchId: watch.info.id, refresh, snapshot, diff, ...(stored ? { stored } : {}) });
      if (snapshot.hosts.some((h) => h.pending > 0)) {
        watch.lease.schedule(CATCH_UP_MS);
        return;
      }
    } catch (err) {
      if (watch.lease.stopped) return;
      if (watch.lease.failedTooOften()) {
        watch.lease.end('failed', (err as Error).message);
        return;
      }
    }
    watch.lease.schedule(watch.info.intervalSeconds * 1000);
  }
}
