import type { CollectResult } from '../../../shared/domain/collect';
import { CliError, type CliCommand } from '../command';
import { safeText, table } from '../terminal-safe';

// `drydock collect`: one container's evidence in order of volatility, progress on stderr as each
// step starts and ends, the step table on stdout at the end; exit 1 when any step failed. Ctrl-C
// cancels through collect.cancel (the running step stops, what was stored is kept) and exits 130.

/** The exit status of a collection cancelled by Ctrl-C (as help.ts says): 128 + SIGINT, as shells report it. */
export const COLLECT_CANCELLED_EXIT = 130;

/** --memory all|none|PID[,PID...] as the contract takes it. */
function memorySelection(value: string | boolean | string[] | undefined): 'all' | 'none' | number[] {
  if (value === undefined) return 'all';
  if (value === 'all' || value === 'none') return value;
  if (typeof value !== 'string' || !/^\d{1,7}(,\d{1,7})*$/.test(value))
    throw new CliError('--memory takes all, none or PIDs separated by commas (e.g. 1,42)', 2);
  const pids = [...new Set(value.split(',').map(Number))];
  if (pids.some((p) => p < 1)) throw new CliError('--memory PIDs start at 1', 2);
  return pids;
}

function seconds(value: string | boolean | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,4}$/.test(value) || Number(value) > 3600)
    throw new CliError('--capture-seconds takes a whole number from 0 (no capture) to 3600', 2);
  return Number(value);
}

function renderResult(result: CollectResult): string {
  const lines = [
    `Collected ${safeText(result.containerName)} (${result.containerId.slice(0, 12)}) on ${safeText(result.host)}${result.running ? '' : ' (not running)'} into case ${safeText(result.caseName)} (${result.caseId}), in order of volatility:`,
    '',
    table(
      ['#', 'STEP', 'OUTCOME', 'SECONDS', 'ARTIFACTS', 'WHY / NOTE'],
      result.steps.map((s, i) => [
        String(i + 1),
        s.step,
        s.state,
        s.state === 'skipped' || (s.state === 'cancelled' && s.startedAt === undefined) ? '-' : (s.durationMs / 1000).toFixed(1),
        s.artifactIds.length ? s.artifactIds.join(',') : '-',
        safeText(s.error?.message ?? s.reason ?? s.note ?? '', 120),
      ]),
    ),
  ];
  for (const s of result.steps.filter((x) => x.error && x.error.message.length > 120))
    lines.push('', `${s.step}: ${safeText(s.error?.message ?? '', 2000)}`);
  if (result.cancelled)
    lines.push(
      '',
      `Cancelled at ${result.cancelled.at}${result.cancelled.step ? ` during ${result.cancelled.step}` : ''}: what the steps stored is in the case.`,
    );
  return lines.join('\n');
}

export const collectCommands: CliCommand[] = [
  {
    path: ['collect'],
    summary:
      "Collects one container's evidence in order of volatility into one case: processes, process detail, connections, memory, a short capture, drift, logs, inspect; a step that fails is recorded and the rest go on",
    usage: 'collect CONTAINER [--host H] [--case NAME] [--capture-seconds N] [--memory all|none|PIDS] [--json]',
    positionals: true,
    options: {
      host: { type: 'string' },
      case: { type: 'string' },
      'capture-seconds': { type: 'string' },
      memory: { type: 'string' },
    },
    async run(ctx, values, positionals) {
      const container = positionals[0];
      if (!container || positionals.length > 1) throw new CliError('needs one CONTAINER', 2);
      const memory = memorySelection(values.memory);
      const captureSeconds = seconds(values['capture-seconds']);
      const host = await ctx.host(values.host);
      const collectId = `col-cli-${process.pid}-${Date.now().toString(36)}`;
      const stopProgress = ctx.on('collect.progress', (p) => {
        if (p.collectId !== collectId) return;
        const what =
          p.state === 'running'
            ? 'running'
            : p.state === 'skipped'
              ? `skipped: ${safeText(p.reason ?? '', 300)}`
              : p.state === 'failed'
                ? `FAILED: ${safeText(p.error?.message ?? '', 300)}`
                : p.state === 'cancelled'
                  ? `cancelled: ${safeText(p.reason ?? '', 300)}${p.artifactIds.length ? ` (kept ${p.artifactIds.join(', ')})` : ''}`
                  : `done${p.artifactIds.length ? ` (${p.artifactIds.join(', ')})` : ''}`;
        ctx.io.err(`[${p.index}/${p.total}] ${p.step}: ${what}`);
      });
      let interrupted = false;
      void ctx.interrupted.then(() => {
        interrupted = true;
        ctx.io.err('drydock collect: cancelling (Ctrl-C): the running step stops, what was stored is kept');
        void ctx.call('collect.cancel', { collectId }).catch(() => undefined);
      });
      try {
        const result = await ctx.call('collect.run', {
          host,
          container,
          memory,
          collectId,
          ...(captureSeconds !== undefined ? { captureSeconds } : {}),
          ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
        });
        ctx.io.out(ctx.json ? JSON.stringify(result) : renderResult(result));
        if (interrupted || result.cancelled) {
          ctx.io.err(
            `Cancelled: ${result.steps
              .filter((s) => s.state === 'cancelled')
              .map((s) => s.step)
              .join(', ')} did not run to the end`,
          );
          return COLLECT_CANCELLED_EXIT;
        }
        if (result.failed.length === 0) return 0;
        ctx.io.err(`Failed steps: ${result.failed.join(', ')} (the other steps ran; see the table)`);
        return 1;
      } finally {
        stopProgress();
      }
    },
  },
];
