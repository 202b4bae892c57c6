import type { EventName, EventPayloadOf } from '../../shared/contract';
import type { CliContext } from './command';
import { safeText } from './terminal-safe';

type WatchEvent = { [E in EventName]: EventPayloadOf<E> extends { watchId: string } ? E : never }[EventName];

export interface WatchLoopSpec<S extends WatchEvent, X extends WatchEvent> {
  /** The event carrying each sample, and the one saying the core ended the watch. */
  sample: S;
  ended: X;
  /** Starts the watch through the contract; events for it may arrive before this resolves. */
  start(): Promise<{ id: string }>;
  /** Stops it (Ctrl-C); returns a line for stderr, if any. */
  stop(id: string): Promise<string | undefined>;
  print(event: EventPayloadOf<S>): void;
  /** "watching every 5s" — what stderr says once the watch runs. */
  describe(id: string): string;
}

/**
 * The one loop behind every CLI `--watch`: subscribe first (so no sample is lost between start and
 * subscription), start, print the watch's samples until Ctrl-C (then stop it, exit 0) or until the
 * core ends it (say why, exit 1).
 */
export async function followWatch<S extends WatchEvent, X extends WatchEvent>(ctx: CliContext, spec: WatchLoopSpec<S, X>): Promise<number> {
  let watchId: string | undefined;
  const early: EventPayloadOf<S>[] = [];
  let ended: (reason: string) => void = () => undefined;
  const endedByCore = new Promise<string>((resolve) => (ended = resolve));
  const offSample = ctx.on(spec.sample, (event) => {
    const sample = event as EventPayloadOf<S> & { watchId: string };
    if (watchId === undefined) early.push(sample);
    else if (sample.watchId === watchId) spec.print(sample);
  });
  const offEnded = ctx.on(spec.ended, (event) => {
    const end = event as { watchId: string; reason?: string; message?: string };
    if (end.watchId === watchId) ended(`${end.reason ?? 'ended'}${end.message ? `: ${end.message}` : ''}`);
  });
  try {
    const watch = await spec.start();
    watchId = watch.id;
    for (const event of early.splice(0)) if ((event as { watchId: string }).watchId === watchId) spec.print(event);
    if (!ctx.json) ctx.io.err(`${spec.describe(watch.id)}; Ctrl-C to stop`);
    const outcome = await Promise.race([ctx.interrupted.then(() => 'interrupted'), endedByCore]);
    if (outcome === 'interrupted') {
      const line = await spec.stop(watch.id);
      if (line && !ctx.json) ctx.io.err(line);
      return 0;
    }
    ctx.io.err(`watch ended: ${safeText(outcome)}`);
    return 1;
  } finally {
    offSample();
    offEnded();
  }
}
