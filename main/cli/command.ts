import type { ParseArgsConfig } from 'node:util';
import type { ChannelName, RequestOf, ResponseOf } from '../../shared/contract';
import type { DrydockError } from '../../shared/result';
import type { Core } from '../app/core';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export interface CliContext {
  core: Core;
  io: CliIo;
  json: boolean;
  /** Calls the core through the contract, exactly as the UI does; throws CliError on failure. */
  call<C extends ChannelName>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  /** Resolves when the user presses Ctrl-C (for watches and captures). */
  interrupted: Promise<void>;
}

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
