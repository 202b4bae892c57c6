import { safeText } from './terminal-safe';

/** Where a progress line goes: stderr, in place when it is a terminal. */
export interface ProgressTarget {
  /** The stream is a terminal: one line is rewritten in place (\r … erase to end of line). */
  tty: boolean;
  /** Raw text onto the terminal (used only when `tty`). */
  write(chunk: string): void;
  /** One whole line (used only when not `tty`). */
  line(text: string): void;
}

export interface ProgressLine {
  /** Shows `text` (escaped here), `fraction` (0 to 1) of the work done. */
  update(text: string, fraction: number): void;
  /** Another piece of work starts (its fraction starts again from 0). */
  restart(): void;
  /** Clears the line on a terminal (idempotent); call before printing the result. */
  done(): void;
}

/**
 * A progress line: on a terminal one line rewritten in place, at most every `minIntervalMs` (the
 * last update of a piece of work, fraction 1, always shown) and cleared by done(); elsewhere (a
 * log, a pipe) a line only when the work has advanced another `step` (a tenth by default) or
 * `everyMs` have passed since the last line (10 s by default): about ten lines per piece of work
 * whatever its size. `now` is milliseconds (injectable for tests).
 */
export function progressLine(
  target: ProgressTarget,
  options: { step?: number; everyMs?: number; minIntervalMs?: number; now?: () => number } = {},
): ProgressLine {
  const step = options.step ?? 0.1;
  const everyMs = options.everyMs ?? 10_000;
  const minIntervalMs = options.minIntervalMs ?? 100;
  const now = options.now ?? (() => Date.now());
  let shown = false;
  let lastStep = -1;
  let lastAt = -Infinity;
  let lastFraction = -1;
  return {
    update(text, fraction) {
      const at = now();
      const safe = safeText(text, 300);
      if (target.tty) {
        if (fraction < 1 && at - lastAt < minIntervalMs) return;
        target.write(`\r${safe}\u001b[K`);
        shown = true;
        lastAt = at;
        return;
      }
      const reached = Math.floor(Math.min(Math.max(fraction, 0), 1) / step + 1e-9);
      if (reached > lastStep || (fraction > lastFraction && at - lastAt >= everyMs)) {
        target.line(safe);
        lastStep = reached;
        lastAt = at;
        lastFraction = fraction;
      }
    },
    restart() {
      lastStep = -1;
      lastFraction = -1;
      lastAt = -Infinity;
    },
    done() {
      if (shown) target.write('\r\u001b[K');
      shown = false;
    },
  };
}

/** Bytes in binary units with one decimal: "512 B", "8.0 KiB", "607.3 MiB", "1.5 GiB", "2.0 TiB". */
export function binaryBytes(n: number): string {
  if (!Number.isFinite(n) || n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  // 1023.96 KiB would round to "1024.0 KiB": shown as the next unit instead.
  if (Number(value.toFixed(1)) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
