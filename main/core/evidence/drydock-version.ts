import { readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The version recorded on every artifact and bundle: package.json's, found by walking up from
 * this file (the source tree under tsx, dist/ or an asar archive once built).
 */
export function drydockVersion(): string {
  if (cached !== undefined) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'drydock' && typeof pkg.version === 'string') return (cached = pkg.version);
    } catch {
      // Not here; keep walking up.
    }
    if (path.dirname(dir) === dir) return (cached = '0.0.0-unknown');
  }
}
