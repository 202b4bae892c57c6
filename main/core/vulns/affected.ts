import type { OsvEvent, OsvRange } from './osv-record';
import type { VersionCompare } from './version-order';

// Whether a version is affected by an OSV affected entry, per the OSV schema's evaluation
// (https://ossf.github.io/osv-schema/#evaluation): listed versions, then each range's events in
// version order: introduced sets affected, fixed (at or below the version) and last_affected
// (below it) clear it. "0" as introduced is below every version.

export interface AffectedVerdict {
  affected: boolean;
  /** The lowest fixed version above the installed one, in the range that affects it. */
  fixed?: string;
}

function eventVersion(e: OsvEvent): string {
  return e.introduced ?? e.fixed ?? e.lastAffected ?? '';
}

function rangeAffects(version: string, range: OsvRange, order: VersionCompare): AffectedVerdict {
  const sorted = [...range.events].sort((a, b) => {
    if (a.introduced === '0') return b.introduced === '0' ? 0 : -1;
    if (b.introduced === '0') return 1;
    return order(eventVersion(a), eventVersion(b));
  });
  let affected = false;
  for (const e of sorted) {
    if (e.introduced !== undefined && (e.introduced === '0' || order(version, e.introduced) >= 0)) affected = true;
    else if (e.fixed !== undefined && order(version, e.fixed) >= 0) affected = false;
    else if (e.lastAffected !== undefined && order(version, e.lastAffected) > 0) affected = false;
  }
  if (!affected) return { affected };
  const fixed = sorted.find((e) => e.fixed !== undefined && order(version, e.fixed) < 0)?.fixed;
  return { affected, ...(fixed !== undefined ? { fixed } : {}) };
}

/** Whether `version` is affected by the entry's versions or ranges (ranges only of the types `orders` knows). */
export function isAffected(
  version: string,
  entry: { versions: string[]; ranges: OsvRange[] },
  orders: { ECOSYSTEM?: VersionCompare; SEMVER?: VersionCompare },
): AffectedVerdict {
  const listed = entry.versions.includes(version);
  for (const range of entry.ranges) {
    const order = orders[range.type];
    if (!order) continue;
    const verdict = rangeAffects(version, range, order);
    if (verdict.affected) return verdict;
  }
  return { affected: listed };
}
