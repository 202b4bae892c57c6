import { DrydockFailure } from '../errors';

// Shared by every room that writes to the store's disk or database (evidence, quarantine records…),
// so none of them borrows it from another's internals.

/**
 * Maps a filesystem or SQLite error to the failure the examiner can act on: 'disk-full' (ENOSPC,
 * EDQUOT, SQLITE_FULL), 'store-readonly' (EROFS, EACCES, EPERM, SQLITE_READONLY), else 'store'.
 * `doing` completes "Cannot …" ("write to the evidence store at /x"). A DrydockFailure passes through.
 */
export function storeIoFailure(err: unknown, doing: string): DrydockFailure {
  if (err instanceof DrydockFailure) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') {
    return new DrydockFailure('disk-full', `No space left to ${doing}; nothing was stored`, { detail: code, cause: err });
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_READONLY') {
    return new DrydockFailure('store-readonly', `Cannot ${doing}: the store is read-only (${message})`, { detail: code, cause: err });
  }
  return new DrydockFailure('store', `Cannot ${doing}: ${message}`, { detail: code, cause: err });
}
