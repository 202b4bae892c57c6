import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { DrydockFailure } from '../errors';
import { engineCall } from '../hosts/engine-call';
import type { NodeEngineClient } from './collector-image';
import { engineText } from './engine-text';

// A collector's bundle comes back through the node's engine (GET /containers/{id}/archive of the
// finished task's container). The node is under investigation: the archive is hostile input. It
// must hold exactly one regular file, named as asked, no bigger than the cap; anything else (a
// link, a device, a second entry, a path with '/' or '..', more bytes than declared) is refused and
// nothing is kept. The file lands in a private temporary directory the caller removes.

/** Where the collector writes its bundle inside its container. */
export const COLLECTOR_OUT_DIR = '/out';
export const COLLECTOR_BUNDLE_NAME = 'bundle.tar';
/** Largest bundle fetched from one node by default (bytes): 4 GiB. */
export const DEFAULT_BUNDLE_CAP = 4 * 1024 ** 3;

export interface FetchedBundle {
  /** The bundle, in a directory of its own: call `discard` when done with it. */
  file: string;
  bytes: number;
  discard(): Promise<void>;
}

/**
 * Fetches `/out/bundle.tar` from a container on a node through the node's engine into a temporary
 * file of its own.
 * @throws DrydockFailure naming the node, host and container: 'integrity' for an archive that is not
 *   exactly one regular file named bundle.tar within `cap` bytes; the engine kinds of engineCall
 *   ('not-found' when the container or the file is gone).
 */
export async function fetchBundle(node: NodeEngineClient, containerId: string, cap = DEFAULT_BUNDLE_CAP): Promise<FetchedBundle> {
  const where = { host: node.host, container: containerId, action: `fetch the collector's bundle from node ${node.hostname}` };
  const refuse = (message: string) =>
    new DrydockFailure(
      'integrity',
      `The bundle archive from node ${node.hostname} (host ${node.host}, container ${containerId.slice(0, 12)}) was refused: ${message}`,
      {
        host: node.host,
        container: containerId,
      },
    );
  const dir = await mkdtemp(path.join(tmpdir(), 'drydock-fleet-'));
  const discard = () => rm(dir, { recursive: true, force: true });
  const file = path.join(dir, COLLECTOR_BUNDLE_NAME);
  try {
    const archive = (await engineCall(where, () =>
      node.docker.getContainer(containerId).getArchive({ path: `${COLLECTOR_OUT_DIR}/${COLLECTOR_BUNDLE_NAME}` }),
    )) as NodeJS.ReadableStream;
    const extract = tar.extract();
    let seen = 0;
    let bytes = 0;
    // The whole archive is capped too: a stream that never ends is not waited for beyond cap + headers.
    let streamed = 0;
    archive.on('data', (chunk: Buffer) => {
      streamed += chunk.length;
      if (streamed > cap + 1024 * 1024) extract.destroy(refuse(`it is larger than the ${cap}-byte cap`));
    });
    archive.on('error', (err: Error) => extract.destroy(err));
    archive.pipe(extract);
    try {
      for await (const entry of extract) {
        const h = entry.header;
        seen++;
        if (seen > 1) throw refuse(`it holds more than one entry (${JSON.stringify(engineText(h.name, 200))})`);
        if ((h.type ?? 'file') !== 'file')
          throw refuse(`${JSON.stringify(engineText(h.name, 200))} is a ${engineText(h.type, 40)}, not a regular file`);
        if (h.name !== COLLECTOR_BUNDLE_NAME)
          throw refuse(`it holds ${JSON.stringify(engineText(h.name, 200))}, not ${COLLECTOR_BUNDLE_NAME}`);
        if ((h.size ?? 0) > cap) throw refuse(`${COLLECTOR_BUNDLE_NAME} is ${h.size} bytes, over the ${cap}-byte cap`);
        const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
        await pipeline(
          entry,
          async function* (source: AsyncIterable<unknown>) {
            for await (const chunk of source as AsyncIterable<Buffer>) {
              bytes += chunk.length;
              if (bytes > cap) throw refuse(`${COLLECTOR_BUNDLE_NAME} is over the ${cap}-byte cap`);
              yield chunk;
            }
          },
          out,
        );
      }
    } catch (err) {
      if (err instanceof DrydockFailure) throw err;
      throw refuse(`it is not a readable tar archive (${engineText((err as Error).message, 300)})`);
    }
    if (seen === 0) throw refuse('it is empty');
    return { file, bytes, discard };
  } catch (err) {
    await discard();
    throw err;
  }
}
