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

/** The name a quarantine is said under: the task's SERVICE.SLOT for a Swarm task, else the container's name. */
function targetLabel(name: string, task?: { taskName: string }): string {
  return safeText(task?.taskName ?? name, 200);
}

/**
 * "sl.1 is already quarantined by Drydock (q-…, since …Z): nothing done" when the plan has nothing to
 * do: an active quarantine already holds every mode asked and no orchestrator action is asked; else undefined.
 */
export function nothingToDo(plan: QuarantinePlan): string | undefined {
  const e = plan.existing;
  if (!e || e.state !== 'quarantined' || !plan.steps.every((s) => s.alreadyDone) || (plan.swarm?.actions.length ?? 0) > 0) return undefined;
  return `${targetLabel(plan.containerName, plan.swarm?.task)} is already quarantined by Drydock (${e.recordId}, since ${e.createdAt}): nothing done`;
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
  const idle = nothingToDo(plan);
  if (idle) lines.push('', `Nothing to do: ${idle}.`);
  return lines.join('\n');
}

/** One step line: `apply` or `release`, the step, its state and detail, in the same columns for both. */
function stepLine(phase: 'apply' | 'release', name: string, state: string, detail: string): string {
  return `  ${phase.padEnd(7)} ${name.padEnd(18)} ${state.padEnd(8)} ${detail}`;
}

/**
 * A quarantine record for the terminal: the quarantine's time (and the release's, once released),
 * the apply steps, then what release did, each line `apply|release STEP STATE DETAIL` in one set of
 * columns; the namespace's ruleset label said once. Pure; every engine-given string escaped.
 */
export function renderRecord(record: QuarantineRecord): string {
  const when =
    record.state === 'released'
      ? `quarantined ${record.createdAt}, released ${record.releasedAt ?? record.updatedAt}`
      : `since ${record.createdAt}`;
  const lines = [
    `${safeText(record.containerName)} (${record.containerId.slice(0, 12)}) on ${safeText(record.host)}: ${record.state.toUpperCase()} — quarantine ${record.id}, ${when}`,
  ];
  if (record.swarm) {
    const w = record.swarm;
    lines.push(
      `  swarm task ${safeText(w.taskName, 200)} (${safeText(w.taskId, 40)}) of ${safeText(w.serviceName, 200)} via manager ${safeText(w.manager)}`,
    );
  }
  // What the quarantine did, then (once released) what release did: two groups, one set of columns.
  for (const step of record.steps)
    lines.push(stepLine('apply', step.mode, step.state, safeText(stepDetailText(step.state, step.detail), 600)));
  for (const a of record.swarm?.actions ?? [])
    lines.push(
      stepLine(
        'apply',
        a.kind,
        a.state,
        `${safeText(a.detail ?? '', 600)}${a.restored !== undefined ? ` — restored to ${safeText(a.restored, 40)} on release` : ''}`,
      ),
    );
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
  if (record.packetFilter) {
    const f = record.packetFilter;
    lines.push(
      `  packet filter: table ${safeText(f.table, 80)} in its network namespace (its networks stay attached); ruleset before ${rulesetLabel(f.before.sha256, true)}`,
    );
  }
  for (const step of record.release?.steps ?? [])
    lines.push(stepLine('release', step.name, step.state, safeText(stepDetailText(step.state, step.detail), 600)));
  for (const net of record.release?.restored ?? []) {
    lines.push(
      `  restored ${safeText(net.networkName)}: ${net.ipv4 ?? '-'}${net.addressChanged ? ' (address changed: it was dynamic)' : ''}${net.aliases.length ? `, aliases ${safeText(net.aliases.join(', '))}` : ''}`,
    );
  }
  const after = record.packetFilter?.after;
  if (after)
    lines.push(
      after.identical
        ? '  ruleset after release: identical to before (table gone)'
        : `  ruleset after release: ${rulesetLabel(after.sha256, true)} (table gone; DIFFERS from before)`,
    );
  if (record.release?.note) lines.push(`  ${safeText(record.release.note)}`);
  if (record.release?.reason) lines.push(`  release reason: ${safeText(record.release.reason, 2000)}`);
  if (record.lastError) lines.push(`  last error: ${safeText(record.lastError, 1000)}`);
  return lines.join('\n');
}

/**
 * What `release` would undo for this record, one line each, changing nothing (release --dry-run):
 * read from the record's steps and actions, the way release decides. Pure.
 */
export function renderReleasePreview(record: QuarantineRecord): string {
  const label = targetLabel(record.containerName, record.swarm);
  if (record.state === 'released')
    return `${label} (${record.containerId.slice(0, 12)}) on ${safeText(record.host)} was already released by Drydock (${record.id}, released ${record.releasedAt ?? record.updatedAt}): release would do nothing.`;
  const started = (mode: string) =>
    record.steps.some((s) => s.mode === mode && (s.state === 'done' || s.state === 'running' || s.state === 'failed'));
  const undo: string[] = [];
  if (record.packetFilter)
    undo.push(
      `delete packet-filter table ${safeText(record.packetFilter.table, 80)} from its network namespace, check it is gone and compare the ruleset with the one recorded before`,
    );
  else if (started('isolate'))
    undo.push(
      `reconnect it to ${record.before.networks.length ? record.before.networks.map((n) => `${safeText(n.networkName, 200)}${n.aliases.length ? ` (aliases ${safeText(n.aliases.join(', '), 400)})` : ''}`).join(', ') : 'no network (it had none)'} and detach it from the quarantine network`,
    );
  if (started('pause')) undo.push(record.before.paused ? 'leave it paused (it was paused before quarantine)' : 'unpause it');
  if (started('stop') && record.before.running) undo.push('start it again (it was running before quarantine stopped it)');
  if (record.quarantineNetwork)
    undo.push(`remove the quarantine network ${safeText(record.quarantineNetwork.name, 200)} if no other container uses it`);
  for (const a of record.swarm?.actions ?? [])
    if ((a.state === 'done' || a.state === 'failed') && a.previous !== '' && a.restored === undefined)
      undo.push(
        a.kind === 'drain-node'
          ? `set node ${safeText(record.swarm?.nodeHostname || a.target, 200)} back to ${safeText(String(a.previous), 40)} through manager ${safeText(record.swarm?.manager ?? '', 200)}`
          : `scale service ${safeText(record.swarm?.serviceName ?? a.target, 200)} back to ${safeText(String(a.previous), 40)} through manager ${safeText(record.swarm?.manager ?? '', 200)}`,
      );
  if (record.snapshot?.imageRef) undo.push(`keep the forensic image ${safeText(record.snapshot.imageRef, 300)} (release never removes it)`);
  return [
    `Release of ${label} (${record.containerId.slice(0, 12)}) on ${safeText(record.host)}: quarantine ${record.id} (${record.state}, since ${record.createdAt}, ${record.modes.join(', ')})`,
    ...(undo.length ? undo.map((u) => `   ${u}`) : ['   nothing to undo: no step of the quarantine changed anything']),
    'Dry run: nothing was changed.',
  ].join('\n');
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
      if (container === 'release')
        throw new CliError('release is its own command: drydock release CONTAINER|TASK_ID|SERVICE.SLOT [--host H]', 2);
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
        const idle = nothingToDo(plan);
        if (idle) throw new CliError(idle, 1);
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
    summary:
      "Active quarantines of a host (--all: released ones too), or one container's or Swarm task's quarantine history, released ones included",
    usage: 'quarantine status [--host H] [CONTAINER|TASK_ID|SERVICE.SLOT] [--all] [--json]',
    positionals: true,
    options: { host: { type: 'string' }, all: { type: 'boolean' } },
    async run(ctx, values, positionals) {
      const host = await ctx.host(values.host);
      if (positionals.length > 1) throw new CliError('takes at most one CONTAINER', 2);
      // One container's (or task's) history includes its released quarantines; the host's list, only with --all.
      const records = await ctx.call('quarantine.status', {
        host,
        includeReleased: values.all === true || positionals[0] !== undefined,
        ...(positionals[0] ? { container: positionals[0] } : {}),
      });
      if (ctx.json) ctx.io.out(JSON.stringify(records));
      else if (!records.length)
        ctx.io.out(
          positionals[0]
            ? `No quarantine recorded on host ${safeText(host)} for ${safeText(positionals[0])}`
            : `No ${values.all === true ? '' : 'active '}quarantine on host ${safeText(host)}`,
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
    usage: 'release CONTAINER|TASK_ID|SERVICE.SLOT [--host H] [--reason TEXT] [--case NAME] [--dry-run] [--json]',
    positionals: true,
    options: { host: { type: 'string' }, case: { type: 'string' }, reason: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    async run(ctx, values, positionals) {
      const container = positionals[0];
      if (!container || positionals.length > 1) throw new CliError('needs one CONTAINER, TASK_ID or SERVICE.SLOT', 2);
      const host = await ctx.host(values.host);
      if (values.reason !== undefined && (typeof values.reason !== 'string' || !values.reason.trim()))
        throw new CliError('--reason takes a non-empty TEXT (or leave it out: the record says "not given")', 2);
      const reason = typeof values.reason === 'string' ? { reason: values.reason } : {};
      const caseRef = typeof values.case === 'string' ? { caseRef: values.case } : {};
      // What release would act on, first: a dry run stops there; a quarantine already released is said, not re-reported as done.
      const target = await ctx.call('quarantine.release', { host, container, ...caseRef, dryRun: true });
      if (values['dry-run'] === true) {
        ctx.io.out(ctx.json ? JSON.stringify(target) : renderReleasePreview(target));
        return 0;
      }
      if (target.state === 'released')
        throw new CliError(
          `${targetLabel(target.containerName, target.swarm)} is not quarantined by Drydock: its last quarantine ${target.id} was already released at ${target.releasedAt ?? target.updatedAt}; nothing done`,
          1,
        );
      const record = await ctx.call('quarantine.release', { host, container, ...reason, ...caseRef });
      ctx.io.out(ctx.json ? JSON.stringify(record) : renderRecord(record));
      return 0;
    },
  },
];
