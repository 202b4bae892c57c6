import type { LogsAcquisition } from '../../../shared/domain/logs';
import { CliError, type CliCommand } from '../command';
import { safeText } from '../terminal-safe';
import { logsFromDataRoot } from './dataroot';
import { counted } from '../counted';

/** An acquisition for a terminal: what was kept (lines per stream, time span) and where it is stored. */
export function describeLogs(result: LogsAcquisition): string {
  const streams = result.tty ? `${result.ttyLines} from the TTY` : `${result.stdoutLines} stdout, ${result.stderrLines} stderr`;
  const span = result.firstTimestamp ? `, ${result.firstTimestamp} to ${result.lastTimestamp ?? '?'}` : '';
  const lines = [
    `${counted(result.lines, 'log line')} (${streams}${span}) of ${safeText(result.containerName)} (${result.containerId.slice(0, 12)}) on ${safeText(result.host)}, logging driver ${safeText(result.driver)}`,
    `Stored as artifact ${result.artifactId} (sha256 ${result.sha256}, ${result.bytes} bytes) in case ${safeText(result.caseName)} (${result.caseId})`,
  ];
  for (const limitation of result.limitations) lines.push(`Note: ${safeText(limitation)}`);
  return lines.join('\n');
}

function positiveInt(value: string | boolean | string[] | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n)) throw new CliError(`${what} takes a whole number`, 2);
  return n;
}

function timeOption(value: string | boolean | string[] | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new CliError(`${what} takes one time`, 2);
  return value;
}

export const logsCommands: CliCommand[] = [
  {
    path: ['logs'],
    summary:
      "A container's stdout and stderr as the engine kept them (json-file, local), with the engine's timestamps, stored as one artifact",
    usage:
      'logs CONTAINER [--host H] [--since T] [--until T] [--tail N] [--case NAME] [--json]   (T: seconds since the epoch, an RFC 3339 date, or a duration such as 10m)\n       logs --follow-on-start on|off [--case NAME]   (whether `drydock watch` and the app follow the logs of every container that starts, into the case; on by default)',
    positionals: true,
    options: {
      host: { type: 'string' },
      'data-root': { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      tail: { type: 'string' },
      case: { type: 'string' },
      'follow-on-start': { type: 'string' },
    },
    async run(ctx, values, positionals) {
      if (values['follow-on-start'] !== undefined) {
        const choice = values['follow-on-start'];
        if (choice !== 'on' && choice !== 'off') throw new CliError('--follow-on-start takes on or off', 2);
        if (positionals.length) throw new CliError('--follow-on-start is a setting of the case: give no CONTAINER', 2);
        const setting = await ctx.call('logs.followSetting', {
          followOnStart: choice === 'on',
          ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
        });
        ctx.io.out(
          ctx.json
            ? JSON.stringify(setting)
            : `Case ${safeText(setting.caseName)}: the logs of containers that start on a journaled host are ${setting.followOnStart ? 'followed into the case from their start' : 'not followed (the journal still records their events)'}`,
        );
        return 0;
      }
      const container = positionals[0];
      if (!container || positionals.length > 1) throw new CliError('needs one CONTAINER', 2);
      if (values['data-root'] !== undefined) return logsFromDataRoot(ctx, values, container);
      const since = timeOption(values.since, '--since');
      const until = timeOption(values.until, '--until');
      const tail = positiveInt(values.tail, '--tail');
      const host = await ctx.host(values.host);
      const result = await ctx.call('logs.acquire', {
        host,
        container,
        ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(tail !== undefined ? { tail } : {}),
      });
      ctx.io.out(ctx.json ? JSON.stringify(result) : describeLogs(result));
      return 0;
    },
  },
];
