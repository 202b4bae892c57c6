import type { AppClient } from './app-client';
import { createBridgeClient } from './bridge-client';
import { createElectronClient } from './electron-client';
import { takeBridgeToken } from './token';

/** Electron's preload when it is there, else the loopback bridge this page was served from. */
export function createClient(win: Window = window): AppClient {
  if (win.drydockIpc) return createElectronClient(win.drydockIpc);
  return createBridgeClient({ origin: win.location.origin, token: takeBridgeToken(win) });
}
