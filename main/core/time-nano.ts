/**
 * RFC 3339 / ISO 8601 date-times to nanoseconds since the epoch, keeping every fractional digit
 * (engine times carry nanoseconds, which Date drops). Accepts 'Z' or a ±HH:MM offset; a time with
 * no zone is UTC. Returns undefined for anything else (hostile input never throws here).
 */
export function isoToNano(text: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!m?.[1]) return undefined;
  const ms = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
  if (!Number.isFinite(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

/** Nanoseconds since the epoch as RFC 3339 UTC with nine fractional digits. */
export function nanoToIso(nano: bigint): string {
  const ms = nano / 1_000_000n;
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  const frac = ((nano % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  return `${base}.${frac.toString().padStart(9, '0')}Z`;
}
