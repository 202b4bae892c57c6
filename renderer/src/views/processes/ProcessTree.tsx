import { useMemo, useState } from 'react';
import type { ProcessEntry, ProcessFlag, ProcessSnapshot } from '../../../../shared/domain/processes';
import { utc } from '../../lib/format';
import { visibleText } from './visible-text';

const SEVERITY_ORDER = { high: 0, medium: 1, low: 2 } as const;

function worst(flags: readonly ProcessFlag[]): ProcessFlag['severity'] | null {
  let best: ProcessFlag['severity'] | null = null;
  for (const f of flags) if (best === null || SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[best]) best = f.severity;
  return best;
}

function elapsed(seconds: number | null): string {
  if (seconds === null) return '—';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const hms = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return d ? `${d}d ${hms}` : hms;
}

/** Which rows to show: collapsed subtrees hidden; with a search, matches and their ancestors. */
function visibleRows(snapshot: ProcessSnapshot, collapsed: ReadonlySet<number>, query: string): ProcessEntry[] {
  const byPid = new Map(snapshot.processes.map((p) => [p.pid, p]));
  const q = query.trim().toLowerCase();
  let keep: Set<number> | null = null;
  if (q) {
    keep = new Set<number>();
    for (const p of snapshot.processes) {
      const hay = `${p.pid} ${p.args} ${p.user ?? ''} ${p.uid} ${p.flags.map((f) => f.kind).join(' ')}`.toLowerCase();
      if (!hay.includes(q)) continue;
      for (let cur: ProcessEntry | undefined = p; cur && !keep.has(cur.pid); cur = cur.parent === null ? undefined : byPid.get(cur.parent))
        keep.add(cur.pid);
    }
  }
  const rows: ProcessEntry[] = [];
  let hiddenBelowDepth = Infinity;
  for (const p of snapshot.processes) {
    if (p.depth <= hiddenBelowDepth) hiddenBelowDepth = Infinity;
    if (p.depth > hiddenBelowDepth) continue;
    if (keep && !keep.has(p.pid)) continue;
    rows.push(p);
    if (collapsed.has(p.pid) && !q) hiddenBelowDepth = p.depth;
  }
  return rows;
}

export function ProcessTree({
  snapshot,
  selected,
  onSelect,
}: {
  snapshot: ProcessSnapshot;
  selected: number | null;
  onSelect: (pid: number) => void;
}) {
  const [collapsed, setCollapsed] = useState<Set<number>>(new Set());
  const [query, setQuery] = useState('');
  const rows = useMemo(() => visibleRows(snapshot, collapsed, query), [snapshot, collapsed, query]);
  // Read from the PID namespace, the tree is keyed by the container's own PIDs; the host's sit beside them.
  const namespace = snapshot.source === 'pid-namespace';
  const toggle = (pid: number) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(pid)) next.delete(pid);
      else next.add(pid);
      return next;
    });

  return (
    <div className="dd-proc-tree">
      <div className="dd-proc-tree-tools">
        <input
          type="search"
          placeholder="Search PID, command, user, flag…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-label="Search processes"
        />
        <button type="button" onClick={() => setCollapsed(new Set())}>
          Expand all
        </button>
        <button
          type="button"
          onClick={() => setCollapsed(new Set(snapshot.processes.filter((p) => p.children.length && !p.flags.length).map((p) => p.pid)))}
        >
          Collapse unflagged
        </button>
        <span className="dd-muted">
          {rows.length} of {snapshot.processes.length} shown
        </span>
      </div>
      <table className="dd-table dd-proc-table" role="treegrid" aria-label="Process tree">
        <thead>
          <tr>
            <th title={namespace ? "PID inside the container's PID namespace" : 'PID on the host'}>{namespace ? 'PID (ns)' : 'PID'}</th>
            {namespace && <th title="PID on the host, when the engine's top listed the process">Host PID</th>}
            <th>PPID</th>
            <th>User</th>
            <th>Elapsed</th>
            <th>Stat</th>
            <th>Command</th>
            <th>Findings</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => {
            const severity = worst(p.flags);
            return (
              <tr
                key={p.pid}
                data-pid={p.pid}
                aria-level={p.depth + 1}
                aria-selected={selected === p.pid}
                className={`dd-proc-row${severity ? ` dd-sev-${severity}` : ''}${selected === p.pid ? ' dd-selected' : ''}${p.inEntrypointLineage ? '' : ' dd-proc-foreign'}`}
                onClick={() => onSelect(p.pid)}
              >
                <td className="dd-num">{p.pid}</td>
                {namespace && <td className="dd-num dd-muted">{p.hostPid ?? '—'}</td>}
                <td className="dd-num dd-muted">{p.ppid}</td>
                <td title={`uid ${p.uid}`}>{visibleText(p.user ?? p.uid, 64)}</td>
                <td className="dd-num" title={p.startedAt ? `started ${utc(p.startedAt)}` : undefined}>
                  {elapsed(p.elapsedSeconds)}
                </td>
                <td>{visibleText(p.state, 8)}</td>
                <td className="dd-proc-cmd" style={{ paddingLeft: `${0.4 + p.depth * 1.1}em` }} title={visibleText(p.args, 4000)}>
                  {p.children.length > 0 ? (
                    <button
                      type="button"
                      className="dd-proc-toggle"
                      aria-label={collapsed.has(p.pid) ? 'Expand' : 'Collapse'}
                      onClick={(e) => (e.stopPropagation(), toggle(p.pid))}
                    >
                      {collapsed.has(p.pid) ? '▸' : '▾'}
                    </button>
                  ) : (
                    <span className="dd-proc-toggle-space" />
                  )}
                  {p.isInit && <span className="dd-badge dd-badge-init">init</span>}
                  {p.execId && <span className="dd-badge dd-badge-exec">exec</span>}
                  {p.flags.some((f) => f.kind === 'zombie') && <span className="dd-badge dd-badge-zombie">zombie</span>}
                  {p.flags.some((f) => f.kind === 'not-in-top') && (
                    <span
                      className="dd-badge dd-badge-unseen"
                      title="In the container's PID namespace, but the engine's top does not list it"
                    >
                      not in top
                    </span>
                  )}
                  {p.flags.some((f) => f.kind === 'not-in-namespace') && (
                    <span
                      className="dd-badge dd-badge-unseen"
                      title="Listed by the engine's top, but not found in the container's PID namespace"
                    >
                      not in namespace
                    </span>
                  )}
                  <span className="dd-proc-args">{visibleText(p.args, 400)}</span>
                </td>
                <td>
                  {p.flags.map((f) => (
                    <span key={f.kind} className={`dd-badge dd-sev-${f.severity}`} title={f.reason}>
                      {f.kind}
                    </span>
                  ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
