import type { Result } from '../../shared/result';
import type { Dispatch } from './dispatch';

/** The channels that start a watch on a host, and the channel that stops each. */
const STOP_CHANNEL: Readonly<Record<string, string>> = {
  'network.watch': 'network.unwatch',
  'processes.watch': 'processes.unwatch',
};

/** A client of the core that can go away without saying so: one page on the bridge, one Electron window. */
export interface ClientWatches {
  /**
   * Dispatches like `Dispatch`, on behalf of `client` (undefined = a caller with no lifetime to
   * follow): a watch it starts is remembered for it, a watch stopped is forgotten.
   */
  dispatch(client: string | undefined, channel: unknown, payload: unknown): Promise<Result<unknown>>;
  /**
   * The client went away (its event stream closed, the page reloaded): stops every watch it
   * started that still runs, so nothing keeps acting on a host for a page nobody looks at.
   * Resolves with the number of watches stopped; never rejects (a watch already gone counts 0).
   */
  end(client: string): Promise<number>;
}

/** Wraps the dispatcher with per-client bookkeeping of live watches (see ClientWatches). */
export function trackClientWatches(dispatch: Dispatch): ClientWatches {
  /** client → watch ID → its stop channel. */
  const byClient = new Map<string, Map<string, string>>();

  const forget = (watchId: string) => {
    for (const [client, watches] of byClient) {
      watches.delete(watchId);
      if (watches.size === 0) byClient.delete(client);
    }
  };

  return {
    async dispatch(client, channel, payload) {
      const result = await dispatch(channel, payload);
      if (!result.ok || typeof channel !== 'string') return result;
      const stop = STOP_CHANNEL[channel];
      const value = result.value as { id?: unknown };
      if (stop && client !== undefined && typeof value?.id === 'string') {
        const watches = byClient.get(client) ?? new Map<string, string>();
        watches.set(value.id, stop);
        byClient.set(client, watches);
      }
      const watchId = (payload as { watchId?: unknown } | null)?.watchId;
      if (Object.values(STOP_CHANNEL).includes(channel) && typeof watchId === 'string') forget(watchId);
      return result;
    },
    async end(client) {
      const watches = byClient.get(client);
      byClient.delete(client);
      if (!watches) return 0;
      let stopped = 0;
      for (const [watchId, stop] of watches) {
        const result = await dispatch(stop, { watchId });
        if (result.ok && (result.value as { stopped?: unknown }).stopped === true) stopped++;
      }
      return stopped;
    },
  };
}
