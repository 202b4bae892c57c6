import type { z } from 'zod';
import { channels, isChannelName, type ChannelName, type ParsedRequestOf, type ResponseOf } from '../../shared/contract';
import type { Result } from '../../shared/result';
import { toDrydockError } from '../core/errors';

export type Handler<C extends ChannelName> = (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;
export type Handlers = { [C in ChannelName]: Handler<C> };

export type Dispatch = (channel: unknown, payload: unknown) => Promise<Result<unknown>>;

/**
 * The single entry from every transport: the channel must be in the contract and the payload must
 * pass its schema before any core code runs. Expected failures come back as values.
 */
export function createDispatcher(handlers: Handlers): Dispatch {
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
      return { ok: false, error: toDrydockError(err) };
    }
  };
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
