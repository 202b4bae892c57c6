import type { DriftEntry, DriftReport, DriftSeverity, SeverityCounts } from '../../../shared/domain/drift';

const RANK: Record<DriftSeverity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
const WEIGHT: Record<DriftSeverity, number> = { critical: 1000, high: 100, medium: 10, low: 1, info: 0 };

export function rank(severity: DriftSeverity): number {
  return RANK[severity];
}

export function maxSeverity(values: Iterable<DriftSeverity>): DriftSeverity | null {
  let best: DriftSeverity | null = null;
  for (const v of values) if (best === null || RANK[v] > RANK[best]) best = v;
  return best;
}

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
}

/** Severity first, then path (byte order of the text), so reports diff cleanly between scans. */
export function sortEntries(entries: DriftEntry[]): DriftEntry[] {
  return entries.sort((a, b) => RANK[b.severity] - RANK[a.severity] || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

type Scored = Pick<DriftReport, 'entries' | 'config' | 'risks'>;

export function countEntries(entries: readonly DriftEntry[]): SeverityCounts {
  const counts = emptyCounts();
  for (const e of entries) counts[e.severity]++;
  return counts;
}

/** Every finding's severity: file entries, configuration drift and runtime risk flags. */
export function allSeverities(report: Scored): DriftSeverity[] {
  return [...report.entries.map((e) => e.severity), ...report.config.map((c) => c.severity), ...report.risks.map((r) => r.severity)];
}

export function score(report: Scored): number {
  return allSeverities(report).reduce((sum, s) => sum + WEIGHT[s], 0);
}

/** Findings at or above a severity (what --fail-on gates on). */
export function findingsAtOrAbove(report: Scored, severity: DriftSeverity): number {
  return allSeverities(report).filter((s) => RANK[s] >= RANK[severity]).length;
}
