// Loads only what a command line needs: the commands' words, summaries and usages come from
// dist/main/cli/commands/index.json (written after each `npm run build:node` by
// scripts/cli-command-index.mjs, from the compiled modules), so `drydock --help` imports no
// command, and a command imports its own module only. Where there is no index (tsx runs the
// sources), a command module's size is not the one indexed (rebuilt with other content by tsc
// alone), or the index names no module defining a command, every command module is loaded, as the
// command table (./commands) lists them. Sizes, not times: tsc rewrites every file it builds.
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
  modules: Record<string, { size: number }>;
}

const COMMANDS_DIR = path.join(__dirname, 'commands');
const MODULE_NAME = /^[a-z0-9-]+$/;

/** The index when it is there and every module it names has the size indexed; undefined otherwise. */
function readIndex(): CommandIndexFile | undefined {
  try {
    const index = JSON.parse(readFileSync(path.join(COMMANDS_DIR, 'index.json'), 'utf8')) as CommandIndexFile;
    if (!Array.isArray(index.commands) || typeof index.modules !== 'object' || index.modules === null) return undefined;
    for (const [name, recorded] of Object.entries(index.modules)) {
      if (!MODULE_NAME.test(name)) return undefined;
      const stat = statSync(path.join(COMMANDS_DIR, `${name}.js`));
      if (stat.size !== recorded.size) return undefined;
    }
    return index;
  } catch {
    return undefined;
  }
}

/** Every command module, through the command table. */
export async function allCommands(): Promise<readonly CliCommand[]> {
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
 * module when the entry names none or its module does not define it; undefined when no module
 * defines a command of those words (an index older than the modules).
 */
export async function loadCommand(entry: CommandEntry): Promise<CliCommand | undefined> {
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
  return (await allCommands()).find(same);
}
