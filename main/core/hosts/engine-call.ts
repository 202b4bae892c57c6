import type Dockerode from 'dockerode';
import { engineFailure, type EngineWhere } from './engine-errors';

/** Where capabilities get the engine client of a connected host by its profile name (HostService). */
export interface DockerSource {
  /** Rejects with DrydockFailure ('not-found' for an unknown host, 'unreachable'/'disconnected' when it cannot be reached). */
  docker(host: string): Promise<Dockerode>;
}

/**
 * Runs one engine call (or a few that belong together) and turns whatever it throws into a
 * DrydockFailure naming the host, the container (when given) and what was being done, classified
 * by engineFailure: 'not-found' (404), 'conflict' (409), 'permission-denied', 'tls', 'unreachable',
 * 'engine' (any other engine answer). A DrydockFailure thrown inside passes through unchanged.
 */
export async function engineCall<T>(where: EngineWhere, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw engineFailure(err, where);
  }
}

/** The `where` of an engine call with an optional container, without an `undefined` field. */
export function engineWhere(host: string, container: string | undefined, action: string): EngineWhere {
  return container !== undefined ? { host, container, action } : { host, action };
}
