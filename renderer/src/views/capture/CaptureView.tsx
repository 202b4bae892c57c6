import { useCallback, useEffect, useRef, useState } from 'react';
import type { DrydockClient } from '../../../../shared/client';
import type { CaptureInfo, CaptureProgressEvent, FlowSummary } from '../../../../shared/domain/capture';
import { utc } from '../../lib/format';
import { visibleText } from '../processes/visible-text';
import { CaptureProgress } from './CaptureProgress';
import { SaveButton } from '../../shell/SaveButton';
import { FlowSummaryTable } from './FlowSummaryTable';
import './capture.css';

interface Props {
  client: DrydockClient;
  host?: string;
  container?: string;
}

interface Form {
  interface: string;
  filter: string;
  duration: string;
  count: string;
  maxBytes: string;
  snaplen: string;
}

function whole(text: string): number | undefined {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Capture panel: options (the filter checked by tcpdump itself before anything starts), start and
 * stop, live counters, the stored pcap's provenance and flow summary, export to a file.
 */
export function CaptureView({ client, host: initialHost = '', container: initialContainer = '' }: Props) {
  const [hosts, setHosts] = useState<string[]>([]);
  const [host, setHost] = useState(initialHost);
  const [containers, setContainers] = useState<string[]>([]);
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const [container, setContainer] = useState(initialContainer);
  const [form, setForm] = useState<Form>({ interface: 'any', filter: '', duration: '', count: '', maxBytes: '', snaplen: '' });
  const [current, setCurrent] = useState<CaptureInfo | null>(null);
  const [progress, setProgress] = useState<CaptureProgressEvent | null>(null);
  const [summary, setSummary] = useState<FlowSummary | null>(null);
  const [history, setHistory] = useState<CaptureInfo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [exportPath, setExportPath] = useState('');
  const currentId = useRef<string | null>(null);

  const refreshHistory = useCallback(() => {
    void client.invoke('capture.list', { limit: 50 }).then((r) => r.ok && setHistory(r.value));
  }, [client]);

  useEffect(() => {
    void client.invoke('hosts.list', {}).then((r) => {
      if (!r.ok) return;
      setHosts(r.value.map((h) => h.name));
      if (!initialHost && r.value[0]) setHost(r.value[0].name);
    });
    refreshHistory();
  }, [client, initialHost, refreshHistory]);

  useEffect(() => {
    if (!host) return;
    void client.invoke('inventory.list', { host }).then((r) => {
      if (!r.ok) return;
      setContainers(r.value.containers.filter((c) => c.state === 'running').map((c) => c.name));
      // Addresses the host's containers hold now, to name a capture's endpoints.
      const byIp = new Map<string, string>();
      for (const c of r.value.containers) {
        for (const n of c.networks) {
          if (n.ipv4) byIp.set(n.ipv4, c.name);
          if (n.ipv6) byIp.set(n.ipv6, c.name);
        }
      }
      setNames(byIp);
    });
  }, [client, host]);

  const loadSummary = useCallback(
    async (info: CaptureInfo) => {
      if (!info.pcap) return;
      const r = await client.invoke('capture.summary', { pcapArtifactId: info.pcap.artifactId });
      if (r.ok) setSummary(r.value.summary);
      else setError(r.error.message);
    },
    [client],
  );

  useEffect(() => {
    const offProgress = client.on('capture.progress', (p) => p.captureId === currentId.current && setProgress(p));
    const offState = client.on('capture.state', (info) => {
      if (info.id !== currentId.current) return;
      setCurrent(info);
      if ((info.state === 'finished' || info.state === 'failed') && info.pcap) {
        void loadSummary(info);
        refreshHistory();
      }
    });
    return () => {
      offProgress();
      offState();
    };
  }, [client, loadSummary, refreshHistory]);

  const options = () => {
    const duration = whole(form.duration);
    const count = whole(form.count);
    const maxBytes = whole(form.maxBytes);
    const snaplen = whole(form.snaplen);
    return {
      interface: form.interface.trim() || 'any',
      ...(form.filter.trim() ? { filter: form.filter.trim() } : {}),
      ...(duration !== undefined ? { durationSeconds: duration } : {}),
      ...(count !== undefined ? { packetCount: count } : {}),
      ...(maxBytes !== undefined ? { maxBytes } : {}),
      ...(snaplen !== undefined ? { snaplen } : {}),
    };
  };

  const checkFilter = async () => {
    setError(null);
    setNote(null);
    setBusy(true);
    const r = await client.invoke('capture.check-filter', {
      host,
      container,
      interface: form.interface.trim() || 'any',
      filter: form.filter.trim(),
    });
    setBusy(false);
    if (r.ok) setNote(`Filter compiles to ${r.value.instructions} BPF instructions on ${form.interface || 'any'}.`);
    else setError(r.error.message);
  };

  const start = async () => {
    setError(null);
    setNote(null);
    setSummary(null);
    setProgress(null);
    setBusy(true);
    const r = await client.invoke('capture.start', { host, container, options: options() });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    currentId.current = r.value.id;
    setCurrent(r.value);
    refreshHistory();
  };

  const stop = async () => {
    if (!currentId.current) return;
    setBusy(true);
    const r = await client.invoke('capture.stop', { captureId: currentId.current });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    setCurrent(r.value);
    void loadSummary(r.value);
    refreshHistory();
  };

  const exportPcap = async () => {
    if (!current?.pcap || !exportPath.trim()) return;
    setError(null);
    const r = await client.invoke('capture.export', { artifactId: current.pcap.artifactId, path: exportPath.trim() });
    if (r.ok) setNote(`Exported ${r.value.bytes} bytes to ${r.value.path} (sha256 ${r.value.sha256}, verified).`);
    else setError(r.error.message);
  };

  const open = (info: CaptureInfo) => {
    currentId.current = info.id;
    setCurrent(info);
    setProgress(null);
    setSummary(null);
    if (info.pcap) void loadSummary(info);
  };

  const running = current && (current.state === 'starting' || current.state === 'running' || current.state === 'stopping');
  const counters = progress?.captureId === current?.id && running ? progress?.counters : current?.counters;
  const field = (key: keyof Form, label: string, props: Record<string, string> = {}) => (
    <label>
      {label}
      <input value={form[key]} onChange={(e) => setForm({ ...form, [key]: e.target.value })} disabled={!!running} {...props} />
    </label>
  );

  return (
    <section className="dd-view dd-capture" aria-label="Packet capture">
      <div className="dd-view-head">
        <h1>Capture</h1>
      </div>
      <form
        className="dd-cap-form"
        aria-label="Capture options"
        onSubmit={(e) => {
          // Enter in any field starts the capture.
          e.preventDefault();
          if (!busy && !running && host && container) void start();
        }}
      >
        <div className="dd-toolbar">
          <label>
            Host
            <select value={host} onChange={(e) => setHost(e.target.value)} disabled={!!running}>
              {hosts.map((h) => (
                <option key={h}>{h}</option>
              ))}
            </select>
          </label>
          <label>
            Container
            <input
              list="dd-cap-containers"
              value={container}
              onChange={(e) => setContainer(e.target.value)}
              disabled={!!running}
              placeholder="name or ID"
            />
            <datalist id="dd-cap-containers">
              {containers.map((c) => (
                <option key={c} value={c} />
              ))}
            </datalist>
          </label>
        </div>
        <div className="dd-cap-options">
          {field('interface', 'Interface', { className: 'dd-narrow', placeholder: 'any' })}
          {field('filter', 'BPF filter', {
            className: 'dd-cap-filter dd-mono',
            placeholder: 'e.g. tcp port 443 or udp port 53',
            spellCheck: 'false',
          })}
          {field('duration', 'Duration s', { className: 'dd-narrow', inputMode: 'numeric' })}
          {field('count', 'Packets', { className: 'dd-narrow', inputMode: 'numeric' })}
          {field('maxBytes', 'Max bytes', { className: 'dd-narrow', inputMode: 'numeric' })}
          {field('snaplen', 'Snaplen', { className: 'dd-narrow', inputMode: 'numeric' })}
          <button type="button" onClick={() => void checkFilter()} disabled={busy || !!running || !host || !container}>
            Check filter
          </button>
          {running ? (
            <button type="button" className="dd-danger" onClick={() => void stop()} disabled={busy || current?.state === 'stopping'}>
              Stop
            </button>
          ) : (
            <button type="submit" className="dd-primary" disabled={busy || !host || !container}>
              Start capture
            </button>
          )}
        </div>
      </form>
      {!current && (
        <div className="dd-empty-state" data-testid="capture-empty">
          <p>
            Captures the packets of one running container from inside its network namespace, with a short-lived helper container that
            Drydock starts on the host and removes afterwards. Nothing is run in the container itself. The pcap is stored in the open case
            with its SHA-256 and opens in Wireshark; a summary of the conversations follows when the capture ends.
          </p>
          <ul>
            <li>
              <b>Interface</b> empty or <span className="dd-mono">any</span>: every interface of the container.
            </li>
            <li>
              <b>BPF filter</b> empty: all traffic. A filter is checked by tcpdump itself before anything starts (Check filter).
            </li>
            <li>
              <b>Duration</b>, <b>Packets</b>, <b>Max bytes</b> empty: no limit — the capture runs until you press Stop. The first limit
              reached ends it.
            </li>
            <li>
              <b>Snaplen</b> empty: whole packets are kept.
            </li>
          </ul>
        </div>
      )}
      {error && (
        <div className="dd-error" role="alert">
          {visibleText(error, 800)}
        </div>
      )}
      {note && <div className="dd-note">{visibleText(note, 800)}</div>}
      {current && (
        <div className="dd-cap-status" aria-label="Capture status">
          <div className="dd-cap-counters" aria-live="polite">
            <span className={`dd-cap-state dd-cap-state-${current.state}`}>{current.state}</span>
            <span>
              <b data-testid="cap-packets">{counters?.packets ?? 0}</b> packets
            </span>
            <span>
              <b>{size(counters?.bytes ?? 0)}</b>
            </span>
            <span>
              <b>{((counters?.elapsedMs ?? 0) / 1000).toFixed(1)}</b>
              {current.options.durationSeconds ? ` of ${current.options.durationSeconds}` : ''} s
            </span>
            <span className="dd-muted">
              {visibleText(current.containerName, 80)} on {visibleText(current.host, 40)} · {current.linkType ?? '…'}
            </span>
          </div>
          {running && <CaptureProgress counters={counters} options={current.options} />}
          {current.stopReason && <div className="dd-muted">Stopped: {current.stopReason}</div>}
          {current.tcpdump && (
            <div className="dd-muted">
              tcpdump: {current.tcpdump.captured ?? '?'} captured, {current.tcpdump.receivedByFilter ?? '?'} received by filter,{' '}
              {current.tcpdump.droppedByKernel ?? '?'} dropped by kernel
            </div>
          )}
          {current.pcap && (
            <div className={current.pcap.status === 'complete' ? '' : 'dd-sev-medium'}>
              pcap artifact <span className="dd-mono">{current.pcap.artifactId}</span> · sha256{' '}
              <span className="dd-mono">{current.pcap.sha256}</span> · {current.pcap.status}
              {current.pcap.statusReason && ` — ${visibleText(current.pcap.statusReason, 300)}`}
              <div className="dd-cap-export">
                <SaveButton
                  request={{
                    kind: 'artifact',
                    artifactId: current.pcap.artifactId,
                    filename: `${current.containerName}-${current.pcap.artifactId}.pcap`,
                  }}
                  label="pcap"
                />
              </div>
              <div className="dd-cap-export">
                <input
                  value={exportPath}
                  onChange={(e) => setExportPath(e.target.value)}
                  placeholder="/absolute/path/capture.pcap"
                  className="dd-mono"
                  aria-label="Export path"
                />
                <button type="button" onClick={() => void exportPcap()} disabled={!exportPath.trim()}>
                  Export pcap
                </button>
              </div>
            </div>
          )}
          {current.error && <div className="dd-error">{visibleText(current.error.message, 600)}</div>}
        </div>
      )}
      {summary && <FlowSummaryTable summary={summary} names={names} />}
      {history.length > 0 && (
        <details className="dd-cap-history">
          <summary>Recent captures ({history.length})</summary>
          <table className="dd-table">
            <tbody>
              {history.map((h) => (
                <tr key={h.id} onClick={() => open(h)} className="dd-clickable">
                  <td className="dd-muted">{utc(h.startedAt)}</td>
                  <td>{visibleText(h.containerName, 60)}</td>
                  <td>{visibleText(h.host, 40)}</td>
                  <td>{h.state}</td>
                  <td className="dd-num">{h.counters.packets}</td>
                  <td>{h.pcap?.status ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </section>
  );
}
