import path from 'node:path';
import type { ArtifactInfo, AuditEntry, CaseInfo, VerifyProblem, VerifyReport } from '../../../shared/domain/evidence';
import { CliError, type CliCommand, type CliContext } from '../command';
import { counted } from '../counted';
import { safeText, table } from '../terminal-safe';
import type { BundleSignatureCheck } from '../../../shared/contract/evidence';
import { evidenceShowCommand } from './evidence-show';
import { passphrase } from './key';

// Case names, notes and artifact sources may hold anything (they come from examiners and from
// hosts under investigation): every human-readable line goes through safeText/table.

type Values = Record<string, string | boolean | string[] | undefined>;

const AUDIT_PAGE = 1000;

function str(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function caseRefOf(values: Values): { caseRef?: string } {
  const ref = str(values, 'case');
  return ref !== undefined ? { caseRef: ref } : {};
}

function caseLine(c: CaseInfo): string {
  return `${safeText(c.name, 200)} (${c.id})`;
}

/**
 * The line naming the case an artifact list is of (escaped): the case `ref` names (by ID, or by
 * exact name as the store resolves it), else the current case; `count` artifacts listed.
 */
export function artifactsHeader(list: { cases: CaseInfo[]; currentCaseId: string | null }, ref: string | undefined, count: number): string {
  const kase =
    ref !== undefined
      ? (list.cases.find((c) => c.id === ref) ?? list.cases.find((c) => c.name === ref))
      : list.cases.find((c) => c.id === list.currentCaseId);
  const what = `${count} artifact${count === 1 ? '' : 's'}`;
  if (kase) return `Case ${caseLine(kase)}${ref === undefined ? ', the current case' : ''}: ${what}`;
  return ref === undefined ? `No case selected (drydock case use CASE): ${what}` : `Case ${safeText(ref, 200)}: ${what}`;
}

function statusOf(c: CaseInfo): string {
  return `${c.status}${c.readOnly ? ', read-only' : ''}`;
}

function sourceOf(a: ArtifactInfo): string {
  const where = [a.source.host, a.source.containerName ?? a.source.containerId?.slice(0, 12)].filter(Boolean).join('/');
  return a.source.path !== undefined ? `${where}:${a.source.path}` : where;
}

function problemText(p: VerifyProblem): string {
  switch (p.kind) {
    case 'blob-missing':
      return `blob missing: artifact ${p.artifactId} (sha256 ${p.sha256})`;
    case 'blob-mismatch':
      return `blob altered: artifact ${p.artifactId} hashes to ${p.actual}, stored as ${p.expected}`;
    case 'row-tampered':
      return `row tampered (${p.table} ${p.id}): ${p.message}`;
    case 'chain-broken':
      return `audit chain broken at entry ${p.seq}: ${p.message}`;
    case 'integrity-check':
      return `database: ${p.message}`;
  }
}

export function renderReport(report: VerifyReport): string {
  const counts = `${counted(report.checkedArtifacts, 'artifact')} and ${counted(report.checkedEntries, 'audit entry', 'audit entries')}`;
  if (report.ok) return `Verified ${counts}: OK (${report.verifiedAt})`;
  const lines = [`Verification FAILED (${counts} checked, ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}):`];
  report.problems.forEach((p, i) => lines.push(`${i === 0 ? 'first: ' : '       '}${safeText(problemText(p), 1000)}`));
  return lines.join('\n');
}

/** How a bundle was signed, in one line: the signer's name and time are what the signature vouches for. */
export function signatureText(s: BundleSignatureCheck): string {
  switch (s.status) {
    case 'unsigned':
      return 'Signature: UNSIGNED (no examiner signature; anyone could have written this bundle)';
    case 'untrusted':
      return `Signature: signed by an UNTRUSTED key ${s.fingerprint} (claims ${safeText(s.signer, 200)}, at ${safeText(s.signedAt, 64)}); trust it with drydock key trust FILE after comparing the fingerprint`;
    case 'trusted':
      return `Signature: valid, signed by ${safeText(s.trustedAs, 200)} (key ${s.fingerprint}, states ${safeText(s.signer, 200)}) at ${safeText(s.signedAt, 64)}`;
  }
}

function absolute(file: string): string {
  return path.resolve(file);
}

function out(ctx: CliContext, value: unknown, human: () => string): void {
  ctx.io.out(ctx.json ? JSON.stringify(value) : human());
}

const primaryCommands: CliCommand[] = [
  {
    path: ['case', 'create'],
    summary: 'Create a case and make it the current one',
    usage: 'case create --name NAME [--organisation ORG] [--tz ZONE] [--description TEXT]',
    options: { name: { type: 'string' }, organisation: { type: 'string' }, tz: { type: 'string' }, description: { type: 'string' } },
    async run(ctx, values) {
      const name = str(values, 'name');
      if (name === undefined) throw new CliError('needs --name NAME', 2);
      const organisation = str(values, 'organisation');
      const timeZone = str(values, 'tz');
      const description = str(values, 'description');
      const created = await ctx.call('evidence.case-create', {
        name,
        ...(organisation !== undefined ? { organisation } : {}),
        ...(timeZone !== undefined ? { timeZone } : {}),
        ...(description !== undefined ? { description } : {}),
      });
      out(
        ctx,
        created,
        () =>
          `Created case ${caseLine(created)}, examiner ${safeText(created.examiner)}, time zone ${safeText(created.timeZone)}; it is now the current case`,
      );
      return 0;
    },
  },
  {
    path: ['case', 'list'],
    summary: 'List the cases of the store (* marks the current one)',
    usage: 'case list',
    async run(ctx) {
      const list = await ctx.call('evidence.cases', {});
      out(ctx, list, () =>
        list.cases.length === 0
          ? 'No cases yet: drydock case create --name NAME'
          : table(
              ['', 'ID', 'NAME', 'STATUS', 'EXAMINER', 'ORGANISATION', 'TIME ZONE', 'CREATED'],
              list.cases.map((c) => [
                c.id === list.currentCaseId ? '*' : '',
                c.id,
                c.name,
                statusOf(c),
                c.examiner,
                c.organisation,
                c.timeZone,
                c.createdAt,
              ]),
            ),
      );
      return 0;
    },
  },
  {
    path: ['case', 'use'],
    summary: 'Select the current case (by ID or exact name)',
    usage: 'case use CASE',
    positionals: true,
    async run(ctx, _values, positionals) {
      const ref = positionals[0];
      if (ref === undefined || positionals.length > 1) throw new CliError('needs one CASE (ID or exact name)', 2);
      const kase = await ctx.call('evidence.case-use', { caseRef: ref });
      out(ctx, kase, () => `Current case: ${caseLine(kase)} (${statusOf(kase)})`);
      return 0;
    },
  },
  {
    path: ['case', 'close'],
    summary: 'Close a case (the current one by default): no further acquisitions go into it',
    usage: 'case close [CASE]',
    positionals: true,
    async run(ctx, _values, positionals) {
      if (positionals.length > 1) throw new CliError('takes at most one CASE', 2);
      const ref = positionals[0];
      const kase = await ctx.call('evidence.case-close', ref !== undefined ? { caseRef: ref } : {});
      out(ctx, kase, () => `Closed case ${caseLine(kase)} at ${kase.closedAt ?? '?'}`);
      return 0;
    },
  },
  {
    path: ['case', 'note'],
    summary: "Add a note to the current case's audit log",
    usage: 'case note TEXT [--case CASE]',
    positionals: true,
    options: { case: { type: 'string' } },
    async run(ctx, values, positionals) {
      const text = positionals.join(' ');
      if (!text.trim()) throw new CliError('needs the TEXT of the note', 2);
      const entry = await ctx.call('evidence.note', { text, ...caseRefOf(values) });
      out(ctx, entry, () => `Note recorded as audit entry ${entry.seq} (${entry.hash.slice(0, 16)}…)`);
      return 0;
    },
  },
  {
    path: ['case', 'audit'],
    summary: "Print a case's audit log (the current case by default)",
    usage: 'case audit [--case CASE]',
    options: { case: { type: 'string' } },
    async run(ctx, values) {
      const entries: AuditEntry[] = [];
      for (let afterSeq = 0; ;) {
        const page = await ctx.call('evidence.audit', { afterSeq, limit: AUDIT_PAGE, ...caseRefOf(values) });
        entries.push(...page);
        const last = page[page.length - 1];
        if (page.length < AUDIT_PAGE || !last) break;
        afterSeq = last.seq;
      }
      if (ctx.json) {
        for (const entry of entries) ctx.io.out(JSON.stringify(entry));
        return 0;
      }
      ctx.io.out(
        entries.length === 0
          ? 'The audit log is empty'
          : table(
              ['SEQ', 'AT (UTC)', 'EXAMINER', 'ACTION', 'DETAILS', 'HASH'],
              entries.map((e) => [String(e.seq), e.at, e.examiner, e.action, JSON.stringify(e.details), e.hash.slice(0, 12)]),
            ),
      );
      return 0;
    },
  },
  {
    path: ['case', 'artifacts'],
    summary: "List a case's artifacts (the current case by default)",
    usage: 'case artifacts [--case CASE]',
    options: { case: { type: 'string' } },
    async run(ctx, values) {
      const artifacts = await ctx.call('evidence.artifacts', { limit: 100_000, ...caseRefOf(values) });
      if (ctx.json) {
        ctx.io.out(JSON.stringify(artifacts));
        return 0;
      }
      ctx.io.out(artifactsHeader(await ctx.call('evidence.cases', {}), str(values, 'case'), artifacts.length));
      ctx.io.out(
        artifacts.length === 0
          ? 'No artifacts'
          : table(
              ['ID', 'KIND', 'STATUS', 'SIZE', 'SHA-256', 'SOURCE', 'ACQUIRED (UTC)'],
              artifacts.map((a) => [a.id, a.kind, a.status, String(a.size), a.sha256, sourceOf(a), a.acquiredAt]),
            ),
      );
      for (const a of artifacts) if (a.status === 'incomplete') ctx.io.out(`incomplete ${a.id}: ${safeText(a.statusReason ?? '', 500)}`);
      return 0;
    },
  },
  {
    path: ['case', 'verify'],
    summary: 'Re-hash every blob and the audit chain; exit status 5 if anything fails (the whole store without --case)',
    usage: 'case verify [--case CASE]',
    options: { case: { type: 'string' } },
    async run(ctx, values) {
      const report = await ctx.call('evidence.verify', caseRefOf(values));
      out(ctx, report, () => renderReport(report));
      return report.ok ? 0 : 5;
    },
  },
  {
    path: ['case', 'export'],
    summary: 'Write a case bundle (tar) that verifies on another machine',
    usage: 'case export FILE [--case CASE] [--sign]  (or --out FILE)',
    positionals: true,
    options: { out: { type: 'string' }, case: { type: 'string' }, sign: { type: 'boolean' } },
    async run(ctx, values, positionals) {
      const named = str(values, 'out');
      if (positionals.length > 1 || (named !== undefined && positionals.length > 0))
        throw new CliError('takes one bundle FILE (as FILE or --out FILE)', 2);
      const target = named ?? positionals[0];
      if (target === undefined) throw new CliError('needs the bundle FILE to write', 2);
      const sign = values.sign === true ? { sign: true, passphrase: await passphrase(false) } : {};
      const result = await ctx.call('evidence.export-bundle', { path: absolute(target), ...caseRefOf(values), ...sign });
      out(
        ctx,
        result,
        () =>
          `Wrote ${safeText(result.path)}: ${counted(result.artifacts, 'artifact')}, ${counted(result.auditEntries, 'audit entry', 'audit entries')}, ${counted(result.bytes, 'byte')}, sha256 ${result.sha256}${result.signedBy ? `\nSigned with examiner key ${result.signedBy}` : ''}`,
      );
      return 0;
    },
  },
  {
    path: ['case', 'import'],
    summary: 'Verify a case bundle and its signature, and import it read-only (--require-signature: only if signed by a trusted key)',
    usage: 'case import FILE [--require-signature]',
    positionals: true,
    options: { 'require-signature': { type: 'boolean' } },
    async run(ctx, values, positionals) {
      const file = positionals[0];
      if (file === undefined || positionals.length > 1) throw new CliError('needs one bundle FILE', 2);
      const result = await ctx.call('evidence.import-bundle', {
        path: absolute(file),
        requireSignature: values['require-signature'] === true,
      });
      out(
        ctx,
        result,
        () => `Imported case ${caseLine(result.case)} read-only\n${signatureText(result.signature)}\n${renderReport(result.report)}`,
      );
      return result.report.ok ? 0 : 5;
    },
  },
  {
    path: ['case', 'signature'],
    summary: "How an imported case's bundle was signed: key fingerprint, signer, time, trusted or not",
    usage: 'case signature [CASE]',
    positionals: true,
    async run(ctx, _values, positionals) {
      if (positionals.length > 1) throw new CliError('takes at most one CASE', 2);
      const ref = positionals[0];
      const signature = await ctx.call('evidence.case-signature', ref !== undefined ? { caseRef: ref } : {});
      out(ctx, signature, () => `${signatureText(signature)}\n(checked at import, ${signature.checkedAt})`);
      return 0;
    },
  },
  {
    path: ['artifact', 'export'],
    summary: "Copy an artifact's bytes to a file, re-hashed on the way",
    usage: 'artifact export ID --out FILE',
    positionals: true,
    options: { out: { type: 'string' } },
    async run(ctx, values, positionals) {
      const id = positionals[0];
      const target = str(values, 'out');
      if (id === undefined || positionals.length > 1 || target === undefined) throw new CliError('needs one artifact ID and --out FILE', 2);
      const result = await ctx.call('evidence.export-artifact', { artifactId: id, path: absolute(target) });
      out(ctx, result, () => `Wrote ${safeText(result.path)}: ${result.bytes} bytes, sha256 ${result.sha256}`);
      return 0;
    },
  },
];

/** Another name for a command (the issue's vocabulary), running the same code. */
function alias(path: string[], of: string[], usage: string): CliCommand {
  const target = primaryCommands.find((c) => c.path.join(' ') === of.join(' '));
  if (!target) throw new Error(`No command ${of.join(' ')} to alias`);
  return { ...target, path, usage, summary: `${target.summary} (same as: ${of.join(' ')})` };
}

export const caseCommands: CliCommand[] = [
  ...primaryCommands,
  alias(['case', 'new'], ['case', 'create'], 'case new --name NAME [--organisation ORG] [--tz ZONE] [--description TEXT]'),
  alias(['evidence', 'list'], ['case', 'artifacts'], 'evidence list [--case CASE]'),
  alias(['evidence', 'verify'], ['case', 'verify'], 'evidence verify [--case CASE]'),
  evidenceShowCommand,
];
