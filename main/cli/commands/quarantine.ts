import { createInterface } from 'node:readline/promises';
import {
  QUARANTINE_MODES,
  type NetworkNamespacePeer,
  type QuarantineMode,
  type QuarantinePlan,
  type QuarantineRecord,
  rulesetLabel,
  stepDetailText,
} from '../../../shared/domain/quarantine';
import { CliError, type CliCommand, type CliContext } from '../command';
import { safeText, table } from '../terminal-safe';

const MARK = { info: '  ', warning: '! ', danger: '!!' } as const;

const PEER_RELATION: Record<NetworkNamespacePeer['relation'], string> = {
  'joined-target': 'runs in its network namespace',
  'target-joined': 'owns the network namespace it runs in',
  'joined-same': 'runs in the same network namespace',
};

function parseModes(value: unknown): QuarantineMode[] {
  if (typeof value !== 'string' || !value.trim())
    throw new CliError(`--mode takes a comma-separated list of ${QUARANTINE_MODES.join(', ')}`, 2);
  const modes = value.split(',').map((m) => m.trim());
  const unknown = modes.filter((m) => !(QUARANTINE_MODES as readonly string[]).includes(m));
  if (unknown.length) throw new CliError(`unknown mode ${safeText(unknown.join(', '))}: use ${QUARANTINE_MODES.join(', ')}`, 2);
  return modes as QuarantineMode[];
}

export function renderPlan(plan: QuarantinePlan): string {
  const lines = [
    `Quarantine of ${safeText(plan.containerName)} (${plan.containerId.slice(0, 12)}, ${safeText(plan.status)}) on host ${safeText(plan.host)}${plan.caseName ? `, case ${safeText(plan.caseName)}` : ', no case (audit goes to the store log)'}`,
  ];
  if (plan.existing)
    lines.push(
      `Already under quarantine ${plan.existing.recordId} (${plan.existing.state}: ${plan.existing.modes.join(', ')}); its recorded state is kept for release.`,
    );
  if (plan.sharedNetworkNamespace.length) {
    lines.push('Shares its network namespace with:');
    for (const p of plan.sharedNetworkNamespace)
      lines.push(
        `   ${safeText(p.containerName, 200)} (${safeText(p.containerId.slice(0, 12))}, ${safeText(p.status, 40)}) ${PEER_RELATION[p.relation]}`,
      );
  }
  if (plan.isolationEscapes.length)
    lines.push('Network isolation does not contain it:', ...plan.isolationEscapes.map((e) => `   ${safeText(e, 600)}`));
  for (const notice of plan.notices) lines.push(`${MARK[notice.severity]} ${safeText(notice.text, 1000)}`);
  if (plan.swarm) {
    const t = plan.swarm.task;
    lines.push(
      '',
      `Swarm task ${safeText(t.taskName, 200)} (${safeText(t.taskId, 40)}) of service ${safeText(t.serviceName, 200)}, on node ${safeText(t.nodeHostname || t.nodeId, 200)} (host ${safeText(plan.host)}), through manager ${safeText(t.manager)}`,
    );
    if (plan.swarm.policyProblem) lines.push(`!  policy not read: ${safeText(plan.swarm.policyProblem, 600)}`);
    for (const c of plan.swarm.consequences) lines.push(`!  ${safeText(c, 1000)}`);
  }
  plan.steps.forEach((step, i) => {
    const state = step.blocked ? 'BLOCKED' : step.alreadyDone ? 'already done' : 'will run';
    lines.push('', `${i + 1}. ${step.mode} (${state})`, `   ${safeText(step.action, 2000)}`);
    if (step.blocked) lines.push(`!! ${safeText(step.blocked, 1000)}`);
    for (const notice of step.notices) lines.push(`${MARK[notice.severity]} ${safeText(notice.text, 1000)}`);
  });
  // --drain-node and --scale are steps too: shown with their consequence, each confirmed on its own.
  (plan.swarm?.actions ?? []).forEach((action, i) => {
    const what = action.kind === 'drain-node' ? 'drain-node' : `scale-service to ${String(action.to)}`;
    lines.push(
      '',
      `${plan.steps.length + i + 1}. ${what} (will run after its own confirmation)`,
      `!! ${safeText(action.consequence, 1200)}`,
    );
  });
  return lines.join('\n');
}

export function renderRecord(record: QuarantineRecord): string {
  const lines = [
    `${safeText(record.containerName)} (${record.containerId.slice(0, 12)}) on ${safeText(record.host)}: ${record.state.toUpperCase()} — quarantine ${record.id}, since ${record.createdAt}`,
  ];
  for (const step of record.steps)
    lines.push(`  ${step.mode.padEnd(8)} ${step.state.padEnd(8)} ${safeText(stepDetailText(step.state, step.detail), 600)}`);
  if (record.snapshot?.artifactId)
    lines.push(
      `  snapshot image ${safeText(record.snapshot.imageRef)}, artifact ${record.snapshot.artifactId} (sha256 ${record.snapshot.sha256 ?? '?'})`,
    );
  for (const m of record.snapshot?.excludedMounts ?? []) {
    lines.push(
      `  not in the snapshot: ${safeText(m.type, 20)} ${safeText(m.name ?? m.source, 400)} at ${safeText(m.destination, 400)}${m.readWrite ? ' (rw)' : ' (ro)'}: collect it separately`,
    );
  }
  for (const p of record.sharedNetworkNamespace ?? [])
    lines.push(
      `  shares its network namespace: ${safeText(p.containerName, 200)} (${safeText(p.containerId.slice(0, 12))}) ${PEER_RELATION[p.relation]}`,
    );
  for (const step of record.release?.steps ?? [])
    lines.push(`  release ${step.name.padEnd(18)} ${step.state.padEnd(8)} ${safeText(stepDetailText(step.state, step.detail), 600)}`);
  for (const net of record.release?.restored ?? []) {
    lines.push(
      `  restored ${safeText(net.networkName)}: ${net.ipv4 ?? '-'}${net.addressChanged ? ' (address changed: it was dynamic)' : ''}${net.aliases.length ? `, aliases ${safeText(net.aliases.join(', '))}` : ''}`,
    );
  }
  if (record.release?.note) lines.push(`  ${safeText(record.release.note)}`);
  if (record.release?.reason) lines.push(`  release reason: ${safeText(record.release.reason, 2000)}`);
  if (record.packetFilter) {
    const f = record.packetFilter;
    lines.push(
      `  packet filter: table ${safeText(f.table, 80)} in its network namespace (its networks stay attached); ruleset before ${rulesetLabel(f.before.sha256, true)}`,
    );
    if (f.after)
      lines.push(
        `  ruleset after release: ${rulesetLabel(f.after.sha256, true)} (table gone; ${f.after.identical ? 'identical to before' : 'DIFFERS from before'})`,
      );
  }
  if (record.swarm) {
    const w = record.swarm;
    lines.push(
      `  swarm task ${safeText(w.taskName, 200)} (${safeText(w.taskId, 40)}) of ${safeText(w.serviceName, 200)} via manager ${safeText(w.manager)}`,
    );
    for (const a of w.actions)
      lines.push(
        `  ${a.kind.padEnd(14)} ${a.state.padEnd(8)} ${safeText(a.detail ?? '', 600)}${a.restored !== undefined ? ` — restored to ${safeText(a.restored, 40)}` : ''}`,
      );
  }
  if (record.lastError) lines.push(`  last error: ${safeText(record.lastError, 1000)}`);
  return lines.join('\n');
}

/**
 * Asks on the terminal, one question after another from the same input (answers piped in by a script
 * are read line by line, none lost between questions); end of input or Ctrl-C is a no.
 */
function prompter(ctx: CliContext): { ask(question: string): Promise<boolean>; close(): void } {
  const rl = createInterface({ input: process.stdin, terminal: process.stdin.isTTY === true });
  const lines: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  let ended = false;
  rl.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  rl.once('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w(null);
  });
  void ctx.interrupted.then(() => rl.close());
  return {
    async ask(question) {
      process.stderr.write(question);
      const line =
        lines.length > 0 ? (lines.shift() as string) : ended ? null : await new Promise<string | null>((resolve) => waiting.push(resolve));
      return line !== null && /^y(es)?$/i.test(line.trim());
    },
    close: () => rl.close(),
  };
}

export const quarantineCommands: CliCommand[] = [
  {
    path: ['quarantine'],
    summary:
      'Isolate, pause, snapshot or stop a suspect container or Swarm task (packet filter in its namespace); shows what each step does and asks first',
    usage:
      'quarantine CONTAINER|TASK_ID|SERVICE.SLOT [--host H] --mode isolate,pause,snapshot,stop [--drain-node] [--scale N] [--case NAME] [--yes] [--dry-run] [--json]',
    positionals: true,
    options: {
      host: { type: 'string' },
      mode: { type: 'string' },
      case: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      'dry-run': { type: 'boolean' },
      'drain-node': { type: 'boolean' },
      scale: { type: 'string' },
    },
    async run(ctx, values, positionals) {
      const container = positionals[0];
      if (!container || positionals.length > 1) throw new CliError('needs one CONTAINER, TASK_ID or SERVICE.SLOT (and --mode MODES)', 2);
      const host = await ctx.host(values.host);
      const modes = parseModes(values.mode);
      const caseRef = typeof values.case === 'string' ? { caseRef: values.case } : {};
      if (values.scale !== undefined && (typeof values.scale !== 'string' || !/^\d{1,6}$/.test(values.scale)))
        throw new CliError('--scale takes a replica count N (0 or more)', 2);
      const orchestration = {
        ...(values['drain-node'] === true ? { drainNode: true } : {}),
        ...(typeof values.scale === 'string' ? { scale: Number(values.scale) } : {}),
      };
      const ask = values.yes !== true && !ctx.json;
      if (ask || values['dry-run'] === true) {
        const plan = await ctx.call('quarantine.plan', { host, container, modes, ...caseRef, ...orchestration });
        if (values['dry-run'] === true) {
          ctx.io.out(ctx.json ? JSON.stringify(plan) : renderPlan(plan));
          return 0;
        }
        ctx.io.out(renderPlan(plan));
        if ((orchestration.drainNode || orchestration.scale !== undefined) && !plan.swarm)
          throw new CliError(
            '--drain-node and --scale need a Swarm task named as TASK_ID or SERVICE.SLOT with --host its manager; nothing was changed',
            2,
          );
        if (plan.steps.some((s) => s.blocked && !s.alreadyDone))
          throw new CliError('a step cannot be done on this container (see BLOCKED above); nothing was changed', 1);
        const alsoCut = plan.sharedNetworkNamespace.filter(
          (p) => p.relation === 'joined-target' && (modes.includes('isolate') || modes.includes('stop')),
        );
        const question = alsoCut.length
          ? `\nApply this quarantine? It also cuts off ${alsoCut.map((p) => safeText(p.containerName, 200)).join(', ')} (same network namespace) [y/N] `
          : '\nApply this quarantine? [y/N] ';
        const prompt = prompter(ctx);
        try {
          if (!(await prompt.ask(question))) {
            ctx.io.err('Not confirmed: nothing was changed.');
            return 1;
          }
          // Each orchestrator action is its own decision: its consequence, then its own question.
          for (const action of plan.swarm?.actions ?? []) {
            ctx.io.out(`\n!! ${safeText(action.consequence, 1200)}`);
            const key = action.kind === 'drain-node' ? 'drainNode' : 'scale';
            const what = action.kind === 'drain-node' ? 'Drain the node' : `Scale the service to ${String(action.to)}`;
            if (!(await prompt.ask(`${what}? [y/N] `))) {
              delete (orchestration as Record<string, unknown>)[key];
              ctx.io.err(`Not confirmed: ${what.toLowerCase()} will not be done.`);
            }
          }
        } finally {
          prompt.close();
        }
      }
      const record = await ctx.call('quarantine.apply', { host, container, modes, ...caseRef, ...orchestration });
      ctx.io.out(ctx.json ? JSON.stringify(record) : renderRecord(record));
      return 0;
    },
  },
  {
    path: ['quarantine', 'status'],
    summary: "Active quarantines of a host, or one container's quarantine history",
    usage: 'quarantine status [--host H] [CONTAINER] [--all] [--json]',
    positionals: true,
    options: { host: { type: 'string' }, all: { type: 'boolean' } },
    async run(ctx, values, positionals) {
      const host = await ctx.host(values.host);
      if (positionals.length > 1) throw new CliError('takes at most one CONTAINER', 2);
      const records = await ctx.call('quarantine.status', {
        host,
        includeReleased: values.all === true,
        ...(positionals[0] ? { container: positionals[0] } : {}),
      });
      if (ctx.json) ctx.io.out(JSON.stringify(records));
      else if (!records.length)
        ctx.io.out(
          `No ${values.all === true ? '' : 'active '}quarantine on host ${safeText(host)}${positionals[0] ? ` for ${safeText(positionals[0])}` : ''}`,
        );
      else if (positionals[0]) ctx.io.out(records.map(renderRecord).join('\n\n'));
      else
        ctx.io.out(
          table(
            ['STATE', 'CONTAINER', 'ID', 'MODES', 'SINCE', 'QUARANTINE'],
            records.map((r) => [r.state, r.containerName, r.containerId.slice(0, 12), r.modes.join(','), r.createdAt, r.id]),
          ),
        );
      return 0;
    },
  },
  {
    path: ['release'],
    summary:
      "Release a quarantined container or Swarm task: original networks with aliases and static IPs (or the task's packet filter removed), unpause, restart what quarantine stopped, node and replica count put back",
    usage: 'release CONTAINER|TASK_ID|SERVICE.SLOT [--host H] [--reason TEXT] [--case NAME] [--json]',
    positionals: true,
    options: { host: { type: 'string' }, case: { type: 'string' }, reason: { type: 'string' } },
    async run(ctx, values, positionals) {
      const container = positionals[0];
      if (!container || positionals.length > 1) throw new CliError('needs one CONTAINER, TASK_ID or SERVICE.SLOT', 2);
      const host = await ctx.host(values.host);
      if (values.reason !== undefined && (typeof values.reason !== 'string' || !values.reason.trim()))
        throw new CliError('--reason takes a non-empty TEXT (or leave it out: the record says "not given")', 2);
      const reason = typeof values.reason === 'string' ? { reason: values.reason } : {};
      const record = await ctx.call('quarantine.release', {
        host,
        container,
        ...reason,
        ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
      });
      ctx.io.out(ctx.json ? JSON.stringify(record) : renderRecord(record));
      return 0;
    },
  },
];
