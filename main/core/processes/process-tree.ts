import type { ProcessEntry, ProcessFlag } from '../../../shared/domain/processes';
import { commandLineFlags, programOf, severityRank } from './process-flags';
import type { Seen } from './process-merge';
import type { PsRow } from './ps-table';

export interface TreeInput {
  rows: PsRow[];
  /** Host PID of the container's init (State.Pid); 0 or null when unknown. */
  initPid: number | null;
  /** Exec sessions the engine knows for this container: host PID → exec ID. */
  execSessions: ReadonlyMap<number, string>;
  /** UID → name from the container's own /etc/passwd. */
  users: ReadonlyMap<string, string>;
  takenAt: Date;
  /** Extra flags per PID from other sources (the drift cross-reference). */
  extraFlags?: ReadonlyMap<number, ProcessFlag[]>;
  /** Which tables saw each PID (a merged namespace read); absent: every row is from top, keyed by host PID. */
  seen?: ReadonlyMap<number, Seen>;
  /** Rows whose ppid/pgid/sid are in another PID space than the tree's: never linked, never called orphans. */
  foreign?: ReadonlySet<number>;
}

export interface Tree {
  processes: ProcessEntry[];
  roots: number[];
  flagged: number[];
}

/**
 * Builds the tree from the host's process table: parent links, the entrypoint's lineage, exec
 * sessions, orphans (a parent outside the container: adopted by the runtime's subreaper) and
 * processes that outlived their process-group leader (daemonised by a double fork). Ordered so a
 * responder reads the worst first: subtrees holding flagged processes before the others.
 */
export function buildProcessTree(input: TreeInput): Tree {
  const byPid = new Map<number, PsRow>();
  for (const row of input.rows) if (!byPid.has(row.pid)) byPid.set(row.pid, row);
  const initPid = input.initPid && byPid.has(input.initPid) ? input.initPid : null;

  const children = new Map<number, number[]>();
  const roots: number[] = [];
  for (const row of byPid.values()) {
    // A process cannot be its own parent; a cycle would come from PID reuse between ps lines.
    if (!input.foreign?.has(row.pid) && row.ppid !== row.pid && byPid.has(row.ppid) && !createsCycle(byPid, row.pid)) {
      const list = children.get(row.ppid) ?? [];
      list.push(row.pid);
      children.set(row.ppid, list);
    } else {
      roots.push(row.pid);
    }
  }

  const entries = new Map<number, ProcessEntry>();
  const lineage = new Set<number>();
  if (initPid !== null) {
    const stack = [initPid];
    while (stack.length) {
      const pid = stack.pop() as number;
      if (lineage.has(pid)) continue;
      lineage.add(pid);
      stack.push(...(children.get(pid) ?? []));
    }
  }

  const rootSet = new Set(roots);
  for (const row of byPid.values()) {
    const isRoot = rootSet.has(row.pid);
    const flags = commandLineFlags(row.args);
    const execId = input.execSessions.get(row.pid);
    if (execId)
      flags.push({
        kind: 'exec-session',
        severity: 'medium',
        reason: `started by docker exec (exec ${execId.slice(0, 12)}), not by the container's entrypoint`,
      });
    else if (isRoot && row.pid !== initPid && !input.foreign?.has(row.pid)) {
      flags.push({
        kind: 'orphan',
        severity: 'medium',
        reason: `its parent (PID ${row.ppid}) is outside the container: the process that started it is gone and the runtime adopted it`,
      });
    }
    const leaderGone = (leader: number | null) =>
      leader !== null && leader !== row.pid && leader !== initPid && !byPid.has(leader) && !input.execSessions.has(leader);
    if (!execId && (leaderGone(row.pgid) || leaderGone(row.sid))) {
      flags.push({
        kind: 'reparented',
        severity: 'medium',
        reason: `its process group or session leader (PID ${leaderGone(row.pgid) ? row.pgid : row.sid}) no longer exists: it outlived the process that started it`,
      });
    }
    if (row.state.startsWith('Z')) flags.push({ kind: 'zombie', severity: 'low', reason: 'exited but not reaped by its parent' });
    flags.push(...(input.extraFlags?.get(row.pid) ?? []));
    flags.sort((a, b) => severityRank([a]) - severityRank([b]));

    const seen = input.seen?.get(row.pid);
    const entry: ProcessEntry = {
      pid: row.pid,
      ppid: row.ppid,
      hostPid: input.seen ? (seen?.hostPid ?? null) : row.pid,
      nsPid: seen?.nsPid ?? null,
      seenBy: seen ? [...seen.seenBy] : ['engine-top'],
      pgid: row.pgid,
      sid: row.sid,
      uid: row.uid,
      user: input.users.get(row.uid) ?? null,
      elapsedSeconds: row.elapsedSeconds,
      startedAt:
        row.elapsedSeconds === null ? null : new Date(Math.floor(input.takenAt.getTime() / 1000 - row.elapsedSeconds) * 1000).toISOString(),
      state: row.state,
      args: row.args,
      program: programOf(row.args),
      isInit: row.pid === initPid,
      inEntrypointLineage: lineage.has(row.pid),
      parent: isRoot ? null : row.ppid,
      children: [],
      depth: 0,
      flags,
    };
    if (execId) entry.execId = execId;
    entries.set(row.pid, entry);
  }

  // Worst severity anywhere in each subtree decides the order of siblings.
  const subtreeRank = new Map<number, number>();
  const rankOf = (pid: number): number => {
    const known = subtreeRank.get(pid);
    if (known !== undefined) return known;
    subtreeRank.set(pid, 3);
    const own = severityRank(entries.get(pid)?.flags ?? []);
    const rank = Math.min(own, ...(children.get(pid) ?? []).map(rankOf));
    subtreeRank.set(pid, rank);
    return rank;
  };
  const order = (pids: number[]) =>
    [...pids].sort((a, b) => rankOf(a) - rankOf(b) || Number(b === initPid) - Number(a === initPid) || a - b);

  const processes: ProcessEntry[] = [];
  const visit = (pid: number, depth: number) => {
    const entry = entries.get(pid);
    if (!entry) return;
    entry.depth = depth;
    entry.children = order(children.get(pid) ?? []);
    processes.push(entry);
    for (const child of entry.children) visit(child, depth + 1);
  };
  const orderedRoots = order(roots);
  for (const root of orderedRoots) visit(root, 0);

  const flagged = processes
    .filter((p) => p.flags.length > 0)
    .sort((a, b) => severityRank(a.flags) - severityRank(b.flags) || a.pid - b.pid)
    .map((p) => p.pid);
  return { processes, roots: orderedRoots, flagged };
}

function createsCycle(byPid: Map<number, PsRow>, start: number): boolean {
  const seen = new Set<number>();
  let pid = start;
  while (byPid.has(pid)) {
    if (seen.has(pid)) return true;
    seen.add(pid);
    const parent = byPid.get(pid)?.ppid;
    if (parent === undefined || parent === pid) return false;
    pid = parent;
  }
  return false;
}
