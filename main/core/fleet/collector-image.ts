import { createReadStream } from 'node:fs';
import type Dockerode from 'dockerode';
import { DrydockFailure } from '../errors';
import { hashingStream } from '../hashing-stream';
import { engineArchitecture } from '../helper/bundle';
import { engineCall } from '../hosts/engine-call';
import type { CollectorBundle } from './collector-bundle';
import { engineText } from './engine-text';

// The collector image reaches a node through the node's own engine (POST /images/load): nothing is
// pulled, so air-gapped swarms work. It is identified by image ID, never by tag alone (a tag on a
// node under investigation may have been re-pointed), and the tar's SHA-256 as sent is returned for
// the audit log.

/** Where one node's engine is: the saved profile, the node, and its client. */
export interface NodeEngineClient {
  host: string;
  nodeId: string;
  hostname: string;
  docker: Dockerode;
}

/** What loading did: the tar's SHA-256 and bytes as streamed, and whether the image was there already. */
export interface CollectorLoad {
  sha256: string;
  bytes: number;
  /** True when the node already had exactly this image (nothing was sent; the run leaves it there afterwards). */
  present: boolean;
}

function nodeLabel(node: NodeEngineClient): string {
  return `node ${node.hostname} (host ${node.host})`;
}

async function imageId(docker: Dockerode, ref: string): Promise<string | null> {
  try {
    return ((await docker.getImage(ref).inspect()) as { Id: string }).Id;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

/**
 * Loads the collector image onto one node through its engine and checks the engine then holds
 * exactly `bundle.imageId`.
 * @throws DrydockFailure naming the node and host: 'unsupported' for another architecture,
 *   'integrity' when the tar does not hash as its manifest says, 'engine' when the engine refuses
 *   the image or reports another ID, and the engine kinds of engineCall.
 */
export async function loadCollector(node: NodeEngineClient, bundle: CollectorBundle): Promise<CollectorLoad> {
  const where = { host: node.host, action: `load the collector image onto ${nodeLabel(node)}` };
  const info = (await engineCall(where, () => node.docker.info())) as { Architecture?: string };
  const arch = engineArchitecture(info.Architecture ?? '');
  if (arch && arch !== bundle.architecture)
    throw new DrydockFailure(
      'unsupported',
      `The collector image is built for ${bundle.architecture} but ${nodeLabel(node)} is ${arch}: build it on a ${arch} machine`,
      { host: node.host },
    );
  if ((await engineCall(where, () => imageId(node.docker, bundle.imageId))) === bundle.imageId)
    return { sha256: bundle.sha256, bytes: 0, present: true };
  const hashing = hashingStream();
  const source = createReadStream(bundle.tarPath);
  source.on('error', (err) => hashing.stream.destroy(err));
  source.pipe(hashing.stream);
  const response = await engineCall(where, () => node.docker.loadImage(hashing.stream, { quiet: true }));
  let progress = '';
  for await (const chunk of response as AsyncIterable<Buffer | string>) {
    progress += chunk.toString();
    if (progress.length > 1e6) progress = progress.slice(-1e5);
  }
  const sha256 = hashing.sha256();
  const bytes = hashing.bytes();
  const refused = /"error(?:Detail)?"\s*:\s*(?:\{[^}]*"message"\s*:\s*)?"([^"]*)"/.exec(progress)?.[1];
  if (refused)
    throw new DrydockFailure('engine', `${nodeLabel(node)} refused the collector image: ${engineText(refused)}`, { host: node.host });
  if (sha256 !== bundle.sha256)
    throw new DrydockFailure(
      'integrity',
      `The collector bundle ${bundle.tarPath} does not match its manifest (sha256 ${sha256}, expected ${bundle.sha256}); rebuild it`,
      { host: node.host },
    );
  const after = await engineCall(where, () => imageId(node.docker, bundle.imageId));
  if (after !== bundle.imageId)
    throw new DrydockFailure('engine', `After loading, ${nodeLabel(node)} does not hold the collector image ${bundle.imageId}`, {
      host: node.host,
    });
  return { sha256, bytes, present: false };
}

/**
 * Removes the collector image from a node (by image ID, with its tag). Resolves true when it was
 * removed, false when it was not there.
 * @throws DrydockFailure naming the node and host ('conflict' while a container still uses it, the engine kinds).
 */
export async function removeCollector(node: NodeEngineClient, bundle: CollectorBundle): Promise<boolean> {
  return engineCall({ host: node.host, action: `remove the collector image from ${nodeLabel(node)}` }, async () => {
    try {
      await node.docker.getImage(bundle.imageId).remove({ force: true, noprune: false });
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      return false;
    }
  });
}
