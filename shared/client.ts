import type { ChannelName, EventName, EventPayloadOf, RequestOf, ResponseOf } from './contract';
import type { Result } from './result';

/**
 * What the renderer talks to. Electron's preload and the loopback bridge each implement it; the
 * renderer does not know which transport is behind it.
 */
export interface DrydockClient {
  invoke<C extends ChannelName>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayloadOf<E>) => void): () => void;
  readonly transport: 'electron' | 'bridge';
}

/** The raw surface the Electron preload exposes on `window.drydockIpc` (untyped on the wire). */
export interface DrydockIpcBridge {
  invoke(channel: string, request: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** Files out: the main process shows the native save dialog and exports there (see shared/contract/save). */
  save(request: unknown): Promise<unknown>;
}
