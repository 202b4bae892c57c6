import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { HostProfile, HostStatus } from '../../../shared/domain/hosts';
import type { Result } from '../../../shared/result';
import { useClient, useLiveEpoch } from './app-context';
import { useNotify } from './toasts';

export interface HostsState {
  profiles: HostProfile[];
  status: ReadonlyMap<string, HostStatus>;
  loaded: boolean;
  reload: () => Promise<void>;
}

const HostsContext = createContext<HostsState | null>(null);

export function useHosts(): HostsState {
  const value = useContext(HostsContext);
  if (!value) throw new Error('useHosts outside <HostsProvider>');
  return value;
}

/** Whether a profile has TLS verification turned off: shown next to that host wherever it appears. */
export function tlsVerifyOff(profile: HostProfile | undefined): boolean {
  return profile?.tls?.verify === false;
}

/** Saved host profiles and their live connection state, for every view at once. */
export function HostsProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const notify = useNotify();
  const epoch = useLiveEpoch();
  const [profiles, setProfiles] = useState<HostProfile[]>([]);
  const [status, setStatus] = useState<ReadonlyMap<string, HostStatus>>(new Map());
  const [loaded, setLoaded] = useState(false);

  // Which fetch is newest, and the status events seen since each fetch began: a response that was
  // read before a host was added or connected must not wipe what its events said since.
  const fetchSeq = useRef(0);
  const eventsSeen = useRef<Map<string, number>>(new Map());
  const eventCount = useRef(0);

  const apply = useCallback(
    (seq: number, eventsBefore: number, [list, states]: [Result<HostProfile[]>, Result<HostStatus[]>]) => {
      if (seq !== fetchSeq.current) return; // a newer fetch is under way or done: its answer wins
      if (list.ok) setProfiles(list.value);
      else notify.error(list.error, 'Loading host profiles');
      if (states.ok)
        setStatus((prev) => {
          const next = new Map<string, HostStatus>();
          for (const s of states.value) next.set(s.name, s);
          // A status event that arrived while this response was on its way is newer than it.
          for (const [name, at] of eventsSeen.current) {
            const seen = prev.get(name);
            if (at > eventsBefore && seen) next.set(name, seen);
          }
          return next;
        });
      setLoaded(true);
    },
    [notify],
  );
  const fetchAll = useCallback(() => {
    const seq = ++fetchSeq.current;
    const eventsBefore = eventCount.current;
    return Promise.all([client.invoke('hosts.list', {}), client.invoke('hosts.status', {})]).then((answers) =>
      apply(seq, eventsBefore, answers),
    );
  }, [client, apply]);
  const reload = useCallback(() => fetchAll(), [fetchAll]);

  useEffect(() => {
    void fetchAll();
  }, [fetchAll, epoch]);

  useEffect(
    () =>
      client.on('host.status', (s) => {
        eventsSeen.current.set(s.name, ++eventCount.current);
        setStatus((prev) => new Map(prev).set(s.name, s));
      }),
    [client],
  );

  // A host saved or removed elsewhere (another window, the core, a context import) after this page
  // loaded: re-read the list, or the header and the views would not know the host until a reload.
  useEffect(() => client.on('hosts.changed', () => void reload()), [client, reload]);

  const value = useMemo(() => ({ profiles, status, loaded, reload }), [profiles, status, loaded, reload]);
  return <HostsContext.Provider value={value}>{children}</HostsContext.Provider>;
}
