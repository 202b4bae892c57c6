import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export const ERROR_LOG_NAME = 'errors.log';
/** Rotate when the current file would pass 1 MiB... */
export const ERROR_LOG_MAX_BYTES = 1024 * 1024;
/** ...keeping 5 files in all: errors.log and errors.log.1 (newest) to errors.log.4 (oldest). */
export const ERROR_LOG_FILES = 5;

/** Where an internal error was written: its ID, and the file that holds its stack. */
export interface LoggedError {
  /** 'E-' and 8 hex digits, e.g. E-3f9a2c1b: short enough to read out, unique enough to grep. */
  errorId: string;
  /** Absolute path of the log file the entry went to. */
  logFile: string;
}

/**
 * Internal errors (bugs: anything thrown that is not a DrydockFailure) with their stacks, in a
 * size-rotated text file: for the CLI and the bridge `<store>/logs/errors.log`, for the desktop app
 * `<userData>/logs/errors.log`. Entries are appended synchronously, so the stack is on disk before
 * the error's ID reaches the user. The log holds stacks and messages only, never request payloads
 * (they may carry passphrases).
 */
export class ErrorLog {
  readonly file: string;

  /**
   * @param dir the directory (created on first write)
   * @param options.maxBytes rotation size in bytes (default 1 MiB); options.files how many files in all (default 5, at least 1)
   */
  constructor(
    readonly dir: string,
    private readonly options: { maxBytes?: number; files?: number; now?: () => Date } = {},
  ) {
    this.file = path.join(dir, ERROR_LOG_NAME);
  }

  /**
   * Writes the error, its stack and its causes under a new error ID.
   * Throws the file system's error when the log cannot be written (the caller says so to the user).
   */
  record(error: unknown, context: { channel?: string } = {}): LoggedError {
    const errorId = `E-${randomBytes(4).toString('hex')}`;
    const at = (this.options.now?.() ?? new Date()).toISOString();
    const entry = `--- ${at} ${errorId}${context.channel !== undefined ? ` channel=${context.channel}` : ''}\n${describe(error)}\n`;
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.rotateFor(Buffer.byteLength(entry));
    appendFileSync(this.file, entry, { mode: 0o600 });
    return { errorId, logFile: this.file };
  }

  private rotateFor(bytes: number): void {
    const maxBytes = this.options.maxBytes ?? ERROR_LOG_MAX_BYTES;
    const files = Math.max(1, this.options.files ?? ERROR_LOG_FILES);
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing written yet
      throw err;
    }
    if (size === 0 || size + bytes <= maxBytes) return;
    rmSync(`${this.file}.${files - 1}`, { force: true });
    for (let n = files - 2; n >= 1; n--) renameIfPresent(`${this.file}.${n}`, `${this.file}.${n + 1}`);
    if (files > 1) renameSync(this.file, `${this.file}.1`);
    else rmSync(this.file, { force: true });
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** The stack (or the value) and every `cause` below it, up to 5 deep. */
function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    const text = current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : safeString(current);
    parts.push(depth === 0 ? text : `Caused by: ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join('\n');
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    // A circular or hostile value: its type is all we can say without risking another throw.
    return `(unprintable ${typeof value})`;
  }
}
