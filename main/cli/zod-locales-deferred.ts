// Why this exists: loading zod loads, with it, its ~50 message translations (zod/v4/locales, about
// 60 ms of CPU at each command's start, more than the rest of zod). Drydock uses zod's default
// English messages only, which zod loads on its own (locales/en), and never reads `z.locales`. So,
// before zod is first required, the translations' index is stood in for by a module whose every
// export (the same names) loads the real index on first read: the same values, paid for only by
// what reads them. Imported for its effect first thing by the CLI's entry (index.ts). Should a zod
// release move or reshape that index, nothing is stood in for and zod loads it as before.
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';

const requireHere = createRequire(__filename);

/** The export names of zod's locales index, from its `Object.defineProperty(exports, "ar", ...)` lines; [] when unrecognised. */
function exportNames(source: string): string[] {
  return [...source.matchAll(/^Object\.defineProperty\(exports, "([A-Za-z]+)", \{ enumerable: true, get: /gm)].map((m) => m[1] as string);
}

try {
  const zodDir = path.dirname(requireHere.resolve('zod/package.json'));
  const file = path.join(zodDir, 'v4', 'locales', 'index.cjs');
  const names = existsSync(file) && !requireHere.cache[file] ? exportNames(readFileSync(file, 'utf8')) : [];
  if (names.includes('en')) {
    let real: Record<string, unknown> | undefined;
    const load = (): Record<string, unknown> => {
      if (!real) {
        delete requireHere.cache[file];
        real = requireHere(file) as Record<string, unknown>;
      }
      return real;
    };
    const stand = new Module(file);
    stand.filename = file;
    stand.loaded = true;
    const exports: Record<string, unknown> = {};
    Object.defineProperty(exports, '__esModule', { value: true });
    for (const name of names) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
    stand.exports = exports;
    requireHere.cache[file] = stand;
  }
} catch {
  // zod laid out otherwise: it loads as it always did.
}
