import type { AuditEntry } from '../../../shared/domain/evidence';

// A fleet triage's collector runs on each node as a Swarm task with the node's Docker socket
// mounted, so the node's own inventory (taken by the collector, merged into the case) lists the
// collector's container as critical. It is Drydock's own, not the node's. It is recognised the way
// Drydock recognises its helpers, by the container ID Drydock recorded, never by label alone: the
// examiner's Drydock audited each collector container's ID in the case ('fleet.bundle-fetched' from
// the manager's task list, 'fleet.collector-containers-removed' when it removed them), and the
// container must also carry the run's label (fleet-run.ts sets it on the service's containers).

/** The label fleet-run.ts (FLEET_RUN_LABEL) puts on the collector's service, secret and containers: the run ID. */
export const FLEET_RUN_LABEL = 'org.drydock.fleet-run';

/** The audit actions that name a fleet run's collector containers (for the query that reads them). */
export const FLEET_COLLECTOR_ACTIONS: readonly string[] = ['fleet.bundle-fetched', 'fleet.collector-containers-removed'];

/** The collector containers a case's audit names: keys `${runId} ${containerId}` (full 64-hex IDs). */
export type FleetCollectorIds = ReadonlySet<string>;

/** Reads the collector container IDs out of audit entries (others are ignored). */
export function fleetCollectorIds(entries: Iterable<AuditEntry>): Set<string> {
  const ids = new Set<string>();
  for (const e of entries) {
    const runId = e.details.runId;
    if (typeof runId !== 'string') continue;
    const named =
      e.action === 'fleet.bundle-fetched'
        ? [e.details.containerId]
        : e.action === 'fleet.collector-containers-removed'
          ? e.details.containers
          : [];
    for (const id of Array.isArray(named) ? named : []) if (typeof id === 'string' && id) ids.add(`${runId} ${id}`);
  }
  return ids;
}

/**
 * The fleet run whose collector `container` is, or undefined: it is listed in an artifact merged
 * from that run's bundle (`attributes.fleet.runId`), carries the run's label, and its ID is one the
 * case's audit names for that run (`ids`).
 */
export function fleetCollectorRun(
  container: { id?: unknown; labels?: unknown },
  artifactAttributes: Record<string, unknown> | undefined,
  ids: FleetCollectorIds,
): string | undefined {
  const fleet = artifactAttributes?.fleet as { runId?: unknown } | undefined;
  const runId = typeof fleet?.runId === 'string' ? fleet.runId : undefined;
  if (!runId || typeof container.id !== 'string') return undefined;
  const labels = (container.labels && typeof container.labels === 'object' ? container.labels : {}) as Record<string, unknown>;
  if (labels[FLEET_RUN_LABEL] !== runId) return undefined;
  return ids.has(`${runId} ${container.id}`) ? runId : undefined;
}
