// The manager's node, service and task documents turned into Drydock's cluster types. Every field
// is checked for its type and capped: an engine under an attacker's control may send anything, of
// any size, where a string or a number belongs. Text keeps its bytes (escapes are the printer's
// job: the CLI's safeText, React's text nodes); secrets and configs keep only names and IDs.
import type {
  ClusterNamedRef,
  ClusterNode,
  ClusterNodeAvailability,
  ClusterNodeRole,
  ClusterNodeState,
  ClusterPort,
  ClusterSecretRef,
  ClusterService,
  ClusterServiceMode,
  ClusterTask,
} from '../../../shared/domain/cluster';

/** Longest text field kept (characters); longer ones end in '…'. */
export const MAX_TEXT = 1024;
/** Most labels kept per object, and entries per list inside one object (ports, networks, secrets). */
export const MAX_ENTRIES = 256;

type Doc = Record<string, unknown>;

function obj(value: unknown): Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value.slice(0, MAX_ENTRIES) : [];
}

/** A string field, capped; '' for anything that is not a string. */
export function text(value: unknown, max = MAX_TEXT): string {
  if (typeof value !== 'string') return '';
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

function optionalText(value: unknown): string | undefined {
  const t = text(value);
  return t === '' ? undefined : t;
}

/** A non-negative integer below 2^53, else undefined. */
function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

const ZERO_TIME = /^0001-01-01T00:00:00/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 time as the engine wrote it (nanoseconds kept); undefined for the zero time or anything else. */
function time(value: unknown): string | undefined {
  return typeof value === 'string' && RFC3339.test(value) && !ZERO_TIME.test(value) ? value : undefined;
}

function labels(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [key, v] of Object.entries(obj(value))) {
    if (n++ >= MAX_ENTRIES) break;
    // A label whose value is not a string is not a label: it is left out.
    if (typeof v === 'string') out[text(key, 256)] = text(v);
  }
  return out;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** What `at`, `createdAt` and `updatedAt` the document has, without undefined fields. */
function stamps(doc: Doc): { createdAt?: string; updatedAt?: string } {
  const createdAt = time(doc.CreatedAt);
  const updatedAt = time(doc.UpdatedAt);
  return { ...(createdAt ? { createdAt } : {}), ...(updatedAt ? { updatedAt } : {}) };
}

/**
 * An image reference split into the reference without its digest and the digest
 * ("repo:tag@sha256:…" → "repo:tag" and "sha256:…"), as `docker service ls` shows the former.
 */
export function splitImage(value: unknown): { reference: string; digest?: string } {
  const image = text(value);
  const at = image.lastIndexOf('@');
  if (at > 0 && /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/.test(image.slice(at + 1)))
    return { reference: image.slice(0, at), digest: image.slice(at + 1) };
  return { reference: image };
}

function ports(value: unknown): ClusterPort[] {
  return list(value).map((raw) => {
    const p = obj(raw);
    const published = count(p.PublishedPort);
    return {
      protocol: text(p.Protocol, 16) || 'tcp',
      targetPort: count(p.TargetPort) ?? 0,
      ...(published !== undefined && published > 0 ? { publishedPort: published } : {}),
      publishMode: text(p.PublishMode, 16) || 'ingress',
    };
  });
}

/** A node as `docker node ls` and `docker node inspect` show it; `selfId` is the manager's own node ID. */
export function parseNode(raw: unknown, selfId: string): ClusterNode | undefined {
  const doc = obj(raw);
  const id = text(doc.ID, 128);
  if (!id) return undefined;
  const spec = obj(doc.Spec);
  const description = obj(doc.Description);
  const engine = obj(description.Engine);
  const platform = obj(description.Platform);
  const status = obj(doc.Status);
  const managerStatus = doc.ManagerStatus === undefined || doc.ManagerStatus === null ? undefined : obj(doc.ManagerStatus);
  const state = oneOf<ClusterNodeState>(status.State, ['ready', 'down', 'disconnected'], 'unknown');
  const manager = managerStatus
    ? {
        leader: managerStatus.Leader === true,
        reachability: oneOf<'reachable' | 'unreachable' | 'unknown'>(managerStatus.Reachability, ['reachable', 'unreachable'], 'unknown'),
        address: text(managerStatus.Addr, 256),
      }
    : undefined;
  const message = optionalText(status.Message);
  const os = text(platform.OS, 64);
  const arch = text(platform.Architecture, 64);
  return {
    id,
    hostname: text(description.Hostname, 256),
    role: oneOf<ClusterNodeRole>(spec.Role, ['manager', 'worker'], 'unknown'),
    availability: oneOf<ClusterNodeAvailability>(spec.Availability, ['active', 'pause', 'drain'], 'unknown'),
    state,
    ...(message ? { stateMessage: message } : {}),
    address: text(status.Addr, 256),
    engineVersion: text(engine.EngineVersion, 128),
    platform: os || arch ? `${os}/${arch}` : '',
    labels: labels(spec.Labels),
    engineLabels: labels(engine.Labels),
    ...(manager ? { manager } : {}),
    reachable: state === 'ready' && manager?.reachability !== 'unreachable',
    self: id === selfId,
    ...stamps(doc),
  };
}

function serviceMode(mode: Doc): ClusterServiceMode {
  if ('Replicated' in mode) return 'replicated';
  if ('Global' in mode) return 'global';
  if ('ReplicatedJob' in mode) return 'replicated-job';
  if ('GlobalJob' in mode) return 'global-job';
  return 'unknown';
}

function refs(value: unknown, idKey: string, nameKey: string): ClusterSecretRef[] {
  return list(value).flatMap((raw) => {
    const r = obj(raw);
    const id = text(r[idKey], 128);
    // Only the reference: a value could never be here (the Engine API does not send one), and none is read.
    return id ? [{ id, name: text(r[nameKey], 256), target: text(obj(r.File).Name, 256) }] : [];
  });
}

/** A service as `docker service ls` shows it; `networkNames` maps network IDs to names. */
export function parseService(raw: unknown, networkNames: ReadonlyMap<string, string>): ClusterService | undefined {
  const doc = obj(raw);
  const id = text(doc.ID, 128);
  if (!id) return undefined;
  const spec = obj(doc.Spec);
  const template = obj(spec.TaskTemplate);
  const container = obj(template.ContainerSpec);
  const mode = obj(spec.Mode);
  const kind = serviceMode(mode);
  const status = doc.ServiceStatus === undefined ? undefined : obj(doc.ServiceStatus);
  const maxPerNode = count(obj(template.Placement).MaxReplicas);
  const completed = count(status?.CompletedTasks);
  const desiredFromSpec = kind === 'replicated' ? count(obj(mode.Replicated).Replicas) : undefined;
  const update = doc.UpdateStatus === undefined || doc.UpdateStatus === null ? undefined : obj(doc.UpdateStatus);
  const endpoint = obj(doc.Endpoint);
  // Spec.Networks is the older place; TaskTemplate.Networks the current one.
  const networkTargets = [...list(template.Networks), ...list(spec.Networks)].map((n) => text(obj(n).Target, 128)).filter(Boolean);
  const networks: ClusterNamedRef[] = [...new Set(networkTargets)].map((target) => ({
    id: target,
    name: networkNames.get(target) ?? [...networkNames].find(([, name]) => name === target)?.[1] ?? '',
  }));
  return {
    id,
    name: text(spec.Name, 256),
    mode: kind,
    replicas: {
      desired: count(status?.DesiredTasks) ?? desiredFromSpec ?? null,
      running: count(status?.RunningTasks) ?? null,
      ...(completed !== undefined && (kind === 'replicated-job' || kind === 'global-job') ? { completed } : {}),
      ...(maxPerNode ? { maxPerNode } : {}),
    },
    image: splitImage(container.Image),
    ...(update
      ? {
          update: {
            state: text(update.State, 64),
            ...(optionalText(update.Message) ? { message: text(update.Message) } : {}),
            ...(time(update.StartedAt) ? { startedAt: time(update.StartedAt) } : {}),
            ...(time(update.CompletedAt) ? { completedAt: time(update.CompletedAt) } : {}),
          },
        }
      : {}),
    // What is published: the endpoint's ports (assigned ones included), else the spec's.
    ports: ports(endpoint.Ports ?? obj(spec.EndpointSpec).Ports),
    networks,
    secrets: refs(container.Secrets, 'SecretID', 'SecretName'),
    configs: refs(container.Configs, 'ConfigID', 'ConfigName'),
    labels: labels(spec.Labels),
    ...stamps(doc),
  };
}

/** A task as `docker service ps` shows it, named as the docker CLI names it. */
export function parseTask(
  raw: unknown,
  services: ReadonlyMap<string, string>,
  hostnames: ReadonlyMap<string, string>,
): ClusterTask | undefined {
  const doc = obj(raw);
  const id = text(doc.ID, 128);
  if (!id) return undefined;
  const spec = obj(doc.Spec);
  const status = obj(doc.Status);
  const containerStatus = obj(status.ContainerStatus);
  const serviceId = text(doc.ServiceID, 128);
  const serviceName = services.get(serviceId) ?? '';
  const slot = count(doc.Slot);
  const nodeId = text(doc.NodeID, 128);
  const containerId = text(containerStatus.ContainerID, 128);
  const exitCode =
    typeof containerStatus.ExitCode === 'number' && Number.isSafeInteger(containerStatus.ExitCode) ? containerStatus.ExitCode : undefined;
  const since = time(status.Timestamp);
  const message = optionalText(status.Message);
  const error = optionalText(status.Err);
  return {
    id,
    name: `${serviceName || serviceId}.${slot ? String(slot) : nodeId}`,
    serviceId,
    serviceName,
    ...(slot ? { slot } : {}),
    nodeId,
    nodeHostname: hostnames.get(nodeId) ?? '',
    image: splitImage(obj(spec.ContainerSpec).Image),
    desiredState: text(doc.DesiredState, 64),
    state: text(status.State, 64),
    ...(since ? { stateSince: since } : {}),
    ...(message ? { message } : {}),
    ...(error ? { error } : {}),
    ...(containerId ? { containerId } : {}),
    ...(exitCode !== undefined && containerId ? { exitCode } : {}),
    ports: ports(obj(status.PortStatus).Ports),
    ...stamps(doc),
  };
}
