/**
 * Small file contents stored off the read path: storing an artifact costs a few fsyncs, so doing
 * it inline would hold each archive stream for every small file it carries. Small files wait here
 * in memory — bounded by count and bytes, the reader waits when either is full — while up to
 * `concurrency` of them are written to the store at once.
 */
export class StoreQueue {
  private running = 0;
  private bytes = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxBytes: number,
  ) {}

  /** Resolves once the task has a slot (the caller may go on reading); the returned promise is the task's outcome. */
  async enqueue<T>(size: number, task: () => Promise<T>): Promise<{ done: Promise<T> }> {
    while (this.running >= this.concurrency || (this.bytes > 0 && this.bytes + size > this.maxBytes)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.running++;
    this.bytes += size;
    const done = task().finally(() => {
      this.running--;
      this.bytes -= size;
      this.waiters.splice(0).forEach((wake) => wake());
    });
    // The caller awaits `done` later; a failure must not surface as unhandled before it does.
    done.catch(() => undefined);
    return { done };
  }
}
