import type { GraphEdge, GraphNode, NetworkGraphSnapshot } from '../../../shared/domain/network';
import { CliError, type CliCommand } from '../command';
import { caseLabel } from '../case-label';
import { followWatch } from '../watch-loop';
import { safeText, table } from '../terminal-safe';

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function endpoint(node: GraphNode | undefined, id: string): string {
  if (!node) return id;
  const marks = [
    node.quarantined ? 'QUARANTINED' : '',
    node.risk === 'critical' || node.risk === 'high' ? node.risk.toUpperCase() : '',
  ].filter(Boolean);
  return `${node.kind === 'container' ? '' : `${node.kind}:`}${node.label}${marks.length ? ` [${marks.join(',')}]` : ''}`;
}

function edgeRow(edge: GraphEdge, nodes: Map<string, GraphNode>): string[] {
  const traffic = edge.traffic
    ? `${bytes(edge.traffic.bytesToServer)} → / ← ${bytes(edge.traffic.bytesToClient)} (${edge.traffic.packetsToServer + edge.traffic.packetsToClient} pkts)`
    : '';
  return [
    endpoint(nodes.get(edge.source), edge.source),
    '→',
    endpoint(nodes.get(edge.target), edge.target),
    `${edge.protocol}/${edge.port}${edge.via ? ` via ${edge.via}` : ''}`,
    `${edge.state}${edge.connections > 1 ? ` ×${edge.connections}` : ''}`,
    edge.directionBasis,
    traffic,
  ];
}

/** Reachable listeners; loopback-only ones (Docker's embedded DNS on 127.0.0.11 among them) only counted. */
function listeningCell(n: GraphNode): string {
  const open = n.listening.filter((l) => !l.loopbackOnly);
  const loopback = n.listening.length - open.length;
  const shown = open.map(
    (l) =>
      `${l.protocol}/${l.ip.includes(':') ? `[${l.ip}]` : l.ip}:${l.port}${l.published.length ? `→host:${l.published.map((p) => p.hostPort).join(',')}` : ''}`,
  );
  if (loopback) shown.push(`(+${loopback} loopback)`);
  return shown.join(' ');
}

/** The graph as two tables (who listens, who talks to whom); every host-derived string made safe. */
export function renderConnections(snapshot: NetworkGraphSnapshot): string {
  const nodes = new Map(snapshot.nodes.map((n) => [n.id, n]));
  const lines: string[] = [];
  for (const h of snapshot.hosts) {
    lines.push(
      h.error
        ? `Host ${safeText(h.host)}: not read (${h.error.kind}: ${safeText(h.error.message)})`
        : `Host ${safeText(h.host)} at ${h.takenAt}: ${h.scanned} namespaces read, ${h.skipped} skipped, ${h.failed} failed${h.pending ? `, ${h.pending} still to read` : ''}; swarm ${h.swarm}`,
    );
  }
  const containers = snapshot.nodes.filter((n) => n.kind === 'container');
  lines.push(
    '',
    'Listening:',
    table(
      ['CONTAINER', 'STATE', 'SCAN', 'LISTENING'],
      containers.map((n) => [
        endpoint(n, n.id),
        n.state ?? '',
        n.scan.status + (n.scan.status === 'scanned' ? '' : n.scan.reason ? ` (${n.scan.reason})` : ''),
        listeningCell(n),
      ]),
    ),
    '',
    `Connections (${snapshot.edges.length}):`,
    table(
      ['CLIENT', '', 'SERVER', 'PORT', 'STATE', 'DIRECTION', 'TRAFFIC (captures)'],
      snapshot.edges.map((e) => edgeRow(e, nodes)),
    ),
  );
  if (snapshot.flows.summaries)
    lines.push(
      '',
      `Flow summaries consulted: ${snapshot.flows.summaries} (${snapshot.flows.matched} flows on edges, ${snapshot.flows.unmatched} not)`,
    );
  for (const note of snapshot.limitations) lines.push(`Note: ${safeText(note)}`);
  return lines.join('\n');
}

export const networkCommands: CliCommand[] = [
  {
    path: ['connections'],
    summary: "Who talks to whom: every running container's sockets, read without exec, recorded in the case (--no-record only looks)",
    usage: 'connections [--host H] [--json] [--no-record] [--case REF] [--watch SECONDS]',
    options: {
      host: { type: 'string' },
      record: { type: 'boolean' },
      'no-record': { type: 'boolean' },
      case: { type: 'string' },
      watch: { type: 'string' },
    },
    async run(ctx, values) {
      const host = await ctx.host(values.host);
      const caseRef = typeof values.case === 'string' ? { caseRef: values.case } : {};
      const record = values['no-record'] !== true;
      if (values.watch === undefined) {
        const result = await ctx.call('network.snapshot', { host, record, ...caseRef });
        if (ctx.json) ctx.io.out(JSON.stringify(result));
        else {
          ctx.io.out(renderConnections(result.snapshot));
          if (result.stored)
            ctx.io.out(
              `\nStored as artifact ${result.stored.artifactId} (sha256 ${result.stored.sha256}) in case ${await caseLabel(ctx, result.stored.caseId)}`,
            );
        }
        return 0;
      }
      const interval = Number(values.watch);
      if (!Number.isInteger(interval) || interval < 2) throw new CliError('--watch takes a whole number of seconds, at least 2', 2);
      return followWatch(ctx, {
        sample: 'network.changed',
        ended: 'network.watch-ended',
        start: () => ctx.call('network.watch', { host, intervalSeconds: interval, record, ...caseRef }),
        stop: async (id) => {
          await ctx.call('network.unwatch', { watchId: id });
          return undefined;
        },
        print: (event) => {
          if (ctx.json) ctx.io.out(JSON.stringify(event));
          else if (event.refresh === 1) ctx.io.out(renderConnections(event.snapshot));
          else {
            const d = event.diff;
            for (const id of d.edgesAdded) ctx.io.out(`${event.snapshot.takenAt} + ${safeText(id, 300)}`);
            for (const id of d.edgesRemoved) ctx.io.out(`${event.snapshot.takenAt} - ${safeText(id, 300)}`);
            for (const id of d.nodesAdded) ctx.io.out(`${event.snapshot.takenAt} + node ${safeText(id, 300)}`);
            for (const id of d.nodesRemoved) ctx.io.out(`${event.snapshot.takenAt} - node ${safeText(id, 300)}`);
          }
        },
        describe: (id) => `refreshing every ${interval}s (watch ${id})`,
      });
    },
  },
];
