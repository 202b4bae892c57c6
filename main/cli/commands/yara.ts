import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { YaraMatch, YaraScanReport } from '../../../shared/domain/yara';
import { CliError, GATE_FAILED_EXIT, type CliCommand } from '../command';
import { counted } from '../counted';
import { safeText } from '../terminal-safe';

/** The word that stands for Drydock's starter rules instead of a path. */
export const STARTER = '@starter';

/**
 * The rule files RULES names: one file, or every *.yar / *.yara file directly in a directory, read
 * here (the CLI's machine) and sent as text; `@starter` alone means the shipped starter set.
 * @throws CliError (exit 2) for a path that is not there or a directory with no rule file.
 */
export function readRuleFiles(spec: string): { rules: { name: string; text: string }[]; starter: boolean } {
  if (spec === STARTER) return { rules: [], starter: true };
  let stat;
  try {
    stat = statSync(spec);
  } catch {
    throw new CliError(`no rule file or directory ${spec} (or ${STARTER} for Drydock's starter rules)`, 2);
  }
  const files = stat.isDirectory()
    ? readdirSync(spec)
        .filter((f) => /\.(yar|yara)$/.test(f))
        .sort()
        .map((f) => path.join(spec, f))
    : [spec];
  if (files.length === 0) throw new CliError(`${spec} holds no .yar or .yara file`, 2);
  return { rules: files.map((f) => ({ name: path.basename(f), text: readFileSync(f, 'utf8') })), starter: false };
}

function where(m: YaraMatch): string {
  if (m.path !== undefined) return safeText(m.path, 300);
  if (m.pid !== undefined && m.artifactId === undefined) return `PID ${m.pid}`;
  if (m.artifactId !== undefined) return `artifact ${m.artifactId}${m.pid !== undefined ? ` (PID ${m.pid})` : ''}`;
  return '?';
}

/**
 * What matched, for the summary and the gate: "1 rule matched (r), 0 string hits". A rule matching
 * on its condition alone (no string) is a rule matched but no string hit; reports stored before
 * stringHits existed count their matches.
 */
export function yaraTally(report: Pick<YaraScanReport, 'rulesMatched' | 'matchCount' | 'stringHits'>, names = true): string {
  const rules = `${counted(report.rulesMatched.length, 'rule')} matched`;
  const list = names ? ` (${report.rulesMatched.map((r) => safeText(r, 64)).join(', ')})` : '';
  return `${rules}${list}, ${counted(report.stringHits ?? report.matchCount, 'string hit')}`;
}

/** A report for a terminal; every string from the scanned side goes through safeText. */
export function renderYara(report: YaraScanReport): string {
  const subject =
    report.target.kind === 'container'
      ? `${report.target.memory ? 'live memory of' : 'filesystem of'} container ${safeText(report.containerName ?? '?')} on ${safeText(report.host ?? '?')}`
      : report.target.kind === 'artifact'
        ? `artifact ${report.target.artifactId}`
        : `files of drift scan ${report.target.scanId}`;
  const s = report.scanned;
  const lines = [
    `YARA over the ${subject}: ${report.engine.name} ${safeText(report.engine.version, 40)} (${report.engine.where === 'helper' ? 'helper container on the host' : 'in the app'}), rules ${report.rules.map((r) => safeText(r.name, 80)).join(', ')}`,
    `Scanned ${s.pids.length ? `${s.pids.length === 1 ? 'PID' : 'PIDs'} ${s.pids.join(', ')}` : counted(s.files, 'file')}${s.regions ? `, ${counted(s.regions, 'memory region')}` : ''}${s.bytes ? `, ${counted(s.bytes, 'byte')}` : ''}: ${report.rulesMatched.length === 0 ? 'no rule matched' : yaraTally(report)}${report.truncated ? ` (the first ${report.matches.length} kept)` : ''}`,
  ];
  for (const m of report.matches.slice(0, 200)) {
    const at =
      m.string === ''
        ? 'the rule matched (no string)'
        : `${m.address !== undefined ? `address 0x${m.address}` : `offset ${m.offset}`} ${m.string} (${m.length} bytes)${m.address !== undefined && m.artifactId !== undefined ? ` at image offset ${m.offset}` : ''}`;
    lines.push(`  ${safeText(m.rule, 128)}  ${where(m)}  ${at}${m.preview ? `  ${safeText(m.preview, 80)}` : ''}`);
  }
  if (report.matches.length > 200) lines.push(`  … ${report.matches.length} matches kept; --json lists them all`);
  for (const k of report.skipped.slice(0, 50)) lines.push(`Not scanned: ${safeText(k.what, 300)}: ${safeText(k.reason, 300)}`);
  if (report.skipped.length > 50) lines.push(`… ${report.skipped.length} not scanned; --json lists them all`);
  for (const w of report.warnings) lines.push(`Rule warning: ${safeText(w, 300)}`);
  for (const l of report.limitations) lines.push(`Note: ${safeText(l, 600)}`);
  if (report.stored)
    lines.push(`Stored as artifact ${report.stored.artifactId} (sha256 ${report.stored.sha256}) in case ${report.stored.caseId}`);
  return lines.join('\n');
}

export const yaraCommands: CliCommand[] = [
  {
    path: ['yara'],
    summary:
      "Runs YARA rules (files, a directory of them, or @starter: Drydock's own) over a container's filesystem or, with --memory, its processes' live memory (Debian's yara in a helper), or in the app over a stored artifact or a drift scan's files; matches are stored as a yara-report artifact",
    usage:
      'yara RULES (--container C [--memory] [--pid N] | --artifact ID | --scan SCAN_ID) [--starter] [--host H] [--case NAME] [--json] [--fail-on-match]',
    positionals: true,
    options: {
      container: { type: 'string' },
      memory: { type: 'boolean' },
      pid: { type: 'string', multiple: true },
      artifact: { type: 'string' },
      scan: { type: 'string' },
      starter: { type: 'boolean' },
      'fail-on-match': { type: 'boolean' },
      host: { type: 'string' },
      case: { type: 'string' },
    },
    async run(ctx, values, positionals) {
      const spec = positionals[0];
      if (!spec || positionals.length > 1) throw new CliError('needs one RULES (a rule file, a directory of them, or @starter)', 2);
      const targets = [values.container, values.artifact, values.scan].filter((v) => v !== undefined);
      if (targets.length !== 1) throw new CliError('needs exactly one of --container, --artifact and --scan', 2);
      if ((values.memory === true || values.pid !== undefined) && values.container === undefined)
        throw new CliError('--memory and --pid go with --container', 2);
      const pids = (Array.isArray(values.pid) ? values.pid : typeof values.pid === 'string' ? [values.pid] : []).map((p) => {
        if (!/^\d{1,7}$/.test(p)) throw new CliError('--pid takes a whole number', 2);
        return Number(p);
      });
      if (pids.length && values.memory !== true) throw new CliError('--pid needs --memory', 2);
      const read = readRuleFiles(spec);
      const common = {
        rules: read.rules,
        starter: read.starter || values.starter === true,
        ...(typeof values.case === 'string' ? { caseRef: values.case } : {}),
      };
      let report: YaraScanReport;
      if (typeof values.container === 'string') {
        const host = await ctx.host(values.host);
        report = await ctx.call('yara.scan-container', {
          ...common,
          host,
          container: values.container,
          memory: values.memory === true,
          ...(pids.length ? { pids } : {}),
        });
      } else if (typeof values.artifact === 'string')
        report = await ctx.call('yara.scan-artifact', { ...common, artifactId: values.artifact });
      else report = await ctx.call('yara.scan-drift', { ...common, scanId: String(values.scan) });
      ctx.io.out(ctx.json ? JSON.stringify(report) : renderYara(report));
      if (values['fail-on-match'] === true && report.matchCount > 0) {
        ctx.io.err(`gate failed: ${yaraTally(report, false)} (exit ${GATE_FAILED_EXIT})`);
        return GATE_FAILED_EXIT;
      }
      return 0;
    },
  },
];
