import type { ContainerSummary, InventoryChange, RiskSeverity } from '../../../../shared/domain/inventory';

/** A container as the table shows it: once seen, a container stays (greyed) after it is removed. */
export interface InventoryRow {
  container: ContainerSummary;
  removed: boolean;
  /** When it was last changed by a live event (for the highlight). */
  changedAt?: number;
}

export type SortKey = 'severity' | 'state' | 'name' | 'image' | 'created';
export interface SortOrder {
  key: SortKey;
  descending: boolean;
}

const SEVERITY_RANK: Record<RiskSeverity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
const STATE_RANK: Record<string, number> = { running: 0, restarting: 1, paused: 2, created: 3, exited: 4, dead: 5 };

export function severityRank(severity: RiskSeverity | undefined): number {
  return severity ? SEVERITY_RANK[severity] : 5;
}

export function displayName(c: ContainerSummary): string {
  return c.name.replace(/^\//, '');
}

function compare(a: InventoryRow, b: InventoryRow, key: SortKey): number {
  const x = a.container;
  const y = b.container;
  switch (key) {
    case 'severity':
      return severityRank(x.topSeverity) - severityRank(y.topSeverity) || y.risks.length - x.risks.length;
    case 'state':
      return Number(a.removed) - Number(b.removed) || (STATE_RANK[x.state] ?? 9) - (STATE_RANK[y.state] ?? 9);
    case 'name':
      return displayName(x).localeCompare(displayName(y));
    case 'image':
      return x.image.localeCompare(y.image);
    case 'created':
      return Date.parse(y.createdAt) - Date.parse(x.createdAt);
  }
}

/** Containers that still exist first, removed ones after; within each, the chosen order (severity by default), then name. */
export function sortRows(rows: Iterable<InventoryRow>, order: SortOrder): InventoryRow[] {
  const sign = order.descending ? -1 : 1;
  return [...rows].sort(
    (a, b) =>
      Number(a.removed) - Number(b.removed) ||
      sign * compare(a, b, order.key) ||
      compare(a, b, 'severity') ||
      compare(a, b, 'name') ||
      a.container.id.localeCompare(b.container.id),
  );
}

/** A fresh listing replaces what it lists; what it no longer lists is kept, marked removed. */
export function mergeSnapshot(
  previous: ReadonlyMap<string, InventoryRow>,
  containers: readonly ContainerSummary[],
): Map<string, InventoryRow> {
  const next = new Map<string, InventoryRow>();
  for (const c of containers) next.set(c.id, { container: c, removed: false });
  for (const [id, row] of previous) if (!next.has(id)) next.set(id, { ...row, removed: true });
  return next;
}

export function applyChange(previous: ReadonlyMap<string, InventoryRow>, change: InventoryChange, now: number): Map<string, InventoryRow> {
  const next = new Map(previous);
  if (change.container) {
    next.set(change.containerId, { container: change.container, removed: false, changedAt: now });
  } else {
    const existing = next.get(change.containerId);
    if (existing) next.set(change.containerId, { ...existing, removed: true, changedAt: now });
  }
  return next;
}

/** Case-insensitive search over what a responder would type: name, image, ID, flag, compose, IP, port. */
export function matchesFilter(row: InventoryRow, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  const c = row.container;
  const haystack = [
    c.name,
    c.id,
    c.image,
    c.imageId,
    row.removed ? 'removed' : c.state,
    c.status,
    c.command,
    c.user,
    c.compose?.project,
    c.compose?.service,
    c.swarm?.serviceName,
    ...c.risks.map((r) => r.id),
    ...c.networks.flatMap((n) => [n.network, n.ipv4, n.ipv6]),
    ...c.ports.map((p) => `${p.hostPort ?? ''}:${p.containerPort}/${p.protocol}`),
  ]
    .filter((s): s is string => typeof s === 'string')
    .join('\n')
    .toLowerCase();
  return q.split(/\s+/).every((term) => haystack.includes(term));
}
