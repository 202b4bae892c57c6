import type { DriftReport, DriftScanInfo, DriftSeverity, MountInventoryResult } from '../../../shared/domain/drift';
import { pathDisplayText } from '../../../shared/domain/byte-text';
import { DRIFT_SEVERITIES, severityRank } from '../../../shared/domain/drift';
import type { ServiceTriageResult } from '../../../shared/domain/replicas';
import { unattributedReplicas } from '../../../shared/domain/cluster-triage';
import { findingsAtOrAbove } from '../../core/drift/report-math';
import { CliError, type CliCommand, type CliContext, GATE_FAILED_EXIT } from '../command';
import { caseLabel } from '../case-label';
import { counted } from '../counted';
import { safeText, table } from '../terminal-safe';
import { driftFromDataRoot } from './dataroot';

const SHORT: Record<DriftSeverity, string> = { critical: 'CRIT', high: 'HIGH', medium: 'MED', low: 'LOW', info: 'INFO' };

function parseSeverity(value: unknown): DriftSeverity | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(DRIFT_SEVERITIES as readonly string[]).includes(value))
    throw new CliError(`--fail-on takes one of ${DRIFT_SEVERITIES.join(', ')}`, 2);
  return value as DriftSeverity;
}

function parseCount(value: unknown, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < min)
    throw new CliError(`${flag} takes a whole number of at least ${min}`, 2);
  return n;
}

/** The host summary: containers ranked by drift score. */
export function renderSummary(scan: DriftScanInfo): string {
  const rows = scan.containers.map((c, i) => [
    String(i + 1),
    c.containerName,
    c.containerId.slice(0, 12),
    c.state,
    ...DRIFT_SEVERITIES.map((s) => String(c.counts?.[s] ?? '-')),
    c.score === undefined ? '-' : String(c.score),
    c.readFrom ?? '-',
  ]);
  const lines = [
    `Drift scan ${scan.id} on host ${safeText(scan.host)}: ${scan.state}${scan.stateReason ? ` (${safeText(scan.stateReason)})` : ''}; ${scan.done}/${scan.total} containers`,
    table(['#', 'CONTAINER', 'ID', 'STATE', ...DRIFT_SEVERITIES.map((s) => SHORT[s]), 'SCORE', 'READ FROM'], rows),
  ];
  if (scan.upperDirNote) lines.push(`Not read through upper directories: ${safeText(scan.upperDirNote, 1000)}`);
  for (const c of scan.containers)
    if (c.error && c.state !== 'complete') lines.push(`  ${safeText(c.containerName)}: ${safeText(c.error, 500)}`);
  return lines.join('\n');
}

/** Mount types the engine's diff cannot see and drift.mount-inventory can hash (not Docker's own files). */
const MOUNT_TYPES = new Set(['volume', 'bind', 'tmpfs']);

/** One container's findings, worst first; info entries are counted, not listed; then the inventories of its mounts, when taken. */
export function renderReport(report: DriftReport, mounts: readonly MountInventoryResult[] = []): string {
  const lines = [
    '',
    `${safeText(report.containerName)} (${report.containerId.slice(0, 12)}) image ${safeText(report.image)} — ${report.engineChanges} ${report.readFrom?.kind === 'upper-dir' ? 'changes (the change list recomputed from the upper directory)' : 'engine changes'}, ${report.status}${report.statusReason ? `: ${safeText(report.statusReason, 500)}` : ''}`,
  ];
  const shown = report.entries.filter((e) => e.severity !== 'info');
  if (shown.length) {
    lines.push(
      table(
        ['SEVERITY', 'VERDICT', 'PATH', 'WHY'],
        shown.map((e) => [
          e.severity + (e.demoted ? '*' : ''),
          e.verdict,
          pathDisplayText(e.path, e.pathBase64),
          e.reasons.find((r) => r.class !== 'change')?.reason ?? e.reasons[0]?.reason ?? '',
        ]),
      ),
    );
  }
  const hidden = report.entries.length - shown.length;
  if (hidden)
    lines.push(
      `  (${counted(hidden, 'info entry', 'info entries')} not listed: directories above changes, files touched and put back; see --json)`,
    );
  if (report.entries.some((e) => e.demoted)) lines.push('  * lowered by a noise rule (drydock drift rules)');
  for (const p of report.packages) {
    const parts = [
      p.added.length ? `installed ${p.added.map((x) => `${x.name} ${x.version}`).join(', ')}` : '',
      p.removed.length ? `removed ${p.removed.map((x) => x.name).join(', ')}` : '',
      p.upgraded.length ? `changed ${p.upgraded.map((x) => `${x.name} ${x.from} -> ${x.to}`).join(', ')}` : '',
      p.note ?? '',
    ].filter(Boolean);
    lines.push(`  Packages (${p.manager}): ${safeText(parts.join('; ') || 'no package-level change', 2000)}`);
  }
  for (const c of report.config)
    lines.push(
      `  Config ${c.severity.padEnd(8)} ${c.field}${c.key ? ` ${safeText(c.key)}` : ''}: ${safeText(c.image ?? '(none)', 200)} -> ${safeText(c.container ?? '(none)', 200)} — ${safeText(c.reason)}`,
    );
  for (const r of report.risks) lines.push(`  Risk   ${r.severity.padEnd(8)} ${r.id}: ${safeText(r.reason)}`);
  for (const b of report.blindSpots) {
    const inventory = mounts.find((m) => m.containerId === report.containerId && m.destination === b.destination);
    if (inventory)
      lines.push(
        `  Mount inventory: ${b.type} ${safeText(b.destination)} — ${inventory.files} entries, ${inventory.bytes} bytes hashed, ${inventory.status}; artifact ${inventory.artifactId} (sha256 ${inventory.sha256})`,
      );
    else
      lines.push(
        `  Not covered: ${b.type} ${safeText(b.destination)} — ${safeText(b.note)}${MOUNT_TYPES.has(b.type) ? ' (drydock drift --mounts inventories it)' : ''}`,
      );
  }
  for (const l of report.limitations) lines.push(`  Note: ${safeText(l, 500)}`);
  return lines.join('\n');
}

async function waitForScan(ctx: CliContext, scanId: string): Promise<{ scan: DriftScanInfo; interrupted: boolean }> {
  let interrupted = false;
  void ctx.interrupted.then(() => {
    interrupted = true;
    void ctx.call('drift.cancel', { scanId });
  });
  const scan = await ctx.call('drift.wait', { scanId });
  return { scan, interrupted };
}

export const driftCommands: CliCommand[] = [
  {
    path: ['drift'],
    summary: 'Diff running containers against their images: contents, classification, evidence; --fail-on gates a pipeline',
    usage:
      'drift CONTAINER...|--all [--host H | --data-root DIR] [--case NAME] [--json] [--fail-on SEVERITY] [--cap BYTES] [--key-cap BYTES] [--concurrency N] [--via auto|upper-dir|engine-api] [--mounts]\n' +
      '       drift --service NAME [--host MANAGER] [--case NAME] [--json] [--fail-on SEVERITY]   (every running task on its own node, replicas compared)',
    positionals: true,
    options: {
      host: { type: 'string' },
      'data-root': { type: 'string' },
      all: { type: 'boolean' },
      case: { type: 'string' },
      'fail-on': { type: 'string' },
      cap: { type: 'string' },
      /** Executables, scripts and credential files are stored up to this size (default 256 MiB); 0: --cap applies to them too. */
      'key-cap': { type: 'string' },
      concurrency: { type: 'string' },
      /** Where changes are read: overlay2 upper directories through one helper, the engine's API per container, or the first that works. */
      via: { type: 'string' },
      /** Also hash-inventory every volume, bind mount and tmpfs of each scanned container (what the diff cannot see). */
      mounts: { type: 'boolean' },
      /** A Swarm service: its running tasks drifted on their own nodes and compared with each other. */
      service: { type: 'string' },
    },
    async run(ctx, values, positionals) {
      if (values.service !== undefined) return driftService(ctx, values, positionals);
      if ((values.all === true) === positionals.length > 0) throw new CliError('name the containers, or give --all (not both)', 2);
      const failOn = parseSeverity(values['fail-on']);
      const cap = parseCount(values.cap, '--cap', 0);
      const keyCap = parseCount(values['key-cap'], '--key-cap', 0);
      if (values['data-root'] !== undefined)
        return driftFromDataRoot(
          ctx,
          values,
          positionals,
          failOn,
          {
            ...(cap !== undefined ? { cap } : {}),
            ...(keyCap !== undefined ? { keyCap } : {}),
          },
          (report) => renderReport(report),
        );
      const host = await ctx.host(values.host);
      const concurrency = parseCount(values.concurrency, '--concurrency', 1);
      const via = values.via;
      if (via !== undefined && via !== 'auto' && via !== 'upper-dir' && via !== 'engine-api')
        throw new CliError(`--via takes auto, upper-dir or engine-api, not ${safeText(String(via))}`, 2);
      const started = await ctx.call('drift.scan', {
        host,
        containers: values.all === true ? 'all' : positionals,
        ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
        ...(cap !== undefined ? { contentCapBytes: cap } : {}),
        ...(keyCap !== undefined ? { keyEvidenceCapBytes: keyCap } : {}),
        ...(concurrency !== undefined ? { concurrency } : {}),
        ...(via !== undefined ? { via } : {}),
      });
      const unsubscribe = ctx.json
        ? () => undefined
        : ctx.on('drift.progress', (event) => {
            const c = event.container;
            if (event.scanId !== started.id || !c || (c.state !== 'complete' && c.state !== 'incomplete' && c.state !== 'failed')) return;
            ctx.io.err(
              `[${event.done}/${event.total}] ${safeText(c.containerName)}: ${c.state}${c.topSeverity ? `, worst ${c.topSeverity}` : ''}`,
            );
          });
      if (!ctx.json)
        ctx.io.err(`scanning ${counted(started.total, 'container')} on ${safeText(host)} (scan ${started.id}); Ctrl-C cancels`);
      let outcome: { scan: DriftScanInfo; interrupted: boolean };
      try {
        outcome = await waitForScan(ctx, started.id);
      } finally {
        unsubscribe();
      }
      const { scan } = outcome;
      const reports: DriftReport[] = [];
      for (const c of scan.containers)
        if (c.reportArtifactId) reports.push(await ctx.call('drift.report', { artifactId: c.reportArtifactId }));
      const mounts: MountInventoryResult[] = [];
      if (values.mounts === true && !outcome.interrupted) {
        for (const r of reports) {
          for (const spot of r.blindSpots.filter((b) => MOUNT_TYPES.has(b.type))) {
            mounts.push(
              await ctx.call('drift.mount-inventory', {
                host,
                container: r.containerId,
                destination: spot.destination,
                caseRef: scan.caseId,
              }),
            );
          }
        }
      }
      if (ctx.json) ctx.io.out(JSON.stringify({ scan, reports, ...(values.mounts === true ? { mounts } : {}) }));
      else {
        ctx.io.out(renderSummary(scan));
        for (const r of reports) ctx.io.out(renderReport(r, mounts));
        if (scan.summaryArtifactId)
          ctx.io.out(
            `\nStored: host summary ${scan.summaryArtifactId}, ${counted(reports.length, 'report')} in case ${await caseLabel(ctx, scan.caseId)}`,
          );
      }
      if (outcome.interrupted) return 130;
      if (failOn) {
        const hits = reports.reduce((n, r) => n + findingsAtOrAbove(r, failOn), 0);
        if (hits > 0) {
          ctx.io.err(`gate failed: ${counted(hits, 'finding')} at or above ${failOn} (exit ${GATE_FAILED_EXIT})`);
          return GATE_FAILED_EXIT;
        }
      }
      if (scan.state !== 'complete') {
        ctx.io.err(`the scan is ${scan.state}: ${safeText(scan.stateReason ?? '')}`);
        return 1;
      }
      return 0;
    },
  },
  {
    path: ['drift', 'rules'],
    summary: 'Noise rules that demote (never drop) known-noisy paths; --set FILE.json replaces them',
    usage: 'drift rules [--set FILE] [--json]',
    options: { set: { type: 'string' } },
    async run(ctx, values) {
      let rules;
      if (typeof values.set === 'string') {
        const { readFile } = await import('node:fs/promises');
        let parsed: unknown;
        try {
          parsed = JSON.parse(await readFile(values.set, 'utf8'));
        } catch (err) {
          throw new CliError(`cannot read rules from ${safeText(values.set)}: ${safeText((err as Error).message)}`, 2);
        }
        rules = await ctx.call('drift.rules-set', { rules: parsed as never });
      } else rules = await ctx.call('drift.rules', {});
      if (ctx.json) ctx.io.out(JSON.stringify(rules));
      else
        ctx.io.out(
          table(
            ['ID', 'PATTERN', 'DEMOTE TO', 'ON', 'EXEC', 'DESCRIPTION'],
            rules.map((r) => [r.id, r.pattern, r.demoteTo, r.enabled ? 'yes' : 'no', r.includeExecutables ? 'yes' : 'no', r.description]),
          ),
        );
      return 0;
    },
  },
];

/** `drydock drift --service NAME`: the service's tasks triaged on their nodes and compared (cluster.triage-service). */
async function driftService(ctx: CliContext, values: Record<string, unknown>, positionals: string[]): Promise<number> {
  if (positionals.length > 0 || values.all === true || values['data-root'] !== undefined)
    throw new CliError('--service goes alone: no container names, --all or --data-root with it', 2);
  const failOn = parseSeverity(values['fail-on']);
  const host = await ctx.host(typeof values.host === 'string' ? values.host : undefined);
  const result = await ctx.call('cluster.triage-service', {
    host,
    service: String(values.service),
    ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
  });
  ctx.io.out(ctx.json ? JSON.stringify(result) : renderServiceTriage(result));
  if (failOn) {
    const { outliers: hits, unattributed } = serviceGateHits(result, failOn);
    if (hits + unattributed > 0) {
      const what = [
        ...(hits ? [counted(hits, 'outlier task')] : []),
        ...(unattributed ? [`${counted(unattributed, 'replica')} differing with no majority`] : []),
      ];
      ctx.io.err(`gate failed: ${what.join(' and ')} at or above ${failOn} (exit ${GATE_FAILED_EXIT})`);
      return GATE_FAILED_EXIT;
    }
  }
  // A replica that was not read cannot be called clean: the run is incomplete (exit 1, as an incomplete scan).
  const unread = result.comparison.tasks.filter((t) => !t.compared).length;
  if (unread > 0) {
    ctx.io.err(
      `${counted(unread, 'running task')} of ${safeText(result.service.name, 200)} ${unread === 1 ? 'was' : 'were'} not read (see Not covered): the comparison is incomplete`,
    );
    return 1;
  }
  return 0;
}

/**
 * What `drift --service --fail-on SEVERITY` counts: outlier tasks at or above it, and, with no
 * majority (fewer than 3 compared), replicas differing at or above it: no outlier can be named, but
 * a responder must look, so they fail the gate too.
 */
export function serviceGateHits(r: ServiceTriageResult, failOn: DriftSeverity): { outliers: number; unattributed: number } {
  const at = (severity: DriftSeverity) => severityRank(severity) >= severityRank(failOn);
  return {
    outliers: r.outliers.filter((o) => at(o.severity)).length,
    unattributed: unattributedReplicas(r.comparison).filter((t) => at(t.severity)).length,
  };
}

/** Differences listed per replica when no majority names an outlier (each replica against the other). */
const DIFFERENCES_LISTED = 20;

/** `drift --service` for a terminal: the replicas, their verdicts, outliers with why or, with no majority, each replica's differences. */
export function renderServiceTriage(r: ServiceTriageResult): string {
  const c = r.comparison;
  const lines = [
    `service ${safeText(r.service.name, 200)} (${r.service.mode}, ${r.service.id.slice(0, 12)}) on the swarm managed by ${safeText(r.manager, 200)}: ${counted(c.tasks.length, 'running task')}, ${c.comparable} compared`,
    `shared by every compared replica (the application's own): ${counted(c.shared.drift, 'drift entry', 'drift entries')}, ${counted(c.shared.processes, 'process', 'processes')}, ${counted(c.shared.listening, 'listening socket')}`,
    '',
    table(
      ['TASK', 'NODE', 'REACHED AS', 'CONTAINER', 'WORST', 'DIFFERENCES', 'VERDICT'],
      c.tasks.map((t) => {
        const major = t.differences.filter((d) => severityRank(d.severity) >= severityRank('low')).length;
        const info = t.differences.length - major;
        return [
          t.taskName,
          t.nodeHostname || t.nodeId,
          r.nodes.find((n) => n.nodeId === t.nodeId)?.host ?? '-',
          t.containerId?.slice(0, 12) ?? '-',
          t.compared && t.differences.length ? t.severity : '-',
          t.compared ? `${major}${info ? ` (+${info} info)` : ''}` : '-',
          !t.compared ? 'NOT READ' : t.outlier ? 'OUTLIER' : c.comparable >= 3 ? 'like its siblings' : 'no majority',
        ];
      }),
    ),
  ];
  if (r.outliers.length) {
    lines.push('', 'Outliers (differ from their siblings):');
    for (const o of r.outliers) {
      lines.push(
        `  ${safeText(o.taskName, 200)}  task ${o.taskId}  container ${o.containerId?.slice(0, 12) ?? '-'}  on ${safeText(o.nodeHostname, 200)}  ${o.severity}`,
      );
      for (const why of o.why.slice(0, 20)) lines.push(`    - ${safeText(why, 400)}`);
      if (o.why.length > 20) lines.push(`    … ${o.why.length - 20} more (--json lists them all)`);
    }
  } else if (c.comparable >= 3) lines.push('', 'No replica differs from its siblings.');
  const listed = c.comparable < 3 ? c.tasks.filter((t) => t.compared && t.differences.length) : [];
  if (c.comparable < 3)
    lines.push(
      '',
      listed.length
        ? `No outlier named: only ${counted(c.comparable, 'replica')} compared, so there is no majority to say which is the odd one out. Each replica's differences from the other (look at each):`
        : `No outlier named: only ${counted(c.comparable, 'replica')} compared, so there is no majority; no difference between them was found.`,
    );
  for (const t of listed) {
    lines.push(
      `  ${safeText(t.taskName, 200)}  task ${t.taskId}  container ${t.containerId?.slice(0, 12) ?? '-'}  on ${safeText(t.nodeHostname || t.nodeId, 200)}  ${t.severity}`,
    );
    for (const d of t.differences.slice(0, DIFFERENCES_LISTED)) lines.push(`    - ${d.severity.padEnd(8)} ${safeText(d.why, 400)}`);
    if (t.differences.length > DIFFERENCES_LISTED)
      lines.push(`    … ${t.differences.length - DIFFERENCES_LISTED} more (--json lists them all)`);
  }
  const notes = [
    ...c.limitations,
    ...r.unanswered.map(
      (u) => `Host ${u.host} did not answer while nodes were mapped (it may be the engine of a node left unread): ${u.error}`,
    ),
  ];
  if (notes.length) lines.push('', 'Not covered:', ...notes.map((n) => `  - ${safeText(n, 600)}`));
  lines.push('', `drift scans: ${r.driftScans.map((s) => `${s.scanId} (${s.host})`).join(', ') || 'none'}`);
  if (r.stored) lines.push(`stored: artifact ${r.stored.artifactId} (replica-comparison), sha256 ${r.stored.sha256}`);
  return lines.join('\n');
}
