import { homedir } from 'node:os';
import path from 'node:path';

/**
 * Where the desktop app keeps its store, so the CLI and the window see the same cases by default:
 * Electron's userData directory for an app named "Drydock", plus /store.
 */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.DRYDOCK_STORE) return env.DRYDOCK_STORE;
  const home = homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Drydock', 'store');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Drydock', 'store');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Drydock', 'store');
}
