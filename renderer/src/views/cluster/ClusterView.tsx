import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { counted } from '../../../../shared/counted';
import type { ClusterNodeList, ClusterServiceList, ClusterTaskList } from '../../../../shared/domain/cluster';
import type { NodeEngine } from '../../../../shared/domain/replicas';
import type { DrydockError } from '../../../../shared/result';
import { useApp, useClient, useLiveEpoch } from '../../shell/app-context';
import type { AppClient } from '../../transport/app-client';
import { ErrorBox } from '../../shell/ErrorBox';
import { useHosts } from '../../shell/hosts-context';
import { visibleText } from '../processes/visible-text';
import type { ViewProps } from '../view-types';
import { QuarantineDialog } from '../quarantine/QuarantineDialog';
import { ClusterTriagePanel, ServiceTriagePanel } from './ClusterTriagePanels';
import { NodesTable, ServicesTable, TasksTable } from './ClusterTables';
import './cluster.css';

type Tab = 'nodes' | 'services' | 'tasks' | 'triage';

interface Listings {
  nodes: ClusterNodeList;
  services: ClusterServiceList;
  tasks: ClusterTaskList;
}

type Read = { ok: true; value: Listings } | { ok: false; error: DrydockError };

/** The manager's nodes, services and tasks, read together; the first failure when one fails. */
async function readListings(client: AppClient, host: string): Promise<Read> {
  const [nodes, services, tasks] = await Promise.all([
    client.invoke('cluster.nodes', { host }),
    client.invoke('cluster.services', { host }),
    client.invoke('cluster.tasks', { host }),
  ]);
  if (!nodes.ok) return nodes;
  if (!services.ok) return services;
  if (!tasks.ok) return tasks;
  return { ok: true, value: { nodes: nodes.value, services: services.value, tasks: tasks.value } };
}

/** Reloads after a burst of swarm events settles (a scale-up sends one event per replica). */
const RELOAD_DEBOUNCE_MS = 400;

/**
 * A Swarm as one of its managers knows it: nodes (and which saved profile reaches each), services,
 * tasks, kept live from the manager's event stream, with the replica comparison of one service or
 * of every service a click away. A host that is not a manager says so.
 */
export function ClusterView({ params }: ViewProps) {
  const client = useClient();
  const { navigate } = useApp();
  const epoch = useLiveEpoch();
  const { profiles } = useHosts();
  const [chosen, setChosen] = useState(params.host ?? '');
  const host = chosen || profiles[0]?.name || '';
  const [tab, setTab] = useState<Tab>('nodes');
  const [loaded, setListings] = useState<Listings | null>(null);
  const [engines, setEngines] = useState<NodeEngine[] | null>(null);
  const [error, setError] = useState<DrydockError | null>(null);
  const [loading, setLoading] = useState(false);
  const [taskFilter, setTaskFilter] = useState('');
  // A task to quarantine through this manager (its ID: the core resolves its node and container).
  const [quarantineTask, setQuarantineTask] = useState<{ id: string; name: string } | null>(null);
  const closeQuarantine = useCallback(() => setQuarantineTask(null), []);
  const [triageService, setTriageService] = useState<string | null>(null);
  const [triageRun, setTriageRun] = useState(0);
  const [changes, setChanges] = useState(0);
  const generation = useRef(0);

  /** Sets what one read of the listings gave, unless a later read has started since. */
  const apply = useCallback((mine: number, read: Read) => {
    if (mine !== generation.current) return;
    if (!read.ok) {
      setError(read.error);
      setListings(null);
    } else {
      setError(null);
      setListings(read.value);
    }
  }, []);

  const load = useCallback(async () => {
    if (!host) return;
    const mine = ++generation.current;
    apply(mine, await readListings(client, host));
  }, [apply, client, host]);

  const loadEngines = useCallback(async () => {
    if (!host) return;
    const r = await client.invoke('cluster.node-engines', { host });
    setEngines(r.ok ? r.value.engines : null);
  }, [client, host]);

  useEffect(() => {
    if (!host) return;
    const mine = ++generation.current;
    void readListings(client, host)
      .then((read) => apply(mine, read))
      .then(() => client.invoke('cluster.node-engines', { host }))
      .then((r) => setEngines(r.ok ? r.value.engines : null));
  }, [apply, client, host, epoch]);

  // Live: the manager's swarm events (nodes, services, secrets, configs) reload the listings.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = client.on('cluster.changed', (change) => {
      if (change.host !== host) return;
      setChanges((n) => n + 1);
      clearTimeout(timer);
      timer = setTimeout(() => void load(), RELOAD_DEBOUNCE_MS);
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [client, host, load]);

  // Until the chosen host's listings arrive, none are shown (not the previous host's).
  const listings = loaded && loaded.nodes.host === host ? loaded : null;
  const notManager = error?.kind === 'unsupported';
  const tasks = useMemo(
    () => (listings?.tasks.tasks ?? []).filter((t) => !taskFilter || t.serviceId === taskFilter),
    [listings, taskFilter],
  );
  const limitations = useMemo(() => {
    const all = [...(listings?.nodes.limitations ?? []), ...(listings?.services.limitations ?? []), ...(listings?.tasks.limitations ?? [])];
    return all.filter((l, i) => all.indexOf(l) === i);
  }, [listings]);

  const openTriage = (serviceName: string) => {
    setTriageService(serviceName);
    setTriageRun((n) => n + 1);
    setTab('triage');
  };

  return (
    <section className="dd-view dd-cluster" aria-label="Cluster">
      <div className="dd-view-head">
        <h1>Cluster · Swarm</h1>
      </div>
      <div className="dd-panel dd-inline-form">
        <select aria-label="Manager host" value={host} onChange={(e) => setChosen(e.target.value)}>
          {profiles.map((p) => (
            <option key={p.name} value={p.name}>
              {visibleText(p.name, 80)}
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={!host || loading}
          onClick={() => {
            setLoading(true);
            void load()
              .then(() => loadEngines())
              .finally(() => setLoading(false));
          }}
        >
          {loading ? 'Reading…' : 'Refresh'}
        </button>
        <button
          type="button"
          disabled={!host || !listings}
          onClick={() => navigate('graph', { host, cluster: true })}
          title="The Connections view of this swarm: each node a group with its tasks inside, overlay networks between nodes"
        >
          Connections graph
        </button>
        {listings && (
          <span className="dd-muted dd-small-text" data-testid="cluster-summary">
            swarm {visibleText(listings.nodes.clusterId, 40)} · {counted(listings.nodes.nodes.length, 'node')} ·{' '}
            {counted(listings.services.services.length, 'service')} · {counted(listings.tasks.tasks.length, 'task')} · as manager{' '}
            {visibleText(listings.nodes.host, 80)} knew them at {listings.nodes.takenAt} · live
            {changes ? ` (${changes} change${changes === 1 ? '' : 's'} seen)` : ''}
          </span>
        )}
      </div>
      {!host && (
        <div className="dd-panel dd-empty">Add a host profile for one of the swarm&apos;s managers (Hosts view) to see its cluster.</div>
      )}
      {notManager && error && (
        <div className="dd-panel dd-warnbox" role="status" data-testid="cluster-not-manager">
          <b>{visibleText(host, 80)} is not a Swarm manager.</b> {visibleText(error.message, 600)}
          <div className="dd-muted dd-small-text">
            Only a manager knows the cluster&apos;s nodes, services and tasks: choose a host profile for one of its managers.
          </div>
        </div>
      )}
      {error && !notManager && <ErrorBox error={error} onDismiss={() => setError(null)} />}
      {listings && (
        <>
          <div className="dd-actions dd-cluster-tabs" role="tablist" aria-label="Cluster sections">
            {(['nodes', 'services', 'tasks', 'triage'] as const).map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                aria-selected={tab === t}
                className={tab === t ? 'dd-selected' : ''}
                onClick={() => setTab(t)}
              >
                {t === 'nodes'
                  ? `Nodes (${listings.nodes.nodes.length})`
                  : t === 'services'
                    ? `Services (${listings.services.services.length})`
                    : t === 'tasks'
                      ? `Tasks (${listings.tasks.tasks.length})`
                      : 'Triage'}
              </button>
            ))}
          </div>
          {limitations.map((l) => (
            <div key={l} className="dd-panel dd-warn-text dd-small-text">
              {visibleText(l, 600)}
            </div>
          ))}
          {tab === 'nodes' && <NodesTable nodes={listings.nodes.nodes} engines={engines} onMapped={() => void loadEngines()} />}
          {tab === 'services' && (
            <ServicesTable
              services={listings.services.services}
              onTasks={(id) => {
                setTaskFilter(id);
                setTab('tasks');
              }}
              onTriage={openTriage}
            />
          )}
          {tab === 'tasks' && (
            <div className="dd-panel">
              <div className="dd-inline-form">
                <select aria-label="Service filter" value={taskFilter} onChange={(e) => setTaskFilter(e.target.value)}>
                  <option value="">every service</option>
                  {listings.services.services.map((s) => (
                    <option key={s.id} value={s.id}>
                      {visibleText(s.name, 80)}
                    </option>
                  ))}
                </select>
                <span className="dd-muted dd-small-text">{counted(tasks.length, 'task')}, current and the history the manager keeps</span>
              </div>
              <TasksTable tasks={tasks} onQuarantine={(t) => setQuarantineTask({ id: t.id, name: t.name })} />
            </div>
          )}
          <div className="dd-cluster-triage" hidden={tab !== 'triage'}>
            <ServiceTriagePanel
              host={host}
              services={listings.services.services}
              service={triageService}
              onService={setTriageService}
              run={triageRun}
            />
            <ClusterTriagePanel host={host} />
          </div>
        </>
      )}
      {quarantineTask && host && (
        <QuarantineDialog
          client={client}
          host={host}
          container={quarantineTask.id}
          containerName={quarantineTask.name}
          onClose={closeQuarantine}
        />
      )}
    </section>
  );
}
