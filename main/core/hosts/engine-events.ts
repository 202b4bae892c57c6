import { StringDecoder } from 'node:string_decoder';

/** One message of the engine's /events stream, reduced to what Drydock reads. */
export interface EngineEvent {
  type: string;
  action: string;
  /** Container, image or network ID. */
  id: string;
  attributes: Record<string, string>;
  /** Nanoseconds since the epoch, as the engine sent it (for `since` on reconnect). */
  timeNano: bigint;
}

/** An engine event line longer than this is not an event: drop it rather than grow without bound. */
const MAX_LINE = 1 << 20;

/**
 * Splits the engine's newline-delimited JSON into events. Chunks split lines anywhere (even inside
 * a UTF-8 sequence); malformed lines are skipped, since one bad line must not end the stream.
 */
export class EngineEventParser {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private discarding = false;

  push(chunk: Buffer, emit: (event: EngineEvent) => void): void {
    this.pending += this.decoder.write(chunk);
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      const event = parseEvent(line);
      if (event) emit(event);
    }
    if (this.pending.length > MAX_LINE) {
      this.pending = '';
      this.discarding = true;
    }
  }
}

export function parseEvent(line: string): EngineEvent | undefined {
  if (!line.trim()) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    // Not JSON is not an event (the engine writes one JSON object a line): nothing to emit.
    return undefined;
  }
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as {
    Type?: unknown;
    Action?: unknown;
    status?: unknown;
    id?: unknown;
    Actor?: { ID?: unknown; Attributes?: unknown };
    timeNano?: unknown;
    time?: unknown;
  };
  const type = typeof r.Type === 'string' ? r.Type : 'container';
  const action = typeof r.Action === 'string' ? r.Action : typeof r.status === 'string' ? r.status : '';
  const id = typeof r.Actor?.ID === 'string' ? r.Actor.ID : typeof r.id === 'string' ? r.id : '';
  if (!action) return undefined;
  const attributes: Record<string, string> = {};
  if (r.Actor?.Attributes && typeof r.Actor.Attributes === 'object') {
    for (const [key, value] of Object.entries(r.Actor.Attributes as Record<string, unknown>)) {
      if (typeof value === 'string') attributes[key] = value;
    }
  }
  let timeNano = 0n;
  // Exact from the text: as a JSON number timeNano (~1.8e18) is past 2^53 and would be rounded by
  // up to 256 ns, and a rounded `since` can skip the very event it names. Only the top-level key
  // can match: Attributes values are strings, so `"timeNano":` there is never followed by a digit.
  const exact = /"timeNano":(\d{1,19})[,}]/.exec(line);
  if (exact?.[1] && typeof r.timeNano === 'number') timeNano = BigInt(exact[1]);
  else if (typeof r.timeNano === 'number' && Number.isFinite(r.timeNano)) timeNano = BigInt(Math.trunc(r.timeNano));
  else if (typeof r.time === 'number' && Number.isFinite(r.time)) timeNano = BigInt(Math.trunc(r.time)) * 1_000_000_000n;
  return { type, action, id, attributes, timeNano };
}

/** The `since` value the engine accepts: seconds with a nanosecond fraction. */
export function sinceParameter(timeNano: bigint): string {
  const seconds = timeNano / 1_000_000_000n;
  const nanos = timeNano % 1_000_000_000n;
  return `${seconds}.${nanos.toString().padStart(9, '0')}`;
}
