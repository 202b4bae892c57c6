import type { z } from 'zod';
import { channels, isChannelName, type ChannelName, type ParsedRequestOf, type ResponseOf } from '../../shared/contract';
import type { DrydockError, Result } from '../../shared/result';
import { DrydockFailure, toDrydockError } from '../core/errors';
import type { ErrorLog } from './error-log';

export type Handler<C extends ChannelName> = (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
export type Handlers = { [C in ChannelName]: Handler<C> };

export type Dispatch = (channel: unknown, payload: unknown) => Promise<Result<unknown>>;

/**
 * The single entry from every transport: the channel must be in the contract and the payload must
 * pass its schema before any core code runs. Expected failures (DrydockFailure) come back as
 * values; anything else thrown is a bug: with `options.errorLog` its stack is written there and the
 * 'internal' error value carries `errorId` and `logFile`.
 */
export function createDispatcher(handlers: Handlers, options: { errorLog?: ErrorLog } = {}): Dispatch {
  return async (channel, payload) => {
    if (!isChannelName(channel)) {
      return { ok: false, error: { kind: 'invalid-input', message: `Unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}` } };
    }
    const schema = channels[channel].request as z.ZodType;
    const parsed = schema.safeParse(payload ?? {});
    if (!parsed.success) {
      return { ok: false, error: { kind: 'invalid-input', message: `Invalid request for ${channel}: ${describeIssues(parsed.error)}` } };
    }
    try {
      const handler = handlers[channel] as (request: unknown) => Promise<unknown> | unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      const error = toDrydockError(err);
      if (err instanceof DrydockFailure || !options.errorLog) return { ok: false, error };
      return { ok: false, error: logInternal(options.errorLog, err, error, channel) };
    }
  };
}

/** Writes an internal error's stack to the log; a log that cannot be written is said in the message. */
export function logInternal(log: ErrorLog, err: unknown, error: DrydockError, channel?: string): DrydockError {
  try {
    return { ...error, ...log.record(err, channel !== undefined ? { channel } : {}) };
  } catch (logErr) {
    return {
      ...error,
      message: `${error.message} (its stack could not be written to ${log.file}: ${logErr instanceof Error ? logErr.message : String(logErr)})`,
    };
  }
}

export function describeIssues(error: z.ZodError): string {
  return flattenUnions(error.issues)
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

type Issue = z.ZodError['issues'][number];

/**
 * A union's "Invalid input" says nothing; the issues of the branch the request came closest to do
 * (fewest issues, and a branch that merely has keys too many is the farthest), with their paths
 * prefixed by the union's own.
 */
function flattenUnions(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    if (issue.code !== 'invalid_union' || !issue.errors.length) return [issue];
    const distance = (branch: readonly Issue[]) => branch.length + (branch.some((i) => i.code === 'unrecognized_keys') ? 1000 : 0);
    const closest = [...issue.errors].sort((a, b) => distance(a) - distance(b))[0] ?? [];
    return flattenUnions(closest).map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }) as Issue);
  });
}
