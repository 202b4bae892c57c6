import { useEffect, useState, type ReactNode } from 'react';
import type { CaptureInfo } from '../../../../shared/domain/capture';
import type { GraphEdge, GraphNode } from '../../../../shared/domain/network';
import { bytes, utc } from '../../lib/format';
import { useClient } from '../../shell/app-context';
import { visibleText } from '../processes/visible-text';
import { QuarantineDialog } from '../quarantine/QuarantineDialog';
import type { Selection } from './graph-canvas';
import { isRisky } from './graph-model';

interface Props {
  selection: Exclude<Selection, null>;
  nodes: ReadonlyMap<string, GraphNode>;
  edges: readonly GraphEdge[];
  onClose: () => void;
  onSelect: (selection: Selection) => void;
  onProcesses: (node: GraphNode) => void;
  onCapture: (node: GraphNode) => void;
}

const MAX_LISTED = 200;
const v = (s: string | undefined | null, max = 200) => (s ? visibleText(s, max) : '—');

function Field({ label, children, mono }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className={mono ? 'dd-mono dd-wrap' : 'dd-wrap'}>{children}</dd>
    </>
  );
}

function nodeName(nodes: ReadonlyMap<string, GraphNode>, id: string): string {
  const n = nodes.get(id);
  return n ? visibleText(n.label, 60) : visibleText(id, 60);
}

function EdgeLine({
  edge,
  nodes,
  from,
  onSelect,
}: {
  edge: GraphEdge;
  nodes: ReadonlyMap<string, GraphNode>;
  from: string;
  onSelect: Props['onSelect'];
}) {
  const outgoing = edge.source === from;
  const peer = outgoing ? edge.target : edge.source;
  return (
    <li className={`dd-graph-edge-line dd-graph-edge-${edge.state}`}>
      <button type="button" className="dd-link" onClick={() => onSelect({ kind: 'edge', id: edge.id })} title="Show this connection">
        {outgoing ? '→' : '←'} {nodeName(nodes, peer)}
      </button>{' '}
      <span className="dd-mono">
        {edge.protocol}/{edge.port}
      </span>{' '}
      <span className="dd-muted">
        {edge.state}
        {edge.connections > 1 ? ` ×${edge.connections}` : ''}
        {edge.traffic ? ` · ${bytes(edge.traffic.bytesToServer + edge.traffic.bytesToClient)}` : ''}
      </span>
    </li>
  );
}

function NodeDetail({ node, nodes, edges, onSelect, onProcesses, onCapture }: { node: GraphNode } & Omit<Props, 'selection' | 'onClose'>) {
  const related = edges.filter((e) => e.source === node.id || e.target === node.id);
  const running = node.kind === 'container' && (node.state === 'running' || node.state === 'paused');
  const client = useClient();
  const [quarantining, setQuarantining] = useState(false);
  return (
    <>
      {node.quarantined && (
        <div className="dd-warnbox dd-graph-quarantine" role="status" data-testid="graph-quarantine-banner">
          Quarantined by Drydock: this container has been cut off; see its quarantine record before touching it.
        </div>
      )}
      {node.kind === 'container' && (
        <div className="dd-actions">
          <button
            type="button"
            className="dd-small"
            onClick={() => onProcesses(node)}
            disabled={node.state !== 'running' || !node.host}
            title={
              !node.host
                ? 'Its node was not read: only what the manager lists is known'
                : node.state === 'running'
                  ? 'Process tree of this container'
                  : 'Only a running container has processes'
            }
          >
            Processes…
          </button>
          <button
            type="button"
            className="dd-small"
            onClick={() => onCapture(node)}
            disabled={!running || !node.host}
            title={
              !node.host
                ? 'Its node was not read: only what the manager lists is known'
                : running
                  ? 'Capture this container\u2019s traffic'
                  : 'Only a running container can be captured'
            }
          >
            Capture…
          </button>
          <button
            type="button"
            className="dd-small dd-danger"
            onClick={() => setQuarantining(true)}
            disabled={!node.host || !node.containerId}
            title="Isolate, pause or snapshot this container; released exactly as it was"
          >
            Quarantine…
          </button>
        </div>
      )}
      {quarantining && node.host && node.containerId && (
        <QuarantineDialog
          client={client}
          host={node.host}
          container={node.containerId}
          containerName={node.label}
          onClose={() => setQuarantining(false)}
        />
      )}
      <dl className="dd-kv">
        <Field label="Kind">{node.kind}</Field>
        {node.host && <Field label="Host">{v(node.host, 80)}</Field>}
        {node.state && <Field label="State">{v(node.state, 40)}</Field>}
        {node.containerId && (
          <Field label="ID" mono>
            {node.containerId}
          </Field>
        )}
        {node.image && (
          <Field label="Image" mono>
            {v(node.image, 300)}
          </Field>
        )}
        <Field label="Group">
          {node.group.kind} {v(node.group.name, 120)}
        </Field>
        {node.compose && (
          <Field label="Compose">
            {v(node.compose.project, 80)} / {v(node.compose.service, 80)}
          </Field>
        )}
        {node.swarm && <Field label="Swarm service">{v(node.swarm.serviceName, 120)}</Field>}
        {node.addressScope && <Field label="Address">{node.addressScope}</Field>}
        <Field label="Drift">
          {node.drifted === null ? 'no drift result in the case' : node.drifted ? 'changed from its image' : 'matches its image'}
        </Field>
        <Field label="Socket scan">
          {node.scan.status}
          {node.scan.sockets !== undefined
            ? ` (${node.scan.sockets} sockets${node.scan.readAt ? `, read ${utc(node.scan.readAt)}` : ''})`
            : ''}
          {node.scan.reason ? ` — ${visibleText(node.scan.reason, 300)}` : ''}
          {node.scan.sharedWith ? ` — shares ${nodeName(nodes, node.scan.sharedWith)}` : ''}
        </Field>
      </dl>
      {node.riskFlags.length > 0 && (
        <section>
          <h3>Risk {node.risk && isRisky(node) ? <span className={`dd-sevtag dd-sevtag-${node.risk}`}>{node.risk}</span> : null}</h3>
          <ul className="dd-plain dd-mono">
            {node.riskFlags.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </section>
      )}
      {node.networks.length > 0 && (
        <section>
          <h3>Networks</h3>
          <ul className="dd-plain dd-mono">
            {node.networks.map((n) => (
              <li key={n.name}>
                {v(n.name, 80)} {n.ipv4 ? v(n.ipv4, 40) : ''} {n.ipv6 ? v(n.ipv6, 60) : ''}
              </li>
            ))}
          </ul>
        </section>
      )}
      {node.listening.length > 0 && (
        <section>
          <h3>Listening ({node.listening.length})</h3>
          <ul className="dd-plain dd-mono" data-testid="graph-listening">
            {node.listening.map((l) => (
              <li key={`${l.protocol}|${l.ip}|${l.port}`} className={l.loopbackOnly ? 'dd-muted' : undefined}>
                {l.protocol} {l.ip.includes(':') ? `[${l.ip}]` : l.ip}:{l.port}
                {l.published.length ? ` → host ${l.published.map((p) => `${p.hostIp ?? '*'}:${p.hostPort}`).join(', ')}` : ''}
                {l.loopbackOnly ? ' (loopback only)' : ''}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section>
        <h3>Connections ({related.length})</h3>
        {related.length === 0 ? (
          <p className="dd-muted">None seen{node.loopbackConnections ? ` (${node.loopbackConnections} inside its own namespace)` : ''}.</p>
        ) : (
          <ul className="dd-plain" data-testid="graph-node-edges">
            {related.slice(0, MAX_LISTED).map((e) => (
              <EdgeLine key={e.id} edge={e} nodes={nodes} from={node.id} onSelect={onSelect} />
            ))}
            {related.length > MAX_LISTED && <li className="dd-muted">… {related.length - MAX_LISTED} more</li>}
          </ul>
        )}
      </section>
    </>
  );
}

function EdgeDetail({ edge, nodes, onSelect }: { edge: GraphEdge; nodes: ReadonlyMap<string, GraphNode>; onSelect: Props['onSelect'] }) {
  return (
    <>
      <dl className="dd-kv">
        <Field label="Client">
          <button type="button" className="dd-link" onClick={() => onSelect({ kind: 'node', id: edge.source })}>
            {nodeName(nodes, edge.source)}
          </button>
        </Field>
        <Field label="Server">
          <button type="button" className="dd-link" onClick={() => onSelect({ kind: 'node', id: edge.target })}>
            {nodeName(nodes, edge.target)}
          </button>
        </Field>
        <Field label="Port" mono>
          {edge.protocol}/{edge.port}
          {edge.via ? ` via ${edge.via}` : ''}
        </Field>
        <Field label="State">
          {edge.state} ({edge.connections} connection{edge.connections === 1 ? '' : 's'}
          {Object.entries(edge.states)
            .map(([s, n]) => `; ${s} ${n}`)
            .join('')}
          )
        </Field>
        <Field label="Direction">
          {edge.directionBasis === 'listener'
            ? 'the server side has the listening socket'
            : edge.directionBasis === 'ephemeral-port'
              ? 'guessed from port numbers'
              : edge.directionBasis === 'capture'
                ? 'from the first packet a capture saw'
                : 'unknown'}
        </Field>
        <Field label="Seen by">{edge.seenBy.length ? edge.seenBy.join(' and ') : 'a capture only'}</Field>
        {edge.clientPorts.length > 0 && (
          <Field label="Client ports" mono>
            {edge.clientPorts.join(', ')}
          </Field>
        )}
        {edge.traffic && (
          <>
            <Field label="Captured">
              {bytes(edge.traffic.bytesToServer)} to server, {bytes(edge.traffic.bytesToClient)} back;{' '}
              {edge.traffic.packetsToServer + edge.traffic.packetsToClient} packets in {edge.traffic.flows} flow
              {edge.traffic.flows === 1 ? '' : 's'}
            </Field>
            <Field label="Last seen">{utc(edge.traffic.lastSeen)}</Field>
            <Field label="From">
              <CaptureSources artifactIds={edge.traffic.artifactIds} />
            </Field>
          </>
        )}
      </dl>
    </>
  );
}

/**
 * The captures an edge's traffic came from, by what they were ("capture of web-1 at
 * 2025-01-31 10:02:09Z"), not by their artifact IDs; an ID stays in the tooltip.
 */
function CaptureSources({ artifactIds }: { artifactIds: readonly string[] }) {
  const client = useClient();
  const [captures, setCaptures] = useState<readonly CaptureInfo[] | null>(null);
  useEffect(() => {
    let live = true;
    void client.invoke('capture.list', { limit: 500 }).then((r) => {
      if (live) setCaptures(r.ok ? r.value : []);
    });
    return () => {
      live = false;
    };
  }, [client, artifactIds]);
  return (
    <ul className="dd-plain" data-testid="graph-edge-sources">
      {artifactIds.map((id) => {
        const info = captures?.find((c) => c.flowSummaryArtifactId === id || c.pcap?.artifactId === id);
        return (
          <li key={id} title={`Flow summary artifact ${id}`}>
            {info
              ? `capture of ${visibleText(info.containerName, 80)} at ${utc(info.startedAt)}`
              : captures
                ? `a capture in the case (artifact ${id.slice(0, 8)}…)`
                : '…'}
          </li>
        );
      })}
    </ul>
  );
}

/** The clicked node or edge; every string from the host shown as inert, visible text. */
export function GraphDetail(props: Props) {
  const { selection, nodes, edges, onClose } = props;
  const node = selection.kind === 'node' ? nodes.get(selection.id) : undefined;
  const edge = selection.kind === 'edge' ? edges.find((e) => e.id === selection.id) : undefined;
  const title = node ? visibleText(node.label, 120) : edge ? `${nodeName(nodes, edge.source)} → ${nodeName(nodes, edge.target)}` : 'Gone';
  return (
    <aside className="dd-panel dd-graph-detail" aria-label="Graph detail" data-testid="graph-detail">
      <div className="dd-graph-detail-head">
        <h2 className={node && isRisky(node) ? 'dd-bad' : undefined}>{title}</h2>
        <button type="button" className="dd-icon-btn" onClick={onClose} aria-label="Close detail" title="Close">
          ×
        </button>
      </div>
      {node && <NodeDetail node={node} {...props} />}
      {edge && <EdgeDetail edge={edge} nodes={nodes} onSelect={props.onSelect} />}
      {!node && !edge && <p className="dd-muted">It is no longer in the graph (it went away at the last refresh).</p>}
    </aside>
  );
}
