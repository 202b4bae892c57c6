import { useEffect, useState } from 'react';
import type { NetworkWatchInfo } from '../../../shared/domain/network';
import type { ProcessWatchInfo } from '../../../shared/domain/processes';
import type { AppClient } from '../transport/app-client';

/** Something Drydock keeps doing on a host: each refresh or sample acts on it (helpers, ps). */
export type RunningWatch = { kind: 'network'; info: NetworkWatchInfo } | { kind: 'processes'; info: ProcessWatchInfo };

/**
 * Every live watch the core runs, whichever page or view started it: read once per event-stream
 * epoch, then kept current from the 'watch-started' / 'watch-ended' events. Ordered by start.
 */
export function useRunningWatches(client: AppClient, epoch: number): RunningWatch[] {
  const [watches, setWatches] = useState<ReadonlyMap<string, RunningWatch>>(new Map());

  useEffect(() => {
    let cancelled = false;
    const add = (watch: RunningWatch) => setWatches((m) => new Map(m).set(watch.info.id, watch));
    const remove = (id: string) =>
      setWatches((m) => {
        if (!m.has(id)) return m;
        const next = new Map(m);
        next.delete(id);
        return next;
      });
    const offs = [
      client.on('network.watch-started', (info) => add({ kind: 'network', info })),
      client.on('processes.watch-started', (info) => add({ kind: 'processes', info })),
      client.on('network.watch-ended', (event) => remove(event.watchId)),
      client.on('processes.watch-ended', (event) => remove(event.watchId)),
    ];
    void Promise.all([client.invoke('network.watches', {}), client.invoke('processes.watches', {})]).then(([network, processes]) => {
      if (cancelled) return;
      const next = new Map<string, RunningWatch>();
      if (network.ok) for (const info of network.value) next.set(info.id, { kind: 'network', info });
      if (processes.ok) for (const info of processes.value) next.set(info.id, { kind: 'processes', info });
      setWatches(next);
    });
    return () => {
      cancelled = true;
      for (const off of offs) off();
    };
  }, [client, epoch]);

  return [...watches.values()].sort((a, b) => a.info.startedAt.localeCompare(b.info.startedAt));
}
