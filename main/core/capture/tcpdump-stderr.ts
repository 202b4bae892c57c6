import type { TcpdumpCounters } from '../../../shared/domain/capture';

const MAX_KEPT = 16 * 1024;

/** tcpdump's counters while it runs, as it prints them on SIGUSR1 (all in packets). */
export interface RunningCounters {
  captured: number;
  receivedByFilter: number;
  droppedByKernel: number;
}

/**
 * Reads tcpdump's stderr as it arrives: the "listening on" line (tcpdump is ready and names the
 * link type), its running counters (the one-line answer to SIGUSR1), its closing counters, and the
 * last few KiB of anything else (error messages), so a failure can be explained in tcpdump's own words.
 */
export class TcpdumpStderr {
  private partial = '';
  private kept = '';
  readonly counters: TcpdumpCounters = {};
  linkType: string | undefined;
  listening = false;
  private readonly listeners: (() => void)[] = [];
  private readonly runningListeners: ((counters: RunningCounters) => void)[] = [];

  push(chunk: Buffer): void {
    this.partial += chunk.toString('latin1');
    let newline = this.partial.indexOf('\n');
    while (newline >= 0) {
      this.line(this.partial.slice(0, newline).replace(/\r$/, ''));
      this.partial = this.partial.slice(newline + 1);
      newline = this.partial.indexOf('\n');
    }
    // A line that never ends must not grow without bound.
    if (this.partial.length > MAX_KEPT) {
      this.keep(this.partial);
      this.partial = '';
    }
  }

  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  /** Resolves when tcpdump reports it is listening. */
  onListening(listener: () => void): void {
    if (this.listening) listener();
    else this.listeners.push(listener);
  }

  /** Calls `listener` once, with the next running counters tcpdump prints. */
  onRunningCounters(listener: (counters: RunningCounters) => void): void {
    this.runningListeners.push(listener);
  }

  /** Messages other than the counters and the listening line, trimmed to the last 16 KiB. */
  get messages(): string {
    return this.kept.trim();
  }

  /** The last message line, the one that usually says why tcpdump gave up. */
  get lastMessage(): string | undefined {
    const lines = this.messages.split('\n').filter((l) => l.trim() !== '');
    return lines[lines.length - 1];
  }

  get hasFinalCounters(): boolean {
    return this.counters.captured !== undefined;
  }

  private line(text: string): void {
    const counter = /^(\d+) packets? (captured|received by filter|dropped by kernel|dropped by interface)$/.exec(text.trim());
    if (counter) {
      const value = Number(counter[1]);
      // The pattern admits exactly these four names.
      switch (counter[2] as 'captured' | 'received by filter' | 'dropped by kernel' | 'dropped by interface') {
        case 'captured':
          this.counters.captured = value;
          break;
        case 'received by filter':
          this.counters.receivedByFilter = value;
          break;
        case 'dropped by kernel':
          this.counters.droppedByKernel = value;
          break;
        case 'dropped by interface':
          this.counters.droppedByInterface = value;
          break;
      }
      return;
    }
    const running = /^(?:tcpdump: )?(\d+) packets? captured, (\d+) packets? received by filter, (\d+) packets? dropped by kernel/.exec(
      text,
    );
    if (running) {
      const counters = { captured: Number(running[1]), receivedByFilter: Number(running[2]), droppedByKernel: Number(running[3]) };
      for (const listener of this.runningListeners.splice(0)) listener(counters);
      return;
    }
    const listening = /^(?:tcpdump: )?listening on (\S+), link-type (\S+)/.exec(text);
    if (listening) {
      this.linkType = listening[2];
      this.listening = true;
      for (const listener of this.listeners.splice(0)) listener();
      return;
    }
    // "data link type LINUX_SLL2" is informational; everything else may explain a failure.
    if (/^tcpdump: data link type \S+$/.test(text)) return;
    this.keep(`${text}\n`);
  }

  private keep(text: string): void {
    this.kept = (this.kept + text).slice(-MAX_KEPT);
  }
}
