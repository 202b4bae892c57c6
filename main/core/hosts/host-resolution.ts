import type { HostInput } from '../../../shared/contract/hosts';
import type { HostProfile, HostResolution } from '../../../shared/domain/hosts';
import { DrydockFailure } from '../errors';
import {
  type DockerEnvironment,
  type ResolvedEndpoint,
  findDockerContext,
  resolveDefaultEndpoint,
  DEFAULT_SOCKET_URL,
} from './docker-context';
import { parseHostUrl } from './host-url';

/** What resolution needs of the saved profiles: read them, save a new one. */
export interface ProfileBook {
  list(): HostProfile[];
  find(name: string): HostProfile | undefined;
  add(input: HostInput): HostProfile;
}

/**
 * Turns what the examiner typed after --host (or nothing) into a saved profile, the way the docker
 * CLI picks its engine: a saved profile name, an endpoint URL (unix://, tcp://, ssh://), a Docker
 * context name, or — with no --host — DOCKER_HOST, DOCKER_CONTEXT, the current context, the local
 * socket. An endpoint that has no profile yet gets one (named for the context, "local" for the
 * local socket, else for the address), so that every artifact and audit entry names one host.
 * @param ref what followed --host, or undefined.
 * @returns the profile, where it came from and one sentence saying why; `created` when a profile was saved now.
 * @throws DrydockFailure('not-found') for a name that is neither a profile nor a Docker context;
 *   DrydockFailure('invalid-input') for a malformed URL.
 */
export function resolveHost(book: ProfileBook, environment: DockerEnvironment, ref: string | undefined): HostResolution {
  if (ref !== undefined) {
    const saved = book.find(ref);
    if (saved) return { profile: saved, source: 'profile', reason: `--host ${ref} is a saved host profile (${saved.url})`, created: false };
    if (/^[a-z]+:\/\//.test(ref) || ref.startsWith('/')) {
      const url = parseHostUrl(ref).normalized;
      return adoptEndpoint(book, { url, source: 'argument-url', reason: `--host gives the endpoint ${url}` });
    }
    let context;
    try {
      context = findDockerContext(environment, ref);
    } catch (err) {
      if (err instanceof DrydockFailure && err.kind === 'not-found') {
        throw new DrydockFailure(
          'not-found',
          `No host named ${ref}: not a saved profile (drydock hosts list), a Docker context (docker context ls) or an endpoint URL (unix://, tcp://, ssh://)`,
          { host: ref },
        );
      }
      throw err;
    }
    return adoptEndpoint(book, {
      url: context.url,
      ...(context.tls ? { tls: context.tls } : {}),
      source: 'argument-context',
      context: context.name,
      reason: `--host ${ref} is a Docker context (${context.url})`,
    });
  }
  return adoptEndpoint(book, resolveDefaultEndpoint(environment));
}

function sameEndpoint(profile: HostProfile, url: string, endpoint: ResolvedEndpoint): boolean {
  if (profile.url !== url) return false;
  const a = profile.tls;
  const b = endpoint.tls;
  if (!a || !b) return !a && !b;
  return a.verify === b.verify && a.caFile === b.caFile && a.certFile === b.certFile && a.keyFile === b.keyFile;
}

/** The saved profile for an endpoint, saving one (with a free name) when none has the same URL and TLS settings. */
export function adoptEndpoint(book: ProfileBook, endpoint: ResolvedEndpoint): HostResolution {
  const url = parseHostUrl(endpoint.url).normalized;
  const wanted = profileNameFor(endpoint, url);
  const matches = book.list().filter((p) => sameEndpoint(p, url, endpoint));
  const found = matches.find((p) => p.name === wanted) ?? matches[0];
  const base = {
    source: endpoint.source,
    reason: endpoint.reason,
    ...(endpoint.context !== undefined ? { context: endpoint.context } : {}),
  };
  if (found) return { profile: found, ...base, created: false };
  const profile = book.add({ name: freeName(book, wanted), url, ...(endpoint.tls ? { tls: endpoint.tls } : {}) });
  return { profile, ...base, created: true };
}

/** "local" for the local socket, the context's name for a context, else a name made from the address. */
export function profileNameFor(endpoint: { context?: string }, url: string): string {
  if (endpoint.context !== undefined) return sanitize(endpoint.context);
  if (url === DEFAULT_SOCKET_URL) return 'local';
  const parsed = parseHostUrl(url);
  if (parsed.kind === 'socket') return sanitize(`socket-${(parsed.socketPath ?? '').split('/').filter(Boolean).join('-')}`);
  if (parsed.kind === 'ssh')
    return sanitize(
      `${parsed.username ?? 'ssh'}-at-${parsed.hostname ?? 'host'}${parsed.port && parsed.port !== 22 ? `-${parsed.port}` : ''}`,
    );
  return sanitize(`${parsed.hostname ?? 'tcp'}-${parsed.port ?? 2376}`);
}

function sanitize(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned || 'host').slice(0, 56);
}

function freeName(book: ProfileBook, wanted: string): string {
  if (!book.find(wanted)) return wanted;
  for (let i = 2; ; i++) {
    const candidate = `${wanted}-${i}`;
    if (!book.find(candidate)) return candidate;
  }
}
