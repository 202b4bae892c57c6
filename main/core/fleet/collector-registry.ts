import type { CollectorBundle } from './collector-bundle';
import { loadCollector, type NodeEngineClient } from './collector-image';
import { DrydockFailure } from '../errors';
import { engineCall } from '../hosts/engine-call';
import { engineText } from './engine-text';

// The other way in for the collector image: a registry the swarm's nodes can reach. Drydock has no
// network of its own to the registry (it may sit inside the cluster), so the image goes through the
// manager's engine: loaded there as usual, tagged <registry>/drydock/collector:<id>, pushed by the
// manager (POST /images/{name}/push), and the service names it by the digest the push reports, so
// every node pulls exactly these bytes. The copy in the registry stays: the Engine API cannot delete it.

/** Where the collector went: the reference the service runs (by digest) and the tag pushed. */
export interface PushedCollector {
  /** <registry>/drydock/collector@sha256:… */
  reference: string;
  /** <registry>/drydock/collector:<12 hex> */
  tagged: string;
  digest: string;
  load: { sha256: string; bytes: number; present: boolean };
}

/**
 * Loads the collector onto the manager, tags it for `registry` (host[:port]) and pushes it through
 * the manager's engine.
 * @throws DrydockFailure naming the manager host and the registry: loadCollector's kinds, 'engine'
 *   when the push is refused or reports no digest, the engine kinds of engineCall.
 */
export async function pushCollector(manager: NodeEngineClient, bundle: CollectorBundle, registry: string): Promise<PushedCollector> {
  const load = await loadCollector(manager, bundle);
  const repo = `${registry}/drydock/collector`;
  const tag = bundle.imageId.slice('sha256:'.length, 'sha256:'.length + 12);
  const where = { host: manager.host, action: `push the collector image to registry ${registry} through manager host ${manager.host}` };
  await engineCall(where, () => manager.docker.getImage(bundle.imageId).tag({ repo, tag }));
  const stream = (await engineCall(where, () =>
    manager.docker.getImage(`${repo}:${tag}`).push({ tag, authconfig: {} } as unknown as Record<string, unknown>),
  )) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    text += chunk.toString();
    if (text.length > 1e6) text = text.slice(-1e5);
  }
  const refused = /"error(?:Detail)?"\s*:\s*(?:\{[^}]*"message"\s*:\s*)?"([^"]*)"/.exec(text)?.[1];
  if (refused)
    throw new DrydockFailure(
      'engine',
      `Registry ${registry} refused the collector image pushed by manager host ${manager.host}: ${engineText(refused)}`,
      {
        host: manager.host,
      },
    );
  const digest = /"Digest"\s*:\s*"(sha256:[a-f0-9]{64})"/.exec(text)?.[1] ?? /digest: (sha256:[a-f0-9]{64})/.exec(text)?.[1];
  if (!digest)
    throw new DrydockFailure(
      'engine',
      `Pushing the collector image to registry ${registry} through manager host ${manager.host} reported no digest`,
      {
        host: manager.host,
        detail: engineText(text, 2000),
      },
    );
  return { reference: `${repo}@${digest}`, tagged: `${repo}:${tag}`, digest, load };
}

/**
 * Has one node pull the pushed collector through its own engine (POST /images/create, by digest)
 * and checks it then holds exactly the collector's image ID: the node's bytes come from the
 * registry, not from the examiner's machine. `present`: the node held that image ID before the pull
 * (the run then leaves it there).
 * @throws DrydockFailure naming the node and host: 'engine' when the pull is refused or yields
 *   another image, and the engine kinds of engineCall.
 */
export async function pullCollector(
  node: NodeEngineClient,
  bundle: CollectorBundle,
  pushed: PushedCollector,
): Promise<{ present: boolean }> {
  const where = { host: node.host, action: `pull the collector image ${pushed.reference} on node ${node.hostname}` };
  const before = await engineCall(where, async () => {
    try {
      return ((await node.docker.getImage(bundle.imageId).inspect()) as { Id: string }).Id;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw err;
    }
  });
  const stream = (await engineCall(where, () => node.docker.pull(pushed.reference))) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    text += chunk.toString();
    if (text.length > 1e6) text = text.slice(-1e5);
  }
  const refused = /"error(?:Detail)?"\s*:\s*(?:\{[^}]*"message"\s*:\s*)?"([^"]*)"/.exec(text)?.[1];
  if (refused)
    throw new DrydockFailure(
      'engine',
      `Node ${node.hostname} (host ${node.host}) could not pull the collector image: ${engineText(refused)}`,
      {
        host: node.host,
      },
    );
  const id = await engineCall(where, async () => ((await node.docker.getImage(pushed.reference).inspect()) as { Id: string }).Id);
  if (id !== bundle.imageId)
    throw new DrydockFailure(
      'engine',
      `Node ${node.hostname} (host ${node.host}) pulled ${engineText(id, 80)} for the collector, not ${bundle.imageId}`,
      {
        host: node.host,
      },
    );
  return { present: before === bundle.imageId };
}
