import type { ContainerSummary, InventoryChange } from '../../../shared/domain/inventory';
import type { CliCommand } from '../command';
import { caseLabel } from '../case-label';
import { safeText, table } from '../terminal-safe';
import { inventoryFromDataRoot } from './dataroot';

function flagsCell(c: ContainerSummary): string {
  return c.risks
    .filter((r) => r.severity !== 'info')
    .map((r) => r.id)
    .filter((id, i, all) => all.indexOf(id) === i)
    .join(',');
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info', undefined];

export function renderInventory(host: string, containers: ContainerSummary[], detail: boolean): string {
  const sorted = [...containers].sort(
    (a, b) => SEVERITY_ORDER.indexOf(a.topSeverity) - SEVERITY_ORDER.indexOf(b.topSeverity) || a.name.localeCompare(b.name),
  );
  const lines = [
    `${containers.length} containers on host ${safeText(host)}`,
    table(
      ['SEVERITY', 'NAME', 'ID', 'STATE', 'IMAGE', 'FLAGS'],
      sorted.map((c) => [c.topSeverity ?? '-', c.name, c.id.slice(0, 12), c.state, c.image, flagsCell(c)]),
    ),
  ];
  if (detail) {
    for (const c of sorted.filter((x) => x.topSeverity === 'critical' || x.topSeverity === 'high')) {
      lines.push('', `${safeText(c.name)} (${c.id.slice(0, 12)})`);
      for (const r of c.risks.filter((x) => x.severity !== 'low' && x.severity !== 'info')) {
        lines.push(
          `  ${r.severity.padEnd(8)} ${r.id}: ${safeText(r.reason, 300)}${r.evidence?.length ? ` [${safeText(r.evidence.join('; '), 300)}]` : ''}`,
        );
      }
    }
  }
  return lines.join('\n');
}

function renderChange(change: InventoryChange): string {
  const c = change.container;
  const what = c ? `${safeText(c.name)} ${c.state} ${c.topSeverity ? `[${c.topSeverity}: ${flagsCell(c)}]` : ''}` : '(removed)';
  return `${change.at} ${safeText(change.action)} ${change.containerId.slice(0, 12)} ${what}`;
}

export const inventoryCommands: CliCommand[] = [
  {
    path: ['inventory'],
    summary: 'Every container of a host with its risk flags, recorded in the case (--no-record only looks)',
    usage: 'inventory [--host H | --data-root DIR] [--json] [--no-record] [--case REF] [--flagged] [--watch]',
    options: {
      host: { type: 'string' },
      'data-root': { type: 'string' },
      record: { type: 'boolean' },
      'no-record': { type: 'boolean' },
      case: { type: 'string' },
      flagged: { type: 'boolean' },
      watch: { type: 'boolean' },
    },
    async run(ctx, values) {
      if (values['data-root'] !== undefined) return inventoryFromDataRoot(ctx, values, renderInventory);
      const host = await ctx.host(values.host);
      const record = values['no-record'] !== true;
      const snapshot = await ctx.call('inventory.list', {
        host,
        record,
        ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
      });
      const shown = values.flagged
        ? snapshot.containers.filter((c) => c.topSeverity === 'critical' || c.topSeverity === 'high')
        : snapshot.containers;
      if (ctx.json) ctx.io.out(JSON.stringify({ ...snapshot, containers: shown }));
      else ctx.io.out(renderInventory(host, shown, true));
      if (!ctx.json)
        ctx.io.err(
          snapshot.stored
            ? `recorded: inventory snapshot ${snapshot.stored.artifactId} (sha256 ${snapshot.stored.sha256}) in case ${await caseLabel(ctx, snapshot.stored.caseId)}`
            : 'not recorded (--no-record): nothing was stored in a case',
        );
      if (values.watch !== true) return 0;
      if (!ctx.json) ctx.io.err('watching engine events; Ctrl-C to stop');
      const unsubscribeChanges = ctx.on('inventory.changed', (change) => {
        if (change.host === host) ctx.io.out(ctx.json ? JSON.stringify(change) : renderChange(change));
      });
      const unsubscribeStatus = ctx.on('host.status', (status) => {
        if (status.name === host && !ctx.json)
          ctx.io.err(`host ${safeText(host)}: ${status.state}${status.lastError ? ` (${safeText(status.lastError.message)})` : ''}`);
      });
      try {
        await ctx.interrupted;
      } finally {
        unsubscribeChanges();
        unsubscribeStatus();
      }
      return 0;
    },
  },
];
