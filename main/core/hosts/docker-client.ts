import { readFileSync } from 'node:fs';
import https from 'node:https';
// Before dockerode: defers the parts of it only rare paths use (see the file).
import './dockerode-deferred';
import Dockerode from 'dockerode';
import type { HostProfile } from '../../../shared/domain/hosts';
import { DrydockFailure } from '../errors';
import { parseHostUrl } from './host-url';

/**
 * A hung daemon must not hang the examiner's UI, yet event, attach and capture streams may stay
 * idle for hours: so the bound is on the response headers arriving, not on socket inactivity.
 * DRYDOCK_ENGINE_TIMEOUT_MS (milliseconds, 1000 or more) overrides it, for tests of hostile engines.
 */
export const RESPONSE_TIMEOUT_MS = 60_000;

/** RESPONSE_TIMEOUT_MS, or DRYDOCK_ENGINE_TIMEOUT_MS as it is when a client is made. */
function responseTimeoutMs(): number {
  return timeoutFromEnv(process.env.DRYDOCK_ENGINE_TIMEOUT_MS) ?? RESPONSE_TIMEOUT_MS;
}

/**
 * A whole non-streamed answer (a JSON document: a list, an inspect, a change list) must arrive
 * within this many milliseconds (twice the header bound), headers included: a daemon that drips its answer a byte a second keeps no socket
 * idle, so only a deadline on the whole answer stops it. Streams (events, archives, attach) are
 * not bound here; their readers bound them.
 */
export function answerTimeoutMs(): number {
  return 2 * responseTimeoutMs();
}

function timeoutFromEnv(value: string | undefined): number | undefined {
  const ms = Number(value);
  return value && Number.isInteger(ms) && ms >= 1000 ? ms : undefined;
}

/** docker-modem honours these; @types/dockerode does not list them. */
type ModemOptions = Dockerode.DockerOptions & { agent?: https.Agent; connectionTimeout?: number };

/** What dockerode hands docker-modem's dial for one request (the fields read here). */
interface DialOptions {
  path?: string;
  method?: string;
  isStream?: boolean;
  hijack?: boolean;
  abortSignal?: AbortSignal;
}
type DialCallback = (err: unknown, data: unknown) => void;
interface Dialer {
  dial(options: DialOptions, callback: DialCallback): void;
}

function client(host: string, options: ModemOptions): Dockerode {
  const docker = new Dockerode(options);
  boundAnswers(host, docker.modem as Dialer);
  return docker;
}

/**
 * Puts answerTimeoutMs() on every non-streamed request of this client (joined with the caller's
 * own abort signal, if any). A request cut off this way fails with DrydockFailure 'unreachable'
 * naming the host and the request, e.g. "Host evil did not send its whole answer to GET
 * /containers/json within 120 s".
 */
function boundAnswers(host: string, modem: Dialer): void {
  const dial = modem.dial.bind(modem);
  const limitMs = answerTimeoutMs();
  modem.dial = (options, callback) => {
    if (options.isStream || options.hijack) return dial(options, callback);
    const deadline = AbortSignal.timeout(limitMs);
    const abortSignal = options.abortSignal ? AbortSignal.any([options.abortSignal, deadline]) : deadline;
    dial({ ...options, abortSignal }, (err, data) => {
      if (err && deadline.aborted && !options.abortSignal?.aborted) {
        const what = `${options.method ?? 'GET'} ${(options.path ?? '').split('?')[0] ?? ''}`;
        callback(
          new DrydockFailure(
            'unreachable',
            `Host ${host} did not send its whole answer to ${what} within ${limitMs / 1000} s (a stalled or deliberately slow engine)`,
            { host, detail: what, cause: err },
          ),
          data,
        );
        return;
      }
      callback(err, data);
    });
  };
}

function readSecretFile(host: string, what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new DrydockFailure('invalid-input', `Host ${host}: cannot read the ${what} ${file} (${code || String(err)})`, {
      host,
      detail: code,
      cause: err,
    });
  }
}

/**
 * A dockerode client for a profile. Key material is read from the examiner's files at connect time
 * and lives only in memory; with TLS verification explicitly off, an agent that accepts any
 * certificate is used (and the profile says so everywhere it is shown).
 */
export function createDockerClient(profile: Pick<HostProfile, 'name' | 'url' | 'tls' | 'ssh'>): Dockerode {
  const parsed = parseHostUrl(profile.url);
  const host = profile.name;
  switch (parsed.kind) {
    case 'socket':
      return client(host, { socketPath: parsed.socketPath ?? '/var/run/docker.sock', connectionTimeout: responseTimeoutMs() });
    case 'tcp': {
      const tls = profile.tls;
      if (!tls)
        return client(host, {
          host: parsed.hostname ?? '',
          port: parsed.port ?? 2375,
          protocol: 'http',
          connectionTimeout: responseTimeoutMs(),
        });
      const ca = tls.caFile ? readSecretFile(host, 'CA certificate', tls.caFile) : undefined;
      const cert = tls.certFile ? readSecretFile(host, 'client certificate', tls.certFile) : undefined;
      const key = tls.keyFile ? readSecretFile(host, 'client key', tls.keyFile) : undefined;
      const agent = new https.Agent({
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        rejectUnauthorized: tls.verify,
        keepAlive: true,
      });
      return client(host, {
        host: parsed.hostname ?? '',
        port: parsed.port ?? 2376,
        protocol: 'https',
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        agent,
        connectionTimeout: responseTimeoutMs(),
      });
    }
    case 'ssh': {
      const keyFile = profile.ssh?.keyFile;
      const privateKey = keyFile ? readSecretFile(host, 'SSH private key', keyFile) : undefined;
      const agentSocket = process.env.SSH_AUTH_SOCK;
      if (!privateKey && !agentSocket) {
        throw new DrydockFailure('ssh-auth', `Host ${host}: no SSH key file in the profile and no SSH agent (SSH_AUTH_SOCK is not set)`, {
          host,
        });
      }
      return client(host, {
        protocol: 'ssh',
        host: parsed.hostname ?? '',
        port: parsed.port ?? 22,
        username: parsed.username ?? 'root',
        sshOptions: { ...(privateKey ? { privateKey } : { agent: agentSocket }), readyTimeout: 15_000 },
        connectionTimeout: responseTimeoutMs(),
      });
    }
  }
}
