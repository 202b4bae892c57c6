// The engine's own event stream, for tests that wait on what the engine did (and when, by its
// clock) rather than on a sleep of the test process.
import Dockerode from 'dockerode';
import { BUSYBOX, docker, TEST_LABEL } from './docker';

export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  /** The engine's clock, nanoseconds since the epoch. */
  timeNano: number;
}

export interface EngineEventStream {
  readonly seen: readonly EngineEvent[];
  /** The first event matching `predicate`, already seen or still to come; throws naming `what` at the deadline. */
  next(predicate: (event: EngineEvent) => boolean, options: { what: string; timeoutMs?: number }): Promise<EngineEvent>;
  close(): void;
}

/** Follows the local engine's event stream (container events) from now on. */
export async function followEngineEvents(): Promise<EngineEventStream> {
  const engine = new Dockerode({ socketPath: '/var/run/docker.sock' });
  const stream = (await engine.getEvents({ filters: { type: ['container'] } })) as NodeJS.ReadableStream & { destroy(): void };
  const seen: EngineEvent[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) seen.push(JSON.parse(line) as EngineEvent);
    }
    for (const waiter of [...waiters]) waiter();
  });
  stream.on('error', () => undefined);
  return {
    seen,
    next(predicate, options) {
      const timeoutMs = options.timeoutMs ?? 20_000;
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = seen.find(predicate);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${options.what} on the engine's event stream`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      stream.destroy();
    },
  };
}

/**
 * Lets the engine's clock move by at least `seconds`: a marker container sleeps that long, and
 * the span is read from the engine's own start and die events. Returns the span in nanoseconds
 * as the engine measured it, from `sinceNano` (an earlier event's time) when given.
 */
export async function engineSpan(events: EngineEventStream, seconds: number, sinceNano?: number): Promise<number> {
  const marker = docker(['run', '-d', '--label', TEST_LABEL, BUSYBOX, 'sleep', String(seconds)]);
  try {
    const start = await events.next((e) => e.Actor.ID === marker && e.Action === 'start', { what: 'the marker container to start' });
    const die = await events.next((e) => e.Actor.ID === marker && e.Action === 'die', {
      what: `the marker container to exit after ${seconds} s`,
      timeoutMs: seconds * 1000 + 30_000,
    });
    return die.timeNano - (sinceNano ?? start.timeNano);
  } finally {
    docker(['rm', '-f', marker]);
  }
}
