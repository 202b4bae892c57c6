// Builds a second copy of better-sqlite3's native binding for Electron's ABI, next to (not over)
// the Node one: the CLI, the bridge and the tests run on plain Node and must keep working in the
// same checkout. The Electron shell loads this copy through better-sqlite3's `nativeBinding`
// option. Packaged apps need neither: electron-builder rebuilds node_modules for Electron.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const target = path.join(root, '.electron-native', 'better_sqlite3.node');

function skip(reason) {
  console.log(`drydock: ${reason}; skipping the Electron build of better-sqlite3 (CLI, bridge and tests use Node).`);
  process.exit(0);
}

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) skip('ELECTRON_SKIP_BINARY_DOWNLOAD is set');
let electronBinary;
try {
  electronBinary = require('electron');
} catch {
  electronBinary = undefined;
}
if (typeof electronBinary !== 'string' || !existsSync(electronBinary)) skip('no Electron binary is installed');

const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const work = mkdtempSync(path.join(tmpdir(), 'drydock-electron-native-'));
try {
  cpSync(path.dirname(require.resolve('better-sqlite3/package.json')), work, { recursive: true });
  rmSync(path.join(work, 'build'), { recursive: true, force: true });
  // A published prebuilt binary for this Electron first (no compiler needed on the user's machine),
  // then a source build with node-gyp against Electron's headers.
  const prebuilt = spawnSync(
    process.execPath,
    [require.resolve('prebuild-install/bin.js'), '--runtime=electron', `--target=${electronVersion}`],
    { cwd: work, stdio: 'inherit' },
  );
  const gyp =
    prebuilt.status === 0
      ? prebuilt
      : spawnSync(
          process.execPath,
          [
            require.resolve('node-gyp/bin/node-gyp.js'),
            'rebuild',
            '--release',
            `--target=${electronVersion}`,
            '--dist-url=https://electronjs.org/headers',
          ],
          { cwd: work, stdio: 'inherit' },
        );
  if (gyp.status !== 0) {
    console.error('drydock: building better-sqlite3 for Electron failed; `npm start` will not open the window until it succeeds.');
    process.exit(gyp.status ?? 1);
  }
  mkdirSync(path.dirname(target), { recursive: true });
  cpSync(path.join(work, 'build', 'Release', 'better_sqlite3.node'), target);
  console.log(`drydock: better-sqlite3 built for Electron ${electronVersion} at ${path.relative(root, target)}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
