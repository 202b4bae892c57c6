import type { DrydockClient } from '../../../shared/client';
import type { SavedFile, SaveRequest } from '../../../shared/contract/save';
import type { Result } from '../../../shared/result';

/**
 * How the renderer's link to the core is doing. Electron IPC is always `connected`; the bridge's
 * event socket can drop and come back, and the shell shows that instead of pretending to be live.
 */
export type TransportState = 'connecting' | 'connected' | 'reconnecting' | 'no-token';

export interface TransportStatus {
  state: TransportState;
  /** Incremented every time the event stream (re)connects: views reload what they may have missed. */
  epoch: number;
  /** When the next reconnection attempt is due (ms since epoch), while reconnecting. */
  retryAt?: number;
  attempt: number;
  message?: string;
}

/** A DrydockClient that can also say how its transport is doing. */
export interface AppClient extends DrydockClient {
  /**
   * Saves an export on the user's machine: a download in the browser, the native save dialog in
   * Electron. Resolves with what was saved (cancelled: true when the dialog was closed).
   */
  save(request: SaveRequest): Promise<Result<SavedFile>>;
  status(): TransportStatus;
  onStatus(listener: (status: TransportStatus) => void): () => void;
  close(): void;
}
