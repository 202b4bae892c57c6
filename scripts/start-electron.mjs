// `npm start`: opens the desktop window. Where Electron's binary was not downloaded (installed
// with ELECTRON_SKIP_BINARY_DOWNLOAD=1, e.g. an air-gapped build box), say so and point to the
// browser UI (`npm run serve`), which is the same renderer over the loopback bridge.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let electronPath;
try {
  electronPath = require('electron');
} catch {
  electronPath = undefined;
}
if (typeof electronPath !== 'string' || !existsSync(electronPath)) {
  console.error(
    'drydock: the Electron binary is not installed (npm was run with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or its download failed).\n' +
      '  Desktop window: reinstall with internet access: rm -rf node_modules && npm ci && npm start\n' +
      '  Same UI in a browser, no Electron needed: npm run serve',
  );
  process.exit(1);
}
if (!existsSync(path.join(root, '.electron-native', 'better_sqlite3.node'))) {
  console.error('drydock: better-sqlite3 has no build for Electron yet; building it now…');
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'install-app-deps.mjs')], {
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' },
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const child = spawn(electronPath, [root], { stdio: 'inherit', env: { ...process.env, ELECTRON_RUN_AS_NODE: '' } });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
