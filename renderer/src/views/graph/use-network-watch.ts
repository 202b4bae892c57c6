import { useEffect, useRef, useState } from 'react';
import type { NetworkChangedEvent, NetworkGraphSnapshot, NetworkWatchEndedEvent } from '../../../../shared/domain/network';
import type { DrydockError } from '../../../../shared/result';
import type { AppClient } from '../../transport/app-client';

export interface NetworkWatchState {
  snapshot: NetworkGraphSnapshot | null;
  error: DrydockError | null;
  /** Nothing has arrived yet for the current host / mode / reload. */
  loading: boolean;
  refreshes: number;
  watchId: string | null;
  /** Why the current request's watch ended (stopped from the header, lease, failure); null while it runs or before. */
  ended: NetworkWatchEndedEvent['reason'] | null;
  /** Where this page's first look at the host was recorded (artifact and case), if it was. */
  recorded: { artifactId: string; caseId: string } | null;
}

/**
 * Hosts (or '' for every connected host) whose first snapshot of this page session was recorded:
 * the first look during an investigation is evidence; later looks are kept only when the examiner
 * records one (live refreshes are never stored here).
 */
const recordedThisSession = new Set<string>();

interface Arrived {
  /** Which request the snapshot or error answers (host, mode, epoch, reload). */
  key: string;
  snapshot: NetworkGraphSnapshot | null;
  error: DrydockError | null;
  refreshes: number;
  /** Which request the watch belongs to. */
  watchKey: string;
  watchId: string | null;
  ended: NetworkWatchEndedEvent['reason'] | null;
  recorded: { artifactId: string; caseId: string } | null;
}

const INTERVAL_SECONDS = 5;
const LEASE_SECONDS = 30;
const RENEW_MS = 10_000;

/**
 * The live graph of one host (or every connected host, host = ''): a watch on the core that
 * refreshes every few seconds and pushes 'network.changed'. Every refresh starts helper
 * containers on the host, so the watch runs only while `active` (the view is on screen) and
 * `live`; it holds a lease the view renews, and the bridge ends it when this page's event stream
 * closes, so a closed window or a reload leaves nothing running. When the event stream
 * reconnects (epoch), the watch is set up again. With live off, one snapshot per host / reload
 * (not repeated each time the view is shown again). With `cluster`, the graph of the Swarm cluster
 * `host` manages ('network.snapshot' / 'network.watch' with cluster).
 */
export function useNetworkWatch(
  client: AppClient,
  host: string,
  live: boolean,
  epoch: number,
  reloadKey: number,
  active: boolean,
  /** Draw the Swarm cluster `host` manages (its nodes' hosts, nodes as groups) rather than the host alone. */
  cluster = false,
): NetworkWatchState {
  const asCluster = cluster && host !== '';
  const key = `${host}|${asCluster}|${live}|${epoch}|${reloadKey}`;
  const [arrived, setArrived] = useState<Arrived>({
    key: '',
    snapshot: null,
    error: null,
    refreshes: 0,
    watchKey: '',
    watchId: null,
    ended: null,
    recorded: null,
  });
  const watchRef = useRef<string | null>(null);
  const snapshotKeyRef = useRef<string | null>(null);

  useEffect(() => {
    if (!active) return;
    let cancelled = false;
    const selection = asCluster ? { cluster: host } : host ? { host } : {};
    const recordKey = asCluster ? `cluster:${host}` : host;
    const update = (change: Pick<Arrived, 'error'> & Partial<Pick<Arrived, 'snapshot' | 'refreshes' | 'recorded'>>) => {
      if (!cancelled) setArrived((a) => ({ ...a, ...change, key }));
    };
    const setWatch = (watchId: string | null, ended: Arrived['ended'] = null) => {
      if (!cancelled) setArrived((a) => ({ ...a, watchKey: key, watchId, ended }));
    };
    if (!live) {
      if (snapshotKeyRef.current === key) return;
      const record = !recordedThisSession.has(recordKey);
      if (record) recordedThisSession.add(recordKey);
      void client.invoke('network.snapshot', { ...selection, record }).then((result) => {
        if (!cancelled) snapshotKeyRef.current = key;
        if (!result.ok && record) recordedThisSession.delete(recordKey);
        update(
          result.ok
            ? {
                snapshot: result.value.snapshot,
                error: null,
                ...(result.value.stored
                  ? { recorded: { artifactId: result.value.stored.artifactId, caseId: result.value.stored.caseId } }
                  : {}),
              }
            : { error: result.error },
        );
      });
      return () => {
        cancelled = true;
      };
    }
    // Events can arrive before the reply that names the watch: keep the latest per watch until then.
    const early = new Map<string, NetworkChangedEvent>();
    const apply = (event: NetworkChangedEvent) => update({ snapshot: event.snapshot, error: null, refreshes: event.refresh });
    const offChanged = client.on('network.changed', (event) => {
      if (cancelled) return;
      if (watchRef.current === null) early.set(event.watchId, event);
      else if (event.watchId === watchRef.current) apply(event);
    });
    const offEnded = client.on('network.watch-ended', (event) => {
      if (cancelled || event.watchId !== watchRef.current) return;
      watchRef.current = null;
      setWatch(null, event.reason);
      update({
        error: {
          kind: event.reason === 'failed' ? 'engine' : 'cancelled',
          message: `The live connection graph stopped (${event.reason}${event.message ? `: ${event.message}` : ''})`,
        },
      });
    });
    let renew: ReturnType<typeof setInterval> | undefined;
    void client.invoke('network.watch', { ...selection, intervalSeconds: INTERVAL_SECONDS, leaseSeconds: LEASE_SECONDS }).then((result) => {
      if (!result.ok) {
        update({ error: result.error });
        return;
      }
      const id = result.value.id;
      if (cancelled) {
        void client.invoke('network.unwatch', { watchId: id });
        return;
      }
      watchRef.current = id;
      const first = early.get(id);
      early.clear();
      setWatch(id);
      if (first) apply(first);
      renew = setInterval(() => {
        void client.invoke('network.watch', { renew: id });
      }, RENEW_MS);
    });
    return () => {
      cancelled = true;
      offChanged();
      offEnded();
      if (renew) clearInterval(renew);
      const id = watchRef.current;
      watchRef.current = null;
      if (id) void client.invoke('network.unwatch', { watchId: id });
    };
  }, [client, host, asCluster, live, key, active]);

  const current = arrived.key === key;
  return {
    // The previous graph stays on screen until the new one arrives (nodes keep their places).
    snapshot: arrived.snapshot,
    error: current ? arrived.error : null,
    loading: !current,
    refreshes: current ? arrived.refreshes : 0,
    watchId: arrived.watchKey === key ? arrived.watchId : null,
    ended: arrived.watchKey === key ? arrived.ended : null,
    recorded: arrived.recorded,
  };
}
