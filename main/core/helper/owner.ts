import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Who started a helper container: this machine, this process, and when the process started (so a
 * recycled PID is not mistaken for the owner). Written into the helper's labels; the sweeper reads
 * them back to decide whether a helper has been abandoned.
 */
export interface HelperOwner {
  machine: string;
  pid: number;
  /** Process start, ms since the epoch. */
  startedAtMs: number;
}

export const thisProcessOwner: HelperOwner = {
  machine: os.hostname(),
  pid: process.pid,
  startedAtMs: Math.round(Date.now() - process.uptime() * 1000),
};

/** How far apart two estimates of one process's start time may be (clock ticks, rounding). */
const START_TOLERANCE_MS = 5000;

export type OwnerVerdict = 'this-process' | 'alive' | 'gone' | 'unknown';

/** Judges an owner recorded in labels from this machine's point of view. */
export function judgeOwner(owner: HelperOwner, self: HelperOwner = thisProcessOwner): OwnerVerdict {
  if (owner.machine !== self.machine) return 'unknown';
  if (owner.pid === self.pid && Math.abs(owner.startedAtMs - self.startedAtMs) <= START_TOLERANCE_MS) return 'this-process';
  if (!processExists(owner.pid)) return 'gone';
  const started = processStartMs(owner.pid);
  if (started !== null && Math.abs(started - owner.startedAtMs) > START_TOLERANCE_MS) return 'gone';
  return 'alive';
}

function processExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux only: start time from /proc (boot time + start ticks at the usual 100 Hz). */
function processStartMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]);
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (!Number.isFinite(startTicks) || !btime?.[1]) return null;
    return Number(btime[1]) * 1000 + startTicks * 10;
  } catch {
    // No Linux /proc (or an unreadable one): the start time is unknown and the PID alone names the owner.
    return null;
  }
}
