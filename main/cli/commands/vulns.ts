import path from 'node:path';
import type { VulnReport } from '../../../shared/domain/vulns';
import { CliError, type CliCommand } from '../command';
import { caseLabel } from '../case-label';
import { safeText, table } from '../terminal-safe';
import { counted } from '../counted';

/** The report for a terminal: coverage first (what was and was not scanned), then the findings. */
export function renderVulns(report: VulnReport): string {
  const lines = [
    `Vulnerabilities of ${report.subject.kind} ${safeText(report.subject.name)} on host ${safeText(report.host)}${report.osRelease ? ` (${safeText(report.osRelease)})` : ''}: ${counted(report.findings.length, 'finding')}${report.coverage.some((c) => c.state === 'scanned') ? '' : ' — NOTHING WAS SCANNED (see coverage)'}${report.coverage.some((c) => c.state === 'scanned') && report.coverage.some((c) => c.state === 'not-scanned') ? ' (some ecosystems not scanned)' : ''}`,
    'Coverage:',
    ...report.coverage.map((c) =>
      c.state === 'scanned' && c.database
        ? `  ${c.ecosystem}: ${counted(c.packages, 'package')} scanned against ${safeText(c.osvEcosystem ?? '')} in ${safeText(c.database.source)} (sha256 ${c.database.sha256.slice(0, 16)}…, newest record ${c.database.newestRecord}, ${c.database.ageDays} days old${c.database.stale ? ', STALE' : ''})${c.reason ? `; ${safeText(c.reason)}` : ''}`
        : `  ${c.ecosystem}: ${counted(c.packages, 'package')} NOT SCANNED: ${safeText(c.reason ?? '')}`,
    ),
  ];
  if (report.coverage.length === 0) lines.push('  no packages found: NOT SCANNED');
  if (report.findings.length)
    lines.push(
      table(
        ['ID', 'ALIASES', 'SEVERITY', 'PACKAGE', 'INSTALLED', 'FIXED', 'ORIGIN'],
        report.findings.map((f) => [
          f.id,
          f.aliases.join(' '),
          f.severity ?? '',
          f.package.name,
          f.package.version,
          f.fixedVersion ?? '(no fix)',
          f.origin === 'runtime' ? 'runtime (added after start)' : 'image',
        ]),
      ),
    );
  for (const w of report.warnings) lines.push(`Warning: ${safeText(w)}`);
  return lines.join('\n');
}

function maxAge(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^\d{1,5}$/.test(value)) return Number(value);
  throw new CliError('--max-age takes a number of days', 2);
}

export const vulnsCommands: CliCommand[] = [
  {
    path: ['vulndb', 'import'],
    summary:
      'Import an OSV vulnerability database export (the per-ecosystem all.zip) into the store, verified and recorded with its SHA-256',
    usage: 'vulndb import FILE [--sha256 HEX] [--json]',
    positionals: true,
    options: { sha256: { type: 'string' } },
    async run(ctx, values, positionals) {
      const file = positionals[0];
      if (file === undefined || positionals.length > 1) throw new CliError('needs one FILE (an OSV all.zip export)', 2);
      const expected = values.sha256;
      if (expected !== undefined && (typeof expected !== 'string' || !/^[0-9a-f]{64}$/i.test(expected)))
        throw new CliError('--sha256 takes 64 hexadecimal digits', 2);
      const result = await ctx.call('vulndb.import', {
        file: path.resolve(file),
        ...(typeof expected === 'string' ? { expectedSha256: expected } : {}),
      });
      const imp = result.import;
      ctx.io.out(
        ctx.json
          ? JSON.stringify(result)
          : [
              `Imported ${safeText(imp.source)}: ${imp.records} OSV records (${Object.entries(imp.ecosystems)
                .map(([e, n]) => `${safeText(e)} ${n}`)
                .join(', ')}), sha256 ${imp.sha256}, newest record ${imp.newestRecord}`,
              ...(result.rejected
                ? [
                    `Skipped ${result.rejected} entries that are not OSV records: ${result.rejectedExamples.map((e) => safeText(e)).join('; ')}`,
                  ]
                : []),
              result.caseId ? `recorded in case ${await caseLabel(ctx, result.caseId)}` : 'recorded in the audit log (no case open)',
            ].join('\n'),
      );
      return 0;
    },
  },
  {
    path: ['vulndb', 'status'],
    summary: 'The imported vulnerability databases: per ecosystem the one in use, its SHA-256, source and age',
    usage: 'vulndb status [--json]',
    async run(ctx) {
      const status = await ctx.call('vulndb.status', {});
      if (ctx.json) {
        ctx.io.out(JSON.stringify(status));
        return 0;
      }
      if (status.current.length === 0) {
        ctx.io.out('No vulnerability database imported: scans report every ecosystem as not scanned (drydock vulndb import FILE)');
        return 0;
      }
      ctx.io.out(
        table(
          ['ECOSYSTEM', 'SOURCE', 'SHA256', 'NEWEST RECORD', 'AGE (DAYS)'],
          status.current.map((c) => [c.ecosystem, c.source, c.sha256, c.newestRecord, String(c.ageDays)]),
        ),
      );
      return 0;
    },
  },
  {
    path: ['vulns'],
    summary:
      'Known vulnerabilities of a container or image from the imported OSV databases, each with its fix and whether it came with the image or at runtime; what has no database is "not scanned"',
    usage: 'vulns IMAGE|CONTAINER [--host H] [--max-age DAYS] [--case REF] [--no-record] [--json]',
    positionals: true,
    options: { host: { type: 'string' }, 'max-age': { type: 'string' }, case: { type: 'string' }, 'no-record': { type: 'boolean' } },
    async run(ctx, values, positionals) {
      const target = positionals[0];
      if (target === undefined || positionals.length > 1) throw new CliError('needs one IMAGE or CONTAINER', 2);
      const days = maxAge(values['max-age']);
      const host = await ctx.host(values.host);
      const report = await ctx.call('vulns.scan', {
        host,
        target,
        record: values['no-record'] !== true,
        ...(days !== undefined ? { maxAgeDays: days } : {}),
        ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
      });
      ctx.io.out(ctx.json ? JSON.stringify(report) : renderVulns(report));
      if (!ctx.json)
        ctx.io.err(
          report.stored
            ? `recorded: vulnerability report ${report.stored.artifactId} (sha256 ${report.stored.sha256}) in case ${await caseLabel(ctx, report.stored.caseId)}`
            : 'not recorded (--no-record): nothing was stored in a case',
        );
      return 0;
    },
  },
];
