import type { ParseArgsConfig } from 'node:util';
import type { ChannelName, EventName, EventPayloadOf, RequestOf, ResponseOf } from '../../shared/contract';
import type { DrydockError } from '../../shared/result';
import type { Dispatch } from '../app/dispatch';
import type { ErrorLog } from '../app/error-log';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Subscribes to every event the core emits (what the bridge forwards to the renderer). */
export type EventSource = (listener: (event: EventName, payload: unknown) => void) => () => void;

/**
 * What a command gets: the contract (typed channels and events), as the renderer has it, and the
 * terminal. No command reaches into the core: the CLI differs from the UI only in transport.
 */
export interface CliContext {
  io: CliIo;
  json: boolean;
  /** Calls the core through the contract, exactly as the UI does; throws CliError on failure. */
  call<C extends ChannelName>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  /** Listens to one contract event until the returned function is called. */
  on<E extends EventName>(event: E, listener: (payload: EventPayloadOf<E>) => void): () => void;
  /**
   * The host a command acts on: --host as given (a saved profile, a Docker context, an endpoint
   * URL) or, without it, the engine the docker CLI would use. Says on stderr which and why.
   * @throws CliError (exit 3) for a name that is neither a profile nor a context.
   */
  host(ref: string | boolean | string[] | undefined): Promise<string>;
  /** The raw transport, for `serve` only: it hands all three to the bridge. */
  transport(): { dispatch: Dispatch; events: EventSource; errorLog: ErrorLog };
  /** Resolves when the user presses Ctrl-C (for watches and captures). */
  interrupted: Promise<void>;
}

/** The sections of `drydock` without arguments, in the order a responder meets them. */
export type CommandGroup = 'triage' | 'acquire' | 'respond' | 'evidence' | 'setup';

export interface CliCommand {
  /** Words that select it: ['hosts', 'add']. */
  path: string[];
  summary: string;
  usage: string;
  options?: OptionSpec;
  /** Whether positional arguments are accepted. */
  positionals?: boolean;
  run(ctx: CliContext, values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

/** The exit status of a gate that failed (drift and audit --fail-on): distinct from errors (1-5) and interruptions (130). */
export const GATE_FAILED_EXIT = 6;

/** A failure already explained to the user; carries the exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly error?: DrydockError,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
