import type { ProcessChange, ProcessEntry } from '../../../shared/domain/processes';

/** Start times derive from whole seconds sampled at different moments: allow for the rounding. */
const START_TOLERANCE_MS = 2000;

function sameProcess(a: ProcessEntry, b: ProcessEntry): boolean {
  if (a.startedAt === null || b.startedAt === null) return a.args === b.args;
  return Math.abs(Date.parse(a.startedAt) - Date.parse(b.startedAt)) <= START_TOLERANCE_MS;
}

/**
 * What changed between two samples of one container. A PID reused by a new process counts as one
 * vanished and one appeared; a surviving process whose parent changed was re-parented (its parent
 * died, or it was moved by a double fork) — something a single snapshot cannot prove.
 */
export function diffProcesses(previous: readonly ProcessEntry[], current: readonly ProcessEntry[]): ProcessChange[] {
  const before = new Map(previous.map((p) => [p.pid, p]));
  const after = new Map(current.map((p) => [p.pid, p]));
  const changes: ProcessChange[] = [];
  for (const old of previous) {
    const now = after.get(old.pid);
    if (!now || !sameProcess(old, now)) changes.push({ kind: 'vanished', pid: old.pid, ppid: old.ppid, args: old.args, flags: old.flags });
  }
  for (const now of current) {
    const old = before.get(now.pid);
    if (!old || !sameProcess(old, now)) {
      changes.push({ kind: 'appeared', pid: now.pid, ppid: now.ppid, args: now.args, flags: now.flags });
    } else if (old.ppid !== now.ppid) {
      changes.push({
        kind: 'reparented',
        pid: now.pid,
        ppid: now.ppid,
        previousPpid: old.ppid,
        args: now.args,
        flags: [
          ...now.flags,
          { kind: 'reparented', severity: 'medium', reason: `parent changed from PID ${old.ppid} to PID ${now.ppid} between samples` },
        ],
      });
    }
  }
  return changes;
}
