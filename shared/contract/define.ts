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

/**
 * Declares a channel of response type Res from its request schema, or from a function that builds
 * it: then the schema is built when `request` is first read (the first validation of that channel)
 * and kept, so a process that loads the contract builds only the schemas of the channels it calls
 * (zod builds each schema at some cost: the whole contract's took about 0.1 s of every CLI start).
 * The same schema either way: as strict, with the same types.
 */
export function channel<Res>() {
  function define<Req extends z.ZodType>(build: () => Req): ChannelSpec<Req, Res>;
  function define<Req extends z.ZodType>(request: Req): ChannelSpec<Req, Res>;
  function define<Req extends z.ZodType>(schema: Req | (() => Req)): ChannelSpec<Req, Res> {
    if (typeof schema !== 'function') return { request: schema };
    let built: Req | undefined;
    return {
      get request(): Req {
        return (built ??= schema());
      },
    };
  }
  return define;
}

/** A pushed event from the core to every connected renderer. */
export interface EventSpec<Payload> {
  payload?: Payload;
}

export function event<Payload>(): EventSpec<Payload> {
  return {};
}
