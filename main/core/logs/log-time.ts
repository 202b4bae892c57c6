import { DrydockFailure } from '../errors';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * A since/until value as the engine's logs endpoint takes it: seconds since the epoch with a
 * nanosecond fraction ("1796034553.617366848"). Accepts seconds since the epoch (kept as given),
 * an RFC 3339 date or date-time (a date-time without a zone is UTC), or a duration back from
 * `now` ("90s", "10m", "2h", "1d"), as `docker logs --since` does.
 * @throws DrydockFailure('invalid-input') naming `what` for a value that is none of these.
 */
export function engineTimeParameter(value: string, now: Date, what: string): string {
  if (/^\d{1,12}(\.\d{1,9})?$/.test(value)) return value;
  const duration = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value);
  // An RFC 3339 time is kept to the nanosecond (as `docker logs --timestamps` prints it), so it can name one line.
  const exact = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
  if (exact?.[1]) {
    const secondsMs = Date.parse(`${exact[1]}${exact[3] ?? 'Z'}`);
    if (Number.isFinite(secondsMs) && secondsMs >= 0) return `${Math.floor(secondsMs / 1000)}.${(exact[2] ?? '').padEnd(9, '0')}`;
  }
  let ms: number;
  if (duration) ms = now.getTime() - Number(duration[1]) * (UNIT_SECONDS[duration[2] ?? 's'] ?? 1) * 1000;
  else {
    const text = /T/.test(value) && !/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? `${value}Z` : value;
    ms = Date.parse(text);
  }
  if (!Number.isFinite(ms) || ms < 0)
    throw new DrydockFailure(
      'invalid-input',
      `${what}: ${value} is not a time (seconds since the epoch, an RFC 3339 date, or a duration such as 10m)`,
    );
  const seconds = Math.floor(ms / 1000);
  return `${seconds}.${String((ms - seconds * 1000) * 1_000_000).padStart(9, '0')}`;
}
