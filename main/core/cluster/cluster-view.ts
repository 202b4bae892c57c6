// A Swarm cluster as one of its managers knows it: nodes, services and tasks, read from that
// manager's Engine API alone. Workers know none of it, so a host that is not a manager is a clear
// failure rather than an empty list.
import type Dockerode from 'dockerode';
import {
  CLUSTER_OBJECT_KINDS,
  type ClusterChange,
  type ClusterNodeList,
  type ClusterObjectKind,
  type ClusterServiceList,
  type ClusterSource,
  type ClusterTask,
  type ClusterTaskList,
} from '../../../shared/domain/cluster';
import { isoNow, type Clock } from '../clock';
import { DrydockFailure } from '../errors';
import type { EventHub } from '../event-hub';
import type { EngineEvent } from '../hosts/engine-events';
import { nanoToIso } from '../time-nano';
import type { DockerSource } from '../hosts/engine-call';
import { getJsonCapped } from './capped-json';
import { parseNode, parseService, parseTask, text } from './parse';

export interface ClusterViewDeps {
  hosts: DockerSource;
  clock: Clock;
  /** Where 'cluster.changed' goes. */
  events?: Pick<EventHub, 'emit'>;
  /** Every engine event of every connected host (HostService.onEngineEvent); returns the unsubscribe. */
  engineEvents?: (listener: (host: string, event: EngineEvent) => void) => () => void;
}

/** Most nodes, services and tasks kept from one answer (the rest is named in `limitations`). */
export const MAX_NODES = 10_000;
export const MAX_SERVICES = 10_000;
export const MAX_TASKS = 100_000;

interface Manager {
  docker: Dockerode;
  source: ClusterSource;
}

function asList(value: unknown, host: string, what: string): unknown[] {
  if (Array.isArray(value)) return value;
  // `null` is how some engines say "none".
  if (value === null) return [];
  throw new DrydockFailure('engine', `Listing ${what} failed on host ${host}: the engine's answer is not a list`, { host });
}

function capped<T>(items: (T | undefined)[], max: number, raw: number, what: string, limitations: string[]): T[] {
  const kept = items.filter((i): i is T => i !== undefined);
  if (raw > max) limitations.push(`the manager listed ${raw} ${what}; only the first ${max} are shown`);
  if (kept.length < Math.min(raw, max)) limitations.push(`${Math.min(raw, max) - kept.length} ${what} without an ID were left out`);
  return kept;
}

/**
 * Reads a swarm's nodes, services and tasks from a manager, each listing on demand (no cache: the
 * cluster changes under the examiner).
 */
export class ClusterView {
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: ClusterViewDeps) {
    this.unsubscribe = deps.engineEvents?.((host, event) => this.onEngineEvent(host, event)) ?? (() => undefined);
  }

  /** Stops following the hosts' event streams. */
  close(): void {
    this.unsubscribe();
  }

  /** A swarm-scope event of a connected manager, as 'cluster.changed' (the engine's words, capped). */
  private onEngineEvent(host: string, event: EngineEvent): void {
    if (!this.deps.events || !(CLUSTER_OBJECT_KINDS as readonly string[]).includes(event.type)) return;
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(event.attributes).slice(0, 64)) attributes[text(key, 128)] = text(value, 1024);
    const change: ClusterChange = {
      host,
      kind: event.type as ClusterObjectKind,
      id: text(event.id, 128),
      action: text(event.action, 64),
      name: attributes.name ?? '',
      attributes,
      // A time the engine made up past what a Date holds (±8.64e15 ms) is replaced by ours.
      at: event.timeNano > 0n && event.timeNano < 8_640_000_000_000_000_000_000n ? nanoToIso(event.timeNano) : isoNow(this.deps.clock),
    };
    this.deps.events.emit('cluster.changed', change);
  }

  /**
   * The swarm's nodes: role, availability, state, address, engine version, labels, leader and
   * reachability (a node the manager cannot reach is listed with what it still knows, reachable false).
   * @throws DrydockFailure('unsupported') when `host` is not a swarm manager; ('not-found') for an
   * unknown host; ('disconnected'), ('unreachable'), ('tls'), ('permission-denied'), ('engine').
   */
  async nodes(host: string): Promise<ClusterNodeList> {
    const { docker, source } = await this.manager(host);
    const raw = asList(await this.get(docker, host, 'listing swarm nodes', '/nodes'), host, 'swarm nodes');
    const limitations = [...source.limitations];
    const nodes = capped(
      raw.slice(0, MAX_NODES).map((n) => parseNode(n, source.managerNodeId)),
      MAX_NODES,
      raw.length,
      'nodes',
      limitations,
    );
    return { ...source, limitations, nodes };
  }

  /**
   * The swarm's services: mode, replicas desired and running, image (and digest), update status,
   * published ports, networks, secrets and configs by name and ID (never their values).
   * @throws as nodes().
   */
  async services(host: string): Promise<ClusterServiceList> {
    const { docker, source } = await this.manager(host);
    const [rawServices, rawNetworks] = await Promise.all([
      this.get(docker, host, 'listing swarm services', '/services', { status: true }),
      this.get(docker, host, 'listing networks', '/networks'),
    ]);
    const raw = asList(rawServices, host, 'swarm services');
    const networkNames = new Map<string, string>();
    for (const n of asList(rawNetworks, host, 'networks')) {
      const doc = (n ?? {}) as { Id?: unknown; Name?: unknown };
      const id = text(doc.Id, 128);
      if (id) networkNames.set(id, text(doc.Name, 256));
    }
    const limitations = [...source.limitations];
    const services = capped(
      raw.slice(0, MAX_SERVICES).map((s) => parseService(s, networkNames)),
      MAX_SERVICES,
      raw.length,
      'services',
      limitations,
    );
    return { ...source, limitations, services };
  }

  /**
   * The swarm's tasks (running ones and the history the manager keeps), with their service and
   * node named, container ID, exit code, error and state times; only those of `services` (names or
   * IDs, as the engine resolves them) when given.
   * @throws as nodes(); ('not-found') for a service the manager does not know.
   */
  async tasks(host: string, options: { services?: readonly string[] } = {}): Promise<ClusterTaskList> {
    const { docker, source } = await this.manager(host);
    const [rawTasks, rawServices, rawNodes] = await Promise.all([
      this.get(docker, host, 'listing swarm tasks', '/tasks', options.services?.length ? { filters: { service: options.services } } : {}),
      this.get(docker, host, 'listing swarm services', '/services'),
      this.get(docker, host, 'listing swarm nodes', '/nodes'),
    ]);
    const serviceNames = new Map<string, string>();
    for (const s of asList(rawServices, host, 'swarm services').slice(0, MAX_SERVICES)) {
      const parsed = parseService(s, new Map());
      if (parsed) serviceNames.set(parsed.id, parsed.name);
    }
    const hostnames = new Map<string, string>();
    for (const n of asList(rawNodes, host, 'swarm nodes').slice(0, MAX_NODES)) {
      const parsed = parseNode(n, source.managerNodeId);
      if (parsed) hostnames.set(parsed.id, parsed.hostname);
    }
    const raw = asList(rawTasks, host, 'swarm tasks');
    const limitations = [...source.limitations];
    const tasks = capped(
      raw.slice(0, MAX_TASKS).map((t) => parseTask(t, serviceNames, hostnames)),
      MAX_TASKS,
      raw.length,
      'tasks',
      limitations,
    );
    return { ...source, limitations, tasks: tasks.sort(byServiceSlot) };
  }

  /** The host's client, after its /info says it is an active swarm manager. */
  private async manager(host: string): Promise<Manager> {
    const docker = await this.deps.hosts.docker(host);
    const takenAt = isoNow(this.deps.clock);
    const info = (await this.get(docker, host, 'reading the engine info', '/info', {}, 8 * 1024 * 1024)) as {
      Swarm?: { LocalNodeState?: unknown; ControlAvailable?: unknown; NodeID?: unknown; Cluster?: { ID?: unknown } | null };
    } | null;
    const swarm = info?.Swarm ?? {};
    const state = text(swarm.LocalNodeState, 64) || '(unreported)';
    const nodeId = text(swarm.NodeID, 128);
    if (state !== 'active')
      // Never advise creating or joining a swarm: the host is under investigation, and changing it is not triage.
      throw notManager(
        host,
        `it is not in a swarm (Swarm.LocalNodeState ${state})`,
        'give Drydock a manager of the swarm under investigation as its host',
      );
    if (swarm.ControlAvailable !== true)
      throw notManager(
        host,
        `it is a swarm worker${nodeId ? ` (node ${nodeId})` : ''}`,
        "workers do not know the cluster's nodes, services and tasks: connect Drydock to a manager",
      );
    return { docker, source: { host, takenAt, clusterId: text(swarm.Cluster?.ID, 128), managerNodeId: nodeId, limitations: [] } };
  }

  /** getJsonCapped, with the engine's 503 "not a swarm manager" (a demotion since /info) said plainly. */
  private async get(
    docker: Dockerode,
    host: string,
    action: string,
    path: string,
    query: Record<string, unknown> = {},
    maxBytes?: number,
  ): Promise<unknown> {
    try {
      return await getJsonCapped(docker, { host, action }, path, query, maxBytes);
    } catch (err) {
      const status = (err as { cause?: { statusCode?: unknown } }).cause?.statusCode;
      if (err instanceof DrydockFailure && status === 503)
        throw notManager(host, 'the engine answers that it is not a swarm manager', "connect Drydock to one of the swarm's managers");
      throw err;
    }
  }
}

function notManager(host: string, why: string, hint: string): DrydockFailure {
  return new DrydockFailure('unsupported', `Host ${host} is not a swarm manager: ${why}; ${hint}`, { host });
}

/** Service name, then slot (replicated) or node (global), then newest first: the order `docker service ps` reads in. */
function byServiceSlot(a: ClusterTask, b: ClusterTask): number {
  return (
    a.serviceName.localeCompare(b.serviceName) ||
    (a.slot ?? 0) - (b.slot ?? 0) ||
    a.nodeId.localeCompare(b.nodeId) ||
    (b.createdAt ?? '').localeCompare(a.createdAt ?? '')
  );
}
