import type { WatchEndReason } from '../../shared/domain/watch';
import type { Clock } from './clock';

/** Consecutive failed refreshes after which a watch ends 'failed'. */
export const MAX_WATCH_FAILURES = 3;

export interface WatchLeaseOptions {
  clock: Clock;
  /** Seconds a client has to renew before the watch ends 'lease-expired'; none: no lease. */
  leaseSeconds?: number;
  /** One refresh. Its promise is awaited before the end is announced (its helpers must be gone first). */
  refresh(): Promise<void>;
  /**
   * Called once when the watch ends: `record` right away (the audit entry), `announce` once the
   * refresh under way, if any, has finished — "ended" promises that nothing more happens on the host.
   */
  ended: { record(reason: WatchEndReason, message?: string): void; announce(reason: WatchEndReason, message?: string): void };
}

/**
 * The bookkeeping every live watch shares: its timer, its client's lease, the count of failed
 * refreshes, the refresh under way, and one idempotent end. Network and process watches each keep
 * only what their refresh does.
 */
export class WatchLease {
  stopped = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  /** When the lease runs out (ISO 8601, UTC), if there is one. */
  leaseExpiresAt: string | undefined;

  constructor(private readonly options: WatchLeaseOptions) {
    this.renew();
  }

  /** Runs the next refresh after `delayMs` milliseconds (0: now), unless the watch has ended. */
  schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delayMs);
  }

  /** Extends the lease by its length from now; returns the new expiry (undefined: no lease). */
  renew(): string | undefined {
    const seconds = this.options.leaseSeconds;
    if (seconds === undefined || this.stopped) return this.leaseExpiresAt;
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    const ms = seconds * 1000;
    this.leaseExpiresAt = new Date(this.options.clock.now().getTime() + ms).toISOString();
    this.leaseTimer = setTimeout(() => this.end('lease-expired', `not renewed within ${seconds} s`), ms);
    this.leaseTimer.unref?.();
    return this.leaseExpiresAt;
  }

  /** A refresh worked: the failure count starts again. */
  succeeded(): void {
    this.failures = 0;
  }

  /** A refresh failed; returns true when that was one too many (the caller ends the watch). */
  failedTooOften(): boolean {
    return ++this.failures >= MAX_WATCH_FAILURES;
  }

  /** Ends the watch once (later calls do nothing): timers cleared, recorded now, announced after the refresh under way. */
  end(reason: WatchEndReason, message?: string): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.options.ended.record(reason, message);
    const announce = () => this.options.ended.announce(reason, message);
    if (this.inflight) void this.inflight.then(announce);
    else announce();
  }

  /** Resolves when no refresh is under way. */
  async settled(): Promise<void> {
    await this.inflight;
  }

  private run(): void {
    const work = this.options
      .refresh()
      .catch(() => undefined) // a refresh reports its own failures through failedTooOften/end
      .finally(() => {
        if (this.inflight === work) this.inflight = undefined;
      });
    this.inflight = work;
  }
}
