import { useState } from 'react';
import {
  secretLookingEnv,
  type CapabilitySet,
  type OpenFile,
  type ProcessDetail,
  type ProcessDetailFlag,
  type ProcessDetailFlagKind,
  type ProcessDetailReport,
  type ProcessSocket,
} from '../../../../shared/domain/memory';
import { utc } from '../../lib/format';
import { useApp } from '../../shell/app-context';
import { visibleText } from './visible-text';

/** What each flag means, in the words a responder would use; the core's reason follows it. */
const FLAG_TITLE: Record<ProcessDetailFlagKind, string> = {
  'deleted-executable': 'Running from a deleted file',
  'drifted-executable': 'Executable added or changed in the container (not from the image)',
  'anonymous-executable-memory': 'Executable memory not backed by any file',
  'writable-executable-memory': 'Memory both writable and executable',
  'namespace-differs': "In another namespace than the container's PID 1",
  'not-in-top': "Not listed by the engine's top",
  'not-in-namespace': 'Listed by top, missing from /proc',
};

const SEVERITY_RANK = { high: 0, medium: 1, info: 2 } as const;

/** Characters of one value shown before it is clipped (the whole value stays in the stored report). */
const CLIP = 2000;

/** The core's reason without the words the title already says ("running from a deleted file (…)" → "(…)"). */
function reasonAfter(title: string, reason: string): string {
  return reason.toLowerCase().startsWith(title.toLowerCase()) ? reason.slice(title.length).replace(/^[\s:,—-]+/, '') : reason;
}

function worst(flags: ProcessDetailFlag[]): number {
  return flags.reduce((rank, f) => Math.min(rank, SEVERITY_RANK[f.severity]), 3);
}

/** Escaped, clipped, and saying how much was left out. */
function Clipped({ value, max = CLIP }: { value: string; max?: number }) {
  const length = [...value].length;
  return (
    <>
      {visibleText(value, max)}
      {length > max && (
        <span className="dd-muted dd-pd-clip"> ({length.toLocaleString('en')} characters; the whole value is in the stored report)</span>
      )}
    </>
  );
}

function endpoint(e: { ip: string; port: number }): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function socketText(s: ProcessSocket): string {
  return `${s.protocol}${s.family === 6 ? '6' : ''} ${endpoint(s.local)} → ${endpoint(s.remote)} ${s.state}`;
}

function Caps({ label, set }: { label: string; set: CapabilitySet }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <span className="dd-mono dd-muted">{visibleText(set.hex, 20)}</span>{' '}
        {set.names.length ? <span className="dd-mono">{set.names.map((n) => visibleText(n, 40)).join(' ')}</span> : 'none'}
      </dd>
    </>
  );
}

function Env({ entries, reveal }: { entries: string[]; reveal: boolean }) {
  return (
    <ul className="dd-pd-list dd-mono" data-testid="pd-environ">
      {entries.map((entry, i) => {
        const eq = entry.indexOf('=');
        if (!reveal && secretLookingEnv(entry))
          return (
            <li key={i} className="dd-pd-masked">
              {visibleText(entry.slice(0, eq), 200)}=
              <span className="dd-muted">•••• ({[...entry.slice(eq + 1)].length} characters, masked)</span>
            </li>
          );
        return (
          <li key={i}>
            <Clipped value={entry} max={600} />
          </li>
        );
      })}
    </ul>
  );
}

function FileRow({ f }: { f: OpenFile }) {
  return (
    <tr>
      <td className="dd-num">{f.fd}</td>
      <td className="dd-mono">
        <Clipped value={f.target} max={300} />
      </td>
      <td className="dd-mono">{f.socket ? socketText(f.socket) : ''}</td>
    </tr>
  );
}

/** One process of the live detail: flags first, then every part, each collapsible. */
export function ProcessDetailView({ detail, reveal }: { detail: ProcessDetail; reveal: boolean }) {
  const flagged = [...detail.maps].sort((a, b) => Number(b.anonymousExecutable) - Number(a.anonymousExecutable));
  const anonExec = detail.maps.filter((m) => m.anonymousExecutable).length;
  const sockets = detail.fds.filter((f) => f.socket).length;
  return (
    <div className="dd-pd-process" data-testid="pd-process" aria-label={`Detail of PID ${detail.pid}`}>
      <h3>
        PID {detail.pid} <span className="dd-mono">{visibleText(detail.comm, 64)}</span>{' '}
        <span className="dd-muted">
          parent {detail.ppid ?? '?'} · state {visibleText(detail.state, 4)}
        </span>
      </h3>
      {detail.flags.length > 0 && (
        <ul className="dd-pd-flags" aria-label="Flags">
          {detail.flags.map((f, i) => (
            <li key={`${f.kind}-${i}`} className={`dd-sev-${f.severity}`} data-flag={f.kind}>
              <b>{FLAG_TITLE[f.kind] ?? f.kind}</b>{' '}
              <span className="dd-pd-reason">{visibleText(reasonAfter(FLAG_TITLE[f.kind] ?? '', f.reason), 600)}</span>
            </li>
          ))}
        </ul>
      )}
      <details open>
        <summary>Executable</summary>
        <dl className="dd-kv">
          <dt>Path</dt>
          <dd className="dd-mono dd-wrap" data-testid="pd-exe">
            {detail.exe.path === null ? (
              <span className="dd-muted">none (kernel thread) or unreadable</span>
            ) : (
              <Clipped value={detail.exe.path} max={1000} />
            )}
            {detail.exe.deleted && <span className="dd-badge dd-sev-high dd-pd-deleted">deleted from disk</span>}
          </dd>
          <dt>SHA-256</dt>
          <dd className="dd-mono dd-select-all">{detail.exe.sha256 ?? <span className="dd-muted">could not be read</span>}</dd>
        </dl>
      </details>
      <details open>
        <summary>
          Command line{' '}
          <span className="dd-muted">
            ({detail.argv.length} arguments{detail.argvCut ? ', cut by the reader' : ''})
          </span>
        </summary>
        <ol className="dd-pd-list dd-mono dd-wrap" start={0} data-testid="pd-argv">
          {detail.argv.slice(0, 256).map((a, i) => (
            <li key={i}>
              <Clipped value={a} max={600} />
            </li>
          ))}
        </ol>
        {detail.argv.length > 256 && <div className="dd-muted">{detail.argv.length - 256} more arguments in the stored report</div>}
      </details>
      <details>
        <summary>
          Environment{' '}
          <span className="dd-muted">
            ({detail.environ.length}
            {detail.environCut ? ', cut by the reader' : ''}
            {reveal ? ', secrets shown' : ', secret-looking values masked'})
          </span>
        </summary>
        <Env entries={detail.environ.slice(0, 512)} reveal={reveal} />
      </details>
      <details>
        <summary>Identity and confinement</summary>
        <dl className="dd-kv">
          <dt>cwd</dt>
          <dd className="dd-mono dd-wrap">{detail.cwd === null ? '?' : <Clipped value={detail.cwd} max={600} />}</dd>
          <dt>root</dt>
          <dd className="dd-mono dd-wrap">{detail.root === null ? '?' : <Clipped value={detail.root} max={600} />}</dd>
          <dt>uid (real eff saved fs)</dt>
          <dd className="dd-mono">{detail.uids.map((u) => visibleText(u, 12)).join(' ')}</dd>
          <dt>gid (real eff saved fs)</dt>
          <dd className="dd-mono">{detail.gids.map((g) => visibleText(g, 12)).join(' ')}</dd>
          <dt>uid_map</dt>
          <dd className="dd-mono dd-wrap">{visibleText(detail.uidMap.trim(), 600) || '—'}</dd>
          <dt>gid_map</dt>
          <dd className="dd-mono dd-wrap">{visibleText(detail.gidMap.trim(), 600) || '—'}</dd>
          <dt>seccomp</dt>
          <dd className={detail.seccomp === 'disabled' ? 'dd-warn-text' : ''}>{detail.seccomp}</dd>
          {detail.capabilities ? (
            <>
              <Caps label="CapEff (effective)" set={detail.capabilities.effective} />
              <Caps label="CapPrm (permitted)" set={detail.capabilities.permitted} />
              <Caps label="CapBnd (bounding)" set={detail.capabilities.bounding} />
            </>
          ) : (
            <>
              <dt>Capabilities</dt>
              <dd className="dd-muted">could not be read</dd>
            </>
          )}
        </dl>
      </details>
      <details>
        <summary>
          Namespaces{' '}
          {detail.namespaces.some((n) => n.differsFromInit) && <span className="dd-sev-medium">(some differ from PID 1&apos;s)</span>}
        </summary>
        <table className="dd-table dd-pd-table">
          <tbody>
            {detail.namespaces.map((n) => (
              <tr key={n.type} className={n.differsFromInit ? 'dd-sev-medium' : ''}>
                <td>{visibleText(n.type, 16)}</td>
                <td className="dd-mono">{n.inode ?? '?'}</td>
                <td>{n.differsFromInit ? 'differs from the container’s PID 1' : 'same as PID 1'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <details>
        <summary>
          Open files{' '}
          <span className="dd-muted">
            ({detail.fds.length}
            {detail.fdsCut ? '+, cut by the reader' : ''}, {sockets} sockets in the connection table)
          </span>
        </summary>
        <table className="dd-table dd-pd-table">
          <thead>
            <tr>
              <th>fd</th>
              <th>Target</th>
              <th>Connection</th>
            </tr>
          </thead>
          <tbody>
            {detail.fds.slice(0, 1000).map((f) => (
              <FileRow key={f.fd} f={f} />
            ))}
          </tbody>
        </table>
      </details>
      <details>
        <summary>
          Memory maps{' '}
          <span className="dd-muted">
            ({detail.maps.length}
            {detail.mapsCut ? '+, cut by the reader' : ''})
          </span>{' '}
          {anonExec > 0 && <span className="dd-sev-high">{anonExec} anonymous executable</span>}
        </summary>
        <table className="dd-table dd-pd-table">
          <thead>
            <tr>
              <th>Start</th>
              <th>End</th>
              <th>Perms</th>
              <th>Offset</th>
              <th>Path</th>
            </tr>
          </thead>
          <tbody>
            {flagged.slice(0, 2000).map((m) => (
              <tr key={`${m.start}-${m.end}`} className={m.anonymousExecutable ? 'dd-sev-high' : ''}>
                <td className="dd-mono">{visibleText(m.start, 16)}</td>
                <td className="dd-mono">{visibleText(m.end, 16)}</td>
                <td className="dd-mono">{visibleText(m.perms, 4)}</td>
                <td className="dd-mono">{visibleText(m.offset, 16)}</td>
                <td className="dd-mono">
                  {m.path ? <Clipped value={m.path} max={300} /> : <span className="dd-muted">anonymous</span>}
                  {m.anonymousExecutable && <span className="dd-badge dd-sev-high">anonymous executable</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}

/**
 * The live detail of a container's processes (memory.detail): every flag of every process first, in
 * plain words, then a list of the processes and the chosen one's detail. Secret-looking environment
 * values are masked until "Reveal secrets"; the stored report keeps them whole.
 */
export function ProcessDetailPanel({
  report,
  selected,
  onSelect,
}: {
  report: ProcessDetailReport;
  selected: number | null;
  onSelect: (pid: number) => void;
}) {
  const { navigate } = useApp();
  const [reveal, setReveal] = useState(false);
  const ordered = [...report.processes].sort((a, b) => worst(a.flags) - worst(b.flags) || a.pid - b.pid);
  const current = report.processes.find((p) => p.pid === selected) ?? ordered[0] ?? null;
  const findings = ordered
    .flatMap((p) => p.flags.map((f) => ({ p, f })))
    .sort((a, b) => SEVERITY_RANK[a.f.severity] - SEVERITY_RANK[b.f.severity]);
  return (
    <section className="dd-panel dd-pd" aria-label="Live detail" data-testid="live-detail">
      <div className="dd-pd-head">
        <div>
          <div className="dd-panel-title">Live detail</div>
          <strong>{visibleText(report.containerName, 120)}</strong>{' '}
          <span className="dd-muted dd-mono">{report.containerId.slice(0, 12)}</span> on {visibleText(report.host, 64)} ·{' '}
          {report.processes.length} processes · {report.connections.length} connections · {utc(report.takenAt)}
          {report.stored && (
            <span className="dd-muted">
              {' '}
              · stored as artifact{' '}
              <button
                type="button"
                className="dd-link dd-mono"
                onClick={() => report.stored && navigate('evidence', { artifact: report.stored.artifactId })}
                data-testid="pd-stored"
              >
                {report.stored.artifactId}
              </button>
            </span>
          )}
        </div>
        <label className="dd-check" title="Show secret-looking environment values (they are always kept whole in the stored report)">
          <input type="checkbox" checked={reveal} onChange={(e) => setReveal(e.target.checked)} /> Reveal secrets
        </label>
      </div>
      {report.limitations.map((l, i) => (
        <div key={i} className="dd-muted">
          {visibleText(l, 600)}
        </div>
      ))}
      {findings.length > 0 ? (
        <ol className="dd-proc-findings dd-pd-findings" aria-label="Live findings">
          {findings.map(({ p, f }, i) => (
            <li key={`${p.pid}-${f.kind}-${i}`} className={`dd-sev-${f.severity}`} data-flag={f.kind}>
              <button type="button" className="dd-link" onClick={() => onSelect(p.pid)}>
                PID {p.pid}
              </button>{' '}
              <span className="dd-mono">{visibleText(p.comm, 32)}</span>: <b>{FLAG_TITLE[f.kind] ?? f.kind}</b> —{' '}
              <span className="dd-pd-reason">{visibleText(reasonAfter(FLAG_TITLE[f.kind] ?? '', f.reason), 400)}</span>
            </li>
          ))}
        </ol>
      ) : (
        <div className="dd-good">Nothing flagged in the live detail.</div>
      )}
      <div className="dd-pd-body">
        <div className="dd-pd-procs">
          <table className="dd-table dd-pd-table" aria-label="Detailed processes">
            <thead>
              <tr>
                <th>PID</th>
                <th>Name</th>
                <th>Executable</th>
              </tr>
            </thead>
            <tbody>
              {ordered.map((p) => (
                <tr
                  key={p.pid}
                  className={`dd-proc-row dd-clickable${p.pid === current?.pid ? ' dd-selected' : ''}${p.flags.length ? ` dd-sev-${p.flags.some((f) => f.severity === 'high') ? 'high' : 'medium'}` : ''}`}
                  onClick={() => onSelect(p.pid)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      onSelect(p.pid);
                    }
                  }}
                  tabIndex={0}
                  aria-selected={p.pid === current?.pid}
                  data-pid={p.pid}
                >
                  <td className="dd-num">{p.pid}</td>
                  <td className="dd-mono dd-pd-name">{visibleText(p.comm, 32)}</td>
                  <td className="dd-mono dd-pd-exe">
                    {p.exe.path === null ? '—' : visibleText(p.exe.path, 80)}
                    {p.exe.deleted && ' (deleted)'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.connections.length > 0 && (
            <details className="dd-pd-conns">
              <summary>Connections of the namespace ({report.connections.length})</summary>
              <table className="dd-table dd-pd-table">
                <tbody>
                  {report.connections.slice(0, 1000).map((c) => (
                    <tr key={`${c.protocol}-${c.inode}-${c.local.port}-${c.remote.port}`}>
                      <td className="dd-mono">{socketText(c)}</td>
                      <td>{c.pids.length ? `PID ${c.pids.join(', ')}` : <span className="dd-muted">no process holds it</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          )}
        </div>
        {current && <ProcessDetailView key={current.pid} detail={current} reveal={reveal} />}
      </div>
    </section>
  );
}
