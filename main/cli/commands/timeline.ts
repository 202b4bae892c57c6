import path from 'node:path';
import { TIMELINE_SEVERITIES, TIMELINE_SOURCES, type TimelineFilter, type TimelineSource } from '../../../shared/domain/timeline';
import { isTimeZone, L2TCSV_HEADER, l2tcsvLine, timesketchLine, zonedIso } from '../../../shared/timeline-formats';
import { CliError, type CliCommand } from '../command';
import { timelineFromDataRoot } from './dataroot';
import { safeText } from '../terminal-safe';

type OptionValue = string | boolean | string[] | undefined;

function one(value: OptionValue, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new CliError(`${what} takes one value`, 2);
  return value;
}

/**
 * --from/--to as the contract takes them (RFC 3339): an RFC 3339 time as given (a date-time with
 * no zone is UTC), a date alone as its UTC midnight, or a duration back from now (90s, 10m, 2h, 1d).
 */
function timeBound(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  const duration = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value);
  if (duration) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[duration[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(Date.now() - Number(duration[1]) * unit * 1000).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T00:00:00Z`;
  if (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/.test(value) &&
    Number.isFinite(Date.parse(/[Zz]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`))
  )
    return /(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  throw new CliError(
    `${what} takes an RFC 3339 time (2026-11-30T10:00:00Z), a date (2026-11-30) or a duration back from now (10m, 2h, 1d)`,
    2,
  );
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
  const from = timeBound(one(values.from, '--from'), '--from');
  if (from !== undefined) filter.from = from;
  const to = timeBound(one(values.to, '--to'), '--to');
  if (to !== undefined) filter.to = to;
  if (from !== undefined && to !== undefined && Date.parse(from) > Date.parse(to)) throw new CliError('--from is later than --to', 2);
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
      'timeline [--case NAME] [--data-root DIR] [--format table|jsonl|l2tcsv] [--out FILE] [--tz ZONE] [--source journal,drift,...] [--severity low] [--grep TEXT] [--from T] [--to T] [--container NAME] [--logs-filter TEXT]\n' +
      '       (jsonl: Timesketch JSON Lines; l2tcsv: plaso/log2timeline CSV; exports are UTC unless --tz names a zone)\n' +
      "       (--data-root DIR: reads a dead box's data root into the case first, then shows only its rows)",
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
      'data-root': { type: 'string' },
    },
    async run(ctx, values) {
      const format = one(values.format, '--format') ?? (ctx.json ? 'jsonl' : 'table');
      if (format !== 'table' && format !== 'jsonl' && format !== 'l2tcsv') throw new CliError('--format takes table, jsonl or l2tcsv', 2);
      const zone = one(values.tz, '--tz');
      if (zone !== undefined && !isTimeZone(zone))
        throw new CliError(`--tz: ${safeText(zone)} is not a time zone this machine knows (e.g. UTC, Europe/Berlin)`, 2);
      let filter = filterFrom(values);
      let caseRef = one(values.case, '--case');
      if (values['data-root'] !== undefined) {
        const disk = await timelineFromDataRoot(ctx, values);
        caseRef = disk.caseRef;
        filter = { ...filter, host: disk.host };
      }
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
        // On display the case's time zone applies; exports stay UTC unless --tz says otherwise.
        const shown = zone ?? (format === 'table' ? page.timeZone : 'UTC');
        if (!header) {
          header = true;
          if (format === 'l2tcsv') ctx.io.out(L2TCSV_HEADER);
          if (format === 'table') {
            ctx.io.err(
              `case ${safeText(page.caseName)}: ${page.matching} of ${page.total} rows${page.first ? `, ${zonedIso({ timeNano: isoNanoText(page.first) }, shown)} to ${page.last ? zonedIso({ timeNano: isoNanoText(page.last) }, shown) : '?'}` : ''}; times in ${shown}`,
            );
            for (const limitation of page.limitations) ctx.io.err(`note: ${safeText(limitation)}`);
          }
        }
        for (const row of page.rows) {
          if (format === 'jsonl') ctx.io.out(timesketchLine(row, shown));
          else if (format === 'l2tcsv') ctx.io.out(l2tcsvLine(row, shown));
          else {
            const where = [row.host, row.container].filter((x) => x !== undefined).join('/');
            ctx.io.out(
              `${zonedIso(row, shown)}  ${row.source.padEnd(9)} ${row.severity.padEnd(8)} ${safeText(where, 60).padEnd(24)} ${safeText(row.message, 400)}`,
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
      else
        lines.push(
          `To copy it out: drydock artifact export ${result.pdf?.artifactId ?? result.html.artifactId} --out FILE (or run report with --out FILE)`,
        );
      ctx.io.out(lines.join('\n'));
      return 0;
    },
  },
];

/** An RFC 3339 time as nanoseconds since the epoch (decimal text), keeping its fractional digits. */
function isoNanoText(iso: string): string {
  const m = /^(.*?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/.exec(iso);
  const ms = Date.parse(m ? `${m[1]}${m[3]}` : iso);
  return (BigInt(Number.isFinite(ms) ? ms : 0) * 1_000_000n + BigInt((m?.[2] ?? '').padEnd(9, '0') || '0')).toString();
}
