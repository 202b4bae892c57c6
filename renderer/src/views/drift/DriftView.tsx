import { useCallback, useEffect, useState } from 'react';
import type { DriftProgressEvent, DriftReadVia, DriftReport, DriftScanInfo } from '../../../../shared/domain/drift';
import type { DrydockError } from '../../../../shared/result';
import { utc } from '../../lib/format';
import { useClient, useLiveEpoch } from '../../shell/app-context';
import { useCases } from '../../shell/case-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { HostLabel } from '../../shell/HostLabel';
import { useHosts } from '../../shell/hosts-context';
import { visibleText } from '../processes/visible-text';
import type { ViewProps } from '../view-types';
import { ContainerReport } from './ContainerReport';
import { HostSummary } from './HostSummary';
import './drift.css';

/**
 * Drift triage: scan one container, a selection or every running container of a host against
 * their images; follow the scan live; rank the host's containers; open one to walk its changes.
 */
export function DriftView({ params }: ViewProps) {
  const client = useClient();
  const epoch = useLiveEpoch();
  const { profiles } = useHosts();
  const { current } = useCases();
  const [host, setHost] = useState(params.host ?? '');
  const [containers, setContainers] = useState<{ id: string; name: string }[]>([]);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set(params.container ? [params.container] : []));
  const [capMiB, setCapMiB] = useState(1);
  const [concurrency, setConcurrency] = useState(4);
  const [via, setVia] = useState<DriftReadVia>('engine-api');
  const [scans, setScans] = useState<DriftScanInfo[]>([]);
  const [scan, setScan] = useState<DriftScanInfo | null>(null);
  const [report, setReport] = useState<{ report: DriftReport; artifactId: string; containerId: string } | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  const [busy, setBusy] = useState(false);
  const effectiveHost = host || profiles[0]?.name || '';

  useEffect(() => {
    if (!effectiveHost) return;
    void client.invoke('inventory.list', { host: effectiveHost }).then((r) => {
      if (r.ok) setContainers(r.value.containers.filter((c) => c.state === 'running').map((c) => ({ id: c.id, name: c.name })));
    });
    void client.invoke('drift.list', { host: effectiveHost, limit: 50 }).then((r) => {
      if (r.ok) setScans(r.value);
    });
  }, [client, effectiveHost, epoch]);

  const applyScan = useCallback((next: DriftScanInfo) => {
    setScans((list) => [next, ...list.filter((s) => s.id !== next.id)]);
    setScan((shown) => (shown === null || shown.id === next.id ? next : shown));
  }, []);

  useEffect(() => {
    const offProgress = client.on('drift.progress', (event: DriftProgressEvent) => {
      setScan((shown) => {
        if (!shown || shown.id !== event.scanId) return shown;
        const containersNow = event.container
          ? shown.containers.map((c) => (c.containerId === event.container?.containerId ? event.container : c))
          : shown.containers;
        return { ...shown, state: event.state, done: event.done, total: event.total, containers: containersNow };
      });
    });
    const offEnded = client.on('drift.scan-ended', (info: DriftScanInfo) => applyScan(info));
    return () => {
      offProgress();
      offEnded();
    };
  }, [client, applyScan]);

  const start = async (all: boolean) => {
    setBusy(true);
    setError(null);
    const r = await client.invoke('drift.scan', {
      host: effectiveHost,
      containers: all ? 'all' : [...chosen],
      contentCapBytes: Math.round(capMiB * 1024 * 1024),
      concurrency,
      via,
    });
    setBusy(false);
    if (r.ok) {
      setScan(r.value);
      setScans((list) => [r.value, ...list]);
      setReport(null);
    } else setError(r.error);
  };

  const cancel = async () => {
    if (!scan) return;
    const r = await client.invoke('drift.cancel', { scanId: scan.id });
    if (!r.ok) setError(r.error);
  };

  const resume = async () => {
    if (!scan) return;
    const r = await client.invoke('drift.resume', { scanId: scan.id });
    if (r.ok) setScan(r.value);
    else setError(r.error);
  };

  const openReport = async (artifactId: string, containerId: string) => {
    const r = await client.invoke('drift.report', { artifactId });
    if (r.ok) setReport({ report: r.value, artifactId, containerId });
    else setError(r.error);
  };

  return (
    <section className="dd-view dd-drift" aria-label="Drift">
      <div className="dd-view-head">
        <h1>Drift</h1>
        <label className="dd-inline-label">
          Host
          <select value={effectiveHost} onChange={(e) => setHost(e.target.value)} aria-label="Host">
            {profiles.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        {effectiveHost && <HostLabel name={effectiveHost} state />}
        <span className="dd-muted">{current ? `case: ${visibleText(current.name, 80)}` : 'no case open: a scan needs one'}</span>
      </div>
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      <div className="dd-panel dd-drift-scanform">
        <div className="dd-drift-picklist" role="group" aria-label="Running containers">
          {containers.length === 0 && <span className="dd-muted">No running containers on this host.</span>}
          {containers.map((c) => (
            <label key={c.id} className="dd-check">
              <input
                type="checkbox"
                checked={chosen.has(c.id) || chosen.has(c.name)}
                onChange={() =>
                  setChosen((set) => {
                    const next = new Set(set);
                    if (next.has(c.id) || next.has(c.name)) {
                      next.delete(c.id);
                      next.delete(c.name);
                    } else next.add(c.id);
                    return next;
                  })
                }
              />
              <span className="dd-mono">{visibleText(c.name, 80)}</span>
            </label>
          ))}
        </div>
        <div className="dd-actions">
          <label className="dd-inline-label">
            Store files up to (MiB)
            <input
              type="number"
              min={0}
              max={1024}
              step={0.5}
              value={capMiB}
              onChange={(e) => setCapMiB(Math.max(0, Number(e.target.value) || 0))}
            />
          </label>
          <label className="dd-inline-label">
            At once
            <input
              type="number"
              min={1}
              max={32}
              value={concurrency}
              onChange={(e) => setConcurrency(Math.min(32, Math.max(1, Math.round(Number(e.target.value) || 1))))}
            />
          </label>
          <label
            className="dd-inline-label"
            title="Engine API: the engine's change list and archive endpoint, no container created on the host. Upper directories: one read-only helper reads the overlay2 directories (faster; finds changes with restored timestamps; recorded in the footprint)."
          >
            Read
            <select value={via} onChange={(e) => setVia(e.target.value as DriftReadVia)} aria-label="Read changes through">
              <option value="engine-api">engine API</option>
              <option value="upper-dir">upper directories (helper)</option>
              <option value="auto">upper directories where possible</option>
            </select>
          </label>
          {via !== 'engine-api' && (
            <span className="dd-muted" data-testid="drift-helper-note">
              creates a read-only helper container on the host (footprint recorded)
            </span>
          )}
          <button type="button" disabled={busy || !effectiveHost || chosen.size === 0} onClick={() => void start(false)}>
            Scan selected ({chosen.size})
          </button>
          <button type="button" disabled={busy || !effectiveHost} onClick={() => void start(true)}>
            Scan every running container
          </button>
          {scan?.state === 'running' && (
            <button type="button" onClick={() => void cancel()}>
              Cancel scan
            </button>
          )}
          {scan && (scan.state === 'cancelled' || scan.state === 'incomplete') && (
            <button type="button" onClick={() => void resume()}>
              Resume scan
            </button>
          )}
        </div>
        {scans.length > 0 && (
          <label className="dd-inline-label">
            Scans
            <select
              value={scan?.id ?? ''}
              onChange={(e) => {
                const picked = scans.find((s) => s.id === e.target.value) ?? null;
                setScan(picked);
                setReport(null);
              }}
              aria-label="Scans"
            >
              <option value="">—</option>
              {scans.map((s) => (
                <option key={s.id} value={s.id}>
                  {utc(s.startedAt)} · {s.state} · {s.total} containers
                  {s.containers.some((c) => c.readFrom === 'upper-dir') ? ' · upper directories' : ''}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {!scan && (
        <div className="dd-empty-state" data-testid="drift-empty">
          <p>
            Drift compares each running container&apos;s filesystem against its image, without running anything in the container: files
            added, changed or deleted, with their hashes; new executables and setuid bits; package databases, credentials and persistence
            files; configuration drift; and the mounts the engine&apos;s diff cannot see.
          </p>
          <ul>
            <li>
              <b>Scan selected</b> or <b>Scan every running container</b> stores one report per container in the open case and ranks the
              containers by what they changed.
            </li>
            <li>
              <b>Read</b>: the <i>engine API</i> (the default) asks the engine for each container&apos;s change list and files and creates
              nothing on the host, but misses a file rewritten with its size and time put back; the <i>upper directories</i> are read by one
              read-only helper container Drydock creates on the host (recorded in the case&apos;s footprint and removed after): faster, and
              it sees those files too.
            </li>
            <li>
              <b>Store files up to</b>: the content of a changed file up to this size is kept; a larger one is hashed only and can be
              acquired from its entry later. New executables, scripts and credential files are kept up to 256 MiB whatever this says.
            </li>
            <li>
              <b>At once</b>: how many containers are read in parallel.
            </li>
          </ul>
        </div>
      )}
      {scan && <HostSummary scan={scan} selected={report?.containerId ?? null} onOpen={(a, c) => void openReport(a, c)} />}
      {report && <ContainerReport key={report.artifactId} report={report.report} artifactId={report.artifactId} />}
    </section>
  );
}
