// One JSON answer of the Engine API read with a byte cap: dockerode buffers whole answers with no
// bound, and a manager's node, service and task lists are sized by whoever controls the cluster.
import type Dockerode from 'dockerode';
import { DrydockFailure } from '../errors';
import { answerTimeoutMs } from '../hosts/docker-client';
import { engineFailure } from '../hosts/engine-errors';

/** The largest list answer read (bytes); a bigger one fails rather than filling the examiner's memory. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * GET `path` with the `query` parameters (objects are sent as JSON, as the Engine API's filters
 * are) from the engine and parse the JSON, reading at most `maxBytes`.
 * The whole answer must arrive within answerTimeoutMs().
 * @throws DrydockFailure: 'engine' for an oversized or non-JSON answer and for engine errors (with
 * the engine's message; a 503 "not a swarm manager" is the caller's to recognise through
 * `statusCode` on the failure's cause), or the transport kinds of engineFailure ('unreachable', 'tls', ...).
 */
export async function getJsonCapped(
  docker: Dockerode,
  where: { host: string; action: string },
  path: string,
  query: Record<string, unknown> = {},
  maxBytes = MAX_ANSWER_BYTES,
): Promise<unknown> {
  const deadline = AbortSignal.timeout(answerTimeoutMs());
  let stream: NodeJS.ReadableStream & { destroy?: () => void };
  try {
    stream = await new Promise((resolve, reject) => {
      docker.modem.dial(
        {
          // docker-modem appends the query after a trailing '?' (and drops a '?' with no query).
          path: `${path}?`,
          options: query,
          method: 'GET',
          isStream: true,
          abortSignal: deadline,
          statusCodes: { 200: true, 400: 'bad parameter', 404: 'not found', 500: 'server error', 503: 'node is not part of a swarm' },
        },
        (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream & { destroy?: () => void })),
      );
    });
  } catch (err) {
    throw engineFailure(err, where);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > maxBytes)
        throw new DrydockFailure(
          'engine',
          `${capitalize(where.action)} failed on host ${where.host}: its answer is larger than ${maxBytes} bytes (not read further)`,
          { host: where.host },
        );
      chunks.push(buffer);
    }
  } catch (err) {
    if (deadline.aborted)
      throw new DrydockFailure(
        'unreachable',
        `Host ${where.host} did not send its whole answer to GET ${path} within ${answerTimeoutMs() / 1000} s`,
        { host: where.host, cause: err },
      );
    throw engineFailure(err, where);
  } finally {
    stream.destroy?.();
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw new DrydockFailure('engine', `${capitalize(where.action)} failed on host ${where.host}: its answer is not JSON`, {
      host: where.host,
      cause: err,
    });
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
