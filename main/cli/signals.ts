import type { AuditEntry } from '../../shared/domain/evidence';
import { safeText } from './terminal-safe';

/** The signals a command is stopped by, gracefully, and their numbers (the exit status is 128 + it, as shells report). */
export const STOP_SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

/** One thing of Drydock's this process has on a host right now, as its audit entries tell. */
interface Trace {
  host: string;
  what: string;
}

/**
 * What this process has put on hosts and not yet taken back, followed from its own audit entries
 * ('evidence.audit-appended'): helper containers, scratch volumes and containers it paused. Only
 * this process's entries reach its event hub, so another Drydock's are never listed.
 */
export class TraceTracker {
  private readonly traces = new Map<string, Trace>();
  /** Memory helper container ID → the container it reads (while it runs, a --pause read may have paused that one unrecorded). */
  private readonly readers = new Map<string, string>();

  /**
   * `pauseRequested`: the command pauses what it reads (memory --pause). The pause is recorded only
   * once the engine answers, so while its reader runs the container is named as possibly paused.
   */
  constructor(private readonly pauseRequested = false) {}

  /** Feeds one audit entry of this process. */
  observe(entry: Pick<AuditEntry, 'action' | 'details'>): void {
    const d = entry.details;
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const host = text(d.host);
    switch (entry.action) {
      case 'helper.created':
        this.traces.set(`c ${text(d.containerId)}`, { host, what: `helper container ${text(d.name) || text(d.containerId).slice(0, 12)}` });
        if (this.pauseRequested && d.purpose === 'memory' && !this.traces.has(`p ${text(d.target)}`)) {
          this.readers.set(text(d.containerId), text(d.target));
          this.traces.set(`m ${text(d.target)}`, {
            host,
            what: `container ${text(d.target).slice(0, 12)} possibly PAUSED (a memory read with --pause was under way)`,
          });
        }
        break;
      case 'helper.removed':
      case 'helper.create-undone': {
        this.traces.delete(`c ${text(d.containerId)}`);
        const target = this.readers.get(text(d.containerId));
        // Its reader gone, the read froze nothing more (a pause still recorded open stays listed).
        if (target !== undefined) this.traces.delete(`m ${target}`);
        this.readers.delete(text(d.containerId));
        break;
      }
      case 'helper.volume-created':
        this.traces.set(`v ${text(d.volume)}`, { host, what: `scratch volume ${text(d.volume)}` });
        break;
      case 'helper.volume-removed':
        this.traces.delete(`v ${text(d.volume)}`);
        break;
      case 'memory.container-paused':
        this.traces.delete(`m ${text(d.containerId)}`);
        this.traces.set(`p ${text(d.containerId)}`, {
          host,
          what: `container ${text(d.containerName) || text(d.containerId).slice(0, 12)} PAUSED (docker pause, for a memory read)`,
        });
        break;
      // A failed unpause leaves it paused: still listed.
      case 'memory.container-unpaused':
        this.traces.delete(`p ${text(d.containerId)}`);
        this.traces.delete(`m ${text(d.containerId)}`);
        break;
      default:
    }
  }

  /** What is still out, one phrase each ("helper container drydock-memory-… on host local"); [] for nothing. */
  outstanding(): string[] {
    return [...this.traces.values()].map((t) => safeText(`${t.what} on host ${t.host}`, 300));
  }

  /** The hosts of what is still out, each once. */
  hosts(): string[] {
    return [...new Set([...this.traces.values()].map((t) => t.host))];
  }
}

/**
 * What the examiner is told when a stop signal arrives: `first`, that the command stops after
 * cleaning up ('' when it has nothing on a host); `again` (the second one) it goes on cleaning up; `quit` it ends now — both naming what this process still has
 * on a host and the command that undoes it. '' for `quit` with nothing left and `quiet`.
 */
export function signalText(signal: StopSignal, mode: 'first' | 'again' | 'quit', tracker: TraceTracker, quiet = false): string {
  const out = tracker.outstanding();
  // A watch ended with Ctrl-C has nothing to clean up: it is not told anything.
  if (mode === 'first')
    return out.length
      ? `drydock: ${signal}: stopping; cleaning up what this command put on the host first (send it again to see what is left, a third time to quit at once)`
      : '';
  const sweep = tracker
    .hosts()
    .map((h) => `drydock capture-helper sweep --host ${safeText(h, 200)}`)
    .join(', then ');
  if (mode === 'again')
    return [
      `drydock: ${signal} again: still stopping, cleaning up what this command put on the host${out.length ? `: ${out.join('; ')}` : " (nothing of Drydock's is on a host any more)"}; what was read is kept as an incomplete artifact.`,
      `drydock: send ${signal} once more to quit at once, leaving that behind${sweep ? ` for \`${sweep}\`` : ''}.`,
    ].join('\n');
  if (!out.length)
    return quiet
      ? ''
      : `drydock: ${signal}: quitting now; nothing of Drydock's is on a host (the next drydock start keeps what was read, if anything, as an incomplete artifact).`;
  return [
    `drydock: ${signal}: quitting now, without cleaning up. Possibly left behind (their cleanup had not finished): ${out.join('; ')}.`,
    `drydock: \`${sweep}\` unpauses and removes what is left (any later drydock command on that host does it too when it connects); the next drydock start keeps what was read as an incomplete artifact.`,
  ].join('\n');
}
