import type { ProcessEntry, ProcessSampleEvent, ProcessSnapshot } from '../../../shared/domain/processes';
import { CliError, type CliCommand } from '../command';
import { safeText, table } from '../terminal-safe';

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

/** The tree as a table; host-derived text goes through safeText (via table) and is truncated. */
export function renderSnapshot(snapshot: ProcessSnapshot): string {
  const rows = snapshot.processes.map((p) => [
    marker(p),
    String(p.pid),
    String(p.ppid),
    p.user ?? p.uid,
    formatElapsed(p.elapsedSeconds),
    p.state,
    `${'  '.repeat(p.depth)}${p.depth ? '└ ' : ''}${p.args}`,
  ]);
  const lines = [
    `${safeText(snapshot.containerName)} (${snapshot.containerId.slice(0, 12)}) on ${safeText(snapshot.host)} — ${snapshot.processes.length} processes at ${snapshot.takenAt}; init PID ${snapshot.initPid ?? '?'}`,
    table(['', 'PID', 'PPID', 'USER', 'ELAPSED', 'STAT', 'COMMAND'], rows),
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
    summary: 'Process tree of a running container, without exec (stored as evidence); --watch samples every N seconds',
    usage: 'ps CONTAINER --host NAME [--json] [--watch SECONDS] [--case NAME] [--no-store]',
    positionals: true,
    options: { host: { type: 'string' }, watch: { type: 'string' }, case: { type: 'string' }, 'no-store': { type: 'boolean' } },
    async run(ctx, values, positionals) {
      const container = positionals[0];
      const host = values.host;
      if (!container || positionals.length > 1 || typeof host !== 'string') throw new CliError('needs one CONTAINER and --host NAME', 2);
      const caseRef = typeof values.case === 'string' ? { caseRef: values.case } : {};
      if (values.watch === undefined) {
        const result = await ctx.call('processes.snapshot', { host, container, store: values['no-store'] !== true, ...caseRef });
        if (ctx.json) ctx.io.out(JSON.stringify(result));
        else {
          ctx.io.out(renderSnapshot(result.snapshot));
          if (result.stored) ctx.io.out(`\nStored as artifact ${result.stored.artifactId} (sha256 ${result.stored.sha256}) in case ${safeText(result.stored.caseId)}`);
        }
        return 0;
      }
      const interval = Number(values.watch);
      if (!Number.isInteger(interval) || interval < 1) throw new CliError('--watch takes a whole number of seconds', 2);
      let watchId: string | undefined;
      const early: ProcessSampleEvent[] = [];
      const print = (event: ProcessSampleEvent) => {
        if (ctx.json) ctx.io.out(JSON.stringify(event));
        else if (event.sample === 1) ctx.io.out(renderSnapshot(event.snapshot));
        else for (const line of renderChanges(event)) ctx.io.out(line);
      };
      let ended: (reason: string) => void = () => undefined;
      const endedByCore = new Promise<string>((resolve) => (ended = resolve));
      const unsubscribe = ctx.core.events.subscribe((name, payload) => {
        if (name === 'processes.sample') {
          const event = payload as ProcessSampleEvent;
          if (watchId === undefined) early.push(event);
          else if (event.watchId === watchId) print(event);
        } else if (name === 'processes.watch-ended') {
          const event = payload as { watchId: string; reason: string; message?: string };
          if (event.watchId === watchId) ended(`${event.reason}${event.message ? `: ${event.message}` : ''}`);
        }
      });
      try {
        const watch = await ctx.call('processes.watch', { host, container, intervalSeconds: interval, ...caseRef });
        watchId = watch.id;
        for (const event of early.splice(0)) if (event.watchId === watchId) print(event);
        if (!ctx.json) ctx.io.err(`watching every ${interval}s (watch ${watch.id}); Ctrl-C to stop`);
        const outcome = await Promise.race([ctx.interrupted.then(() => 'interrupted'), endedByCore]);
        if (outcome === 'interrupted') {
          const stopped = await ctx.call('processes.unwatch', { watchId: watch.id });
          if (!ctx.json) ctx.io.err(`stopped after ${stopped.watch?.samples ?? '?'} samples (${stopped.watch?.storedSamples ?? '?'} stored)`);
          return 0;
        }
        ctx.io.err(`watch ended: ${safeText(outcome)}`);
        return 1;
      } finally {
        unsubscribe();
      }
    },
  },
];
