import type { DrydockError, ErrorKind } from '../../shared/result';

/**
 * An expected failure: a daemon that does not answer, a bad filter, a tampered blob. Carries the
 * host and container so the message stands on its own in a log, a CLI error or a toast.
 * Anything thrown that is not a DrydockFailure is a bug and surfaces as kind 'internal'.
 */
export class DrydockFailure extends Error {
  readonly kind: ErrorKind;
  readonly host?: string;
  readonly container?: string;
  readonly detail?: string;

  constructor(kind: ErrorKind, message: string, where: { host?: string; container?: string; detail?: string; cause?: unknown } = {}) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'DrydockFailure';
    this.kind = kind;
    this.host = where.host;
    this.container = where.container;
    this.detail = where.detail;
  }

  toError(): DrydockError {
    const error: DrydockError = { kind: this.kind, message: this.message };
    if (this.host !== undefined) error.host = this.host;
    if (this.container !== undefined) error.container = this.container;
    if (this.detail !== undefined) error.detail = this.detail;
    return error;
  }
}

export function toDrydockError(err: unknown): DrydockError {
  if (err instanceof DrydockFailure) return err.toError();
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'internal', message: `internal error: ${message}` };
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
