import { parseArgs } from 'node:util';
import { createCore } from '../app/core';
import { createDispatcher } from '../app/dispatch';
import { createHandlers } from '../app/handlers';
import { DrydockFailure } from '../core/errors';
import { defaultStoreDir } from '../core/store/default-dir';
import { CliError, type CliCommand, type CliContext, type CliIo } from './command';
import { COMMANDS } from './commands';
import { safeText } from './terminal-safe';

const GLOBAL_OPTIONS = {
  store: { type: 'string' },
  json: { type: 'boolean' },
  examiner: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const EXIT_BY_KIND: Record<string, number> = { 'invalid-input': 2, 'not-found': 3, unreachable: 4, 'permission-denied': 4, tls: 4, 'ssh-auth': 4, 'not-docker': 4, 'api-too-old': 4, disconnected: 4, integrity: 5 };

function findCommand(argv: string[]): { command: CliCommand; rest: string[] } | undefined {
  let best: { command: CliCommand; rest: string[] } | undefined;
  for (const command of COMMANDS) {
    const n = command.path.length;
    if (argv.length >= n && command.path.every((word, i) => argv[i] === word) && (!best || n > best.command.path.length)) {
      best = { command, rest: argv.slice(n) };
    }
  }
  return best;
}

function usage(): string {
  const lines = COMMANDS.map((c) => `  drydock ${c.usage.padEnd(58)} ${c.summary}`);
  return [
    'drydock — forensic and incident-response workbench for Docker hosts',
    '',
    'Usage:',
    ...lines,
    '',
    'Global options: --store DIR (evidence store; default the desktop app\'s), --json, --examiner NAME',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) }): Promise<number> {
  const found = findCommand(argv);
  if (!found || argv[0] === 'help' || argv.length === 0) {
    io.out(usage());
    return found || argv.length === 0 || argv[0] === 'help' ? 0 : 2;
  }
  const { command, rest } = found;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...(command.options ?? {}) }, allowPositionals: command.positionals ?? false, strict: true });
  } catch (err) {
    io.err(`drydock ${command.path.join(' ')}: ${safeText(err instanceof Error ? err.message : String(err))}\nUsage: drydock ${command.usage}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help) {
    io.out(`Usage: drydock ${command.usage}\n${command.summary}`);
    return 0;
  }
  let core;
  try {
    core = createCore({ storeDir: typeof values.store === 'string' ? values.store : defaultStoreDir(), ...(typeof values.examiner === 'string' ? { examiner: values.examiner } : {}) });
  } catch (err) {
    io.err(`drydock: ${safeText(err instanceof Error ? err.message : String(err))}`);
    return err instanceof DrydockFailure ? (EXIT_BY_KIND[err.kind] ?? 1) : 1;
  }
  const dispatch = createDispatcher(createHandlers(core));
  let onSigint: () => void = () => undefined;
  const interrupted = new Promise<void>((resolve) => {
    onSigint = () => resolve();
    process.once('SIGINT', onSigint);
  });
  const ctx: CliContext = {
    core,
    io,
    json: values.json === true,
    interrupted,
    async call(channel, request) {
      const result = await dispatch(channel, request);
      if (!result.ok) {
        const where = [result.error.host && `host ${result.error.host}`, result.error.container && `container ${result.error.container}`].filter(Boolean).join(', ');
        throw new CliError(`${result.error.message}${where && !result.error.message.includes(result.error.host ?? '\0') ? ` (${where})` : ''}`, EXIT_BY_KIND[result.error.kind] ?? 1, result.error);
      }
      return result.value as never;
    },
  };
  try {
    return await command.run(ctx, values, parsed.positionals);
  } catch (err) {
    if (err instanceof CliError) {
      if (ctx.json && err.error) io.out(JSON.stringify({ ok: false, error: err.error }));
      io.err(`drydock ${command.path.join(' ')}: ${safeText(err.message)}`);
      return err.exitCode;
    }
    io.err(`drydock ${command.path.join(' ')}: internal error: ${safeText(err instanceof Error ? (err.stack ?? err.message) : String(err))}`);
    return 70;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await core.close();
  }
}

/**
 * The process entry point used by `bin/drydock.js`: runs one command and sets the exit status
 * (0 success, 2 input error, 3 unknown object, 4 connection failure, 5 integrity failure, 70
 * internal error) without calling process.exit, so pending output is flushed.
 */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`drydock: ${String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
