// The parts of an OSV record (https://ossf.github.io/osv-schema/, schema 1.6) matching needs:
// id, aliases, modified, summary, a severity, and per affected package its ecosystem, name,
// ranges (ECOSYSTEM and SEMVER events) and listed versions. Records come from a file the user
// brought in: anything malformed is rejected with why, nothing is trusted by shape alone.

export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  lastAffected?: string;
}

export interface OsvRange {
  type: 'ECOSYSTEM' | 'SEMVER';
  events: OsvEvent[];
}

export interface OsvAffected {
  ecosystem: string;
  /** The part before the first ':' ("Debian" of "Debian:12"). */
  base: string;
  name: string;
  ranges: OsvRange[];
  versions: string[];
  severity?: string;
}

export interface OsvRecord {
  id: string;
  aliases: string[];
  modified: string;
  summary?: string;
  severity?: string;
  affected: OsvAffected[];
}

const MAX_TEXT = 4096;

function text(value: unknown, max = MAX_TEXT): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, max) : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').map((v) => v.slice(0, 256)) : [];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A severity as the record states it: a database's rating ("HIGH", Debian's urgency) or else the first CVSS vector. */
function severityOf(...sources: unknown[]): string | undefined {
  for (const source of sources) {
    const r = record(source);
    if (!r) continue;
    const named = text(r.severity, 64) ?? text(r.urgency, 64);
    if (named) return named;
  }
  return undefined;
}

function cvss(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  for (const item of value) {
    const r = record(item);
    const type = text(r?.type, 32);
    const score = text(r?.score, 256);
    if (type && score) return `${type} ${score}`;
  }
  return undefined;
}

/**
 * An OSV record from parsed JSON.
 * @throws Error naming what is missing when it is not an OSV record (no id, no modified date).
 */
export function osvRecordOf(json: unknown): OsvRecord {
  const r = record(json);
  if (!r) throw new Error('not a JSON object');
  const id = text(r.id, 256);
  if (!id) throw new Error('no "id"');
  const modified = text(r.modified, 64);
  if (!modified || Number.isNaN(Date.parse(modified))) throw new Error(`${id}: no RFC 3339 "modified" date`);
  const affected: OsvAffected[] = [];
  for (const item of Array.isArray(r.affected) ? r.affected : []) {
    const a = record(item);
    const pkg = record(a?.package);
    const ecosystem = text(pkg?.ecosystem, 256);
    const name = text(pkg?.name, 512);
    if (!a || !ecosystem || !name) continue;
    const ranges: OsvRange[] = [];
    for (const rangeItem of Array.isArray(a.ranges) ? a.ranges : []) {
      const range = record(rangeItem);
      if (range?.type !== 'ECOSYSTEM' && range?.type !== 'SEMVER') continue;
      const events: OsvEvent[] = [];
      for (const e of Array.isArray(range.events) ? range.events : []) {
        const ev = record(e);
        const introduced = text(ev?.introduced, 256);
        const fixed = text(ev?.fixed, 256);
        const lastAffected = text(ev?.last_affected, 256);
        if (introduced !== undefined) events.push({ introduced });
        else if (fixed !== undefined) events.push({ fixed });
        else if (lastAffected !== undefined) events.push({ lastAffected });
      }
      if (events.length) ranges.push({ type: range.type, events });
    }
    const severity = severityOf(a.ecosystem_specific, a.database_specific);
    const base = ecosystem.split(':')[0] as string;
    affected.push({
      ecosystem,
      base,
      // PyPI names are compared in PEP 503's normal form.
      name: base === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name,
      ranges,
      versions: strings(a.versions),
      ...(severity ? { severity } : {}),
    });
  }
  const summary = text(r.summary, 512);
  const severity = severityOf(r.database_specific) ?? cvss(r.severity);
  return { id, aliases: strings(r.aliases), modified, ...(summary ? { summary } : {}), ...(severity ? { severity } : {}), affected };
}
