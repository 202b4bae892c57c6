import type { ProcessFlag, ProcessSource } from '../../../shared/domain/processes';
import { counted } from '../../../shared/counted';
import { matchKey, PROC_FILE_CAPS, type ProcTable } from './proc-table';
import type { PsRow } from './ps-table';

/** USER_HZ: the unit of /proc/PID/stat's starttime, 100 on every architecture Docker runs on. */
const TICKS_PER_SECOND = 100;

export interface MergeInput {
  proc: ProcTable;
  /** The engine's top, host PIDs. */
  top: readonly PsRow[];
  /** Host PID of the container's init (State.Pid). */
  initHostPid: number | null;
  /** The container has a PID namespace of its own (not the host's, not another container's): its init is PID 1 there. */
  ownNamespace: boolean;
}

export interface Seen {
  hostPid: number | null;
  nsPid: number | null;
  seenBy: ProcessSource[];
}

export interface Merged {
  /** Rows for the tree: namespace PIDs for what /proc showed, host PIDs for what only top listed. */
  rows: PsRow[];
  seen: Map<number, Seen>;
  flags: Map<number, ProcessFlag[]>;
  /** The init's PID in the tree's numbering. */
  initPid: number | null;
  /** Host PID → tree PID, for the engine's exec sessions. */
  hostToTree: Map<number, number>;
  /** Rows whose parent and group links are in the host's numbering, not the tree's. */
  foreign: Set<number>;
  limitations: string[];
}

/**
 * Joins the namespace's /proc with the engine's top. Neither side shows the other's PIDs (the
 * helper's /proc is the namespace's own, so NSpid stops there; ps on the host has no column for
 * the namespace PID), so processes are paired by what both see: the init by its host PID, the rest
 * by command line, oldest first within the same command line (both namespaces hand out PIDs in
 * fork order). Pairings are checked against the parent links of both tables; disagreements are
 * stated. What /proc shows and top does not is flagged, and the reverse.
 */
export function mergeProcessTables(input: MergeInput): Merged {
  const { proc, top } = input;
  const nsToHost = new Map<number, number>();
  const hostToNs = new Map<number, number>();
  const pair = (ns: number, host: number) => {
    nsToHost.set(ns, host);
    hostToNs.set(host, ns);
  };
  const topByPid = new Map(top.map((r) => [r.pid, r]));
  if (input.ownNamespace && input.initHostPid !== null && topByPid.has(input.initHostPid) && proc.rows.some((r) => r.pid === 1))
    pair(1, input.initHostPid);

  const groups = new Map<string, { ns: typeof proc.rows; host: PsRow[] }>();
  const group = (key: string) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ns: [], host: [] }));
    return g;
  };
  for (const row of proc.rows) if (!nsToHost.has(row.pid)) group(row.key).ns.push(row);
  for (const row of top) if (!hostToNs.has(row.pid)) group(matchKey(row.args)).host.push(row);
  for (const g of groups.values()) {
    g.ns.sort((a, b) => (a.startTicks ?? Infinity) - (b.startTicks ?? Infinity) || a.pid - b.pid);
    g.host.sort((a, b) => (b.elapsedSeconds ?? -1) - (a.elapsedSeconds ?? -1) || a.pid - b.pid);
    for (let i = 0; i < Math.min(g.ns.length, g.host.length); i++) pair(g.ns[i]!.pid, g.host[i]!.pid);
  }

  const rows: PsRow[] = [];
  const seen = new Map<number, Seen>();
  const flags = new Map<number, ProcessFlag[]>();
  const limitations: string[] = [];
  let disagreements = 0;
  for (const row of proc.rows) {
    const hostPid = nsToHost.get(row.pid) ?? null;
    const topRow = hostPid === null ? undefined : topByPid.get(hostPid);
    // Parent links must agree: a process paired to the wrong top row shows it here.
    if (topRow && row.ppid !== 0 && nsToHost.has(row.ppid) && nsToHost.get(row.ppid) !== topRow.ppid) disagreements++;
    const elapsed =
      proc.uptimeSeconds !== null && row.startTicks !== null
        ? Math.max(0, Math.floor(proc.uptimeSeconds - row.startTicks / TICKS_PER_SECOND))
        : (topRow?.elapsedSeconds ?? null);
    rows.push({
      pid: row.pid,
      ppid: row.ppid,
      pgid: row.pgid,
      sid: row.sid,
      uid: row.uid || topRow?.uid || '',
      elapsedSeconds: elapsed,
      state: row.state,
      args: row.args,
    });
    seen.set(row.pid, { hostPid, nsPid: row.pid, seenBy: topRow ? ['pid-namespace', 'engine-top'] : ['pid-namespace'] });
    if (!topRow) {
      const zombie = row.state === 'Z';
      flags.set(row.pid, [
        zombie
          ? {
              kind: 'not-in-top',
              severity: 'low',
              reason: "not listed by the engine's top: it exited and left the container's cgroup, so only the PID namespace still shows it",
            }
          : {
              kind: 'not-in-top',
              severity: 'medium',
              reason:
                "not listed by the engine's top: it runs in the container's PID namespace but outside its cgroup (another container sharing the namespace, a process moved out of the cgroup, or one started after top ran)",
            },
      ]);
    }
    if (row.argsCut) limitations.push(`the command line of PID ${row.pid} is longer than ${PROC_FILE_CAPS.cmdline} bytes and was cut`);
  }
  const foreign = new Set<number>();
  let collisions = 0;
  for (const row of top) {
    if (hostToNs.has(row.pid)) continue;
    if (seen.has(row.pid)) {
      collisions++;
      continue;
    }
    // Only top listed it: its PIDs are the host's, so it cannot be linked into the namespace's tree.
    rows.push({ ...row, pgid: null, sid: null });
    foreign.add(row.pid);
    seen.set(row.pid, { hostPid: row.pid, nsPid: null, seenBy: ['engine-top'] });
    flags.set(row.pid, [
      {
        kind: 'not-in-namespace',
        severity: 'medium',
        reason:
          "listed by the engine's top but not found in the container's PID namespace (it started or exited between the two reads, or runs in a PID namespace of its own)",
      },
    ]);
  }
  if (disagreements)
    limitations.push(
      disagreements === 1
        ? "1 process was paired with the engine's top by command line but its parent disagrees: its host PID may be swapped with a sibling's"
        : `${counted(disagreements, 'process', 'processes')} were paired with the engine's top by command line but their parents disagree: their host PIDs may be swapped with a sibling's`,
    );
  if (collisions)
    limitations.push(
      collisions === 1
        ? "1 process listed only by the engine's top is not shown: its host PID equals a PID in the namespace"
        : `${counted(collisions, 'process', 'processes')} listed only by the engine's top are not shown: their host PID equals a PID in the namespace`,
    );
  const initPid =
    input.initHostPid !== null && hostToNs.has(input.initHostPid)
      ? (hostToNs.get(input.initHostPid) ?? null)
      : input.ownNamespace && seen.has(1)
        ? 1
        : null;
  return { rows, seen, flags, initPid, hostToTree: hostToNs, foreign, limitations: [...new Set(limitations)].slice(0, 20) };
}
