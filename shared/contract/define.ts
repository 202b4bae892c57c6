import type { z } from 'zod';

/**
 * A channel: a request validated at run time by `request` on the core side, and a response type
 * the core produces (typed, not re-validated: the core is trusted, the renderer is not).
 */
export interface ChannelSpec<Req extends z.ZodType, Res> {
  request: Req;
  /** Phantom: carries the response type only. */
  response?: Res;
}

export function channel<Res>() {
  return <Req extends z.ZodType>(request: Req): ChannelSpec<Req, Res> => ({ request });
}

/** A pushed event from the core to every connected renderer. */
export interface EventSpec<Payload> {
  payload?: Payload;
}

export function event<Payload>(): EventSpec<Payload> {
  return {};
}
