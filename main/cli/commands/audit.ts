import { gateHits, type BenchmarkCheck, type BenchmarkGate, type BenchmarkReport } from '../../../shared/domain/benchmark';
import { CliError, type CliCommand, GATE_FAILED_EXIT } from '../command';
import { caseLabel } from '../case-label';
import { safeText, table } from '../terminal-safe';
import { counted } from '../counted';

function parseGate(value: unknown): BenchmarkGate | undefined {
  if (value === undefined) return undefined;
  if (value === 'fail' || value === 'warn') return value;
  throw new CliError('--fail-on takes fail or warn', 2);
}

/** The evidence of a failed or warned recommendation, the subjects that caused it first. */
function evidenceLines(check: BenchmarkCheck): string[] {
  const own = check.evidence.filter((e) => e.verdict === undefined || e.verdict === check.verdict);
  return own
    .slice(0, 8)
    .map((e) => `    ${e.subject ? `${safeText(e.subject)}: ` : ''}${safeText(e.source)} ${safeText(e.field)} = ${safeText(e.value, 300)}`)
    .concat(own.length > 8 ? [`    … ${own.length - 8} more (--json has them all)`] : []);
}

export function renderAudit(report: BenchmarkReport): string {
  const counts = Object.entries(report.counts)
    .map(([verdict, n]) => `${n} ${verdict}`)
    .join(', ');
  const lines = [
    `CIS Docker Benchmark v${report.benchmarkVersion} on host ${safeText(report.host)} (Docker ${safeText(report.engine.serverVersion)}, API ${safeText(report.engine.apiVersion)}): ${counts}`,
    table(
      ['ID', 'LEVEL', 'VERDICT', 'TITLE', 'WHY'],
      report.checks.map((c) => [c.id, `L${c.level}${c.assessment === 'manual' ? ' manual' : ''}`, c.verdict, c.title, c.reason]),
    ),
  ];
  for (const limitation of report.limitations ?? []) lines.push(`Note: ${safeText(limitation)}`);
  const flagged = report.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'warn');
  if (flagged.length) lines.push('', 'Evidence of each fail and warn:');
  for (const c of flagged) lines.push(`  ${c.id} ${c.verdict}: ${c.title}`, ...evidenceLines(c));
  return lines.join('\n');
}

export const auditCommands: CliCommand[] = [
  {
    path: ['audit'],
    summary:
      'Audit a host against the CIS Docker Benchmark v1.6.0 from the Engine API, each verdict with its evidence; stored in the case; --fail-on gates a pipeline (exit 6)',
    usage: 'audit [--host H] [--json] [--fail-on fail|warn] [--case REF] [--no-record] [--no-host-files]',
    options: {
      host: { type: 'string' },
      'fail-on': { type: 'string' },
      case: { type: 'string' },
      'no-record': { type: 'boolean' },
      'no-host-files': { type: 'boolean' },
    },
    async run(ctx, values) {
      const gate = parseGate(values['fail-on']);
      const host = await ctx.host(values.host);
      const record = values['no-record'] !== true;
      const report = await ctx.call('benchmark.run', {
        host,
        record,
        // Sections 1 and 3 from the host's files (a short-lived read-only helper) unless told not to.
        hostFiles: values['no-host-files'] !== true,
        ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
      });
      ctx.io.out(ctx.json ? JSON.stringify(report) : renderAudit(report));
      if (!ctx.json)
        ctx.io.err(
          report.stored
            ? `recorded: benchmark report ${report.stored.artifactId} (sha256 ${report.stored.sha256}) in case ${await caseLabel(ctx, report.stored.caseId)}`
            : 'not recorded (--no-record): nothing was stored in a case',
        );
      if (!gate) return 0;
      const hits = gateHits(report, gate);
      if (hits.length === 0) return 0;
      ctx.io.err(
        `gate failed: ${counted(hits.length, 'recommendation')} at ${gate === 'warn' ? 'warn or fail' : 'fail'}: ${hits.map((h) => h.id).join(', ')}`,
      );
      return GATE_FAILED_EXIT;
    },
  },
];
