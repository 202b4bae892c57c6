import path from 'node:path';
import { TIMELINE_SEVERITIES, TIMELINE_SOURCES, type TimelineFilter, type TimelineSource } from '../../../shared/domain/timeline';
import { isTimeZone, L2TCSV_HEADER, l2tcsvLine, timesketchLine, zonedIso } from '../../../shared/timeline-formats';
import { CliError, type CliCommand } from '../command';
import { safeText } from '../terminal-safe';

type OptionValue = string | boolean | string[] | undefined;

function one(value: OptionValue, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new CliError(`${what} takes one value`, 2);
  return value;
}

function filterFrom(values: Record<string, OptionValue>): TimelineFilter | undefined {
  const filter: TimelineFilter = {};
  const sources = one(values.source, '--source');
  if (sources !== undefined) {
    const list = sources.split(',').map((s) => s.trim());
    for (const s of list)
      if (!(TIMELINE_SOURCES as readonly string[]).includes(s))
        throw new CliError(`--source: ${safeText(s)} is not a timeline source (${TIMELINE_SOURCES.join(', ')})`, 2);
    filter.sources = list as TimelineSource[];
  }
  const severity = one(values.severity, '--severity');
  if (severity !== undefined) {
    if (!(TIMELINE_SEVERITIES as readonly string[]).includes(severity))
      throw new CliError(`--severity takes one of ${TIMELINE_SEVERITIES.join(', ')}`, 2);
    filter.minSeverity = severity as TimelineFilter['minSeverity'];
  }
  const text = one(values.grep, '--grep');
  if (text !== undefined) filter.text = text;
  const from = one(values.from, '--from');
  if (from !== undefined) filter.from = from;
  const to = one(values.to, '--to');
  if (to !== undefined) filter.to = to;
  const container = one(values.container, '--container');
  if (container !== undefined) filter.container = container;
  return Object.keys(filter).length ? filter : undefined;
}

export const timelineCommands: CliCommand[] = [
  {
    path: ['timeline'],
    summary:
      'One timeline of everything the case knows: engine events and gaps, container lifecycles, logs, drift by mtime, process starts, captures and flows, every audit entry',
    usage:
      'timeline [--case NAME] [--format table|jsonl|l2tcsv] [--out FILE] [--tz ZONE] [--source journal,drift,...] [--severity low] [--grep TEXT] [--from T] [--to T] [--container NAME] [--logs-filter TEXT]\n' +
      '       (jsonl: Timesketch JSON Lines; l2tcsv: plaso/log2timeline CSV; exports are UTC unless --tz names a zone)',
    options: {
      case: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      tz: { type: 'string' },
      source: { type: 'string' },
      severity: { type: 'string' },
      grep: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      container: { type: 'string' },
      'logs-filter': { type: 'string' },
    },
    async run(ctx, values) {
      const format = one(values.format, '--format') ?? (ctx.json ? 'jsonl' : 'table');
      if (format !== 'table' && format !== 'jsonl' && format !== 'l2tcsv') throw new CliError('--format takes table, jsonl or l2tcsv', 2);
      const zone = one(values.tz, '--tz');
      if (zone !== undefined && !isTimeZone(zone))
        throw new CliError(`--tz: ${safeText(zone)} is not a time zone this machine knows (e.g. UTC, Europe/Berlin)`, 2);
      const filter = filterFrom(values);
      const caseRef = one(values.case, '--case');
      const logFilter = one(values['logs-filter'], '--logs-filter');
      const base = {
        ...(caseRef !== undefined ? { caseRef } : {}),
        ...(filter !== undefined ? { filter } : {}),
        ...(logFilter !== undefined ? { logFilter } : {}),
      };
      const out = one(values.out, '--out');
      if (out !== undefined) {
        if (format === 'table') throw new CliError('--out writes jsonl or l2tcsv: add --format jsonl or --format l2tcsv', 2);
        const result = await ctx.call('timeline.export', {
          ...base,
          format,
          target: path.resolve(out),
          ...(zone !== undefined ? { timeZone: zone } : {}),
        });
        ctx.io.out(
          ctx.json
            ? JSON.stringify(result)
            : `Wrote ${result.rows} rows of case ${safeText(result.caseName)} to ${safeText(result.path)} (${format}, ${result.bytes} bytes, sha256 ${result.sha256}, times in ${result.timeZone})`,
        );
        return 0;
      }
      let offset = 0;
      let header = false;
      for (;;) {
        const page = await ctx.call('timeline.page', { ...base, offset, limit: 2000 });
        if (!header) {
          header = true;
          if (format === 'l2tcsv') ctx.io.out(L2TCSV_HEADER);
          if (format === 'table') {
            ctx.io.err(
              `case ${safeText(page.caseName)}: ${page.matching} of ${page.total} rows${page.first ? `, ${page.first} to ${page.last ?? '?'}` : ''}; times in ${zone ?? 'UTC'}`,
            );
            for (const limitation of page.limitations) ctx.io.err(`note: ${safeText(limitation)}`);
          }
        }
        for (const row of page.rows) {
          if (format === 'jsonl') ctx.io.out(timesketchLine(row, zone ?? 'UTC'));
          else if (format === 'l2tcsv') ctx.io.out(l2tcsvLine(row, zone ?? 'UTC'));
          else {
            const where = [row.host, row.container].filter((x) => x !== undefined).join('/');
            ctx.io.out(
              `${zonedIso(row, zone ?? 'UTC')}  ${row.source.padEnd(9)} ${row.severity.padEnd(8)} ${safeText(where, 60).padEnd(24)} ${safeText(row.message, 400)}`,
            );
          }
        }
        offset += page.rows.length;
        if (page.rows.length < 2000) break;
      }
      return 0;
    },
  },
  {
    path: ['report'],
    summary:
      'The case report: findings ranked by severity, the timeline, the connection graph, every artifact with its SHA-256, the audit chain head and a fresh verification; self-contained HTML or PDF, stored in the case',
    usage:
      'report [--case NAME] --format html|pdf [--out FILE] [--tz ZONE]   (PDF through a local Chromium, Chrome or Edge; DRYDOCK_CHROMIUM names one; without one the HTML is written)',
    options: { case: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, tz: { type: 'string' } },
    async run(ctx, values) {
      const format = one(values.format, '--format') ?? 'html';
      if (format !== 'html' && format !== 'pdf') throw new CliError('--format takes html or pdf', 2);
      const zone = one(values.tz, '--tz');
      const caseRef = one(values.case, '--case');
      const out = one(values.out, '--out');
      const result = await ctx.call('report.create', {
        format,
        ...(caseRef !== undefined ? { caseRef } : {}),
        ...(out !== undefined ? { target: path.resolve(out) } : {}),
        ...(zone !== undefined ? { timeZone: zone } : {}),
      });
      if (ctx.json) {
        ctx.io.out(JSON.stringify(result));
        return 0;
      }
      const lines = [
        `Report of case ${safeText(result.caseName)}: ${result.findings} findings, ${result.timelineRows} timeline rows, ${result.artifacts} artifacts; the case ${result.verified ? 'verified' : 'FAILED verification'}`,
        `HTML stored as artifact ${result.html.artifactId} (sha256 ${result.html.sha256})`,
      ];
      if (result.pdf)
        lines.push(
          `PDF stored as artifact ${result.pdf.artifactId} (sha256 ${result.pdf.sha256}), rendered by ${safeText(result.pdf.renderer)}`,
        );
      if (result.pdfUnavailable) lines.push(`No PDF: ${safeText(result.pdfUnavailable)}`);
      if (result.written) lines.push(`Wrote ${safeText(result.written.path)} (${result.written.format}, ${result.written.bytes} bytes)`);
      ctx.io.out(lines.join('\n'));
      return 0;
    },
  },
];
