// The in-app YARA engine: libyara compiled to WebAssembly (the npm package libyara-wasm, ISC, the
// build CyberChef uses). Chosen over YARA-X bindings because it is libyara itself — the engine the
// helper runs as Debian's `yara` — so one rule file means the same thing in both places, and because
// it is one JavaScript file with the WebAssembly inside (no native module to rebuild per Electron
// version and platform, no download at run time: it runs wherever Node or Electron's main process
// does). Its API compiles the rules on every call and copies the buffer into the WebAssembly heap,
// so callers scan bounded chunks (chunk-scan.ts), never a whole image.
import { createRequire } from 'node:module';

interface EmVector<T> {
  size(): number;
  get(i: number): T;
}
interface WasmResult {
  compileErrors: EmVector<{ message: string; lineNumber: number; warning: boolean }>;
  matchedRules: EmVector<{
    ruleName: string;
    resolvedMatches: EmVector<{ location: number; matchLength: number; stringIdentifier: string }>;
  }>;
  consoleLogs: EmVector<string>;
  delete?: () => void;
}
interface WasmModule {
  run(buffer: Uint8Array, rules: string): WasmResult;
}

/** One string match as libyara reports it: offset within the scanned buffer. */
export interface RawMatch {
  rule: string;
  string: string;
  offset: number;
  length: number;
}

export interface CompileMessage {
  message: string;
  line: number;
  warning: boolean;
}

/** What the in-app engine reports itself as (libyara-wasm 1.2.1 embeds libyara 4.x). */
export const WASM_ENGINE = { name: 'libyara-wasm', version: '1.2.1', where: 'app' } as const;

let loading: Promise<WasmModule> | undefined;

/** Loads the WebAssembly module once per process (about 50 ms); later calls share it. */
export function loadWasmYara(): Promise<WasmModule> {
  loading ??= (async () => {
    const factory = createRequire(__filename)('libyara-wasm') as () => Promise<WasmModule>;
    return factory();
  })();
  return loading;
}

function vector<T>(v: EmVector<T>): T[] {
  const out: T[] = [];
  for (let i = 0; i < v.size(); i++) out.push(v.get(i));
  return out;
}

/**
 * Compiles `rules` and scans `bytes` (the whole buffer is one YARA "file": `filesize` is its length).
 * @returns the compiler's messages (errors and warnings; with any error there are no matches) and
 *   every string match of every matching rule (libyara keeps at most 1,000,000 per string).
 */
export async function wasmScan(bytes: Uint8Array, rules: string): Promise<{ messages: CompileMessage[]; matches: RawMatch[] }> {
  const yara = await loadWasmYara();
  const result = yara.run(bytes, rules);
  try {
    const messages = vector(result.compileErrors).map((e) => ({ message: e.message, line: e.lineNumber, warning: e.warning }));
    const matches: RawMatch[] = [];
    for (const rule of vector(result.matchedRules)) {
      const found = vector(rule.resolvedMatches);
      // A rule whose condition holds without any string match (no strings, `not $a`, `filesize < 10`).
      if (found.length === 0) matches.push({ rule: rule.ruleName, string: '', offset: 0, length: 0 });
      for (const m of found) {
        matches.push({ rule: rule.ruleName, string: m.stringIdentifier, offset: Number(m.location), length: Number(m.matchLength) });
      }
    }
    return { messages, matches };
  } finally {
    result.delete?.();
  }
}

/** Compiles the rules against nothing: their errors and warnings, before any evidence is read. */
export async function wasmCompile(rules: string): Promise<CompileMessage[]> {
  return (await wasmScan(new Uint8Array(0), rules)).messages;
}
