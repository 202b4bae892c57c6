import type { AuditEntry } from '../../../shared/domain/evidence';
import type { FootprintAction, FootprintObjectKind, HostFootprint } from '../../../shared/domain/footprint';

// Which audit entries are footprint: actions that created, changed or removed something on a host.
// Each capability audits its engine calls with `host` in the details; this table reads them back.

type Details = Record<string, unknown>;

interface Rule {
  kind: FootprintObjectKind;
  object(d: Details): unknown;
  summary(d: Details): string;
  /** Steps audit skipped outcomes too: those touched nothing. */
  applies?(d: Details): boolean;
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

const RULES: Record<string, Rule> = {
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
 * Groups footprint entries by the host named in their details (entries naming none are left out),
 * hosts sorted by name, each host's actions in the order given (oldest first from the query).
 * `host`, when given, keeps that host only.
 */
export function footprintByHost(entries: Iterable<AuditEntry>, host?: string): HostFootprint[] {
  const hosts = new Map<string, FootprintAction[]>();
  for (const entry of entries) {
    const rule = RULES[entry.action];
    const where = text(entry.details.host);
    if (!rule || !where || (host !== undefined && where !== host)) continue;
    if (rule.applies && !rule.applies(entry.details)) continue;
    const list = hosts.get(where) ?? [];
    hosts.set(where, list);
    list.push({
      at: entry.at,
      action: entry.action,
      objectKind: rule.kind,
      objectId: text(rule.object(entry.details)),
      summary: rule.summary(entry.details),
      examiner: entry.examiner,
      caseId: entry.caseId,
      seq: entry.seq,
    });
  }
  return [...hosts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, actions]) => ({ host: name, actions }));
}
