import type { GraphNode } from '../../../../shared/domain/network';
import { EDGE_COLOR, EXTERNAL_COLOR, EXTERNAL_EDGE_COLOR, HOST_COLOR, legendGroups, SERVICE_COLOR } from './graph-model';

const MAX_GROUPS = 10;

function Swatch({ color, ring, dash, faded }: { color: string; ring?: string; dash?: boolean; faded?: boolean }) {
  return (
    <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">
      <circle cx="9" cy="9" r="5" fill={color} opacity={faded ? 0.3 : 1} />
      {ring && <circle cx="9" cy="9" r="7.5" fill="none" stroke={ring} strokeWidth="1.8" strokeDasharray={dash ? '2.5 1.5' : undefined} />}
    </svg>
  );
}

function Line({ color, dash, width = 1.5, opacity = 1 }: { color: string; dash?: string; width?: number; opacity?: number }) {
  return (
    <svg width="28" height="10" viewBox="0 0 28 10" aria-hidden="true">
      <line x1="1" y1="5" x2="22" y2="5" stroke={color} strokeWidth={width} strokeDasharray={dash} opacity={opacity} />
      <path d="M27 5 L21 2 L21 8 Z" fill={color} opacity={opacity} />
    </svg>
  );
}

/** What colours, rings and line styles mean; the groups present, with their colours. */
export function GraphLegend({ nodes }: { nodes: readonly GraphNode[] }) {
  const groups = legendGroups(nodes);
  return (
    <aside className="dd-graph-legend" aria-label="Legend" data-testid="graph-legend">
      <h3>Groups</h3>
      <ul className="dd-plain">
        {groups.slice(0, MAX_GROUPS).map((g) => (
          <li key={g.key}>
            <Swatch color={g.color} /> <span className="dd-muted">{g.kind}</span> {g.name} <span className="dd-muted">({g.count})</span>
          </li>
        ))}
        {groups.length > MAX_GROUPS && <li className="dd-muted">… {groups.length - MAX_GROUPS} more</li>}
        <li>
          <Swatch color={HOST_COLOR} /> Docker host
        </li>
        <li>
          <Swatch color={SERVICE_COLOR} /> Swarm service (VIP)
        </li>
        <li>
          <Swatch color={EXTERNAL_COLOR} /> External address
        </li>
      </ul>
      <h3>Marks</h3>
      <ul className="dd-plain">
        <li>
          <Swatch color="#8d9bad" ring="#ff2e63" /> Critical or high risk
        </li>
        <li>
          <Swatch color="#8d9bad" ring="#f0a030" dash /> Quarantined
        </li>
        <li>
          <Swatch color="#8d9bad" ring="#b07cff" /> Drifted from its image
        </li>
        <li>
          <Swatch color="#8d9bad" faded /> Not running
        </li>
      </ul>
      <h3>Connections</h3>
      <ul className="dd-plain">
        <li>
          <Line color={EDGE_COLOR} /> established (arrow → listener)
        </li>
        <li>
          <Line color={EDGE_COLOR} dash="4 3" /> connecting
        </li>
        <li>
          <Line color={EDGE_COLOR} opacity={0.45} /> closing / time-wait
        </li>
        <li>
          <Line color={EDGE_COLOR} dash="1 2" /> seen in a capture only
        </li>
        <li>
          <Line color={EXTERNAL_EDGE_COLOR} /> to or from outside
        </li>
        <li>
          <Line color={EDGE_COLOR} width={4} /> thicker: more bytes captured
        </li>
      </ul>
    </aside>
  );
}
