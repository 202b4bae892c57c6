import type { JournalEntry } from '../../../shared/domain/journal';
import type { CliCommand } from '../command';
import { safeText } from '../terminal-safe';

/** One journal row as a line; everything from the host goes through safeText. */
export function journalLine(entry: JournalEntry): string {
  if (entry.kind === 'gap') return `${entry.time} GAP until ${entry.gapUntil ?? '?'}: ${safeText(entry.note ?? '')}`;
  const parts = [entry.time, entry.type, entry.action];
  if (entry.name) parts.push(safeText(entry.name, 200));
  else parts.push(entry.actorId.slice(0, 12));
  if (entry.exitCode !== undefined) parts.push(`exit ${entry.exitCode}`);
  if (entry.exec && 'argv' in entry.exec)
    parts.push(
      `user ${safeText(entry.exec.user || '(image default)', 100)}${entry.exec.privileged ? ' privileged' : ''}: ${safeText(JSON.stringify(entry.exec.argv), 1000)}`,
    );
  else if (entry.actionDetail) parts.push(safeText(entry.actionDetail, 1000));
  return parts.join(' ');
}

export const journalCommands: CliCommand[] = [
  {
    path: ['watch'],
    summary: "Journal every engine event of a host (exit codes, exec'd commands and their users, gaps in the engine's replay) until Ctrl-C",
    usage: 'watch [--host H] [--json]',
    options: { host: { type: 'string' } },
    async run(ctx, values) {
      const host = await ctx.host(values.host);
      const off = ctx.on('journal.entry', (entry) => {
        if (entry.host !== host) return;
        ctx.io.out(ctx.json ? JSON.stringify(entry) : journalLine(entry));
      });
      // Logs followed from a container's start land in the case: said on stderr, stdout carries only entries.
      const offLogs = ctx.on('evidence.audit-appended', (entry) => {
        const d = entry.details;
        if (d.host !== host) return;
        if (entry.action === 'logs.acquired' && d.followed === true)
          ctx.io.err(`kept ${String(d.lines)} log lines of ${safeText(String(d.containerName))} as artifact ${String(d.artifactId)}`);
        else if (entry.action === 'logs.follow-failed')
          ctx.io.err(`could not follow the logs of ${safeText(String(d.containerName))}: ${safeText(String(d.message))}`);
      });
      try {
        const before = await ctx.call('journal.watch', { host });
        // On stderr even with --json: stdout carries only the entries.
        ctx.io.err(`journaling host ${safeText(host)} (${before.entries} entries, ${before.gaps} gaps in its journal); Ctrl-C to stop`);
        const follow = await ctx.call('logs.followSetting', {}).catch(() => null);
        ctx.io.err(
          follow === null
            ? 'no case is open: the logs of starting containers are not followed (drydock case new NAME to keep them)'
            : follow.followOnStart
              ? `the logs of containers that start are followed into case ${safeText(follow.caseName)}`
              : `case ${safeText(follow.caseName)} does not follow the logs of starting containers (drydock logs --follow-on-start on)`,
        );
        await ctx.interrupted;
        const after = await ctx.call('journal.status', { host });
        ctx.io.err(
          `stopped: the journal of host ${safeText(host)} holds ${after.entries} entries (${after.entries - before.entries} new), ${after.gaps} gaps`,
        );
        return 0;
      } finally {
        off();
        offLogs();
      }
    },
  },
];
