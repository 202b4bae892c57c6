// The one way tests wait: on a condition with a bounded deadline, or on an event the core emits.
// Never a fixed sleep, never a retried action: a wait names what it waits for, so a timeout says
// what did not happen.
import type { EventName, EventPayloadOf } from '../../shared/contract';
import type { EventHub } from '../../main/core/event-hub';

export interface WaitOptions {
  /** What the test waits for, in words: the timeout message names it. */
  what: string;
  /** The deadline; 20 s unless told. */
  timeoutMs?: number;
  /** How often a polled condition is read again; 100 ms unless told. */
  intervalMs?: number;
}

type Pending = undefined | null | false;

/**
 * Reads `condition` until it gives a value other than undefined, null or false, and returns that
 * value; throws, naming `what`, once the deadline passes. A condition that throws fails the wait
 * at once: a broken probe is not a condition still to come.
 */
export async function waitFor<T>(condition: () => T | Pending | Promise<T | Pending>, options: WaitOptions): Promise<Exclude<T, Pending>> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value as Exclude<T, Pending>;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}

/** Anything with the core's event hub: a Core, or a TestCore's core. */
export interface HasEvents {
  events: Pick<EventHub, 'subscribe'>;
}

/**
 * The next `name` event (matching `predicate`) the core emits from now on. Call it before the
 * action that causes the event and await it after, so the event cannot slip by in between.
 */
export function nextEvent<E extends EventName>(
  core: HasEvents,
  name: E,
  predicate: (payload: EventPayloadOf<E>) => boolean = () => true,
  options: { what?: string; timeoutMs?: number } = {},
): Promise<EventPayloadOf<E>> {
  return recordEvents(core, name).next(predicate, {
    what: options.what ?? `a ${name} event`,
    timeoutMs: options.timeoutMs,
    stopAfter: true,
  });
}

export interface EventRecorder<E extends EventName> {
  /** Every `name` event since the recorder started, oldest first. */
  readonly seen: readonly EventPayloadOf<E>[];
  /**
   * The first recorded event matching `predicate`, already seen or still to come; throws,
   * naming `what`, when none comes before the deadline.
   */
  next(
    predicate: (payload: EventPayloadOf<E>) => boolean,
    options: { what: string; timeoutMs?: number | undefined; stopAfter?: boolean },
  ): Promise<EventPayloadOf<E>>;
  stop(): void;
}

/** Records every `name` event the core emits from now on (the payloads typed by the contract). */
export function recordEvents<E extends EventName>(core: HasEvents, name: E): EventRecorder<E> {
  const seen: EventPayloadOf<E>[] = [];
  const waiters = new Set<(payload: EventPayloadOf<E>) => void>();
  const off = core.events.subscribe((event, payload) => {
    if (event !== name) return;
    // The hub carries payloads untyped; the contract ties this event name to this payload type.
    const typed = payload as EventPayloadOf<E>;
    seen.push(typed);
    for (const waiter of [...waiters]) waiter(typed);
  });
  const stop = () => {
    off();
  };
  return {
    seen,
    stop,
    next(predicate, options) {
      const timeoutMs = options.timeoutMs ?? 20_000;
      const done = <T>(value: T): T => {
        if (options.stopAfter) stop();
        return value;
      };
      const already = seen.find(predicate);
      if (already !== undefined) return Promise.resolve(done(already));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          done(undefined);
          reject(
            new Error(`timed out after ${timeoutMs} ms waiting for ${options.what} (${seen.length} ${name} event(s) seen, none matching)`),
          );
        }, timeoutMs);
        const check = (payload: EventPayloadOf<E>) => {
          if (!predicate(payload)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(done(payload));
        };
        waiters.add(check);
      });
    },
  };
}
