// Results, not throws, across every boundary (IPC, bridge, CLI): an expected failure is a value
// with a kind the UI can act on and a message that names the host and container involved.

export const ERROR_KINDS = [
  'invalid-input',
  'not-found',
  'conflict',
  'unreachable',
  'permission-denied',
  'tls',
  'ssh-auth',
  'not-docker',
  'api-too-old',
  'disconnected',
  'engine',
  'store',
  'store-readonly',
  'store-newer-schema',
  'disk-full',
  'integrity',
  'cancelled',
  'unsupported',
  'internal',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface DrydockError {
  kind: ErrorKind;
  message: string;
  host?: string;
  container?: string;
  /** Lower-level cause (errno, engine message), for the detail pane and logs. */
  detail?: string;
  /** kind 'internal' only: the ID under which the error's stack was written to the error log. */
  errorId?: string;
  /** kind 'internal' only: the log file (absolute path on the machine running the core) that holds it. */
  logFile?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: DrydockError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: DrydockError): Result<T> => ({ ok: false, error });
