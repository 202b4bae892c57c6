// Loads only what a command line needs: the commands' words, summaries and usages come from
// dist/main/cli/commands/index.json (written after each `npm run build:node` by
// scripts/cli-command-index.mjs, from the compiled modules), so `drydock --help` imports no
// command, and a command imports its own module only. Where there is no index (tsx runs the
// sources) or it is older than a command module, or names no module defining the command, every
// command module is loaded, as the command table (./commands) lists them.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CliCommand } from './command';

/** What the overview and the command-line matching need of a command; `module` defines it. */
export interface CommandEntry {
  path: string[];
  summary: string;
  usage: string;
  module?: string;
}

interface CommandIndexFile {
  commands: Required<CommandEntry>[];
  modules: Record<string, { size: number; mtimeMs: number }>;
}

const COMMANDS_DIR = path.join(__dirname, 'commands');
const MODULE_NAME = /^[a-z0-9-]+$/;

/** The index when it is there and as new as every module it names; undefined otherwise. */
function readIndex(): CommandIndexFile | undefined {
  try {
    const index = JSON.parse(readFileSync(path.join(COMMANDS_DIR, 'index.json'), 'utf8')) as CommandIndexFile;
    if (!Array.isArray(index.commands) || typeof index.modules !== 'object' || index.modules === null) return undefined;
    for (const [name, recorded] of Object.entries(index.modules)) {
      if (!MODULE_NAME.test(name)) return undefined;
      const stat = statSync(path.join(COMMANDS_DIR, `${name}.js`));
      if (stat.size !== recorded.size || stat.mtimeMs !== recorded.mtimeMs) return undefined;
    }
    return index;
  } catch {
    return undefined;
  }
}

/** Every command module, through the command table. */
async function allCommands(): Promise<readonly CliCommand[]> {
  return (await import('./commands')).COMMANDS;
}

/**
 * The command table as the overview and the matching of a command line see it: from the index
 * (nothing else loaded) or, without one, from every command module.
 */
export async function commandEntries(): Promise<readonly CommandEntry[]> {
  return readIndex()?.commands ?? (await allCommands());
}

/**
 * The command of `entry` itself (options, run), its module loaded: the index's module, or every
 * module when the entry names none or its module does not define it.
 * @throws Error when no command module defines a command of those words (the index and the modules disagree).
 */
export async function loadCommand(entry: CommandEntry): Promise<CliCommand> {
  const key = entry.path.join(' ');
  const same = (c: unknown): c is CliCommand =>
    typeof c === 'object' && c !== null && Array.isArray((c as CliCommand).path) && (c as CliCommand).path.join(' ') === key;
  if ('run' in entry) return entry as CliCommand;
  if (entry.module && MODULE_NAME.test(entry.module)) {
    const exports = (await import(`./commands/${entry.module}`)) as Record<string, unknown>;
    for (const value of Object.values(exports)) {
      const found = (Array.isArray(value) ? value : [value]).find(same);
      if (found) return found;
    }
  }
  const found = (await allCommands()).find(same);
  if (!found) throw new Error(`no command module defines "drydock ${key}"`);
  return found;
}
