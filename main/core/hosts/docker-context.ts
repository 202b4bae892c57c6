// Which engine does "no --host" mean? The same one the docker CLI would talk to, so a responder who
// typed `docker ps` a minute ago acquires from that engine and no other. Our own code because the
// docker CLI's resolution lives in Go (docker/cli cli/command/cli.go resolveContextName and
// cli/context/store); there is no maintained Node library for the context store.
//
// Order (docker/cli, cli/command/cli.go `resolveContextName` and `resolveDockerEndpoint`):
//   1. DOCKER_HOST (with DOCKER_TLS_VERIFY / DOCKER_TLS and DOCKER_CERT_PATH)
//   2. DOCKER_CONTEXT
//   3. `currentContext` in $DOCKER_CONFIG/config.json (default ~/.docker/config.json)
//   4. the local socket, unix:///var/run/docker.sock
// The context store: $DOCKER_CONFIG/contexts/meta/<sha256(name)>/meta.json holds
// {"Name": ..., "Endpoints": {"docker": {"Host": ..., "SkipTLSVerify": bool}}}; its TLS material is in
// $DOCKER_CONFIG/contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem. The context named "default" is
// not stored: it means DOCKER_HOST or the local socket.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DockerContextInfo, EndpointSource, TlsSettings } from '../../../shared/domain/hosts';
import { DrydockFailure } from '../errors';

export const DEFAULT_SOCKET_URL = 'unix:///var/run/docker.sock';

export interface ResolvedEndpoint {
  url: string;
  tls?: TlsSettings;
  source: EndpointSource;
  /** The Docker context it came from, when it came from one. */
  context?: string;
  /** One sentence for the examiner and the audit log: which endpoint and why. */
  reason: string;
}

/** What resolution reads: the process environment and the home directory (injectable for tests). */
export interface DockerEnvironment {
  env: NodeJS.ProcessEnv;
  home: string;
}

const META_MAX_BYTES = 1024 * 1024;

/** $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(environment: DockerEnvironment): string {
  return environment.env.DOCKER_CONFIG || path.join(environment.home, '.docker');
}

function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

function readJson(file: string, what: string): unknown {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    // No such file: the docker CLI has not written it (a context without it is still listed).
    return undefined;
  }
  if (size > META_MAX_BYTES)
    throw new DrydockFailure(
      'invalid-input',
      `The docker CLI's ${what} ${file} is ${size} bytes; refusing to read more than ${META_MAX_BYTES}`,
    );
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new DrydockFailure(
      'invalid-input',
      `The docker CLI's ${what} ${file} is not valid JSON (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The docker CLI's current context name from config.json, or undefined ("default"). */
export function currentContextName(environment: DockerEnvironment): string | undefined {
  const config = record(readJson(path.join(dockerConfigDir(environment), 'config.json'), 'configuration'));
  const name = config.currentContext;
  return typeof name === 'string' && name !== '' && name !== 'default' ? name : undefined;
}

/** The TLS files present in `dir` (ca.pem, cert.pem, key.pem) as settings with `verify`. */
function tlsFiles(dir: string, verify: boolean): TlsSettings {
  const file = (name: string) => (existsSync(path.join(dir, name)) ? path.join(dir, name) : undefined);
  const caFile = file('ca.pem');
  const certFile = file('cert.pem');
  const keyFile = file('key.pem');
  return { verify, ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) };
}

function contextFromMeta(environment: DockerEnvironment, meta: unknown, current: string | undefined): DockerContextInfo | undefined {
  const doc = record(meta);
  const name = doc.Name;
  const docker = record(record(doc.Endpoints).docker);
  const host = docker.Host;
  if (typeof name !== 'string' || typeof host !== 'string' || host === '') return undefined;
  const tlsDir = path.join(dockerConfigDir(environment), 'contexts', 'tls', contextDirName(name), 'docker');
  // As the docker CLI: TLS when the context has TLS material or skips verification; plain TCP otherwise.
  const skipVerify = docker.SkipTLSVerify === true;
  const material = existsSync(tlsDir);
  const tls = host.startsWith('tcp://') && (material || skipVerify) ? tlsFiles(tlsDir, !skipVerify) : undefined;
  const description = record(doc.Metadata).Description;
  return {
    name,
    url: host,
    ...(tls ? { tls } : {}),
    description: typeof description === 'string' ? description : '',
    current: name === current,
  };
}

/**
 * The docker CLI's contexts: the implicit "default" (DOCKER_HOST or the local socket) and every
 * context in the context store, each with its endpoint and TLS files.
 * @returns contexts sorted by name, "default" first.
 * @throws DrydockFailure('invalid-input') when config.json or a meta.json is over 1 MiB or not JSON.
 */
export function listDockerContexts(environment: DockerEnvironment): DockerContextInfo[] {
  const current = currentContextName(environment);
  const found: DockerContextInfo[] = [];
  const metaRoot = path.join(dockerConfigDir(environment), 'contexts', 'meta');
  let dirs: string[] = [];
  try {
    dirs = readdirSync(metaRoot);
  } catch {
    // No contexts directory: the docker CLI has only its default context.
    dirs = [];
  }
  for (const dir of dirs.sort()) {
    const info = contextFromMeta(environment, readJson(path.join(metaRoot, dir, 'meta.json'), 'context metadata'), current);
    if (info && info.name !== 'default') found.push(info);
  }
  const fromEnv = environment.env.DOCKER_HOST;
  const defaultContext: DockerContextInfo = {
    name: 'default',
    url: fromEnv || DEFAULT_SOCKET_URL,
    ...(fromEnv ? envTls(environment, fromEnv) : {}),
    description: fromEnv ? 'DOCKER_HOST' : 'the local Docker socket',
    current: current === undefined,
  };
  return [defaultContext, ...found.sort((a, b) => a.name.localeCompare(b.name))];
}

function envTls(environment: DockerEnvironment, url: string): { tls?: TlsSettings } {
  const { env } = environment;
  if (!url.startsWith('tcp://')) return {};
  // As the docker CLI: DOCKER_TLS_VERIFY (any value) turns TLS on with verification, DOCKER_TLS without.
  const verify = Boolean(env.DOCKER_TLS_VERIFY);
  if (!verify && !env.DOCKER_TLS) return {};
  return { tls: tlsFiles(env.DOCKER_CERT_PATH || dockerConfigDir(environment), verify) };
}

/** A context by name. @throws DrydockFailure('not-found') when the context store has no such context. */
export function findDockerContext(environment: DockerEnvironment, name: string): DockerContextInfo {
  const found = listDockerContexts(environment).find((c) => c.name === name);
  if (!found) throw new DrydockFailure('not-found', `No Docker context named ${JSON.stringify(name)} (docker context ls lists them)`);
  return found;
}

/**
 * The endpoint the docker CLI would use when given no --host, and why.
 * @throws DrydockFailure('not-found') when DOCKER_CONTEXT or currentContext names a context that does not exist;
 *   DrydockFailure('invalid-input') for unreadable docker CLI configuration.
 */
export function resolveDefaultEndpoint(environment: DockerEnvironment): ResolvedEndpoint {
  const { env } = environment;
  if (env.DOCKER_HOST) {
    const tls = envTls(environment, env.DOCKER_HOST).tls;
    const tlsNote = tls ? (tls.verify ? ' with TLS verification (DOCKER_TLS_VERIFY)' : ' with TLS, certificate NOT verified') : '';
    return {
      url: env.DOCKER_HOST,
      ...(tls ? { tls } : {}),
      source: 'DOCKER_HOST',
      reason: `DOCKER_HOST is set to ${env.DOCKER_HOST}${tlsNote}`,
    };
  }
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== 'default') {
    const context = findDockerContext(environment, env.DOCKER_CONTEXT);
    return {
      url: context.url,
      ...(context.tls ? { tls: context.tls } : {}),
      source: 'DOCKER_CONTEXT',
      context: context.name,
      reason: `DOCKER_CONTEXT names the Docker context ${context.name} (${context.url})`,
    };
  }
  const current = env.DOCKER_CONTEXT === 'default' ? undefined : currentContextName(environment);
  if (current) {
    const context = findDockerContext(environment, current);
    return {
      url: context.url,
      ...(context.tls ? { tls: context.tls } : {}),
      source: 'current-context',
      context: context.name,
      reason: `the docker CLI's current context is ${context.name} (${context.url}), set in ${path.join(dockerConfigDir(environment), 'config.json')}`,
    };
  }
  return {
    url: DEFAULT_SOCKET_URL,
    source: 'default-socket',
    reason: `no DOCKER_HOST or DOCKER_CONTEXT, and the docker CLI's current context is "default": the local socket ${DEFAULT_SOCKET_URL}`,
  };
}
