import type { ProcessEntry, ProcessSampleEvent, ProcessSnapshot } from '../../../shared/domain/processes';
import { CliError, type CliCommand } from '../command';
import { caseLabel } from '../case-label';
import { followWatch } from '../watch-loop';
import { safeText, table } from '../terminal-safe';
import { processesFromDataRoot } from './dataroot';
import { maskedEnv, renderDetail } from './memory';
import { counted } from '../counted';

function formatElapsed(seconds: number | null): string {
  if (seconds === null) return '?';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const hms = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return d ? `${d}-${hms}` : hms;
}

function marker(p: ProcessEntry): string {
  if (p.flags.some((f) => f.severity === 'high')) return '!!';
  if (p.flags.some((f) => f.severity === 'medium')) return '! ';
  return p.isInit ? '* ' : '  ';
}

/** Short marks for what the table alone would not show: a zombie, and which process table missed it. */
function marks(p: ProcessEntry): string {
  const out: string[] = [];
  if (p.flags.some((f) => f.kind === 'zombie')) out.push('zombie');
  if (p.flags.some((f) => f.kind === 'not-in-top')) out.push('not in top');
  if (p.flags.some((f) => f.kind === 'not-in-namespace')) out.push('not in namespace');
  return out.join(', ');
}

/** The tree as a table; host-derived text goes through safeText (via table) and is truncated. */
export function renderSnapshot(snapshot: ProcessSnapshot): string {
  const namespace = snapshot.source === 'pid-namespace';
  const rows = snapshot.processes.map((p) => [
    marker(p),
    String(p.pid),
    ...(namespace ? [p.hostPid === null ? '-' : String(p.hostPid)] : []),
    String(p.ppid),
    p.user ?? p.uid,
    formatElapsed(p.elapsedSeconds),
    p.state,
    marks(p),
    `${'  '.repeat(p.depth)}${p.depth ? '└ ' : ''}${p.args}`,
  ]);
  const from = namespace ? "read from its PID namespace, checked against the engine's top" : "from the engine's top only";
  const lines = [
    `${safeText(snapshot.containerName)} (${snapshot.containerId.slice(0, 12)}) on ${safeText(snapshot.host)} — ${counted(snapshot.processes.length, 'process', 'processes')} at ${snapshot.takenAt}, ${from}; init PID ${snapshot.initPid ?? '?'} on the host`,
    table(
      ['', namespace ? 'PID (ns)' : 'PID', ...(namespace ? ['HOST PID'] : []), 'PPID', 'USER', 'ELAPSED', 'STAT', 'MARK', 'COMMAND'],
      rows,
    ),
  ];
  if (snapshot.flagged.length) {
    lines.push('', 'Findings (!! high, ! medium; * marks the entrypoint):');
    for (const pid of snapshot.flagged) {
      const p = snapshot.processes.find((x) => x.pid === pid);
      if (!p) continue;
      for (const flag of p.flags) lines.push(`  ${flag.severity.padEnd(6)} PID ${pid} ${flag.kind}: ${safeText(flag.reason, 300)}`);
    }
  }
  if (snapshot.drift.note) lines.push('', `Drift cross-reference: ${safeText(snapshot.drift.note)}`);
  for (const limitation of snapshot.limitations) lines.push(`Note: ${safeText(limitation)}`);
  return lines.join('\n');
}

function renderChanges(event: ProcessSampleEvent): string[] {
  const sign = { appeared: '+', vanished: '-', reparented: '~' } as const;
  return event.changes.map((c) => {
    const flags = c.flags.length ? `  [${c.flags.map((f) => f.kind).join(', ')}]` : '';
    const parent = c.kind === 'reparented' ? `ppid ${c.previousPpid} -> ${c.ppid}` : `ppid ${c.ppid}`;
    return `${event.snapshot.takenAt} ${sign[c.kind]} PID ${c.pid} (${parent}) ${safeText(c.args, 200)}${flags}`;
  });
}

export const processesCommands: CliCommand[] = [
  {
    path: ['ps'],
    summary:
      "Process tree of a running container from its PID namespace, checked against the engine's top, without exec (stored as evidence); --watch samples top every N seconds",
    usage:
      'ps CONTAINER [--host H] [--json] [--watch SECONDS] [--case NAME] [--no-store]\n       ps CONTAINER --data-root DIR [--json] [--case NAME] [--no-store]   (a dead box: the command, user, environment and state last recorded; no process list exists on disk)\n       ps CONTAINER --detail [--pid N] [--host H] [--case NAME] [--no-store] [--json]   (live detail from /proc: exe and its SHA-256, argv, environment, ids, capabilities, namespaces, descriptors with socket owners, memory maps)',
    positionals: true,
    options: {
      host: { type: 'string' },
      watch: { type: 'string' },
      case: { type: 'string' },
      'no-store': { type: 'boolean' },
      detail: { type: 'boolean' },
      pid: { type: 'string' },
      'data-root': { type: 'string' },
    },
    async run(ctx, values, positionals) {
      const container = positionals[0];
      if (!container || positionals.length > 1) throw new CliError('needs one CONTAINER', 2);
      if (values['data-root'] !== undefined) return processesFromDataRoot(ctx, values, container, maskedEnv);
      const host = await ctx.host(values.host);
      const caseRef = typeof values.case === 'string' ? { caseRef: values.case } : {};
      if (values.detail === true) {
        if (values.watch !== undefined) throw new CliError('--detail and --watch exclude each other', 2);
        if (values.pid !== undefined && (typeof values.pid !== 'string' || !/^\d{1,7}$/.test(values.pid)))
          throw new CliError('--pid takes a process ID', 2);
        const report = await ctx.call('memory.detail', {
          host,
          container,
          store: values['no-store'] !== true,
          ...(typeof values.pid === 'string' ? { pids: [Number(values.pid)] } : {}),
          ...caseRef,
        });
        ctx.io.out(ctx.json ? JSON.stringify(report) : renderDetail(report));
        return 0;
      }
      if (values.watch === undefined) {
        const result = await ctx.call('processes.snapshot', { host, container, store: values['no-store'] !== true, ...caseRef });
        if (ctx.json) ctx.io.out(JSON.stringify(result));
        else {
          ctx.io.out(renderSnapshot(result.snapshot));
          if (result.stored)
            ctx.io.out(
              `\nStored as artifact ${result.stored.artifactId} (sha256 ${result.stored.sha256}) in case ${await caseLabel(ctx, result.stored.caseId)}`,
            );
        }
        return 0;
      }
      const interval = Number(values.watch);
      if (!Number.isInteger(interval) || interval < 1) throw new CliError('--watch takes a whole number of seconds', 2);
      return followWatch(ctx, {
        sample: 'processes.sample',
        ended: 'processes.watch-ended',
        start: () => ctx.call('processes.watch', { host, container, intervalSeconds: interval, ...caseRef }),
        stop: async (id) => {
          const stopped = await ctx.call('processes.unwatch', { watchId: id });
          return `stopped after ${stopped.watch?.samples ?? '?'} samples (${stopped.watch?.storedSamples ?? '?'} stored)`;
        },
        print: (event) => {
          if (ctx.json) ctx.io.out(JSON.stringify(event));
          else if (event.sample === 1) ctx.io.out(renderSnapshot(event.snapshot));
          else for (const line of renderChanges(event)) ctx.io.out(line);
        },
        describe: (id) => `watching every ${interval}s (watch ${id})`,
      });
    },
  },
];
