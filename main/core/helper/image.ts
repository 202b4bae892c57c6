import { createReadStream } from 'node:fs';
import type Dockerode from 'dockerode';
import type { AuditFn } from '../audit-fn';
import { DrydockFailure } from '../errors';
import { hashingStream } from '../hashing-stream';
import { engineArchitecture, findHelperBundle, type BundleLookup } from './bundle';

export interface HelperImageChoice {
  /** Image reference or ID to run. */
  image: string;
  /** Image ID on the host (what actually ran, for the artifact's provenance). */
  imageId: string;
  source: 'bundle' | 'settings';
  /** Set when this call loaded the bundle onto the host. */
  loaded?: { sha256: string; bytes: number };
}

interface Options {
  host: string;
  /** The user's own helper image from settings; null = the bundled one. */
  override: string | null;
  audit: AuditFn;
  lookup?: () => BundleLookup;
}

const inFlight = new Map<string, Promise<HelperImageChoice>>();

/**
 * Makes sure the helper image is on the host. The bundled image is identified by its image ID,
 * not just its tag: a tag on a host under investigation may have been re-pointed, so a mismatch
 * means load our own again. Loading streams the bundle through the Engine API (works over TLS
 * and SSH; nothing is pulled) and records the bundle's SHA-256, as sent, in the audit log.
 */
export function ensureHelperImage(docker: Dockerode, options: Options): Promise<HelperImageChoice> {
  const key = `${options.host}\0${options.override ?? ''}`;
  const running = inFlight.get(key);
  if (running) return running;
  const work = resolve(docker, options).finally(() => inFlight.delete(key));
  inFlight.set(key, work);
  return work;
}

async function resolve(docker: Dockerode, options: Options): Promise<HelperImageChoice> {
  const { host } = options;
  if (options.override) {
    const info = await inspectImage(docker, options.override);
    if (!info) {
      throw new DrydockFailure(
        'not-found',
        `The helper image ${options.override} chosen in settings is not on host ${host}; load it there or clear the setting to use the bundled one`,
        { host },
      );
    }
    return { image: options.override, imageId: info.Id, source: 'settings' };
  }
  const lookup = (options.lookup ?? findHelperBundle)();
  if (!lookup.bundle) throw new DrydockFailure('not-found', `Cannot capture on host ${host}: ${lookup.problem}`, { host });
  const bundle = lookup.bundle;
  const present = await inspectImage(docker, bundle.tag);
  if (present?.Id === bundle.imageId) return { image: bundle.imageId, imageId: bundle.imageId, source: 'bundle' };

  const engineInfo = (await docker.info()) as { Architecture?: string };
  const arch = engineArchitecture(engineInfo.Architecture ?? '');
  if (arch && arch !== bundle.architecture) {
    throw new DrydockFailure(
      'unsupported',
      `The bundled capture helper is built for ${bundle.architecture} but host ${host} is ${arch}; set a helper image for that architecture in settings`,
      { host },
    );
  }
  const hashing = hashingStream();
  const source = createReadStream(bundle.tarPath);
  source.on('error', (err) => hashing.stream.destroy(err));
  source.pipe(hashing.stream);
  let response: NodeJS.ReadableStream;
  try {
    response = await docker.loadImage(hashing.stream, { quiet: true });
  } catch (err) {
    throw new DrydockFailure('engine', `Loading the capture helper image onto host ${host} failed: ${(err as Error).message}`, {
      host,
      cause: err,
    });
  }
  const progress = await readAll(response);
  const sha256 = hashing.sha256();
  const bytes = hashing.bytes();
  const engineError = /"error(?:Detail)?"\s*:\s*(?:\{[^}]*"message"\s*:\s*)?"([^"]*)"/.exec(progress)?.[1];
  if (engineError)
    throw new DrydockFailure('engine', `Host ${host} refused the capture helper image: ${engineError}`, {
      host,
      detail: progress.slice(0, 2000),
    });
  // From here the engine has taken the image: a refusal below leaves it on the host, so it is audited.
  const loadFailed = (failure: DrydockFailure, imageId: string): DrydockFailure => {
    options.audit('capture.helper-image-load-failed', {
      host,
      image: bundle.tag,
      imageId,
      bundleSha256: sha256,
      bytes,
      error: failure.message,
    });
    return failure;
  };
  if (sha256 !== bundle.sha256) {
    throw loadFailed(
      new DrydockFailure(
        'integrity',
        `The capture helper bundle ${bundle.tarPath} does not match its manifest (sha256 ${sha256}, expected ${bundle.sha256}); rebuild it`,
        { host },
      ),
      '',
    );
  }
  const after = await inspectImage(docker, bundle.tag);
  if (after?.Id !== bundle.imageId) {
    throw loadFailed(
      new DrydockFailure(
        'engine',
        `After loading, host ${host} reports image ${after?.Id ?? 'none'} for ${bundle.tag}, expected ${bundle.imageId}`,
        { host },
      ),
      after?.Id ?? '',
    );
  }
  options.audit('capture.helper-image-loaded', {
    host,
    image: bundle.tag,
    imageId: bundle.imageId,
    bundleSha256: sha256,
    bytes,
    tcpdump: bundle.tcpdumpVersion,
    replaced: present ? present.Id : null,
  });
  return { image: bundle.imageId, imageId: bundle.imageId, source: 'bundle', loaded: { sha256, bytes } };
}

async function inspectImage(docker: Dockerode, ref: string): Promise<{ Id: string } | null> {
  try {
    return (await docker.getImage(ref).inspect()) as { Id: string };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    text += chunk.toString();
    if (text.length > 1e6) text = text.slice(-1e5);
  }
  return text;
}
