import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the built renderer is: DRYDOCK_RENDERER_DIR, else dist/renderer of the package this file
 * belongs to (found by walking up to package.json, so it works from dist/ and from sources).
 */
export function rendererDir(): string {
  const fromEnv = process.env.DRYDOCK_RENDERER_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'renderer');
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve(__dirname, '../../renderer');
}
