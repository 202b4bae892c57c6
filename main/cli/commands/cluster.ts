import type {
  ClusterChange,
  ClusterNode,
  ClusterNodeList,
  ClusterPort,
  ClusterService,
  ClusterServiceList,
  ClusterTaskList,
} from '../../../shared/domain/cluster';
import type { CliCommand } from '../command';
import { counted } from '../counted';
import { safeText, table } from '../terminal-safe';

const HOST_OPTION = { host: { type: 'string' } } as const;

/** 'ready' → 'Ready', as the docker CLI prints states. */
function title(value: string): string {
  return value ? value.charAt(0).toUpperCase() + value.slice(1) : '';
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => (v ? `${k}=${v}` : k))
    .join(',');
}

/** As `docker service ls` prints a port: *:8080->80/tcp (host mode says so). */
function portText(p: ClusterPort): string {
  return `*:${p.publishedPort ?? ''}->${p.targetPort}/${p.protocol}${p.publishMode === 'host' ? ' (host)' : ''}`;
}

function managerStatus(node: ClusterNode): string {
  if (!node.manager) return '';
  return node.manager.leader ? 'Leader' : title(node.manager.reachability);
}

function limitationLines(list: { limitations: string[] }): string[] {
  return list.limitations.map((l) => `Note: ${safeText(l)}`);
}

export function renderNodes(list: ClusterNodeList): string {
  const lines = [
    `${counted(list.nodes.length, 'node')} of swarm ${safeText(list.clusterId)}, as listed by manager host ${safeText(list.host)} at ${list.takenAt}`,
    table(
      ['ID', 'HOSTNAME', 'STATUS', 'AVAILABILITY', 'MANAGER STATUS', 'ENGINE VERSION', 'ADDRESS', 'LABELS'],
      list.nodes.map((n) => [
        `${n.id}${n.self ? ' *' : ''}`,
        n.hostname,
        title(n.state),
        title(n.availability),
        managerStatus(n),
        n.engineVersion,
        n.address,
        labelText(n.labels),
      ]),
    ),
  ];
  for (const n of list.nodes.filter((x) => !x.reachable))
    lines.push(
      `Unreachable: node ${safeText(n.hostname || n.id)} (${safeText(n.id)}) is ${n.state}${n.manager?.reachability === 'unreachable' ? ', manager unreachable' : ''}${n.stateMessage ? `: ${safeText(n.stateMessage)}` : ''}; shown as the manager last knew it`,
    );
  return [...lines, ...limitationLines(list)].join('\n');
}

function replicasText(s: ClusterService): string {
  const counts = `${s.replicas.running ?? '?'}/${s.replicas.desired ?? '?'}`;
  return `${counts}${s.replicas.completed !== undefined ? ` (${s.replicas.completed} completed)` : ''}${s.replicas.maxPerNode ? ` (max ${s.replicas.maxPerNode} per node)` : ''}`;
}

export function renderServices(list: ClusterServiceList): string {
  return [
    `${counted(list.services.length, 'service')} of swarm ${safeText(list.clusterId)}, from manager host ${safeText(list.host)} at ${list.takenAt}`,
    table(
      ['ID', 'NAME', 'MODE', 'REPLICAS', 'IMAGE', 'UPDATE', 'PORTS', 'NETWORKS', 'SECRETS', 'CONFIGS'],
      list.services.map((s) => [
        s.id.slice(0, 12),
        s.name,
        s.mode,
        replicasText(s),
        `${s.image.reference}${s.image.digest ? `@${s.image.digest.slice(0, 19)}` : ''}`,
        s.update ? s.update.state : '',
        s.ports.map(portText).join(','),
        s.networks.map((n) => n.name || n.id.slice(0, 12)).join(','),
        s.secrets.map((x) => x.name || x.id.slice(0, 12)).join(','),
        s.configs.map((x) => x.name || x.id.slice(0, 12)).join(','),
      ]),
    ),
    ...limitationLines(list),
  ].join('\n');
}

export function renderTasks(list: ClusterTaskList): string {
  return [
    `${counted(list.tasks.length, 'task')} of swarm ${safeText(list.clusterId)}, from manager host ${safeText(list.host)} at ${list.takenAt}`,
    table(
      ['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR', 'PORTS', 'CONTAINER'],
      list.tasks.map((t) => [
        t.id.slice(0, 12),
        t.name,
        t.image.reference,
        t.nodeHostname || t.nodeId,
        title(t.desiredState),
        `${title(t.state)}${t.stateSince ? ` since ${t.stateSince}` : ''}`,
        t.error ?? '',
        t.ports.map(portText).join(','),
        t.containerId?.slice(0, 12) ?? '',
      ]),
    ),
    ...limitationLines(list),
  ].join('\n');
}

/** One live change, as a line: time, kind, action, name and ID, then the engine's attributes. */
export function changeLine(change: ClusterChange): string {
  const attributes = Object.entries(change.attributes)
    .filter(([key]) => key !== 'name')
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return safeText(
    `${change.at}  ${change.kind} ${change.action}  ${change.name || '-'} (${change.id})${attributes ? `  ${attributes}` : ''}`,
    2000,
  );
}

export const clusterCommands: CliCommand[] = [
  {
    path: ['cluster', 'nodes'],
    summary: "A Swarm's nodes as its manager knows them: role, availability, status, engine, address, labels, leader, reachability",
    usage: 'cluster nodes [--host MANAGER] [--json]',
    options: HOST_OPTION,
    async run(ctx, values) {
      const host = await ctx.host(values.host);
      const list = await ctx.call('cluster.nodes', { host });
      ctx.io.out(ctx.json ? JSON.stringify(list) : renderNodes(list));
      return 0;
    },
  },
  {
    path: ['cluster', 'services'],
    summary:
      "A Swarm's services from a manager: mode, replicas, image and digest, update status, ports, networks, secrets and configs (names only)",
    usage: 'cluster services [--host MANAGER] [--json]',
    options: HOST_OPTION,
    async run(ctx, values) {
      const host = await ctx.host(values.host);
      const list = await ctx.call('cluster.services', { host });
      ctx.io.out(ctx.json ? JSON.stringify(list) : renderServices(list));
      return 0;
    },
  },
  {
    path: ['cluster', 'tasks'],
    summary: "A Swarm's tasks from a manager (those of the services named): node, desired and current state, container, error",
    usage: 'cluster tasks [SERVICE...] [--host MANAGER] [--json]',
    options: HOST_OPTION,
    positionals: true,
    async run(ctx, values, positionals) {
      const host = await ctx.host(values.host);
      const list = await ctx.call('cluster.tasks', positionals.length ? { host, services: positionals } : { host });
      ctx.io.out(ctx.json ? JSON.stringify(list) : renderTasks(list));
      return 0;
    },
  },
  {
    path: ['cluster', 'watch'],
    summary:
      "Follow a Swarm's changes live from its manager's event stream (nodes up and down, services scaled or updated, secrets and configs by name) until Ctrl-C",
    usage: 'cluster watch [--host MANAGER] [--json]',
    options: HOST_OPTION,
    async run(ctx, values) {
      const host = await ctx.host(values.host);
      const off = ctx.on('cluster.changed', (change) => {
        if (change.host === host) ctx.io.out(ctx.json ? JSON.stringify(change) : changeLine(change));
      });
      try {
        // Connects (following the event stream) and says plainly when the host is not a manager.
        const nodes = await ctx.call('cluster.nodes', { host });
        // On stderr even with --json: stdout carries only the changes.
        ctx.io.err(
          `following swarm ${safeText(nodes.clusterId)} from manager host ${safeText(host)} (${counted(nodes.nodes.length, 'node')}, ${nodes.nodes.filter((n) => !n.reachable).length} unreachable); Ctrl-C to stop`,
        );
        await ctx.interrupted;
        return 0;
      } finally {
        off();
      }
    },
  },
];
