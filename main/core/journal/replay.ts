import type Dockerode from 'dockerode';
import { engineFailure } from '../hosts/engine-errors';
import { EngineEventParser, sinceParameter, type EngineEvent } from '../hosts/engine-events';
import { nanoToIso } from './journal-store';

/** The engine keeps this many past events for `since` (daemon/events: eventsLimit; moby/moby#30502). */
export const ENGINE_REPLAY_LIMIT = 256;
/** More than this from a replay is not the engine's buffer: stop reading (a hostile or broken engine). */
const MAX_REPLAY = 10_000;
/** The replay is the engine's memory and comes at once; a `until` ahead of a slow engine clock would otherwise keep it open. */
const REPLAY_DEADLINE_MS = 10_000;

export interface Replay {
  events: EngineEvent[];
  /** Why reading stopped early, if it did. */
  cut?: string;
}

/**
 * GET /events?since=…&until=…: the engine's buffered events from `anchor` (the journal's last
 * event; from the start of its buffer when there is none) to `untilNano`, read as a bounded
 * stream. The engine answers with every buffered event whose time is at or after `since`, so a
 * replay that reaches back far enough contains the anchor event itself.
 * @throws DrydockFailure naming the host when the engine refuses or the connection fails.
 */
export async function readReplay(
  docker: Dockerode,
  host: string,
  anchor: bigint | undefined,
  untilNano: bigint,
  signal: AbortSignal,
): Promise<Replay> {
  const since = anchor !== undefined ? sinceParameter(anchor) : '1';
  // docker-modem builds the query from `options` (a path ending in '?' says there is one).
  const options = { since, until: sinceParameter(untilNano) };
  const deadline = AbortSignal.timeout(REPLAY_DEADLINE_MS);
  const abortSignal = AbortSignal.any([signal, deadline]);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
      docker.modem.dial(
        {
          path: '/events?',
          options,
          method: 'GET',
          isStream: true,
          abortSignal,
          statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
        },
        (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream)),
      );
    });
  } catch (err) {
    throw engineFailure(err, { host, action: 'reading the engine events replay' });
  }
  const events: EngineEvent[] = [];
  const parser = new EngineEventParser();
  let cut: string | undefined;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parser.push(chunk, (event) => events.push(event));
      if (events.length > MAX_REPLAY) {
        cut = `the engine replayed more than ${MAX_REPLAY} events; the rest was not read`;
        break;
      }
    }
  } catch (err) {
    if (signal.aborted) throw engineFailure(err, { host, action: 'reading the engine events replay (Drydock was closing)' });
    if (!deadline.aborted) throw engineFailure(err, { host, action: 'reading the engine events replay' });
    cut = `the replay stream was still open after ${REPLAY_DEADLINE_MS / 1000} s (an engine clock behind the examiner's?)`;
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
  return { events, ...(cut ? { cut } : {}) };
}

/**
 * The engine's own clock (GET /info SystemTime, RFC 3339 with nanoseconds) as nanoseconds since the
 * epoch, so the replay's `until` is in the engine's time, not the examiner's: with an engine clock
 * ahead of the examiner's, an `until` from the examiner's clock would cut off the very events
 * (and the anchor) the replay must return. Undefined when the engine does not say or says nonsense.
 */
export async function engineNow(docker: Dockerode, signal: AbortSignal): Promise<bigint | undefined> {
  let info: { SystemTime?: unknown };
  try {
    // Dialled directly: dockerode's info() takes no abort signal, and closing must not wait on a stalled engine.
    info = await new Promise<{ SystemTime?: unknown }>((resolve, reject) => {
      docker.modem.dial(
        { path: '/info', method: 'GET', abortSignal: signal, statusCodes: { 200: true, 500: 'server error' } },
        (err: unknown, data: unknown) =>
          err ? reject(err) : resolve((data && typeof data === 'object' ? data : {}) as { SystemTime?: unknown }),
      );
    });
  } catch {
    return undefined; // The caller falls back to the examiner's clock and the replay read says what failed.
  }
  const text = typeof info.SystemTime === 'string' ? info.SystemTime : '';
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m?.[1] || !m[3]) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/**
 * Whether a replay leaves a stretch the journal cannot vouch for: none without an anchor (a new
 * journal starts where the engine's memory starts) or when the replay holds the anchor event;
 * otherwise from the anchor to the first replayed event (or to `untilNano` when nothing was
 * replayed: the engine restarted and forgot).
 */
export function replayGap(
  anchor: bigint | undefined,
  replay: Replay,
  untilNano: bigint,
): { from: bigint; to: bigint; note: string } | undefined {
  if (anchor === undefined) return undefined;
  if (replay.events.some((event) => event.timeNano === anchor)) return undefined;
  const first = replay.events.reduce<bigint | undefined>(
    (min, event) => (min === undefined || event.timeNano < min ? event.timeNano : min),
    undefined,
  );
  const from = nanoToIso(anchor);
  if (first === undefined) {
    return {
      from: anchor,
      to: untilNano,
      note: `Event gap from ${from} to ${nanoToIso(untilNano)}: the engine replayed nothing since the journal's last event and no longer holds it (it restarted, or its buffer moved on); events in between may be missing`,
    };
  }
  const full = replay.events.length >= ENGINE_REPLAY_LIMIT;
  const why = full
    ? `the engine's replay was full (${replay.events.length} events; it keeps only the last ${ENGINE_REPLAY_LIMIT}, moby/moby#30502)`
    : `the engine's replay (${replay.events.length} events) starts after the journal's last event (the engine restarted or dropped older events)`;
  return {
    from: anchor,
    to: first,
    note: `Event gap from ${from} to ${nanoToIso(first)}: ${why}; events in between are missing${replay.cut ? `; ${replay.cut}` : ''}`,
  };
}
