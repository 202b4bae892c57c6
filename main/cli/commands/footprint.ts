import type { CliCommand } from '../command';
import { safeText, table } from '../terminal-safe';

/** drydock footprint: what Drydock itself did on each host, so its traces are not taken for the intruder's. */
export const footprintCommands: CliCommand[] = [
  {
    path: ['footprint'],
    summary:
      "List what Drydock did on each host (helpers, images, networks, pause, commit, stop, start; a fleet triage's image, secret, service and collectors), from the audit log",
    usage: 'footprint [--host HOST] [--case CASE] [--json]',
    options: { host: { type: 'string' }, case: { type: 'string' } },
    async run(ctx, values) {
      const host = values.host !== undefined ? await ctx.host(values.host) : undefined;
      const caseRef = typeof values.case === 'string' ? values.case : undefined;
      const summary = await ctx.call('footprint.summary', {
        ...(host !== undefined ? { host } : {}),
        ...(caseRef !== undefined ? { caseRef } : {}),
      });
      if (ctx.json) {
        ctx.io.out(JSON.stringify(summary));
        return 0;
      }
      const scope = `${summary.caseId !== null ? `case ${summary.caseId}` : 'the whole evidence store'}${host !== undefined ? `, host ${safeText(host, 200)}` : ''}`;
      if (summary.hosts.length === 0) {
        ctx.io.out(`Drydock created or changed nothing on any host in ${scope} (read-only streams such as events are not footprint)`);
        return 0;
      }
      const parts = [`What Drydock did on each host, from the audit log of ${scope}:`];
      for (const entry of summary.hosts) {
        parts.push(
          '',
          `Host ${safeText(entry.host, 200)}: ${entry.actions.length} action${entry.actions.length === 1 ? '' : 's'}`,
          table(
            ['AT (UTC)', 'ACTION', 'OBJECT', 'EXAMINER', 'WHAT'],
            entry.actions.map((a) => [
              a.at,
              a.action,
              a.objectId ? `${a.objectKind} ${a.objectId.replace(/^sha256:/, '').slice(0, 12)}` : a.objectKind,
              a.examiner,
              a.summary,
            ]),
          ),
        );
      }
      ctx.io.out(parts.join('\n'));
      return 0;
    },
  },
];
