import { createContext, useContext, useSyncExternalStore } from 'react';
import type { AppClient, TransportStatus } from '../transport/app-client';
import type { ViewId, ViewParams } from '../views/view-types';

export interface AppContextValue {
  client: AppClient;
  navigate: (view: ViewId, params?: ViewParams) => void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside <AppContext>');
  return value;
}

export function useClient(): AppClient {
  return useApp().client;
}

export function useTransportStatus(client: AppClient): TransportStatus {
  return useSyncExternalStore(client.onStatus, client.status);
}

/**
 * Changes each time the event stream (re)connects. Views put it in their load effects' deps so
 * that what happened while the stream was down is fetched again instead of silently missed.
 */
export function useLiveEpoch(): number {
  return useTransportStatus(useClient()).epoch;
}
