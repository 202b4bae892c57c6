import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { GRAPH_POSITIONS_MAX } from '../../../../shared/contract/network';
import type { GraphNode, GraphPosition } from '../../../../shared/domain/network';
import { useAsyncAction } from '../../lib/use-async';
import { utc } from '../../lib/format';
import { useApp, useLiveEpoch } from '../../shell/app-context';
import { useCases } from '../../shell/case-context';
import { ErrorBox } from '../../shell/ErrorBox';
import { useHosts } from '../../shell/hosts-context';
import { useNotify } from '../../shell/toasts';
import { useViewActive } from '../../shell/view-activity';
import { visibleText } from '../processes/visible-text';
import type { ViewProps } from '../view-types';
import type { Selection } from './graph-canvas';
import { GraphCanvasPanel } from './GraphCanvasPanel';
import { GraphDetail } from './GraphDetail';
import { GraphEdgeList } from './GraphEdgeList';
import { GraphLegend } from './GraphLegend';
import { GraphSwarmPanel } from './GraphSwarmPanel';
import {
  DEFAULT_FILTERS,
  filterGraph,
  isFlagged,
  networksOf,
  searchGraph,
  swarmRegions,
  toCanvasData,
  type GraphFilters,
} from './graph-model';
import { useNetworkWatch } from './use-network-watch';
import './graph.css';

const ALL_HOSTS = '*';

/**
 * Who talks to whom, live: the connection graph of one host or of every connected host, with
 * filters, search, a legend and the detail of whatever is clicked. The layout keeps every node
 * where it was across refreshes; only what is new moves.
 */
export function GraphView({ params, visit }: ViewProps) {
  const { client, navigate } = useApp();
  const notify = useNotify();
  const epoch = useLiveEpoch();
  const { profiles, status } = useHosts();
  const [chosen, setChosen] = useState(params.host ?? '');
  const [seenVisit, setSeenVisit] = useState(visit);
  // Off on first open: every live refresh starts helper containers on the host under investigation.
  const [live, setLive] = useState(false);
  const active = useViewActive();
  // Leaving the view stops the live refresh; coming back does not restart it behind the user's back.
  if (!active && live) setLive(false);
  const [reloadKey, setReloadKey] = useState(0);
  const [filters, setFilters] = useState<GraphFilters>(DEFAULT_FILTERS);
  const [query, setQuery] = useState('');
  const [selection, setSelection] = useState<Selection>(null);
  const [focus, setFocus] = useState<{ id: string; seq: number } | null>(null);
  const [pendingFocus, setPendingFocus] = useState<string | null>(params.container ?? null);
  // The Swarm cluster the chosen host manages: its nodes drawn as groups, overlay networks between them.
  const [clusterMode, setClusterMode] = useState(params.cluster === true);

  if (visit !== seenVisit) {
    setSeenVisit(visit);
    if (params.host) setChosen(params.host);
    if (params.host) setClusterMode(params.cluster === true);
    if (params.container) setPendingFocus(params.container);
  }
  const connected = profiles.filter((p) => status.get(p.name)?.state === 'connected');
  const host = chosen || connected[0]?.name || profiles[0]?.name || '';
  const watchHost = host === ALL_HOSTS ? '' : host;
  const asCluster = clusterMode && watchHost !== '';
  const watch = useNetworkWatch(client, watchHost, live && active && host !== '', epoch, reloadKey, active, asCluster);
  // Stopped elsewhere (the header's Stop, an expired lease, failures): Live shows it is off.
  if (live && watch.ended) setLive(false);
  const snapshot = watch.snapshot;

  const nodesById = useMemo(() => new Map((snapshot?.nodes ?? []).map((n) => [n.id, n])), [snapshot]);
  const visible = useMemo(() => filterGraph(snapshot, filters), [snapshot, filters]);
  const canvasData = useMemo(() => toCanvasData(visible.nodes, visible.edges), [visible]);
  const swarm = asCluster ? snapshot?.swarm : undefined;
  const regions = useMemo(() => swarmRegions(swarm, new Set(visible.nodes.map((n) => n.id))), [swarm, visible]);
  const matches = useMemo(() => searchGraph(visible.nodes, query), [visible, query]);
  const networks = useMemo(() => networksOf(snapshot), [snapshot]);
  const flagged = useMemo(() => (snapshot?.nodes ?? []).filter(isFlagged).length, [snapshot]);
  const pending = useMemo(() => (snapshot?.hosts ?? []).reduce((n, h) => n + h.pending, 0), [snapshot]);

  // Opened from another view for a container: select it once it is in the graph.
  if (pendingFocus && snapshot) {
    const target = snapshot.nodes.find((n) => n.containerId === pendingFocus || n.label === pendingFocus || n.id === pendingFocus);
    setPendingFocus(null);
    if (target) {
      setSelection({ kind: 'node', id: target.id });
      setFocus((f) => ({ id: target.id, seq: (f?.seq ?? 0) + 1 }));
    }
  }

  const record = useAsyncAction(
    useCallback(
      () =>
        client.invoke('network.snapshot', {
          ...(asCluster ? { cluster: watchHost } : watchHost ? { host: watchHost } : {}),
          record: true,
        }),
      [client, watchHost, asCluster],
    ),
  );
  const onRecord = async () => {
    const result = await record.run();
    if (result.ok && result.value.stored) notify.ok(`Connection snapshot stored as artifact ${result.value.stored.artifactId}`);
  };

  const onSearchKey = (key: string) => {
    if (key !== 'Enter') return;
    const first = [...matches][0];
    if (!first) return;
    setSelection({ kind: 'node', id: first });
    setFocus((f) => ({ id: first, seq: (f?.seq ?? 0) + 1 }));
  };

  const open = (view: 'processes' | 'capture') => (node: GraphNode) => {
    if (node.host && node.containerId)
      navigate(view, { host: node.host, container: node.containerId, ...(view === 'processes' ? { run: true } : {}) });
  };

  const onLive = (on: boolean) => {
    setLive(on);
    // A new run of the watch: its own key, so the end of the previous one is not taken for it.
    if (on) setReloadKey((k) => k + 1);
  };

  const { cases, current: currentCase, loaded: casesLoaded } = useCases();
  const caseName = (id: string) => cases.find((c) => c.id === id)?.name ?? id;
  const caseId = currentCase?.id ?? null;
  const stored = useStoredPositions(client, caseId, casesLoaded);
  const saveLayout = useSaveLayout(client, caseId);

  const set = <K extends keyof GraphFilters>(key: K, value: GraphFilters[K]) => setFilters((f) => ({ ...f, [key]: value }));

  return (
    <section className="dd-view dd-graph" aria-label="Connections">
      <div className="dd-view-head">
        <h1>Connections</h1>
        <label className="dd-inline-label">
          Host
          <select value={host} onChange={(e) => setChosen(e.target.value)} aria-label="Host">
            {host === '' && <option value="">— none saved —</option>}
            {profiles.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name} ({status.get(p.name)?.state ?? 'disconnected'})
              </option>
            ))}
            {profiles.length > 1 && <option value={ALL_HOSTS}>Every connected host</option>}
          </select>
        </label>
        <label className="dd-check">
          <input
            type="checkbox"
            checked={clusterMode}
            disabled={host === ALL_HOSTS}
            onChange={(e) => setClusterMode(e.target.checked)}
            title="The host is a Swarm manager: read every node of its swarm (through the saved profiles that answer as them), draw each node as a group with its tasks inside and overlay networks between nodes"
          />{' '}
          Swarm cluster
        </label>
        <label className="dd-check">
          <input
            type="checkbox"
            checked={live}
            onChange={(e) => onLive(e.target.checked)}
            title="Each refresh starts short-lived helper containers on the host; stops when you leave this view"
          />{' '}
          Live (every 5 s)
        </label>
        <button
          type="button"
          className="dd-small"
          onClick={() => setReloadKey((k) => k + 1)}
          disabled={!host || watch.loading}
          title="Read every namespace again now"
        >
          Refresh
        </button>
        <span
          className="dd-muted dd-small-text"
          data-testid="graph-recorded"
          title={watch.recorded ? `artifact ${watch.recorded.artifactId}` : undefined}
        >
          {watch.recorded ? `first look recorded in case ${visibleText(caseName(watch.recorded.caseId), 80)}` : 'not recorded'}
        </span>
        <button
          type="button"
          className="dd-small"
          onClick={() => void onRecord()}
          disabled={!host || record.busy}
          title="Store this graph and the socket tables behind it in the current case"
        >
          {record.busy ? 'Recording…' : 'Record snapshot'}
        </button>
        <span className="dd-muted dd-graph-status" data-testid="graph-status">
          {watch.loading && !snapshot
            ? 'Reading socket tables…'
            : snapshot
              ? `${swarm ? `${swarm.nodes.length} Swarm nodes, ${swarm.overlays.length} overlays · ` : ''}${snapshot.nodes.length} nodes, ${snapshot.edges.length} edges · ${flagged} flagged · ${utc(snapshot.takenAt)}${pending ? ` · ${pending} namespaces still to read` : ''}${live && watch.watchId ? ' · live' : ''}`
              : ''}
        </span>
      </div>
      {record.error && <ErrorBox error={record.error} onDismiss={record.clearError} />}
      {watch.error && <ErrorBox error={watch.error} />}
      {!host && (
        <div className="dd-hint">
          No host saved yet.{' '}
          <button type="button" className="dd-link" onClick={() => navigate('hosts')}>
            Add one on the Hosts view
          </button>
        </div>
      )}
      <div className="dd-toolbar dd-graph-toolbar" role="toolbar" aria-label="Graph filters">
        <input
          type="search"
          placeholder="Search name, image, IP, network…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => onSearchKey(e.key)}
          aria-label="Search the graph"
        />
        {query && (
          <span className="dd-muted">
            {matches.size} match{matches.size === 1 ? '' : 'es'}
          </span>
        )}
        <label className="dd-inline-label">
          Network
          <select value={filters.network} onChange={(e) => set('network', e.target.value)} aria-label="Network filter">
            <option value="">all</option>
            {networks.map((n) => (
              <option key={n} value={n}>
                {visibleText(n, 60)}
              </option>
            ))}
          </select>
        </label>
        <label className="dd-inline-label">
          Protocol
          <select
            value={filters.protocol}
            onChange={(e) => set('protocol', e.target.value as GraphFilters['protocol'])}
            aria-label="Protocol filter"
          >
            <option value="all">all</option>
            <option value="tcp">TCP</option>
            <option value="udp">UDP</option>
          </select>
        </label>
        <label className="dd-check">
          <input type="checkbox" checked={filters.onlyExternal} onChange={(e) => set('onlyExternal', e.target.checked)} /> Only external
        </label>
        <label className="dd-check">
          <input type="checkbox" checked={filters.onlyFlagged} onChange={(e) => set('onlyFlagged', e.target.checked)} /> Only flagged
        </label>
        <label className="dd-check">
          <input type="checkbox" checked={filters.showStopped} onChange={(e) => set('showStopped', e.target.checked)} /> Stopped containers
        </label>
      </div>
      {snapshot && snapshot.hosts.some((h) => h.error || h.failed > 0) && (
        <div className="dd-warnbox" role="status">
          {snapshot.hosts.map((h) =>
            h.error ? (
              <div key={h.host}>
                Host {visibleText(h.host, 80)} could not be read: {visibleText(h.error.message, 400)}
              </div>
            ) : h.failed > 0 ? (
              <div key={h.host}>
                Host {visibleText(h.host, 80)}: {h.failed} namespace{h.failed === 1 ? '' : 's'} could not be read (see the node detail).
              </div>
            ) : null,
          )}
        </div>
      )}
      <div className="dd-graph-body">
        <GraphCanvasPanel
          nodes={canvasData.nodes}
          edges={canvasData.edges}
          regions={regions}
          highlighted={matches}
          selection={selection}
          focus={focus}
          stored={stored}
          onSelect={setSelection}
          onRest={saveLayout}
        />
        <div className="dd-graph-side">
          {selection ? (
            <GraphDetail
              selection={selection}
              nodes={nodesById}
              edges={snapshot?.edges ?? []}
              onClose={() => setSelection(null)}
              onSelect={(s) => {
                setSelection(s);
                if (s?.kind === 'node') setFocus((f) => ({ id: s.id, seq: (f?.seq ?? 0) + 1 }));
              }}
              onProcesses={open('processes')}
              onCapture={open('capture')}
            />
          ) : (
            <div className="dd-muted dd-graph-hint" data-testid="graph-intro">
              <p>
                Shows who talks to whom: each container&apos;s sockets, read from its network namespace by a short-lived helper container
                Drydock starts and removes on the host (nothing runs in the containers). Opening the view reads them once, Refresh reads
                again, Live every 5 s while this view is open.
              </p>
              <p>Click a node or a connection for its detail. Drag to pan, wheel to zoom, drag a node to pin it (double-click frees it).</p>
            </div>
          )}
          {swarm && (
            <GraphSwarmPanel
              swarm={swarm}
              onSelectNode={(id) => {
                setSelection({ kind: 'node', id });
                setFocus((f) => ({ id, seq: (f?.seq ?? 0) + 1 }));
              }}
            />
          )}
          <GraphEdgeList edges={visible.edges} nodes={nodesById} selection={selection} onSelect={setSelection} />
          <GraphLegend nodes={visible.nodes} />
          {snapshot && snapshot.limitations.length > 0 && (
            <ul className="dd-plain dd-muted dd-small-text">
              {snapshot.limitations.map((l, i) => (
                <li key={i}>{visibleText(l, 400)}</li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

type Client = ReturnType<typeof useApp>['client'];
type Positions = ReadonlyMap<string, { x: number; y: number }>;

/**
 * The layout positions stored for the current case (a warm start), read once per case; null until
 * they are read. A case with none, or a failed read, gives an empty map: the layout starts cold.
 */
function useStoredPositions(client: Client, caseId: string | null, casesLoaded: boolean): Positions | null {
  const [stored, setStored] = useState<{ caseId: string | null; positions: Positions } | null>(null);
  useEffect(() => {
    if (!casesLoaded || caseId === null) return undefined;
    let gone = false;
    void client.invoke('network.graph-positions.load', { caseRef: caseId }).then((result) => {
      if (gone) return;
      const positions = new Map<string, { x: number; y: number }>();
      if (result.ok) for (const p of result.value.positions) positions.set(p.id, { x: p.x, y: p.y });
      setStored({ caseId, positions });
    });
    return () => {
      gone = true;
    };
  }, [client, caseId, casesLoaded]);
  if (casesLoaded && caseId === null) return NO_POSITIONS;
  return stored && stored.caseId === caseId ? stored.positions : null;
}

const NO_POSITIONS: Positions = new Map();

/** Largest coordinate the contract accepts (world units). */
const MAX_COORDINATE = 1e7;
const MAX_ID_LENGTH = 1024;

/**
 * Stores the layout in the current case each time it comes to rest (nothing with no case
 * selected, nor when no node moved since the last save). A failed save costs only the next warm start.
 */
function useSaveLayout(client: Client, caseId: string | null): (positions: Map<string, { x: number; y: number }>) => void {
  const last = useRef<{ caseId: string; positions: Map<string, { x: number; y: number }> } | null>(null);
  return useCallback(
    (positions: Map<string, { x: number; y: number }>) => {
      if (caseId === null) return;
      const before = last.current?.caseId === caseId ? last.current.positions : null;
      const list: GraphPosition[] = [];
      for (const [id, p] of positions) {
        if (list.length >= GRAPH_POSITIONS_MAX) break;
        if (id.length > MAX_ID_LENGTH || !(Math.abs(p.x) <= MAX_COORDINATE && Math.abs(p.y) <= MAX_COORDINATE)) continue;
        const was = before?.get(id);
        if (was && was.x === p.x && was.y === p.y) continue;
        list.push({ id, x: p.x, y: p.y });
      }
      if (!list.length) return;
      last.current = { caseId, positions };
      void client.invoke('network.graph-positions.save', { caseRef: caseId, positions: list });
    },
    [client, caseId],
  );
}
