import type { AuditEntry } from '../../../shared/domain/evidence';
import type { FootprintAction, FootprintObjectKind, HostFootprint } from '../../../shared/domain/footprint';

// Which audit entries are footprint: actions that created, changed or removed something on a host.
// Each capability audits its engine calls with `host` in the details; this table reads them back.

type Details = Record<string, unknown>;

/**
 * What earlier entries of the same read told: a fleet run names a node's engine (host) on its image
 * step only, so its later entries about that node (the task's container) are placed by these.
 */
interface Seen {
  /** `${runId} ${nodeId}` → the host (saved profile) of that node's engine in that run. */
  nodeHost: Map<string, string>;
  /** `${runId} ${nodeId}` of nodes that held the collector image before the run. */
  heldBefore: Set<string>;
}

interface Rule {
  kind: FootprintObjectKind;
  object(d: Details): unknown;
  summary(d: Details, seen: Seen): string;
  /** Steps audit skipped outcomes too: those touched nothing. */
  applies?(d: Details): boolean;
  /** The host the entry is about when its details name none (default: details.host). */
  host?(d: Details, seen: Seen): string;
  /**
   * Several lines from one entry (each its own action in the footprint, same seq): a merged fleet
   * bundle carries what the collector did on its node. Absent: the one line of `summary`.
   */
  lines?(d: Details): { action: string; kind: FootprintObjectKind; objectId: string; summary: string; at?: string }[];
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const container = (d: Details): string => text(d.containerName) || text(d.containerId).slice(0, 12);
const done = (d: Details): boolean => d.outcome === 'done';

const facts = (d: Details): Details => (d.facts && typeof d.facts === 'object' ? (d.facts as Details) : {});
/** The nftables table of a Swarm task's isolation, when the entry is about one. */
const table = (d: Details): string => text(facts(d).table) || text(d.packetFilterTable) || text(d.table);

// A Swarm task is isolated by a packet filter in its own network namespace: its networks are never
// touched, so its footprint says the table, not "networks changed".
const QUARANTINE_STEPS: Record<string, (d: Details) => string> = {
  isolate: (d) =>
    table(d)
      ? `added packet-filter table ${table(d)} in the network namespace of container ${container(d)} (its networks stayed attached)`
      : `isolated container ${container(d)} (networks changed)`,
  pause: (d) => `paused container ${container(d)}`,
  snapshot: (d) => `committed container ${container(d)} to a forensic image`,
  stop: (d) => `stopped container ${container(d)}`,
  'release.networks': (d) => `reconnected container ${container(d)} to its networks`,
  'release.packet-filter': (d) => `removed packet-filter table ${table(d)} from the network namespace of container ${container(d)}`,
  'release.unpause': (d) => `unpaused container ${container(d)}`,
  'release.start': (d) => `started container ${container(d)} again`,
};

const run = (d: Details): string => `fleet run ${text(d.runId)}`;
/** The node an entry is about ("manager HOST" for the manager's own engine, as fleet-run names it). */
const node = (d: Details): string => (d.nodeId === 'manager' ? text(d.hostname) : `node ${text(d.hostname) || text(d.nodeId)}`);
const short = (id: unknown): string =>
  text(id)
    .replace(/^sha256:/, '')
    .slice(0, 12);
const nodeKey = (d: Details): string => `${text(d.runId)} ${text(d.nodeId)}`;
/** A fleet entry about a node: its own host, else the host that node's image step named in the same run. */
const nodeHost = (d: Details, seen: Seen): string => text(d.host) || seen.nodeHost.get(nodeKey(d)) || '';
const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
const mb = (bytes: unknown): string => (typeof bytes === 'number' && bytes > 0 ? ` (${(bytes / 1e6).toFixed(1)} MB)` : '');
const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** A collector's own footprint on its node, as mergeRunBundle records it in 'fleet.bundle-merged'. */
interface CollectorLine {
  at?: unknown;
  action?: unknown;
  objectKind?: unknown;
  objectId?: unknown;
  summary?: unknown;
}
const KINDS: readonly FootprintObjectKind[] = ['container', 'network', 'image', 'secret', 'service'];

// What `drydock fleet triage` did (main/core/fleet/fleet-run.ts): the image on each node (loaded,
// or pulled after one push through the manager), the run key as a Swarm secret and the collector as
// a global-job service on the manager, the collector's container on each node (made by the swarm,
// removed by Drydock), then the image removed (or left as found when the node held it before).
const FLEET_RULES: Record<string, Rule> = {
  'fleet.collector-loaded': {
    kind: 'image',
    object: (d) => d.imageId,
    summary: (d) => `loaded the collector image ${text(d.image) || short(d.imageId)}${mb(d.bytes)} onto ${node(d)} (${run(d)})`,
    // Already there: nothing loaded (what became of it is the run's last entry for the node).
    applies: (d) => d.alreadyPresent !== true,
  },
  'fleet.collector-load-failed': {
    kind: 'image',
    object: (d) => d.imageId,
    summary: (d) =>
      `tried to load the collector image onto ${node(d)} (${run(d)}), failed (part of it may be on the host): ${text(d.error)}`,
  },
  'fleet.collector-pushed': {
    kind: 'image',
    object: (d) => d.imageId,
    summary: (d) =>
      // No bytes sent: the engine held the image already, only the registry tag was added.
      `${typeof d.bytes === 'number' && d.bytes > 0 ? `loaded the collector image ${short(d.imageId)}${mb(d.bytes)}, ` : ''}tagged the collector image ${short(d.imageId)} as ${text(d.tagged) || text(d.reference)} and pushed it to registry ${text(d.registry)} (${run(d)})`,
  },
  'fleet.collector-push-failed': {
    kind: 'image',
    object: (d) => d.imageId,
    summary: (d) =>
      `tried to push the collector image to registry ${text(d.registry)} (${run(d)}), failed (the image may be loaded here): ${text(d.error)}`,
  },
  'fleet.collector-pulled': {
    kind: 'image',
    object: (d) => d.imageId,
    summary: (d) => `pulled the collector image ${text(d.reference) || short(d.imageId)} onto ${node(d)} (${run(d)})`,
    applies: (d) => d.alreadyPresent !== true,
  },
  'fleet.collector-pull-failed': {
    kind: 'image',
    object: (d) => d.imageId,
    summary: (d) =>
      `tried to pull the collector image onto ${node(d)} (${run(d)}), failed (part of it may be on the host): ${text(d.error)}`,
  },
  'fleet.secret-created': {
    kind: 'secret',
    object: (d) => d.secretId,
    summary: (d) =>
      `created Swarm secret ${text(d.name)} holding the run key of ${run(d)} (private half; fingerprint ${text(d.fingerprint)})`,
  },
  'fleet.secret-removed': {
    kind: 'secret',
    object: (d) => d.secretId,
    summary: (d) => `removed Swarm secret ${short(d.secretId)} (${run(d)})`,
  },
  'fleet.secret-remove-failed': {
    kind: 'secret',
    object: (d) => d.secretId,
    summary: (d) => `could not remove Swarm secret ${short(d.secretId)} (${run(d)}), left on the swarm: ${text(d.error)}`,
  },
  'fleet.service-created': {
    kind: 'service',
    object: (d) => d.serviceId,
    summary: (d) =>
      `created global-job service ${text(d.name)} running the collector (${text(d.image).startsWith('sha256:') ? short(d.image) : text(d.image)}) on ${count(list(d.nodes).length, 'node')}, the node's Docker socket ${text(d.nodeSocket)} mounted (${run(d)})`,
  },
  'fleet.service-removed': {
    kind: 'service',
    object: (d) => d.serviceId,
    summary: (d) => `removed service ${short(d.serviceId)} (${run(d)})`,
  },
  'fleet.service-remove-failed': {
    kind: 'service',
    object: (d) => d.serviceId,
    summary: (d) => `could not remove service ${short(d.serviceId)} (${run(d)}), left on the swarm: ${text(d.error)}`,
  },
  'fleet.task-ended': {
    kind: 'container',
    object: () => '',
    summary: (d) =>
      `the swarm ran a collector container on ${node(d)} (task ${short(d.taskId)} of ${run(d)}, the Docker socket mounted); it ended ${text(d.state)}${typeof d.exitCode === 'number' ? ` (exit code ${d.exitCode})` : ''}`,
    host: nodeHost,
  },
  'fleet.collector-containers-removed': {
    kind: 'container',
    object: (d) => list(d.containers)[0],
    summary: (d) =>
      `removed ${count(list(d.containers).length, 'collector container')} ${list(d.containers)
        .map((id) => id.slice(0, 12))
        .join(', ')} from ${node(d)} (${run(d)})`,
  },
  'fleet.collector-removed': {
    kind: 'image',
    object: (d) => d.imageId,
    summary: (d, seen) =>
      `removed the collector image ${short(d.imageId)} from ${node(d)}${seen.heldBefore.has(nodeKey(d)) ? ', which it held before the run (Drydock did not load it)' : ''}${d.withoutTask === true ? ' (it held the image without a task: a load, pull or push there)' : ''} (${run(d)})`,
  },
  'fleet.collector-remove-failed': {
    kind: 'image',
    object: (d) => d.imageId,
    summary: (d) => `could not remove the collector image from ${node(d)} (${run(d)}), left on the host: ${text(d.error)}`,
  },
  'fleet.collector-left-as-found': {
    kind: 'image',
    object: (d) => d.imageId,
    summary: (d) =>
      `left the collector image ${short(d.imageId)} on ${node(d)} as found: it was there before ${run(d)} (nothing loaded, nothing removed)`,
  },
  'fleet.bundle-merged': {
    kind: 'container',
    object: () => '',
    summary: () => '',
    lines: (d) =>
      (Array.isArray(d.collectorFootprint) ? (d.collectorFootprint as CollectorLine[]) : []).map((l) => ({
        action: text(l.action),
        kind: KINDS.includes(l.objectKind as FootprintObjectKind) ? (l.objectKind as FootprintObjectKind) : 'container',
        objectId: text(l.objectId),
        summary: `the collector of ${run(d)} on ${node(d)}: ${text(l.summary)}`,
        ...(typeof l.at === 'string' ? { at: l.at } : {}),
      })),
  },
};

const RULES: Record<string, Rule> = {
  ...FLEET_RULES,
  'helper.created': {
    kind: 'container',
    object: (d) => d.containerId,
    summary: (d) => `created helper container ${text(d.name)} (${text(d.purpose)})`,
  },
  'helper.removed': {
    kind: 'container',
    object: (d) => d.containerId,
    summary: (d) => `removed helper container ${text(d.name)} (${text(d.purpose)}): ${text(d.reason)}`,
  },
  'helper.remove-failed': {
    kind: 'container',
    object: (d) => d.containerId,
    summary: (d) => `could not remove helper container ${text(d.name)} (${text(d.purpose)}), left for the sweeper: ${text(d.error)}`,
  },
  'helper.create-undone': {
    kind: 'container',
    object: (d) => d.containerId,
    summary: (d) => `created and removed again a helper container (${text(d.purpose)}): ${text(d.reason)}`,
  },
  'capture.helper-image-loaded': {
    kind: 'image',
    object: (d) => d.imageId,
    summary: (d) => `loaded the helper image ${text(d.image)}${d.replaced ? ` (replacing ${text(d.replaced).slice(0, 19)})` : ''}`,
  },
  'capture.helper-image-load-failed': {
    kind: 'image',
    object: (d) => d.imageId,
    summary: (d) => `loaded the helper image ${text(d.image)}, then refused it: ${text(d.error)}`,
  },
  'memory.checkpoint': {
    kind: 'container',
    object: (d) => d.containerId,
    summary: (d) =>
      `wrote checkpoint ${text(d.checkpointId)} of container ${container(d)} to the host's disk at ${text(d.hostPath)} (docker checkpoint, CRIU; the container left running)`,
  },
  'memory.checkpoint-unavailable': {
    kind: 'container',
    object: (d) => d.containerId,
    summary: (d) =>
      `tried to checkpoint container ${container(d)}; CRIU failed, a partial checkpoint may remain at ${text(d.hostPath)}: ${text(d.reason)}`,
    // Refused before the engine was asked (not experimental): nothing was written.
    applies: (d) => typeof d.hostPath === 'string',
  },
  'memory.checkpoint-failed': {
    kind: 'container',
    object: (d) => d.containerId,
    summary: (d) =>
      `tried to checkpoint container ${container(d)}, the engine refused; a partial checkpoint may remain at ${text(d.hostPath)}: ${text(d.error)}`,
  },
  'quarantine.packet-filter-verified': {
    kind: 'container',
    object: (d) => d.containerId,
    summary: (d) =>
      `checked packet-filter table ${table(d)} is gone from the network namespace of container ${container(d)} (ruleset ${d.identical === true ? 'identical to the one recorded before quarantine' : 'differs from the one recorded before quarantine: see the audit log'})`,
  },
  'quarantine.network-created': {
    kind: 'network',
    object: (d) => d.networkId,
    summary: (d) =>
      `created quarantine network ${text(d.network)}${d.replacedNetworkId ? ` (replacing ${text(d.replacedNetworkId).slice(0, 12)})` : ''}`,
  },
  'quarantine.network-removed': {
    kind: 'network',
    object: (d) => d.networkId,
    summary: (d) => `removed quarantine network ${text(d.network)}`,
  },
  ...Object.fromEntries(
    Object.entries(QUARANTINE_STEPS).flatMap(([step, what]): [string, Rule][] => [
      [
        `quarantine.${step}`,
        {
          kind: step === 'snapshot' ? 'image' : 'container',
          object: (d) => (step === 'snapshot' ? (facts(d).imageId ?? '') : d.containerId),
          summary: what,
          // A release that found the table already gone deleted nothing.
          applies: (d) => done(d) && (step !== 'release.packet-filter' || facts(d).removed === true),
        },
      ],
      [
        `quarantine.${step}-failed`,
        {
          kind: 'container',
          object: (d) => d.containerId,
          summary: (d) => `tried: ${what(d)}, failed (it may have changed part): ${text(d.error)}`,
        },
      ],
    ]),
  ),
};

/** The audit actions that are footprint (for the query that reads them). */
export const FOOTPRINT_ACTIONS: readonly string[] = Object.keys(RULES);

/**
 * Groups footprint entries by the host named in their details (a fleet entry naming only its node
 * goes to the host that node's image step named; entries placed nowhere are left out),
 * hosts sorted by name, each host's actions in the order given (oldest first from the query).
 * `host`, when given, keeps that host only.
 */
export function footprintByHost(entries: Iterable<AuditEntry>, host?: string): HostFootprint[] {
  const hosts = new Map<string, FootprintAction[]>();
  const seen: Seen = { nodeHost: new Map(), heldBefore: new Set() };
  for (const entry of entries) {
    const rule = RULES[entry.action];
    if (!rule) continue;
    const d = entry.details;
    if (entry.action.startsWith('fleet.') && text(d.host) && text(d.nodeId)) seen.nodeHost.set(nodeKey(d), text(d.host));
    if (d.alreadyPresent === true) seen.heldBefore.add(nodeKey(d));
    const where = rule.host ? rule.host(d, seen) : text(d.host);
    if (!where || (host !== undefined && where !== host)) continue;
    if (rule.applies && !rule.applies(d)) continue;
    const actions = hosts.get(where) ?? [];
    const common = { examiner: entry.examiner, caseId: entry.caseId, seq: entry.seq };
    if (rule.lines) {
      for (const line of rule.lines(d))
        actions.push({
          at: line.at ?? entry.at,
          action: line.action,
          objectKind: line.kind,
          objectId: line.objectId,
          summary: line.summary,
          ...common,
        });
    } else
      actions.push({
        at: entry.at,
        action: entry.action,
        objectKind: rule.kind,
        objectId: text(rule.object(d)),
        summary: rule.summary(d, seen),
        ...common,
      });
    if (actions.length) hosts.set(where, actions);
  }
  return [...hosts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, actions]) => ({ host: name, actions }));
}

/** One line of a collector's own footprint, as kept on 'fleet.bundle-merged'. */
export type CollectorFootprintLine = Pick<FootprintAction, 'at' | 'action' | 'objectKind' | 'objectId' | 'summary'>;

/** At most this many lines of a collector's own footprint are kept on 'fleet.bundle-merged'. */
const COLLECTOR_FOOTPRINT_MAX = 1000;

/**
 * What a fleet collector itself did on its node (helper containers, the helper image...), read
 * from its bundle's verified audit chain: one line per action, oldest first, whatever host name
 * the collector used for the node's engine (the merge names the node). Kept on 'fleet.bundle-merged'
 * so the case's footprint shows it: the bundle's chain is not copied into the case's. At most
 * COLLECTOR_FOOTPRINT_MAX lines.
 */
export function collectorFootprint(audit: readonly AuditEntry[]): CollectorFootprintLine[] {
  return footprintByHost(audit)
    .flatMap((h) => h.actions)
    .sort((a, b) => a.seq - b.seq)
    .slice(0, COLLECTOR_FOOTPRINT_MAX)
    .map((a) => ({ at: a.at, action: a.action, objectKind: a.objectKind, objectId: a.objectId, summary: a.summary }));
}
