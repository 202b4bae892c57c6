import { useMemo, useState } from 'react';
import type { Flow, FlowEndpoint, FlowSummary } from '../../../../shared/domain/capture';
import { visibleText } from '../processes/visible-text';

type SortKey = 'bytes' | 'packets' | 'first' | 'client' | 'server';

function endpoint(e: FlowEndpoint): string {
  if (e.port === null) return e.ip;
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function sorter(key: SortKey): (a: Flow, b: Flow) => number {
  switch (key) {
    case 'bytes':
      return (a, b) => b.bytesToServer + b.bytesToClient - (a.bytesToServer + a.bytesToClient);
    case 'packets':
      return (a, b) => b.packetsToServer + b.packetsToClient - (a.packetsToServer + a.packetsToClient);
    case 'first':
      return (a, b) => a.firstSeen.localeCompare(b.firstSeen);
    case 'client':
      return (a, b) => endpoint(a.client).localeCompare(endpoint(b.client));
    case 'server':
      return (a, b) => endpoint(a.server).localeCompare(endpoint(b.server));
  }
}

/** Conversations of a stored pcap, with the names seen on them (DNS, TLS SNI, HTTP Host). */
export function FlowSummaryTable({ summary }: { summary: FlowSummary }) {
  const [sort, setSort] = useState<SortKey>('bytes');
  const [filter, setFilter] = useState('');
  const flows = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const list = q
      ? summary.flows.filter((f) => `${f.protocol} ${endpoint(f.client)} ${endpoint(f.server)} ${f.tlsServerNames.join(' ')} ${f.httpHosts.join(' ')} ${f.dnsQueries.join(' ')}`.toLowerCase().includes(q))
      : summary.flows;
    return [...list].sort(sorter(sort)).slice(0, 2000);
  }, [summary, sort, filter]);
  const header = (key: SortKey, label: string) => (
    <th aria-sort={sort === key ? 'descending' : 'none'}>
      <button type="button" className="dd-link" onClick={() => setSort(key)}>
        {label}
      </button>
    </th>
  );
  return (
    <div className="dd-cap-summary">
      <div className="dd-cap-summary-head">
        <strong>
          {summary.packets} packets · {summary.flows.length} flows
        </strong>
        {summary.flowsNotListed > 0 && <span className="dd-muted"> (+{summary.flowsNotListed} flows not listed)</span>}
        <span className="dd-muted">
          {' '}
          · {summary.linkTypeName} · {summary.firstSeen ?? '—'} → {summary.lastSeen ?? '—'}
        </span>
        {summary.truncated && <span className="dd-sev-medium"> · file ends mid-packet</span>}
        <input type="search" placeholder="Filter flows…" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter flows" />
      </div>
      <table className="dd-table dd-cap-flows" aria-label="Flows">
        <thead>
          <tr>
            <th>Proto</th>
            {header('client', 'Client')}
            {header('server', 'Server')}
            {header('packets', 'Packets →/←')}
            {header('bytes', 'Bytes →/←')}
            {header('first', 'First / last seen')}
            <th>Names</th>
          </tr>
        </thead>
        <tbody>
          {flows.map((f) => (
            <tr key={`${f.protocol}|${endpoint(f.client)}|${endpoint(f.server)}`}>
              <td>{f.protocol}</td>
              <td className="dd-mono">{endpoint(f.client)}</td>
              <td className="dd-mono">{endpoint(f.server)}</td>
              <td className="dd-num">
                {f.packetsToServer} / {f.packetsToClient}
              </td>
              <td className="dd-num">
                {f.bytesToServer} / {f.bytesToClient}
              </td>
              <td className="dd-muted">
                {f.firstSeen.slice(11, 23)} – {f.lastSeen.slice(11, 23)}
              </td>
              <td>
                {f.tlsServerNames.map((n) => (
                  <span key={`sni-${n}`} className="dd-badge" title="TLS server name">
                    SNI {visibleText(n, 120)}
                  </span>
                ))}
                {f.httpHosts.map((n) => (
                  <span key={`host-${n}`} className="dd-badge" title="HTTP Host header">
                    Host {visibleText(n, 120)}
                  </span>
                ))}
                {f.dnsQueries.map((n) => (
                  <span key={`dns-${n}`} className="dd-badge" title="DNS query">
                    DNS {visibleText(n, 120)}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {summary.dns.length > 0 && (
        <table className="dd-table dd-cap-dns" aria-label="DNS">
          <thead>
            <tr>
              <th>DNS name</th>
              <th>Type</th>
              <th>Answers</th>
              <th>Queries</th>
            </tr>
          </thead>
          <tbody>
            {summary.dns.slice(0, 500).map((d) => (
              <tr key={`${d.name}|${d.type}`}>
                <td className="dd-mono">{visibleText(d.name, 255)}</td>
                <td>{d.type}</td>
                <td className="dd-mono">{d.answers.map((a) => visibleText(a, 255)).join(', ') || d.responseCode || '—'}</td>
                <td className="dd-num">{d.queries}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
