import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ContainerSummary, InventorySnapshot } from '../../../../shared/domain/inventory';
import type { DrydockError, Result } from '../../../../shared/result';
import { utc } from '../../lib/format';
import { useApp, useLiveEpoch } from '../../shell/app-context';
import { useCases } from '../../shell/case-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { useHosts } from '../../shell/hosts-context';
import { useNotify } from '../../shell/toasts';
import { visibleText } from '../processes/visible-text';
import { ContainerDetail } from './ContainerDetail';
import {
  applyChange,
  displayName,
  matchesFilter,
  mergeSnapshot,
  sortRows,
  type InventoryRow,
  type SortKey,
  type SortOrder,
} from './inventory-rows';
import { InventoryTable } from './InventoryTable';

interface Props {
  host: string;
  filter: string;
  onFilter: (value: string) => void;
  flaggedOnly: boolean;
  onFlaggedOnly: (value: boolean) => void;
  sort: SortOrder;
  onSort: (key: SortKey) => void;
}

const FLASH_MS = 2500;

/**
 * Hosts whose first listing of this page session was recorded: the first look at a host during an
 * investigation is evidence (into the current case, or an ad-hoc one the core opens); the live
 * updates after it are not, until the examiner records another snapshot.
 */
const recordedThisSession = new Set<string>();

/** One host's containers: listed on connect (and after any reconnect), then patched by live events. */
export function HostInventory({ host, filter, onFilter, flaggedOnly, onFlaggedOnly, sort, onSort }: Props) {
  const { client, navigate } = useApp();
  const notify = useNotify();
  const epoch = useLiveEpoch();
  const { status } = useHosts();
  const { current: currentCase } = useCases();
  const [rows, setRows] = useState<Map<string, InventoryRow>>(new Map());
  const [takenAt, setTakenAt] = useState<string | null>(null);
  const [stored, setStored] = useState<{ caseId: string; artifactId: string; at: string } | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  const [busy, setBusy] = useState<null | 'refresh' | 'record'>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [flashing, setFlashing] = useState<ReadonlySet<string>>(new Set());
  // Drydock's own helper containers are not the host's: hidden unless asked for, then greyed.
  const [showHelpers, setShowHelpers] = useState(false);
  const filterRef = useRef<HTMLInputElement>(null);
  const hostStatus = status.get(host);
  const hostState = hostStatus?.state;

  const apply = useCallback((r: Result<InventorySnapshot>) => {
    if (!r.ok) return setError(r.error);
    setError(null);
    setTakenAt(r.value.takenAt);
    if (r.value.stored) setStored({ ...r.value.stored, at: r.value.takenAt });
    setRows((prev) => mergeSnapshot(prev, r.value.containers));
  }, []);

  const caseReadOnly = currentCase !== null && (currentCase.readOnly || currentCase.status === 'closed');
  useEffect(() => {
    if (hostState !== 'connected') return;
    // A read-only or closed current case is left alone: the examiner records into a case of their own.
    const record = !recordedThisSession.has(host) && !caseReadOnly;
    if (record) recordedThisSession.add(host);
    void client.invoke('inventory.list', { host, record, includeHelpers: showHelpers }).then(apply);
  }, [client, host, hostState, apply, epoch, caseReadOnly, showHelpers]);

  useEffect(() => {
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const off = client.on('inventory.changed', (change) => {
      if (change.host !== host) return;
      setRows((prev) => applyChange(prev, change, Date.now()));
      setFlashing((prev) => new Set(prev).add(change.containerId));
      const timer = setTimeout(() => {
        timers.delete(timer);
        setFlashing((prev) => {
          const next = new Set(prev);
          next.delete(change.containerId);
          return next;
        });
      }, FLASH_MS);
      timers.add(timer);
    });
    return () => {
      off();
      for (const t of timers) clearTimeout(t);
    };
  }, [client, host]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
      if (!filterRef.current?.offsetParent) return;
      event.preventDefault();
      filterRef.current.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const visible = useMemo(
    () =>
      sortRows(
        [...rows.values()].filter(
          (r) => (showHelpers || r.container.helper !== true) && (!flaggedOnly || r.container.risks.length > 0) && matchesFilter(r, filter),
        ),
        sort,
      ),
    [rows, flaggedOnly, filter, sort, showHelpers],
  );
  const counts = useMemo(() => {
    // Counts describe the host: Drydock's helpers are never among them.
    const live = [...rows.values()].filter((r) => !r.removed && r.container.helper !== true);
    return {
      total: live.length,
      running: live.filter((r) => r.container.state === 'running').length,
      flagged: live.filter((r) => r.container.risks.length > 0).length,
      critical: live.filter((r) => r.container.topSeverity === 'critical').length,
      removed: [...rows.values()].filter((r) => r.removed && r.container.helper !== true).length,
    };
  }, [rows]);
  const selected = selectedId ? (rows.get(selectedId) ?? null) : null;

  const list = async (record: boolean) => {
    setBusy(record ? 'record' : 'refresh');
    const r = await client.invoke('inventory.list', { host, record, includeHelpers: showHelpers });
    setBusy(null);
    apply(r);
    if (r.ok && record)
      notify.ok(
        `Inventory of ${host} (${r.value.containers.length} containers) recorded in case ${r.value.stored && currentCase?.id !== r.value.stored.caseId ? r.value.stored.caseId : (currentCase?.name ?? '')}`,
      );
  };
  // "Processes…" takes the snapshot on arrival; "Capture…" only fills in the target (a capture runs a helper on the host).
  const open = (view: 'processes' | 'capture', c: ContainerSummary) =>
    navigate(view, { host, container: displayName(c), ...(view === 'processes' ? { run: true } : {}) });
  const connected = hostState === 'connected';

  return (
    <>
      <div className="dd-toolbar-row">
        <input
          ref={filterRef}
          type="search"
          className="dd-filter"
          placeholder="Filter: name, image, ID, flag, IP, port…   ( / )"
          value={filter}
          onChange={(e) => onFilter(e.target.value)}
          aria-label="Filter containers"
          spellCheck={false}
        />
        <label className="dd-check">
          <input type="checkbox" checked={flaggedOnly} onChange={(e) => onFlaggedOnly(e.target.checked)} />
          Flagged only
        </label>
        <label
          className="dd-check"
          title="Drydock's own short-lived containers (capture, sockets, export), recognised by the IDs Drydock recorded when it created them"
        >
          <input type="checkbox" checked={showHelpers} onChange={(e) => setShowHelpers(e.target.checked)} data-testid="show-helpers" />
          Show Drydock helpers
        </label>
        <span className="dd-inv-counts" data-testid="inventory-counts">
          <b>{counts.total}</b> containers · <b>{counts.running}</b> running ·{' '}
          <b className={counts.flagged ? 'dd-warn-text' : ''}>{counts.flagged}</b> flagged ·{' '}
          <b className={counts.critical ? 'dd-bad' : ''}>{counts.critical}</b> critical
          {counts.removed > 0 && <> · {counts.removed} removed</>}
          {visible.length !== counts.total + counts.removed && <> · {visible.length} shown</>}
        </span>
        <span className="dd-spacer" />
        <span className="dd-muted dd-small-text" data-testid="inventory-recorded">
          {takenAt ? `listed ${utc(takenAt)}` : ''}
          {stored
            ? ` · snapshot of ${utc(stored.at)} recorded in case ${visibleText(currentCase?.id === stored.caseId ? currentCase.name : stored.caseId, 80)}`
            : takenAt
              ? ' · not recorded'
              : ''}
        </span>
        <button type="button" onClick={() => void list(false)} disabled={!connected || busy !== null}>
          {busy === 'refresh' ? 'Refreshing…' : 'Refresh'}
        </button>
        <button
          type="button"
          className="dd-primary"
          onClick={() => void list(true)}
          disabled={!connected || busy !== null}
          title={
            caseReadOnly
              ? 'The current case is closed or read-only: recording opens an ad-hoc case for this host and today'
              : 'Store this listing as an inventory-snapshot artifact in the current case (an ad-hoc case is opened when none is)'
          }
        >
          {busy === 'record' ? 'Recording…' : 'Record snapshot'}
        </button>
      </div>
      {!connected && (
        <div className="dd-hint" role="status">
          {visibleText(host, 64)} is {hostState ?? 'disconnected'}
          {hostStatus?.lastError && <> ({visibleText(hostStatus.lastError.message, 300)})</>}.{' '}
          {rows.size > 0 ? 'The table shows the last listing received.' : 'Connect it to list its containers.'}{' '}
          <button type="button" className="dd-link" onClick={() => navigate('hosts')}>
            Hosts…
          </button>
        </div>
      )}
      {error && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      <div className={`dd-inv-body${selected ? ' dd-inv-body-split' : ''}`}>
        <div className="dd-panel dd-inv-tablewrap">
          <InventoryTable rows={visible} selectedId={selectedId} flashing={flashing} sort={sort} onSort={onSort} onSelect={setSelectedId} />
          {rows.size > 0 && visible.length === 0 && <div className="dd-empty">No container matches the filter.</div>}
          {rows.size === 0 && connected && takenAt && <div className="dd-empty">No container on this host.</div>}
        </div>
        {selected && (
          <ContainerDetail
            row={selected}
            onClose={() => setSelectedId(null)}
            onProcesses={(c) => open('processes', c)}
            onCapture={(c) => open('capture', c)}
          />
        )}
      </div>
    </>
  );
}
