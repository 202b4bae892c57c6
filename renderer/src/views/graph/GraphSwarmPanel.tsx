import type { SwarmGraphLayer } from '../../../../shared/domain/network';
import { visibleText } from '../processes/visible-text';
import { nodeStatusText, overlayColor, reachText } from './graph-model';

/**
 * A cluster graph's Swarm nodes (the outlined groups) and overlay networks (the dashed lines between
 * them) as lists: what the canvas draws, readable and reachable without it. Every text came from the
 * manager: shown escaped and cut.
 */
export function GraphSwarmPanel({ swarm, onSelectNode }: { swarm: SwarmGraphLayer; onSelectNode: (id: string) => void }) {
  const hostnames = new Map(swarm.nodes.map((n) => [n.nodeId, visibleText(n.hostname || n.nodeId, 40)]));
  return (
    <aside className="dd-graph-swarm" data-testid="graph-swarm">
      <h3>Swarm nodes of {visibleText(swarm.manager, 60)}</h3>
      <ul className="dd-plain" aria-label="Swarm nodes">
        {swarm.nodes.map((n) => (
          <li key={n.nodeId} data-swarm-node={n.nodeId} data-reach={n.reach} data-members={n.members.length}>
            <button
              type="button"
              className="dd-link"
              disabled={!n.members[0]}
              onClick={() => n.members[0] && onSelectNode(n.members.find((m) => m.startsWith('h:') || m.startsWith('n:')) ?? n.members[0])}
              title={n.reason ? visibleText(n.reason, 400) : undefined}
            >
              {hostnames.get(n.nodeId)}
            </button>{' '}
            <span className="dd-muted">{nodeStatusText(n)}</span> ·{' '}
            <span className={n.reach === 'read' ? 'dd-muted' : 'dd-graph-swarm-down'}>{reachText(n)}</span> · {n.tasks} task
            {n.tasks === 1 ? '' : 's'}
          </li>
        ))}
      </ul>
      <h3>Overlay networks</h3>
      {swarm.overlays.length === 0 ? (
        <p className="dd-muted">No service of the swarm is attached to a network.</p>
      ) : (
        <ul className="dd-plain" aria-label="Overlay networks">
          {swarm.overlays.map((o) => (
            <li key={o.id} data-overlay={o.networkId} data-overlay-name={o.name} data-nodes={o.nodes.join(' ')}>
              <span className="dd-graph-swarm-overlay" style={{ color: overlayColor(o.networkId), borderColor: overlayColor(o.networkId) }}>
                {visibleText(o.name || o.networkId.slice(0, 12), 60)}
              </span>{' '}
              <span className="dd-muted">
                {o.nodes.length >= 2 ? 'between' : 'only on'} {o.nodes.map((id) => hostnames.get(id) ?? id.slice(0, 12)).join(', ')} ·{' '}
                {o.tasks} task{o.tasks === 1 ? '' : 's'} of {o.services.map((s) => visibleText(s, 40)).join(', ')}
              </span>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
