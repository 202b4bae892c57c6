/**
 * At-most-once invocations over the bridge. A browser's fetch fails with nothing but "Failed to
 * fetch" when the machine's network interfaces change under it (the engine adds a veth pair each
 * time a container starts) or a kept-alive connection closes as a POST goes out: the page cannot
 * tell whether the core received the request. Retrying blindly could run a quarantine or a release
 * twice; not retrying leaves the page with a list that never loaded. So the page names each
 * invocation (X-Drydock-Request) and sends a retry under the same name; the bridge runs a name once
 * and answers every arrival of it with that one result, in flight or settled.
 */

/** What the page may send as a request name: 16 to 64 URL-safe characters. */
export const REQUEST_ID = /^[A-Za-z0-9_-]{16,64}$/;

export interface RequestReplayOptions {
  /** How long a settled result is kept for a late retry, in milliseconds (default 120 000). */
  keepMs?: number;
  /** At most this many names are remembered; the oldest settled ones go first (default 2 000). */
  maxEntries?: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

export interface RequestReplay {
  /**
   * Runs `run` once per (session, request ID): a repeat while it runs, or within keepMs after, gets
   * the same promise. Without a valid ID (an older page, a script) `run` simply runs.
   * Never rejects on its own; whatever `run` resolves or rejects with is shared.
   */
  once<T>(session: string | undefined, requestId: unknown, run: () => Promise<T>): Promise<T>;
  /** Names remembered now (in flight and settled). */
  size(): number;
}

interface Entry {
  result: Promise<unknown>;
  /** When it settled (ms), or undefined while in flight. */
  settledAt?: number;
}

export function createRequestReplay(options: RequestReplayOptions = {}): RequestReplay {
  const keepMs = options.keepMs ?? 120_000;
  const maxEntries = options.maxEntries ?? 2_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  function prune(): void {
    const t = now();
    for (const [key, entry] of entries) {
      if (entry.settledAt !== undefined && t - entry.settledAt > keepMs) entries.delete(key);
    }
    if (entries.size < maxEntries) return;
    // Maps iterate in insertion order: the first settled entries are the oldest.
    for (const [key, entry] of entries) {
      if (entries.size < maxEntries) break;
      if (entry.settledAt !== undefined) entries.delete(key);
    }
  }

  return {
    once<T>(session: string | undefined, requestId: unknown, run: () => Promise<T>): Promise<T> {
      if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) return run();
      const key = `${session ?? ''}\u0000${requestId}`;
      const known = entries.get(key);
      if (known && (known.settledAt === undefined || now() - known.settledAt <= keepMs)) return known.result as Promise<T>;
      prune();
      const entry: Entry = { result: Promise.resolve() };
      const result = run().finally(() => {
        entry.settledAt = now();
      });
      entry.result = result;
      // A rejection is the caller's to handle; this copy only must not be reported as unhandled.
      result.catch(() => undefined);
      entries.set(key, entry);
      return result;
    },
    size: () => entries.size,
  };
}
