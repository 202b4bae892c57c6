import type Dockerode from 'dockerode';
import type { HelperLedger } from '../helper/ledger';
import { buildImageIndex, type ImageIndexStore, type IndexSummary } from './image-index';

/**
 * One build per image ID at a time: containers of the same image scanned together wait for the
 * same index. A build is not tied to any one scan (cancelling a scan stops waiting, not the build
 * others may need); closing the service aborts them all.
 */
export class IndexBuilds {
  private readonly inflight = new Map<string, Promise<IndexSummary>>();
  private readonly closing = new AbortController();

  constructor(
    private readonly store: ImageIndexStore,
    private readonly now: () => string,
    private readonly helpers: HelperLedger,
  ) {}

  async ensure(
    docker: Dockerode,
    host: string,
    imageId: string,
    signal: AbortSignal | undefined,
    onProgress?: (entries: number) => void,
  ): Promise<{ summary: IndexSummary; built: boolean }> {
    const cached = this.store.summary(imageId);
    if (cached) {
      this.store.touch(imageId, this.now());
      return { summary: cached, built: false };
    }
    let build = this.inflight.get(imageId);
    const mine = !build;
    if (!build) {
      const options = {
        host,
        imageId,
        helpers: this.helpers,
        signal: this.closing.signal,
        now: this.now,
        ...(onProgress ? { onProgress } : {}),
      };
      // A sweeper (another Drydock process on the same store) that removes the never-started helper mid-read costs one retry.
      build = buildImageIndex(docker, this.store, options)
        .catch((err: unknown) => {
          if (this.closing.signal.aborted || !helperVanished(err)) throw err;
          return buildImageIndex(docker, this.store, options);
        })
        .finally(() => this.inflight.delete(imageId));
      this.inflight.set(imageId, build);
    }
    const summary = await abortable(build, signal);
    return { summary, built: mine };
  }

  close(): void {
    this.closing.abort();
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new Error('cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function helperVanished(err: unknown): boolean {
  const e = err as { statusCode?: number; message?: string; name?: string };
  return e.statusCode === 404 || e.name === 'TruncatedStream' || /no such container/i.test(e.message ?? '');
}
