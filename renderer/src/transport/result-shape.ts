import { ERROR_KINDS, type DrydockError, type ErrorKind, type Result } from '../../../shared/result';

const KINDS: ReadonlySet<string> = new Set(ERROR_KINDS);

function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' ? value.slice(0, max) : undefined;
}

function asError(value: unknown): DrydockError {
  const raw = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const kind = typeof raw.kind === 'string' && KINDS.has(raw.kind) ? (raw.kind as ErrorKind) : 'internal';
  const error: DrydockError = { kind, message: text(raw.message, 4000) ?? 'The core returned an error without a message' };
  const host = text(raw.host, 200);
  const container = text(raw.container, 200);
  const detail = text(raw.detail, 8000);
  if (host !== undefined) error.host = host;
  if (container !== undefined) error.container = container;
  if (detail !== undefined) error.detail = detail;
  return error;
}

/**
 * The transport hands back untyped JSON. The core is trusted for the shape of a value, but an
 * envelope that is not a Result (a proxy's error page, a truncated body) must become a visible
 * error rather than a crash deep inside a view.
 */
export function asResult<T>(value: unknown, channel: string): Result<T> {
  if (typeof value === 'object' && value !== null && 'ok' in value) {
    const envelope = value as { ok: unknown; value?: unknown; error?: unknown };
    if (envelope.ok === true) return { ok: true, value: envelope.value as T };
    if (envelope.ok === false) return { ok: false, error: asError(envelope.error) };
  }
  return { ok: false, error: { kind: 'internal', message: `The core's reply to ${channel} was not a result` } };
}

export function transportError(kind: ErrorKind, message: string, detail?: string): { ok: false; error: DrydockError } {
  return { ok: false, error: detail ? { kind, message, detail } : { kind, message } };
}
