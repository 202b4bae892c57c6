import type { HostKind } from '../../../shared/domain/hosts';
import { DrydockFailure } from '../errors';

export interface ParsedHostUrl {
  kind: HostKind;
  /** The URL as Drydock stores and shows it (a bare socket path becomes unix://...). */
  normalized: string;
  socketPath?: string;
  hostname?: string;
  port?: number;
  username?: string;
}

/**
 * Reads a host address the way the docker CLI does (unix://, tcp://, ssh://, a bare socket path),
 * refusing anything else with a message that says what would have been accepted.
 */
export function parseHostUrl(raw: string): ParsedHostUrl {
  const value = raw.trim();
  if (value.startsWith('/')) return { kind: 'socket', normalized: `unix://${value}`, socketPath: value };
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw invalid(raw, 'a unix:// URL needs an absolute socket path, e.g. unix:///var/run/docker.sock');
    return { kind: 'socket', normalized: value, socketPath };
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(raw, 'expected unix:///path, tcp://host:port or ssh://user@host[:port]');
  }
  if (url.pathname && url.pathname !== '/' && url.pathname !== '') throw invalid(raw, 'a host URL carries no path');
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!hostname) throw invalid(raw, 'no host name');
  if (url.protocol === 'tcp:') {
    const port = url.port ? Number(url.port) : 2376;
    return { kind: 'tcp', normalized: `tcp://${url.host}${url.port ? '' : ':2376'}`, hostname, port };
  }
  if (url.protocol === 'ssh:') {
    if (url.password) throw invalid(raw, 'passwords are never put in a host URL; use a key file or the SSH agent');
    const port = url.port ? Number(url.port) : 22;
    const username = decodeURIComponent(url.username || 'root');
    return { kind: 'ssh', normalized: `ssh://${encodeURIComponent(username)}@${url.host}`, hostname, port, username };
  }
  throw invalid(raw, `unsupported scheme ${url.protocol.replace(/:$/, '')}: use unix://, tcp:// or ssh://`);
}

function invalid(raw: string, why: string): DrydockFailure {
  return new DrydockFailure('invalid-input', `Not a Docker host address: ${JSON.stringify(raw).slice(0, 200)} (${why})`);
}
