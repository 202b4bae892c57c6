// First: zod's translations are deferred before anything loads zod (see the file).
import './zod-locales-deferred';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { EventName } from '../../shared/contract';
import type { HostResolution } from '../../shared/domain/hosts';
import type { AuditEntry } from '../../shared/domain/evidence';
import type { DrydockError } from '../../shared/result';
import type { Core } from '../app/core';
import { argumentErrorText, attachNegativeValues } from './argument-error';
import { CliError, type CliContext, type CliIo } from './command';
import { allCommands, commandEntries, loadCommand, type CommandEntry } from './command-index';
import { commandHelp, overview } from './help';
import { signalText, STOP_SIGNALS, TraceTracker, type StopSignal } from './signals';
import { safeText } from './terminal-safe';

const GLOBAL_OPTIONS = {
  store: { type: 'string' },
  json: { type: 'boolean' },
  examiner: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Exit statuses by failure kind, as the README lists them. */
const EXIT_BY_KIND: Record<string, number> = {
  'invalid-input': 2,
  'not-found': 3,
  unreachable: 4,
  'permission-denied': 4,
  tls: 4,
  'ssh-auth': 4,
  'not-docker': 4,
  'api-too-old': 4,
  disconnected: 4,
  integrity: 5,
};

function findCommand(commands: readonly CommandEntry[], argv: string[]): { command: CommandEntry; rest: string[] } | undefined {
  let best: { command: CommandEntry; rest: string[] } | undefined;
  for (const command of commands) {
    const n = command.path.length;
    if (argv.length >= n && command.path.every((word, i) => argv[i] === word) && (!best || n > best.command.path.length)) {
      best = { command, rest: argv.slice(n) };
    }
  }
  return best;
}

/** The subcommands of the group `word` names ("drydock hosts"), each its usage and summary; [] for no group. */
function groupCommands(commands: readonly CommandEntry[], word: string | undefined): string[] {
  return commands.filter((c) => c.path.length > 1 && c.path[0] === word).flatMap((c) => [`  drydock ${c.usage}`, `      ${c.summary}`]);
}

/** What a mistyped command line gets: the subcommands of a group ("drydock case"), else the nearest command. */
function unknownCommand(commands: readonly CommandEntry[], argv: string[]): string {
  const words = argv.filter((a) => !a.startsWith('-'));
  const group = groupCommands(commands, words[0]);
  if (group.length)
    return [
      `drydock ${safeText(words.join(' '), 80)}: which one?`,
      ...group,
      `Run drydock ${safeText(words[0] ?? '', 80)} SUBCOMMAND --help for its options.`,
    ].join('\n');
  const typed = words.slice(0, 2).join(' ');
  const nearest = commands
    .map((c) => c.path.join(' '))
    .map((name) => ({ name, distance: editDistance(typed.slice(0, name.length + 2), name) }))
    .sort((a, b) => a.distance - b.distance)[0];
  const hint = nearest && nearest.distance <= 3 ? ` Did you mean \`drydock ${nearest.name}\`?` : '';
  return `drydock: unknown command ${JSON.stringify(safeText(words[0] ?? argv[0] ?? '', 80))}.${hint} Run drydock --help for the list.`;
}

/** Levenshtein distance (small strings: command names). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function describeResolution(resolution: HostResolution): string {
  const { profile } = resolution;
  const tls = profile.tls ? (profile.tls.verify ? ', TLS verified' : ', TLS NOT VERIFIED') : '';
  const saved = resolution.created ? `; saved as host profile ${profile.name}` : '';
  return `drydock: host ${safeText(profile.name)} = ${safeText(profile.url)}${tls} (${safeText(resolution.reason)}${saved})`;
}

/**
 * Runs one command line. Only the module of the command run is loaded (the overview, none; see
 * command-index.ts) and the core only when a command runs, and the command talks to it only
 * through the contract's channels and events.
 * @returns the exit status: 0 success, 1 failure, 2 input error, 3 unknown object, 4 connection
 *   failure, 5 integrity failure, 6 gate failed (audit --fail-on), 70 internal error, 130 interrupted
 *   (Ctrl-C; 143 by SIGTERM, 129 by SIGHUP, each stopping the command as Ctrl-C does).
 */
export async function main(
  argv: string[],
  io: CliIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) },
): Promise<number> {
  const commands = await commandEntries();
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    io.out(overview(commands));
    return 0;
  }
  // A command the index does not know may still be in the modules (built after the index).
  const found = findCommand(commands, argv) ?? findCommand(await allCommands(), argv);
  const command = found && (await loadCommand(found.command));
  if (!found || !command) {
    // `drydock hosts --help`: the group's subcommands, as asked.
    const group = groupCommands(commands, argv[0]);
    if (group.length && (argv.includes('--help') || argv.includes('-h'))) {
      io.out(
        [`drydock ${argv[0] ?? ''}: subcommands`, ...group, `Run drydock ${argv[0] ?? ''} SUBCOMMAND --help for its options.`].join('\n'),
      );
      return 0;
    }
    io.err(unknownCommand(commands, argv));
    return 2;
  }
  const { rest } = found;
  let parsed;
  try {
    const options = { ...GLOBAL_OPTIONS, ...(command.options ?? {}) };
    parsed = parseArgs({
      // `--pid -1`: the value reaches the command, whose check says what --pid takes.
      args: attachNegativeValues(rest, options),
      options,
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
  } catch (err) {
    io.err(`drydock ${command.path.join(' ')}: ${argumentErrorText(err)}\nUsage: drydock ${command.usage}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help) {
    io.out(commandHelp(command, Object.keys(GLOBAL_OPTIONS)));
    return 0;
  }
  // Loaded here, not at the top: `drydock --help` and usage errors never pay for the core.
  const [
    { createCore },
    { createDispatcher, logInternal },
    { createHandlers },
    { DrydockFailure, toDrydockError },
    { defaultStoreDir },
    { ErrorLog },
  ] = await Promise.all([
    import('../app/core'),
    import('../app/dispatch'),
    import('../app/handlers'),
    import('../core/errors'),
    import('../core/store/default-dir'),
    import('../app/error-log'),
  ]);
  const storeDir = typeof values.store === 'string' ? values.store : defaultStoreDir();
  // Internal errors keep their stacks in the store's logs/ (the bridge of `serve` dispatches through this too).
  const errorLog = new ErrorLog(path.join(storeDir, 'logs'));
  let core: Core;
  try {
    core = createCore({
      storeDir,
      ...(typeof values.examiner === 'string' ? { examiner: values.examiner } : {}),
      // Logs are followed by the long-running collectors only, never by a one-shot command.
      followLogs: command.path[0] === 'watch' || command.path[0] === 'serve',
    });
  } catch (err) {
    io.err(`drydock: ${safeText(err instanceof Error ? err.message : String(err))}`);
    return err instanceof DrydockFailure ? (EXIT_BY_KIND[err.kind] ?? 1) : 1;
  }
  const dispatch = createDispatcher(createHandlers(core), { errorLog });
  const events = (listener: (event: EventName, payload: unknown) => void) => core.events.subscribe(listener);
  // SIGINT (Ctrl-C), SIGTERM (kill, a service manager) and SIGHUP (an SSH session dropped) all stop a
  // command the same way: its own cancel path, which thaws, removes helpers and keeps what was read.
  // Listened to until the core is closed: a second signal is told what is still being cleaned up, a
  // third quits at once, naming what is left and the sweep that undoes it.
  const traces = new TraceTracker(values.pause === true);
  const offTraces = core.events.subscribe((event, payload) => {
    if (event === 'evidence.audit-appended') traces.observe(payload as AuditEntry);
  });
  let stoppedBy: StopSignal | undefined;
  let signals = 0;
  /** Whether the command took ctx.interrupted (it then stops itself, through its cancel path). */
  let listening = false;
  let onSignal: (signal: StopSignal) => void = () => undefined;
  const interrupted = new Promise<void>((resolve) => {
    onSignal = (signal) => {
      signals++;
      if (signal === 'SIGHUP') {
        // The terminal is gone: writes to it fail, and must not end the cleanup.
        process.stdout.on('error', () => undefined);
        process.stderr.on('error', () => undefined);
      }
      if (signals === 1) {
        stoppedBy = signal;
        resolve();
        // A command that never asked to hear of it has no cancel path: it ends now, as it would by default.
        if (listening) {
          const first = signalText(signal, 'first', traces);
          if (first) io.err(first);
          return;
        }
      }
      const quit = signals >= 3 || !listening;
      const text = signalText(signal, quit ? 'quit' : 'again', traces, !listening);
      if (text) io.err(text);
      if (quit) process.exit(128 + STOP_SIGNALS[signal]);
    };
  });
  const signalListeners = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((signal) => {
    const listener = () => onSignal(signal);
    process.on(signal, listener);
    return () => process.removeListener(signal, listener);
  });
  const json = values.json === true;
  const ctx: CliContext = {
    io,
    json,
    get interrupted() {
      listening = true;
      return interrupted;
    },
    async call(channel, request) {
      const result = await dispatch(channel, request);
      if (!result.ok) {
        // The contract names its channel ("Invalid request for hosts.test: url: …"); a user is told what was wrong with the input.
        const plain = result.error.message.replace(/^Invalid request for [\w.-]+: /, 'invalid input: ');
        if (plain !== result.error.message) result.error = { ...result.error, message: plain };
        const where = [result.error.host && `host ${result.error.host}`, result.error.container && `container ${result.error.container}`]
          .filter(Boolean)
          .join(', ');
        throw new CliError(
          `${result.error.message}${where && !result.error.message.includes(result.error.host ?? '\0') ? ` (${where})` : ''}${internalRef(result.error)}`,
          EXIT_BY_KIND[result.error.kind] ?? 1,
          result.error,
        );
      }
      return result.value as never;
    },
    on(event, listener) {
      return events((name, payload) => {
        if (name === event) listener(payload as never);
      });
    },
    async host(ref) {
      if (ref !== undefined && typeof ref !== 'string') throw new CliError('--host takes one value', 2);
      const resolution = await ctx.call('hosts.resolve', ref === undefined ? {} : { ref });
      // Said even with --json (on stderr): no one should acquire from production by accident.
      if (ref === undefined || resolution.created || resolution.source !== 'profile') io.err(describeResolution(resolution));
      return resolution.profile.name;
    },
    transport: () => ({ dispatch, events, errorLog }),
  };
  // An acquisition that had to open a case says so, once, where the examiner looks.
  const unsubscribeAdHoc = ctx.on('evidence.adhoc-case-opened', (opened) => {
    io.err(
      `drydock: ${safeText(opened.reason)} (case ID ${opened.case.id}; examiner ${safeText(opened.case.examiner)}). Later acquisitions today go into it too; drydock case list shows it.`,
    );
  });
  // An interrupted command exits 130 (SIGINT's 128 + 2); stopped by SIGTERM or SIGHUP, 128 + that signal's number.
  const status = (code: number) => (code === 130 && stoppedBy ? 128 + STOP_SIGNALS[stoppedBy] : code);
  try {
    return status(await command.run(ctx, values, parsed.positionals));
  } catch (err) {
    if (err instanceof CliError) {
      if (ctx.json && err.error) io.out(JSON.stringify({ ok: false, error: err.error }));
      io.err(`drydock ${command.path.join(' ')}: ${safeText(err.message)}`);
      return status(err.exitCode);
    }
    // A bug in the command itself: its stack goes to the error log, the terminal gets its ID.
    const logged = logInternal(errorLog, err, toDrydockError(err));
    if (ctx.json) io.out(JSON.stringify({ ok: false, error: logged }));
    io.err(`drydock ${command.path.join(' ')}: ${safeText(logged.message)}${internalRef(logged)}`);
    return 70;
  } finally {
    unsubscribeAdHoc();
    try {
      await core.close();
    } finally {
      offTraces();
      for (const off of signalListeners) off();
    }
  }
}

/** For an internal error: where its stack is (" — error ID E-…, its stack is in FILE"); '' otherwise. */
function internalRef(error: DrydockError): string {
  return error.errorId !== undefined ? ` — error ID ${error.errorId}, its stack is in ${error.logFile ?? 'the error log'}` : '';
}

/**
 * The process entry point used by `bin/drydock.js`: runs one command and sets the exit status
 * (see main) without calling process.exit, so pending output is flushed.
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
