import { useCallback, useState } from 'react';
import type { DrydockError, Result } from '../../../shared/result';

export interface AsyncAction<A extends unknown[], T> {
  run: (...args: A) => Promise<Result<T>>;
  busy: boolean;
  error: DrydockError | null;
  clearError: () => void;
}

/** A button's call: busy while it runs, its error kept in place (where the user clicked) until the next try. */
export function useAsyncAction<A extends unknown[], T>(call: (...args: A) => Promise<Result<T>>): AsyncAction<A, T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DrydockError | null>(null);
  const run = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(null);
      try {
        const result = await call(...args);
        if (!result.ok) setError(result.error);
        return result;
      } finally {
        setBusy(false);
      }
    },
    [call],
  );
  const clearError = useCallback(() => setError(null), []);
  return { run, busy, error, clearError };
}
