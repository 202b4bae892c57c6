import { useState } from 'react';
import type { HostProfile, HostStatus } from '../../../../shared/domain/hosts';
import { useApp } from '../../shell/app-context';
import { HostLabel } from '../../shell/HostLabel';
import { tlsVerifyOff, useHosts } from '../../shell/hosts-context';
import type { ViewProps } from '../view-types';
import { HostInventory } from './HostInventory';
import type { SortOrder } from './inventory-rows';
import './inventory.css';

function defaultHost(profiles: readonly HostProfile[], status: ReadonlyMap<string, HostStatus>): string {
  const connected = profiles.find((p) => status.get(p.name)?.state === 'connected');
  return (connected ?? profiles[0])?.name ?? '';
}

/**
 * Every container on one host, riskiest first, kept live from the engine's event stream. The
 * filter and sort survive switching hosts; the table itself belongs to the host.
 */
export function InventoryView({ params, visit }: ViewProps) {
  const { navigate } = useApp();
  const { profiles, status } = useHosts();
  const [chosen, setChosen] = useState(params.host ?? '');
  const [seenVisit, setSeenVisit] = useState(visit);
  const [filter, setFilter] = useState('');
  const [flaggedOnly, setFlaggedOnly] = useState(false);
  const [sort, setSort] = useState<SortOrder>({ key: 'severity', descending: false });

  // Opened from another view on a given host: follow it.
  if (visit !== seenVisit) {
    setSeenVisit(visit);
    if (params.host) setChosen(params.host);
  }
  const host = chosen || defaultHost(profiles, status);

  return (
    <section className="dd-view dd-inventory" aria-label="Inventory">
      <div className="dd-view-head">
        <h1>Inventory</h1>
        <label className="dd-inline-label">
          Host
          <select value={host} onChange={(e) => setChosen(e.target.value)} aria-label="Host">
            {host === '' && <option value="">— none saved —</option>}
            {profiles.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name} ({status.get(p.name)?.state ?? 'disconnected'}){tlsVerifyOff(p) ? ' — TLS verification OFF' : ''}
              </option>
            ))}
          </select>
        </label>
        {host && <HostLabel name={host} state />}
      </div>
      {host ? (
        <HostInventory
          key={host}
          host={host}
          filter={filter}
          onFilter={setFilter}
          flaggedOnly={flaggedOnly}
          onFlaggedOnly={setFlaggedOnly}
          sort={sort}
          onSort={(key) => setSort((s) => (s.key === key ? { key, descending: !s.descending } : { key, descending: false }))}
        />
      ) : (
        <div className="dd-hint">
          No host saved yet.{' '}
          <button type="button" className="dd-link" onClick={() => navigate('hosts')}>
            Add one on the Hosts view
          </button>
        </div>
      )}
    </section>
  );
}
