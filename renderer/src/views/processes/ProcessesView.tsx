import { useCallback, useEffect, useRef, useState } from 'react';
import type { DrydockClient } from '../../../../shared/client';
import type { ProcessDetailReport } from '../../../../shared/domain/memory';
import type { ProcessChange, ProcessSampleEvent, ProcessSnapshot, StoredRef } from '../../../../shared/domain/processes';
import type { DrydockError } from '../../../../shared/result';
import { utc } from '../../lib/format';
import { useLiveEpoch } from '../../shell/app-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { useViewActive } from '../../shell/view-activity';
import { CollectPanel } from './CollectPanel';
import { MemoryAcquirePanel } from './MemoryAcquirePanel';
import { ProcessDetailPanel } from './ProcessDetailPanel';
import { ProcessTree } from './ProcessTree';
import { visibleText } from './visible-text';
import './processes.css';

interface Props {
  client: DrydockClient;
  /** Pre-selected host and container (e.g. opened from the inventory's detail panel). */
  host?: string;
  container?: string;
  /** Take a snapshot as soon as host and container are known (opened by "Processes…"). */
  autoRun?: boolean;
}

interface LoggedChange extends ProcessChange {
  at: string;
  sample: number;
}

/**
 * Process trees without exec: one snapshot on demand, or a watch that samples every N seconds
 * and logs what appeared, vanished or was re-parented. Flagged processes come first, with their
 * reasons; every title is shown as visible text.
 */
export function ProcessesView({ client, host: initialHost = '', container: initialContainer = '', autoRun = false }: Props) {
  const [hosts, setHosts] = useState<string[]>([]);
  const [host, setHost] = useState(initialHost);
  const [containers, setContainers] = useState<{ name: string; state: string }[]>([]);
  const [container, setContainer] = useState(initialContainer);
  const [snapshot, setSnapshot] = useState<ProcessSnapshot | null>(null);
  const [stored, setStored] = useState<StoredRef | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [interval, setIntervalSeconds] = useState(5);
  const [watchId, setWatchId] = useState<string | null>(null);
  const [changes, setChanges] = useState<LoggedChange[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const watchRef = useRef<string | null>(null);
  // Volatile evidence: the live /proc detail of every process, and the memory acquisition panel.
  // Kept with the host/container it was read for: typing another container puts it away.
  const [detailOf, setDetail] = useState<{ target: string; report: ProcessDetailReport } | null>(null);
  const detail = detailOf?.target === `${host}/${container}` ? detailOf.report : null;
  const [detailPid, setDetailPid] = useState<number | null>(null);
  const [detailBusy, setDetailBusy] = useState(false);
  const [detailError, setDetailError] = useState<DrydockError | null>(null);
  const [memoryOpen, setMemoryOpen] = useState(false);
  const [collectOpen, setCollectOpen] = useState(false);
  const autoRunPending = useRef(autoRun);

  useEffect(() => {
    void client.invoke('hosts.list', {}).then((r) => {
      if (!r.ok) return;
      setHosts(r.value.map((h) => h.name));
      if (!initialHost && r.value[0]) setHost(r.value[0].name);
    });
  }, [client, initialHost]);

  useEffect(() => {
    if (!host) return;
    void client.invoke('inventory.list', { host }).then((r) => {
      if (r.ok) setContainers(r.value.containers.filter((c) => c.state === 'running').map((c) => ({ name: c.name, state: c.state })));
    });
  }, [client, host]);

  useEffect(() => {
    const offSample = client.on('processes.sample', (event: ProcessSampleEvent) => {
      if (event.watchId !== watchRef.current) return;
      setSnapshot(event.snapshot);
      if (event.stored) setStored(event.stored);
      if (event.changes.length)
        setChanges((prev) =>
          [...event.changes.map((c) => ({ ...c, at: event.snapshot.takenAt, sample: event.sample })), ...prev].slice(0, 500),
        );
    });
    const offEnded = client.on('processes.watch-ended', (event) => {
      if (event.watchId !== watchRef.current) return;
      watchRef.current = null;
      setWatchId(null);
      if (event.reason !== 'stopped') setError(`Watch ended: ${event.reason}${event.message ? ` — ${event.message}` : ''}`);
    });
    return () => {
      offSample();
      offEnded();
    };
  }, [client]);

  useEffect(
    () => () => {
      if (watchRef.current) void client.invoke('processes.unwatch', { watchId: watchRef.current });
    },
    [client],
  );

  const snap = useCallback(async () => {
    setBusy(true);
    setError(null);
    const r = await client.invoke('processes.snapshot', { host, container });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    setSnapshot(r.value.snapshot);
    setStored(r.value.stored ?? null);
  }, [client, host, container]);

  // Opened by "Processes…" for one container: the snapshot is what was asked for, so take it.
  useEffect(() => {
    if (!autoRunPending.current || !host || !container) return;
    autoRunPending.current = false;
    void snap();
  }, [host, container, snap]);

  const liveDetail = useCallback(async () => {
    setDetailBusy(true);
    setDetailError(null);
    const target = `${host}/${container}`;
    const r = await client.invoke('memory.detail', { host, container, store: true });
    setDetailBusy(false);
    if (!r.ok) return setDetailError(r.error);
    setDetail({ target, report: r.value });
    const first = [...r.value.processes].sort((a, b) => b.flags.length - a.flags.length || a.pid - b.pid)[0];
    setDetailPid(first?.pid ?? null);
  }, [client, host, container]);

  const startWatch = useCallback(async () => {
    setBusy(true);
    setError(null);
    setChanges([]);
    const r = await client.invoke('processes.watch', { host, container, intervalSeconds: interval });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    watchRef.current = r.value.id;
    setWatchId(r.value.id);
  }, [client, host, container, interval]);

  const stopWatch = useCallback(async () => {
    if (!watchRef.current) return;
    await client.invoke('processes.unwatch', { watchId: watchRef.current });
    watchRef.current = null;
    setWatchId(null);
  }, [client]);

  // A watch runs only while this view is on screen: leaving it stops the sampling.
  const active = useViewActive();
  useEffect(() => {
    if (!active && watchRef.current) void stopWatch();
  }, [active, stopWatch]);

  // The event stream dropped and came back: the bridge ended this page's watches meanwhile, and
  // the 'watch-ended' event went with the stream. Ask the core whether ours still runs.
  const epoch = useLiveEpoch();
  useEffect(() => {
    const id = watchRef.current;
    if (!id) return;
    void client.invoke('processes.watches', {}).then((r) => {
      if (r.ok && watchRef.current === id && !r.value.some((w) => w.id === id)) {
        watchRef.current = null;
        setWatchId(null);
      }
    });
  }, [client, epoch]);

  const selectedEntry = snapshot?.processes.find((p) => p.pid === selected) ?? null;
  const flagged = snapshot
    ? snapshot.flagged.map((pid) => snapshot.processes.find((p) => p.pid === pid)).filter((p) => p !== undefined)
    : [];

  return (
    <section className="dd-view dd-processes" aria-label="Processes">
      <div className="dd-view-head">
        <h1>Processes</h1>
      </div>
      <form
        className="dd-toolbar"
        aria-label="Process snapshot"
        onSubmit={(e) => {
          // Enter in the container field takes the snapshot.
          e.preventDefault();
          if (!busy && host && container && !watchId) void snap();
        }}
      >
        <label>
          Host
          <select value={host} onChange={(e) => setHost(e.target.value)} disabled={!!watchId}>
            {hosts.map((h) => (
              <option key={h} value={h}>
                {h}
              </option>
            ))}
          </select>
        </label>
        <label>
          Container
          <input
            list="dd-proc-containers"
            value={container}
            onChange={(e) => setContainer(e.target.value)}
            disabled={!!watchId}
            placeholder="name or ID"
          />
          <datalist id="dd-proc-containers">
            {containers.map((c) => (
              <option key={c.name} value={c.name} />
            ))}
          </datalist>
        </label>
        <button type="submit" disabled={busy || !host || !container || !!watchId}>
          {busy && !watchId ? 'Reading…' : 'Snapshot'}
        </button>
        <label>
          Watch every (s)
          <input
            type="number"
            min={1}
            max={3600}
            value={interval}
            onChange={(e) => setIntervalSeconds(Math.max(1, Number(e.target.value) || 1))}
            disabled={!!watchId}
            className="dd-narrow"
          />
        </label>
        {watchId ? (
          <button type="button" onClick={() => void stopWatch()} className="dd-danger">
            Stop watch
          </button>
        ) : (
          <button type="button" onClick={() => void startWatch()} disabled={busy || !host || !container}>
            Watch
          </button>
        )}
        {watchId && <span className="dd-live">● watching</span>}
        <span className="dd-proc-tool-gap" />
        <button
          type="button"
          onClick={() => void liveDetail()}
          disabled={detailBusy || !host || !container}
          title="Read every process's /proc in full (executable and its SHA-256, command line, environment, capabilities, namespaces, open files, memory maps) and store it in the case"
        >
          {detailBusy ? 'Reading detail…' : 'Live detail'}
        </button>
        <button type="button" onClick={() => setMemoryOpen(!memoryOpen)} disabled={!host || !container} aria-pressed={memoryOpen}>
          Acquire memory…
        </button>
        <button
          type="button"
          onClick={() => setCollectOpen(!collectOpen)}
          disabled={!host || !container}
          aria-pressed={collectOpen}
          title="Every acquisition for this container, most volatile first (RFC 3227)"
        >
          Collect all…
        </button>
      </form>
      {detailError && <ErrorBox error={detailError} onDismiss={() => setDetailError(null)} />}
      {detail && <ProcessDetailPanel report={detail} selected={detailPid} onSelect={setDetailPid} />}
      {collectOpen && <CollectPanel key={`${host}/${container}`} client={client} host={host} container={container} />}
      {memoryOpen && (
        <MemoryAcquirePanel
          key={`${host}/${container}`}
          client={client}
          host={host}
          container={container}
          pid={detail ? detailPid : null}
        />
      )}
      {error && (
        <div className="dd-error" role="alert">
          {visibleText(error, 600)}
        </div>
      )}
      {!snapshot && !busy && !detail && !memoryOpen && !collectOpen && (
        <div className="dd-empty-state" data-testid="processes-empty">
          <p>
            The process tree of a running container, read from <span className="dd-mono">/proc</span> of its PID namespace by a short-lived
            helper container and checked against the engine&apos;s <span className="dd-mono">top</span>: nothing is executed inside the
            container, so a tampered <span className="dd-mono">ps</span> in it cannot hide anything, and processes{' '}
            <span className="dd-mono">top</span> misses (zombies) are shown and marked.
          </p>
          <ul>
            <li>
              <b>Snapshot</b> (or Enter) takes one reading and stores it in the open case. Flagged processes come first, each with its
              reason.
            </li>
            <li>
              <b>Watch</b> samples the engine&apos;s <span className="dd-mono">top</span> every {interval} s (no helper each time) and logs
              the processes that appear, vanish or change parent. It stops when you stop it or leave this view.
            </li>
            <li>
              <b>Live detail</b> reads each process in full: its executable and SHA-256 (a binary deleted from disk is still hashed),
              command line, environment (secrets masked on screen), capabilities, seccomp, namespaces, open files and sockets, memory maps.
              Findings come first, in plain words.
            </li>
            <li>
              <b>Acquire memory…</b> images one process or all into the case (optionally pausing the container, audited and always
              unpaused), with a progress bar and Cancel; then browse the image&apos;s strings page by page.
            </li>
            <li>
              <b>Collect all…</b> takes every kind of evidence of the container in order of volatility — processes, their detail,
              connections, memory, packets, then files, logs and configuration — each step shown as it runs.
            </li>
          </ul>
        </div>
      )}
      {snapshot && (
        <>
          <div className="dd-proc-meta">
            <strong>{visibleText(snapshot.containerName, 120)}</strong>{' '}
            <span className="dd-muted">{snapshot.containerId.slice(0, 12)}</span> on {visibleText(snapshot.host, 64)} ·{' '}
            {snapshot.processes.length} processes · {utc(snapshot.takenAt)} ·{' '}
            {snapshot.source === 'pid-namespace'
              ? "read from its PID namespace, checked against the engine's top"
              : "from the engine's top only"}
            {stored && <span className="dd-muted"> · artifact {stored.artifactId}</span>}
            {!snapshot.drift.checked && snapshot.drift.note && (
              <div className="dd-muted">Drift: {visibleText(snapshot.drift.note, 300)}</div>
            )}
            {snapshot.limitations.map((l) => (
              <div key={l} className="dd-muted">
                {visibleText(l, 400)}
              </div>
            ))}
          </div>
          {flagged.length > 0 && (
            <ol className="dd-proc-findings" aria-label="Findings">
              {flagged.map((p) =>
                p.flags.map((f) => (
                  <li key={`${p.pid}-${f.kind}`} className={`dd-sev-${f.severity}`}>
                    <button type="button" className="dd-link" onClick={() => setSelected(p.pid)}>
                      PID {p.pid}
                    </button>{' '}
                    <span className={`dd-badge dd-sev-${f.severity}`}>{f.kind}</span> {visibleText(f.reason, 300)}
                  </li>
                )),
              )}
            </ol>
          )}
          <div className="dd-proc-body">
            <ProcessTree snapshot={snapshot} selected={selected} onSelect={setSelected} />
            {selectedEntry && (
              <aside className="dd-detail" aria-label="Process detail">
                <h3>PID {selectedEntry.pid}</h3>
                <dl>
                  <dt>Command line</dt>
                  <dd className="dd-mono dd-wrap">{visibleText(selectedEntry.args, 8000)}</dd>
                  <dt>Parent</dt>
                  <dd>{selectedEntry.parent ?? `${selectedEntry.ppid} (outside the container)`}</dd>
                  <dt>Group / session</dt>
                  <dd>
                    {selectedEntry.pgid ?? '—'} / {selectedEntry.sid ?? '—'}
                  </dd>
                  <dt>User</dt>
                  <dd>
                    {visibleText(selectedEntry.user ?? '—', 64)} (uid {visibleText(selectedEntry.uid, 16)})
                  </dd>
                  <dt>Started</dt>
                  <dd>{utc(selectedEntry.startedAt)}</dd>
                  <dt>Lineage</dt>
                  <dd>
                    {selectedEntry.isInit
                      ? 'container init'
                      : selectedEntry.inEntrypointLineage
                        ? 'descends from the entrypoint'
                        : 'not from the entrypoint'}
                  </dd>
                  {selectedEntry.execId && (
                    <>
                      <dt>Exec session</dt>
                      <dd className="dd-mono">{selectedEntry.execId}</dd>
                    </>
                  )}
                </dl>
              </aside>
            )}
          </div>
        </>
      )}
      {changes.length > 0 && (
        <div className="dd-proc-changes">
          <h3>Changes between samples</h3>
          <table className="dd-table">
            <tbody>
              {changes.map((c, i) => (
                <tr key={`${c.sample}-${c.pid}-${c.kind}-${i}`} className={`dd-change-${c.kind}`}>
                  <td className="dd-muted">{utc(c.at)}</td>
                  <td>{c.kind}</td>
                  <td className="dd-num">{c.pid}</td>
                  <td className="dd-muted">{c.kind === 'reparented' ? `${c.previousPpid} → ${c.ppid}` : c.ppid}</td>
                  <td className="dd-mono">{visibleText(c.args, 300)}</td>
                  <td>
                    {c.flags.map((f) => (
                      <span key={f.kind} className={`dd-badge dd-sev-${f.severity}`} title={f.reason}>
                        {f.kind}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
