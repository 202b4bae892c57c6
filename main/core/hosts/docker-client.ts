import { readFileSync } from 'node:fs';
import https from 'node:https';
import Dockerode from 'dockerode';
import type { HostProfile } from '../../../shared/domain/hosts';
import { DrydockFailure } from '../errors';
import { parseHostUrl } from './host-url';

/**
 * A hung daemon must not hang the examiner's UI, yet event, attach and capture streams may stay
 * idle for hours: so the bound is on the response headers arriving, not on socket inactivity.
 */
export const RESPONSE_TIMEOUT_MS = 60_000;

/** docker-modem honours these; @types/dockerode does not list them. */
type ModemOptions = Dockerode.DockerOptions & { agent?: https.Agent; connectionTimeout?: number };

function client(options: ModemOptions): Dockerode {
  return new Dockerode(options);
}

function readSecretFile(host: string, what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new DrydockFailure('invalid-input', `Host ${host}: cannot read the ${what} ${file} (${code || String(err)})`, { host, detail: code, cause: err });
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
      return client({ socketPath: parsed.socketPath ?? '/var/run/docker.sock', connectionTimeout: RESPONSE_TIMEOUT_MS });
    case 'tcp': {
      const tls = profile.tls;
      if (!tls) return client({ host: parsed.hostname ?? '', port: parsed.port ?? 2375, protocol: 'http', connectionTimeout: RESPONSE_TIMEOUT_MS });
      const ca = tls.caFile ? readSecretFile(host, 'CA certificate', tls.caFile) : undefined;
      const cert = tls.certFile ? readSecretFile(host, 'client certificate', tls.certFile) : undefined;
      const key = tls.keyFile ? readSecretFile(host, 'client key', tls.keyFile) : undefined;
      const agent = new https.Agent({ ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), rejectUnauthorized: tls.verify, keepAlive: true });
      return client({
        host: parsed.hostname ?? '',
        port: parsed.port ?? 2376,
        protocol: 'https',
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        agent,
        connectionTimeout: RESPONSE_TIMEOUT_MS,
      });
    }
    case 'ssh': {
      const keyFile = profile.ssh?.keyFile;
      const privateKey = keyFile ? readSecretFile(host, 'SSH private key', keyFile) : undefined;
      const agentSocket = process.env.SSH_AUTH_SOCK;
      if (!privateKey && !agentSocket) {
        throw new DrydockFailure('ssh-auth', `Host ${host}: no SSH key file in the profile and no SSH agent (SSH_AUTH_SOCK is not set)`, { host });
      }
      return client({
        protocol: 'ssh',
        host: parsed.hostname ?? '',
        port: parsed.port ?? 22,
        username: parsed.username ?? 'root',
        sshOptions: { ...(privateKey ? { privateKey } : { agent: agentSocket }), readyTimeout: 15_000 },
        connectionTimeout: RESPONSE_TIMEOUT_MS,
      });
    }
  }
}
