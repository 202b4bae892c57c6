// Shared pieces of the fuzz and property tests (fast-check). The unit suite runs a short budget
// (FUZZ_RUNS unset: `runs(fallback)` inputs per property); `npm run fuzz` sets FUZZ_RUNS for the
// long one. On failure fast-check prints the seed and the shrunk counterexample; FUZZ_SEED=N
// (and FUZZ_PATH=…) replays it. Each failing input, once fixed, goes into test/fuzz/corpus/<target>/
// as raw bytes, replayed first on every run.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type fc from 'fast-check';

export const CORPUS_DIR = path.resolve(__dirname, '../../fuzz/corpus');

/** Inputs per property: FUZZ_RUNS when set, else the short CI budget. */
export function runs(fallback = 200): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** fast-check parameters: the budget, a replayable seed, and a time cap per async input. */
export function params<T>(fallback = 200, examples: T[] = []): fc.Parameters<T> {
  const seed = Number(process.env.FUZZ_SEED);
  return {
    numRuns: runs(fallback),
    examples,
    timeout: 5_000,
    ...(Number.isInteger(seed) ? { seed, ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) } : {}),
  };
}

/** The committed corpus of one target: every file's bytes, by name. */
export function corpus(target: string): { name: string; bytes: Buffer }[] {
  const dir = path.join(CORPUS_DIR, target);
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.filter((n) => !n.startsWith('.') && n !== 'README.md').map((name) => ({ name, bytes: readFileSync(path.join(dir, name)) }));
}

/**
 * The parser either returns or throws one of its documented errors; anything else (a RangeError
 * from a Buffer read past the end, a TypeError) is a crash and fails the property.
 */
export function onlyDocumented(err: unknown, allowed: (err: Error) => boolean, input: string): void {
  assert.ok(
    err instanceof Error && allowed(err),
    `undocumented failure on ${input}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
  );
}

/** Milliseconds one input may take before it counts as a hang (sync parsers cannot be interrupted). */
export const PER_INPUT_MS = 2_000;

export function within<T>(what: string, run: () => T): T {
  const start = performance.now();
  const value = run();
  const took = performance.now() - start;
  assert.ok(took < PER_INPUT_MS, `${what} took ${took.toFixed(0)} ms on one input`);
  return value;
}

export function hex(bytes: Buffer, max = 256): string {
  return `${bytes.subarray(0, max).toString('hex')}${bytes.length > max ? `… (${bytes.length} bytes)` : ''}`;
}
