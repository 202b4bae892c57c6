import { statSync } from 'node:fs';
import type { ErrorKind } from '../../../shared/result';
import { DrydockFailure } from '../errors';

export interface EngineWhere {
  host: string;
  container?: string;
  /** What Drydock was doing, in words: "listing containers", "inspecting". */
  action: string;
}

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EPIPE',
  'ENOENT',
  'ENOTSOCK',
  'ESOCKETTIMEDOUT',
]);

function classify(err: unknown): { kind: ErrorKind; why: string; detail: string } {
  const e = (err ?? {}) as {
    code?: string;
    statusCode?: number;
    reason?: string;
    message?: string;
    level?: string;
    json?: unknown;
    /** The socket path of a refused unix:// connection (Node's net errors). */
    address?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : '';
  const raw = typeof e.message === 'string' ? e.message : String(err);
  const engineMessage = engineText(e.json) ?? raw;
  if (e.level === 'client-authentication' || /All configured authentication methods failed/i.test(raw)) {
    return { kind: 'ssh-auth', why: 'SSH authentication failed (key or agent refused)', detail: raw };
  }
  if (e.level === 'client-timeout' || /Timed out while waiting for handshake/i.test(raw)) {
    return { kind: 'unreachable', why: 'SSH handshake timed out', detail: raw };
  }
  if (/docker system dial-stdio|command not found|not found: docker/i.test(raw)) {
    return { kind: 'not-docker', why: 'the SSH host has no docker CLI to reach its engine', detail: raw };
  }
  if (code === 'EACCES' || code === 'EPERM')
    return { kind: 'permission-denied', why: 'permission denied on the Docker socket (run as root or join the docker group)', detail: raw };
  if (code === 'ENOENT') return { kind: 'unreachable', why: 'no Docker socket at that path', detail: raw };
  if (
    TLS_CODES.has(code) ||
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    /certificate|SSL routines|wrong version number|TLS/i.test(raw)
  ) {
    return { kind: 'tls', why: `TLS failure: ${tlsWhy(code, raw)}`, detail: `${code} ${raw}`.trim() };
  }
  if (/socket hang up/i.test(raw) && !e.statusCode)
    return {
      kind: 'unreachable',
      why: 'the connection was dropped (a TLS-only endpoint spoken to in plain HTTP, or a daemon going away)',
      detail: raw,
    };
  const socketPath = typeof e.address === 'string' && e.address.startsWith('/') ? e.address : undefined;
  if (socketPath !== undefined && (code === 'ECONNREFUSED' || code === 'ENOTSOCK'))
    return { kind: 'unreachable', why: unixRefusal(socketPath, code), detail: raw };
  if (UNREACHABLE_CODES.has(code) || /timeout/i.test(raw))
    return { kind: 'unreachable', why: `unreachable (${code || 'timeout'})`, detail: raw };
  if (typeof e.statusCode === 'number') {
    const status = e.statusCode;
    if (status === 400 && /HTTP request to an HTTPS server/i.test(engineMessage))
      return { kind: 'tls', why: 'the engine requires TLS: use a tcp:// profile with TLS files', detail: engineMessage };
    if (status === 404) return { kind: 'not-found', why: `not found: ${engineMessage}`, detail: engineMessage };
    if (status === 409) return { kind: 'conflict', why: engineMessage, detail: engineMessage };
    if (status === 401 || status === 403)
      return { kind: 'permission-denied', why: `refused by the engine: ${engineMessage}`, detail: engineMessage };
    return { kind: 'engine', why: `engine error ${status}: ${engineMessage}`, detail: engineMessage };
  }
  return { kind: 'engine', why: raw, detail: raw };
}

/**
 * Why a unix socket path refused a connection: a socket file with no engine behind it (a stale one
 * left by a daemon that died) or a path that is no socket at all (a regular file, a directory).
 */
function unixRefusal(socketPath: string, code: string): string {
  let type: string;
  try {
    const stat = statSync(socketPath);
    type = stat.isSocket() ? 'socket' : stat.isDirectory() ? 'a directory' : stat.isFile() ? 'a regular file' : 'not a regular file';
  } catch {
    return `unreachable (${code})`;
  }
  return type === 'socket' ? `nothing listens on that socket (${code})` : `not a socket (${type})`;
}

function tlsWhy(code: string, raw: string): string {
  if (
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code.startsWith('UNABLE_TO_GET_ISSUER')
  ) {
    return "the engine's certificate is not signed by the CA in the profile (unknown CA)";
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return "the engine's certificate does not name this host";
  if (code === 'CERT_HAS_EXPIRED') return "the engine's certificate has expired";
  if (/wrong version number|packet length too long/i.test(raw)) return 'the endpoint does not speak TLS (plain HTTP on that port?)';
  if (/certificate required|bad certificate|alert/i.test(raw)) return 'the engine refused the client certificate';
  return raw;
}

/** The engine's own error text, when it sent JSON ({"message": ...}). */
function engineText(json: unknown): string | undefined {
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string')
    return (json as { message: string }).message.trim();
  if (typeof json === 'string' && json.trim()) return json.trim().slice(0, 500);
  return undefined;
}

/**
 * "No container REF on host HOST" (kind 'not-found'): the one wording for a container the engine
 * does not know, whichever command looked it up. `detail`: what Drydock was doing and the engine's text.
 */
export function containerNotFound(host: string, container: string, detail?: string, cause?: unknown): DrydockFailure {
  return new DrydockFailure('not-found', `No container ${container} on host ${host}`, {
    host,
    container,
    ...(detail !== undefined ? { detail } : {}),
    ...(cause !== undefined ? { cause } : {}),
  });
}

/**
 * An engine or transport error as a failure that names the host, the container and what was being
 * done; the engine's "No such container" (404) for the container named is containerNotFound's wording.
 */
export function engineFailure(err: unknown, where: EngineWhere): DrydockFailure {
  if (err instanceof DrydockFailure) return err;
  const { kind, why, detail } = classify(err);
  if (kind === 'not-found' && where.container !== undefined && /^No such container\b/i.test(detail))
    return containerNotFound(where.host, where.container, `${where.action}: ${detail}`.slice(0, 2000), err);
  const subject = where.container ? `host ${where.host}, container ${where.container}` : `host ${where.host}`;
  return new DrydockFailure(kind, `${capitalize(where.action)} failed on ${subject}: ${why}`, {
    host: where.host,
    ...(where.container !== undefined ? { container: where.container } : {}),
    detail: detail.slice(0, 2000),
    cause: err,
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
