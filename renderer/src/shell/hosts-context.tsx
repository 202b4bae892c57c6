import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
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

  const apply = useCallback(
    ([list, states]: [Result<HostProfile[]>, Result<HostStatus[]>]) => {
      if (list.ok) setProfiles(list.value);
      else notify.error(list.error, 'Loading host profiles');
      // A status event may overtake this response (a host connected while the list was read):
      // keep whichever of the two is newer.
      if (states.ok)
        setStatus(
          (prev) =>
            new Map(
              states.value.map((s) => {
                const seen = prev.get(s.name);
                return [s.name, seen && seen.since >= s.since ? seen : s];
              }),
            ),
        );
      setLoaded(true);
    },
    [notify],
  );
  const fetchAll = useCallback(() => Promise.all([client.invoke('hosts.list', {}), client.invoke('hosts.status', {})]), [client]);
  const reload = useCallback(() => fetchAll().then(apply), [fetchAll, apply]);

  useEffect(() => {
    void fetchAll().then(apply);
  }, [fetchAll, apply, epoch]);

  useEffect(
    () =>
      client.on('host.status', (s) => {
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
