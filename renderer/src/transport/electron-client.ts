import type { DrydockIpcBridge } from '../../../shared/client';
import type { ChannelName, EventName, EventPayloadOf, RequestOf, ResponseOf } from '../../../shared/contract';
import type { SavedFile, SaveRequest } from '../../../shared/contract/save';
import type { Result } from '../../../shared/result';
import type { AppClient, TransportStatus } from './app-client';
import { asResult, transportError } from './result-shape';

declare global {
  interface Window {
    /** Set by Electron's preload (contextBridge); absent in a plain browser on the bridge. */
    drydockIpc?: DrydockIpcBridge;
  }
}

const CONNECTED: TransportStatus = { state: 'connected', epoch: 1, attempt: 0 };

/** Electron transport: the preload's invoke/on pair, with the same Result checks as the bridge. */
export function createElectronClient(ipc: DrydockIpcBridge): AppClient {
  return {
    transport: 'electron',
    async invoke<C extends ChannelName>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      try {
        return asResult<ResponseOf<C>>(await ipc.invoke(channel, request), channel);
      } catch (err) {
        return transportError('internal', `IPC call ${channel} failed`, err instanceof Error ? err.message : String(err));
      }
    },
    async save(request: SaveRequest): Promise<Result<SavedFile>> {
      try {
        return asResult<SavedFile>(await ipc.save(request), 'save');
      } catch (err) {
        return transportError('internal', 'Saving through the save dialog failed', err instanceof Error ? err.message : String(err));
      }
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayloadOf<E>) => void): () => void {
      return ipc.on(event, listener as (payload: unknown) => void);
    },
    status: () => CONNECTED,
    onStatus: () => () => undefined,
    close: () => undefined,
  };
}
