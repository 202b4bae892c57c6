// The connection graph as a static picture for the report: inline SVG (no script, no external
// reference, every label escaped), nodes grouped by host on a circle per host, edges as lines.
// d3-force is not used here: the report must be deterministic (the same snapshot gives the same
// bytes, so two renderings of one case hash alike) and the page runs no script.
import { esc } from './html-text';

interface Node {
  id: string;
  label: string;
  host?: string;
  kind?: string;
  risk?: string;
  quarantined?: boolean;
  drifted?: boolean | null;
}
interface Edge {
  source: string;
  target: string;
  port?: number;
  protocol?: string;
  external?: boolean;
}

const RISK_COLOUR: Record<string, string> = { critical: '#b00020', high: '#d35400', medium: '#b7950b', low: '#2e86c1' };

/**
 * An SVG of at most `maxNodes` nodes (the riskiest first) from a stored connection snapshot
 * (shared/domain/network.ts NetworkGraphSnapshot). Returns '' when the snapshot has no nodes.
 */
export function graphSvg(snapshot: unknown, maxNodes = 120): string {
  const s = (snapshot ?? {}) as { nodes?: unknown; edges?: unknown };
  const all = (Array.isArray(s.nodes) ? s.nodes : []) as Node[];
  if (!all.length) return '';
  const rank = (n: Node) =>
    (n.quarantined ? 5 : 0) + (n.risk ? ['low', 'medium', 'high', 'critical'].indexOf(n.risk) + 1 : 0) + (n.drifted ? 1 : 0);
  const nodes = [...all].sort((a, b) => rank(b) - rank(a) || String(a.id).localeCompare(String(b.id))).slice(0, maxNodes);
  const ids = new Set(nodes.map((n) => n.id));
  const edges = ((Array.isArray(s.edges) ? s.edges : []) as Edge[]).filter((e) => ids.has(e.source) && ids.has(e.target));
  const width = 900;
  const height = 620;
  const cx = width / 2;
  const cy = height / 2;
  const radius = Math.min(cx, cy) - 90;
  const pos = new Map<string, [number, number]>();
  const ordered = [...nodes].sort(
    (a, b) => String(a.host ?? '').localeCompare(String(b.host ?? '')) || String(a.label).localeCompare(String(b.label)),
  );
  ordered.forEach((n, i) => {
    const angle = (2 * Math.PI * i) / ordered.length - Math.PI / 2;
    pos.set(n.id, [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)]);
  });
  const lines = edges
    .map((e) => {
      const [x1, y1] = pos.get(e.source)!;
      const [x2, y2] = pos.get(e.target)!;
      return `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${e.external ? '#c0392b' : '#7f8c8d'}" stroke-width="1.2"><title>${esc(`${e.protocol ?? ''} port ${e.port ?? '?'}`)}</title></line>`;
    })
    .join('');
  const circles = ordered
    .map((n) => {
      const [x, y] = pos.get(n.id)!;
      const colour = n.quarantined ? '#6c3483' : (n.risk && RISK_COLOUR[n.risk]) || (n.kind === 'external' ? '#95a5a6' : '#1e8449');
      const label = String(n.label ?? n.id);
      const short = label.length > 28 ? `${label.slice(0, 27)}…` : label;
      const anchor = x < cx - 5 ? 'end' : x > cx + 5 ? 'start' : 'middle';
      const dx = anchor === 'end' ? -9 : anchor === 'start' ? 9 : 0;
      return `<g><circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="6" fill="${colour}"${n.drifted ? ' stroke="#000" stroke-width="2"' : ''}><title>${esc(`${label}${n.host ? ` on ${n.host}` : ''}`)}</title></circle><text x="${(x + dx).toFixed(1)}" y="${(y + 4).toFixed(1)}" font-size="10" text-anchor="${anchor}">${esc(short)}</text></g>`;
    })
    .join('');
  const more =
    all.length > nodes.length
      ? `<text x="10" y="${height - 10}" font-size="11">${all.length - nodes.length} more nodes not drawn</text>`
      : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Connection graph">${lines}${circles}${more}</svg>`;
}
