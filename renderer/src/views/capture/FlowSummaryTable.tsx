import { useMemo, useState } from 'react';
import type { FlowSummary } from '../../../../shared/domain/capture';
import { bytes, utc } from '../../lib/format';
import { visibleText } from '../processes/visible-text';
import { conversations, endpointText, portsText, type Conversation } from './conversations';

type SortKey = 'bytes' | 'packets' | 'first' | 'client' | 'server' | 'connections';

function sorter(key: SortKey): (a: Conversation, b: Conversation) => number {
  switch (key) {
    case 'bytes':
      return (a, b) => b.bytesToServer + b.bytesToClient - (a.bytesToServer + a.bytesToClient);
    case 'packets':
      return (a, b) => b.packetsToServer + b.packetsToClient - (a.packetsToServer + a.packetsToClient);
    case 'connections':
      return (a, b) => b.connections - a.connections;
    case 'first':
      return (a, b) => a.firstSeen.localeCompare(b.firstSeen);
    case 'client':
      return (a, b) => a.clientIp.localeCompare(b.clientIp);
    case 'server':
      return (a, b) => endpointText(a.server).localeCompare(endpointText(b.server));
  }
}

/** A container's name over its address, where the inventory knows the address. */
function Endpoint({ ip, port, names }: { ip: string; port?: number | null; names: ReadonlyMap<string, string> }) {
  const name = names.get(ip);
  const address = port === undefined ? ip : endpointText({ ip, port });
  return (
    <span className="dd-cap-endpoint">
      {name && <span className="dd-cap-endpoint-name">{visibleText(name, 80)}</span>}
      <span className={`dd-mono${name ? ' dd-muted' : ''}`}>{address}</span>
    </span>
  );
}

/**
 * Conversations of a stored pcap (one row per client, server and service, however many
 * connections), endpoints named by container where the host's inventory knows the address, with
 * the names seen on them (DNS, TLS SNI, HTTP Host).
 */
export function FlowSummaryTable({ summary, names = new Map() }: { summary: FlowSummary; names?: ReadonlyMap<string, string> }) {
  const [sort, setSort] = useState<SortKey>('bytes');
  const [filter, setFilter] = useState('');
  const all = useMemo(() => conversations(summary.flows), [summary]);
  const rows = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const list = q
      ? all.filter((c) =>
          `${c.protocol} ${c.clientIp} ${names.get(c.clientIp) ?? ''} ${endpointText(c.server)} ${names.get(c.server.ip) ?? ''} ${c.tlsServerNames.join(' ')} ${c.httpHosts.join(' ')} ${c.dnsQueries.join(' ')}`
            .toLowerCase()
            .includes(q),
        )
      : all;
    return [...list].sort(sorter(sort)).slice(0, 2000);
  }, [all, names, sort, filter]);
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
        <strong data-testid="cap-summary-counts">
          {summary.packets} packets · {all.length} conversation{all.length === 1 ? '' : 's'} ({summary.flows.length} connection
          {summary.flows.length === 1 ? '' : 's'})
        </strong>
        {summary.flowsNotListed > 0 && <span className="dd-muted"> (+{summary.flowsNotListed} connections not listed)</span>}
        <span className="dd-muted">
          {' '}
          · {summary.linkTypeName} · {utc(summary.firstSeen)} → {utc(summary.lastSeen)}
        </span>
        {summary.truncated && <span className="dd-sev-medium"> · file ends mid-packet</span>}
        <input
          type="search"
          placeholder="Filter conversations…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter conversations"
        />
      </div>
      <table className="dd-table dd-cap-flows" aria-label="Conversations">
        <thead>
          <tr>
            <th>Proto</th>
            {header('client', 'Client')}
            {header('server', 'Server')}
            {header('connections', 'Connections')}
            {header('packets', 'Packets →/←')}
            {header('bytes', 'Bytes →/←')}
            {header('first', 'First / last seen (UTC)')}
            <th>Names</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.key} data-testid="cap-conversation">
              <td>{c.protocol}</td>
              <td>
                <Endpoint ip={c.clientIp} names={names} />
              </td>
              <td>
                <Endpoint ip={c.server.ip} port={c.server.port} names={names} />
              </td>
              <td className="dd-num" title={c.clientPorts.length ? `Client ports ${c.clientPorts.join(', ')}` : undefined}>
                {c.connections}
                {c.clientPorts.length > 0 && <span className="dd-muted"> · ports {portsText(c.clientPorts)}</span>}
              </td>
              <td className="dd-num">
                {c.packetsToServer} / {c.packetsToClient}
              </td>
              <td className="dd-num">
                {bytes(c.bytesToServer)} / {bytes(c.bytesToClient)}
              </td>
              <td className="dd-muted">
                {utc(c.firstSeen)} – {utc(c.lastSeen)}
              </td>
              <td>
                {c.tlsServerNames.map((n) => (
                  <span key={`sni-${n}`} className="dd-badge" title="TLS server name">
                    SNI {visibleText(n, 120)}
                  </span>
                ))}
                {c.httpHosts.map((n) => (
                  <span key={`host-${n}`} className="dd-badge" title="HTTP Host header">
                    Host {visibleText(n, 120)}
                  </span>
                ))}
                {c.dnsQueries.map((n) => (
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
