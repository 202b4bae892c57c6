import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { YaraRuleSource } from '../../../shared/domain/yara';
import { DrydockFailure } from '../errors';
import { wasmCompile } from './wasm-engine';

/** Rule text accepted in one scan (all files together). */
export const MAX_RULES_BYTES = 4 * 1024 * 1024;

export interface RuleFile {
  name: string;
  text: string;
  origin: 'user' | 'starter';
}

export interface CompiledRules {
  /** Every file's text, one after the other (YARA compiles them as one source). */
  text: string;
  sources: YaraRuleSource[];
  warnings: string[];
}

/**
 * Where Drydock's starter rules live: $DRYDOCK_YARA_RULES_DIR, the packaged app's resources/yara,
 * then resources/yara above this file (a checkout, compiled or not).
 */
export function starterDirectories(): string[] {
  const dirs: string[] = [];
  if (process.env.DRYDOCK_YARA_RULES_DIR) dirs.push(process.env.DRYDOCK_YARA_RULES_DIR);
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) dirs.push(path.join(resourcesPath, 'yara'));
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    dirs.push(path.join(dir, 'resources', 'yara'));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dirs;
}

/**
 * The starter rules Drydock ships (resources/yara/*.yar), sorted by name.
 * @throws DrydockFailure('not-found') when no directory holds them.
 */
export function starterRules(dirs: string[] = starterDirectories()): RuleFile[] {
  const dir = dirs.find((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.yar')));
  if (!dir) throw new DrydockFailure('not-found', `Drydock's starter YARA rules are not installed (looked in ${dirs.join(', ')})`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yar'))
    .sort()
    .map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8'), origin: 'starter' as const }));
}

/**
 * Joins the rule files into one source and compiles it with the in-app engine before anything is
 * read, so a typo fails the scan up front with the file and line named (both engines are libyara:
 * rules that compile here compile in the helper's yara, modules aside).
 * @throws DrydockFailure('invalid-input') for no rules, more than MAX_RULES_BYTES, a NUL byte, or a
 *   compile error (each message names the file and its line).
 */
export async function compileRules(files: readonly RuleFile[]): Promise<CompiledRules> {
  if (files.length === 0) throw new DrydockFailure('invalid-input', 'No YARA rules to scan with');
  const total = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  if (total > MAX_RULES_BYTES)
    throw new DrydockFailure('invalid-input', `The YARA rules are ${total} bytes; at most ${MAX_RULES_BYTES} are accepted in one scan`);
  const starts: { name: string; line: number }[] = [];
  let line = 1;
  const parts: string[] = [];
  for (const f of files) {
    if (f.text.includes('\0')) throw new DrydockFailure('invalid-input', `YARA rule file ${f.name} holds a NUL byte`);
    starts.push({ name: f.name, line });
    const text = f.text.endsWith('\n') ? f.text : `${f.text}\n`;
    parts.push(text);
    line += text.split('\n').length - 1;
  }
  const text = parts.join('');
  const where = (l: number) => {
    const file = [...starts].reverse().find((s) => s.line <= l) ?? starts[0];
    return file ? `${file.name} line ${l - file.line + 1}` : `line ${l}`;
  };
  const messages = await wasmCompile(text);
  const errors = messages.filter((m) => !m.warning);
  if (errors.length)
    throw new DrydockFailure(
      'invalid-input',
      `The YARA rules do not compile: ${errors
        .slice(0, 10)
        .map((e) => `${where(e.line)}: ${e.message}`)
        .join('; ')}`,
    );
  return {
    text,
    sources: files.map((f) => ({ name: f.name, sha256: createHash('sha256').update(f.text).digest('hex'), origin: f.origin })),
    warnings: messages.filter((m) => m.warning).map((m) => `${where(m.line)}: ${m.message}`),
  };
}
