import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ArtifactInfo, ArtifactKind, CaseInfo, VerifyReport } from '../../../shared/domain/evidence';
import type { CaseReport } from '../../../shared/domain/report';
import type { TimelineInfo, TimelineRow } from '../../../shared/domain/timeline';
import type { YaraMatch, YaraScanReport } from '../../../shared/domain/yara';
import { counted } from '../../../shared/counted';
import { isTimeZone } from '../../../shared/timeline-formats';
import { DrydockFailure, toDrydockError } from '../errors';
import { drydockVersion } from '../evidence/drydock-version';
import { fleetCollectorRun, type FleetCollectorIds } from '../evidence/fleet-collectors';
import type { NewArtifact } from '../evidence/port';
import { storeIoFailure } from '../store/io-failure';
import { graphSvg } from './graph-svg';
import type { PdfRenderer } from './pdf-render';
import { reportHtml, type Finding, type FindingSeverity, type ReportModel } from './report-page';

export interface ReportEvidence {
  resolveCase(ref?: string): Promise<CaseInfo>;
  listArtifacts(request: { caseRef?: string; kind?: ArtifactKind; limit?: number }): Promise<ArtifactInfo[]>;
  openArtifact(id: string): Promise<NodeJS.ReadableStream>;
  auditHead(caseRef?: string): Promise<{ seq: number; hash: string } | undefined>;
  verify(caseRef?: string): Promise<VerifyReport>;
  caseSignature(ref?: string): unknown;
  ingest(meta: NewArtifact, stream: Readable): Promise<ArtifactInfo>;
  actingExaminer(): { name: string };
  audit(action: string, details: Record<string, unknown>, caseId?: string): unknown;
  /** The fleet collector containers the case's audit names (fleet-collectors.ts); absent: none known. */
  fleetCollectorIds?(caseRef: string): FleetCollectorIds;
}

export interface ReportTimeline {
  ensure(caseRef: string | undefined): Promise<{ kase: CaseInfo; info: TimelineInfo }>;
  iterate(caseId: string): Iterable<TimelineRow>;
}

export interface ReportServiceDeps {
  evidence: ReportEvidence;
  timeline: ReportTimeline;
  clock: { now(): Date };
  pdf: PdfRenderer;
}

/** Timeline rows the report prints at most (the whole timeline is an export). */
export const REPORT_TIMELINE_ROWS = 3000;

/** A container as an inventory-snapshot artifact holds it (the fields the report reads). */
export interface InventoryRow {
  id?: string;
  name: string;
  labels?: Record<string, string>;
  helper?: boolean;
  risks?: { severity: string; reason: string }[];
  topSeverity?: string;
}

/**
 * The report's findings for one container of an inventory snapshot (artifact `artifact`, host
 * `host`): none for Drydock's helpers and containers without risk flags; for a fleet run's own
 * collector (fleetCollectorRun: merged from that run, its label, an ID the case's audit names) one
 * info line "Drydock's collector" instead of its risk flags (the Docker socket Drydock mounted);
 * else one risk finding at the container's top severity.
 */
export function inventoryFindings(
  c: InventoryRow,
  host: string | undefined,
  artifact: Pick<ArtifactInfo, 'id' | 'attributes'>,
  collectors: FleetCollectorIds,
): Finding[] {
  if (c.helper) return [];
  const where = { ...(host ? { host } : {}), container: c.name, artifactId: artifact.id };
  const run = fleetCollectorRun(c, artifact.attributes, collectors);
  if (run !== undefined)
    return [
      {
        severity: 'info',
        category: 'drydock',
        ...where,
        title: "Drydock's collector",
        detail: `The collector container of fleet run ${run}: Drydock ran it on this node with the node's Docker socket mounted, and removed it after the run; not a risk of the host`,
      },
    ];
  if (!c.risks?.length) return [];
  return [
    {
      severity: sevOf(c.topSeverity),
      category: 'risk',
      ...where,
      title: counted(c.risks.length, 'risk flag'),
      detail: c.risks.map((r) => r.reason).join(' · '),
    },
  ];
}

const RANK: Record<FindingSeverity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/**
 * The case report (issue: from evidence to answer): case metadata and examiner, findings ranked by
 * severity (risk flags, drift, flagged processes, notable flows, quarantines, benchmark failures,
 * exec sessions), the timeline, the connection graph as a picture, the evidence table (SHA-256,
 * method, tool version, UTC time of every artifact), the audit chain's head and a fresh
 * verification, and what the case does not cover. The HTML is stored in the case as a
 * 'case-report' artifact (and the PDF, when asked, as another), so the report's own hash is in
 * the chain.
 */
export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  /**
   * Makes the report of a case (the named one, else the current one).
   * @throws DrydockFailure('invalid-input') for an unknown time zone; ('conflict') for a closed or
   *   read-only case (the report is stored in the case it reports on); ('store') when storing or
   *   writing fails (an existing target file is never overwritten). No Chromium for a PDF is not
   *   an error: the HTML is written and `pdfUnavailable` says why.
   */
  async create(request: { caseRef?: string; format: 'html' | 'pdf'; target?: string; timeZone?: string }): Promise<CaseReport> {
    const { kase, info } = await this.deps.timeline.ensure(request.caseRef);
    const zone = request.timeZone ?? kase.timeZone ?? 'UTC';
    if (!isTimeZone(zone)) throw new DrydockFailure('invalid-input', `${zone} is not a time zone this machine knows`);
    if (kase.readOnly || kase.status !== 'open')
      throw new DrydockFailure(
        'conflict',
        `Case ${kase.name} is ${kase.readOnly ? 'read-only (imported)' : 'closed'}: the report is stored in the case it reports on, so it can only be made while the case is open`,
      );
    // Checked before anything is made or stored: a report is never stored twice for one refused target.
    for (const target of request.target !== undefined ? [request.target, request.target.replace(/(\.pdf)?$/i, '.html')] : [])
      if (existsSync(target) && (target === request.target || request.format === 'pdf'))
        throw new DrydockFailure('conflict', `${target} already exists: Drydock never overwrites a file; choose another --out`);
    const model = await this.model(kase, info, zone);
    const html = reportHtml(model);
    const htmlBytes = Buffer.from(html, 'utf8');
    const htmlArtifact = await this.store(kase, htmlBytes, 'text/html', 'html', model);
    const result: CaseReport = {
      caseId: kase.id,
      caseName: kase.name,
      html: { artifactId: htmlArtifact.id, sha256: htmlArtifact.sha256, bytes: htmlArtifact.size },
      findings: model.findings.length,
      timelineRows: info.total,
      artifacts: model.artifacts.length,
      ...(model.auditHead ? { auditHead: model.auditHead } : {}),
      verified: model.verification.ok,
    };
    let written: { bytes: Buffer; format: 'html' | 'pdf' } = { bytes: htmlBytes, format: 'html' };
    if (request.format === 'pdf') {
      try {
        const { pdf, renderer } = await this.deps.pdf(html);
        const pdfArtifact = await this.store(kase, pdf, 'application/pdf', 'pdf', model, { renderer, htmlArtifactId: htmlArtifact.id });
        result.pdf = { artifactId: pdfArtifact.id, sha256: pdfArtifact.sha256, bytes: pdfArtifact.size, renderer };
        written = { bytes: pdf, format: 'pdf' };
      } catch (err) {
        const failure = toDrydockError(err);
        if (failure.kind !== 'unsupported') throw err;
        result.pdfUnavailable = failure.message;
      }
    }
    if (request.target !== undefined) {
      const target = written.format === 'html' && request.format === 'pdf' ? request.target.replace(/(\.pdf)?$/i, '.html') : request.target;
      try {
        await writeFile(target, written.bytes, { flag: 'wx' });
      } catch (err) {
        throw storeIoFailure(err, `write the report to ${target}`);
      }
      result.written = {
        path: target,
        format: written.format,
        bytes: written.bytes.length,
        sha256: createHash('sha256').update(written.bytes).digest('hex'),
      };
      this.deps.evidence.audit('report.written', { path: target, format: written.format, sha256: result.written.sha256 }, kase.id);
    }
    return result;
  }

  private async store(
    kase: CaseInfo,
    bytes: Buffer,
    mediaType: string,
    format: string,
    model: ReportModel,
    extra: Record<string, unknown> = {},
  ) {
    return this.deps.evidence.ingest(
      {
        caseId: kase.id,
        kind: 'case-report',
        source: {},
        method:
          format === 'pdf' ? 'Drydock case report, HTML rendered to PDF by a browser engine' : 'Drydock case report, self-contained HTML',
        mediaType,
        attributes: {
          format,
          generatedAt: model.generatedAt,
          timeZone: model.timeZone,
          findings: model.findings.length,
          artifactsListed: model.artifacts.length,
          timelineRows: model.timelineTotal,
          ...(model.auditHead ? { auditHeadSeq: model.auditHead.seq, auditHeadHash: model.auditHead.hash } : {}),
          verified: model.verification.ok,
          ...extra,
        },
      },
      Readable.from([bytes]),
    );
  }

  private async model(kase: CaseInfo, info: TimelineInfo, zone: string): Promise<ReportModel> {
    const artifacts = (await this.deps.evidence.listArtifacts({ caseRef: kase.id, limit: 1_000_000 })).filter(
      (a) => a.kind !== 'case-report',
    );
    const findings: Finding[] = [];
    const notCovered: string[] = [...info.limitations];
    let latestGraph: ArtifactInfo | undefined;
    const latestInventory = new Map<string, ArtifactInfo>();
    const latestBenchmark = new Map<string, ArtifactInfo>();
    for (const a of artifacts) {
      if (a.status === 'incomplete')
        notCovered.push(
          `Artifact ${a.id} (${a.kind}${a.source.containerName ? ` of ${a.source.containerName}` : ''}) is incomplete: ${a.statusReason ?? 'no reason recorded'}`,
        );
      if (a.kind === 'connection-snapshot' && (!latestGraph || a.acquiredAt > latestGraph.acquiredAt)) latestGraph = a;
      if (a.kind === 'benchmark-report') {
        const seen = latestBenchmark.get(a.source.host ?? '');
        if (!seen || a.acquiredAt > seen.acquiredAt) latestBenchmark.set(a.source.host ?? '', a);
      }
      if (a.kind === 'inventory-snapshot') {
        const host = a.source.host ?? '';
        const seen = latestInventory.get(host);
        if (!seen || a.acquiredAt > seen.acquiredAt) latestInventory.set(host, a);
      }
    }
    const collectors = this.deps.evidence.fleetCollectorIds?.(kase.id) ?? new Set<string>();
    for (const a of latestInventory.values()) {
      const snap = (await this.json(a)) as
        | {
            host?: string;
            containers?: InventoryRow[];
          }
        | undefined;
      for (const c of snap?.containers ?? []) findings.push(...inventoryFindings(c, snap?.host, a, collectors));
    }
    for (const a of artifacts) {
      if (a.kind === 'drift-report') {
        const r = (await this.json(a)) as
          | {
              host?: string;
              containerName?: string;
              topSeverity?: string | null;
              counts?: Record<string, number>;
              entries?: { path: string; severity: string; change: string; reasons?: { reason: string }[] }[];
              blindSpots?: { destination: string; note: string }[];
              limitations?: string[];
            }
          | undefined;
        if (!r) continue;
        const serious = (r.entries ?? []).filter((e) => e.severity === 'critical' || e.severity === 'high');
        if (r.topSeverity && r.topSeverity !== 'info')
          findings.push({
            severity: sevOf(r.topSeverity),
            category: 'drift',
            ...(r.host ? { host: r.host } : {}),
            ...(r.containerName ? { container: r.containerName } : {}),
            title: `drift: ${Object.entries(r.counts ?? {})
              .filter(([, n]) => n > 0)
              .map(([s, n]) => `${n} ${s}`)
              .join(', ')}`,
            detail: serious
              .slice(0, 12)
              .map((e) => `${e.change} ${e.path}${e.reasons?.[0] ? ` (${e.reasons[0].reason})` : ''}`)
              .join(' · '),
            artifactId: a.id,
          });
        for (const b of r.blindSpots ?? []) notCovered.push(`${r.containerName ?? '?'}: ${b.destination}: ${b.note}`);
      } else if (a.kind === 'process-snapshot') {
        const s = (await this.json(a)) as
          | {
              host?: string;
              containerName?: string;
              processes?: { pid: number; args: string; flags?: { severity: string; reason: string }[] }[];
            }
          | undefined;
        for (const p of s?.processes ?? []) {
          if (!p.flags?.length) continue;
          const worst = p.flags.reduce((w, f) => (RANK[sevOf(f.severity)] > RANK[w] ? sevOf(f.severity) : w), 'info' as FindingSeverity);
          findings.push({
            severity: worst,
            category: 'process',
            ...(s?.host ? { host: s.host } : {}),
            ...(s?.containerName ? { container: s.containerName } : {}),
            title: `process ${p.pid}: ${p.args.length > 200 ? `${p.args.slice(0, 200)}…` : p.args}`,
            detail: p.flags.map((f) => f.reason).join(' · '),
            artifactId: a.id,
          });
        }
      } else if (a.kind === 'flow-summary') {
        const s = (await this.json(a)) as
          { tlsServerNames?: { name: string }[]; httpHosts?: { name: string }[]; dns?: { name: string }[]; flows?: unknown[] } | undefined;
        const names = [
          ...(s?.tlsServerNames ?? []).map((n) => `TLS ${n.name}`),
          ...(s?.httpHosts ?? []).map((n) => `HTTP ${n.name}`),
          ...(s?.dns ?? []).map((n) => `DNS ${n.name}`),
        ];
        if (names.length)
          findings.push({
            severity: 'low',
            category: 'flow',
            ...(a.source.host ? { host: a.source.host } : {}),
            ...(a.source.containerName ? { container: a.source.containerName } : {}),
            title: `${s?.flows?.length ?? 0} flows; names seen: ${names.slice(0, 8).join(', ')}${names.length > 8 ? '…' : ''}`,
            artifactId: a.id,
          });
      } else if (a.kind === 'vulnerability-report') {
        const v = (await this.json(a)) as
          | {
              host?: string;
              subject?: { kind: string; name: string };
              findings?: {
                id: string;
                aliases?: string[];
                severity?: string;
                package: { name: string; version: string };
                fixedVersion?: string;
                origin: string;
              }[];
              coverage?: { ecosystem: string; state: string; reason?: string }[];
              warnings?: string[];
            }
          | undefined;
        if (!v) continue;
        const found = v.findings ?? [];
        const runtime = found.filter((f) => f.origin === 'runtime');
        if (found.length)
          findings.push({
            severity: runtime.length ? 'high' : 'medium',
            category: 'vulnerabilities',
            ...(v.host ? { host: v.host } : {}),
            ...(v.subject ? { container: `${v.subject.kind} ${v.subject.name}` } : {}),
            title: `${found.length} known vulnerabilities (${runtime.length} in packages added or changed at runtime)`,
            detail: found
              .slice(0, 15)
              .map(
                (f) =>
                  `${f.id}${f.aliases?.length ? ` (${f.aliases.slice(0, 2).join(', ')})` : ''} ${f.package.name} ${f.package.version}${f.fixedVersion ? ` fixed in ${f.fixedVersion}` : ''} [${f.origin}]`,
              )
              .join(' · '),
            artifactId: a.id,
          });
        for (const c of v.coverage ?? [])
          if (c.state === 'not-scanned')
            notCovered.push(
              `Vulnerabilities of ${v.subject?.name ?? '?'}: ${c.ecosystem} packages not scanned (${c.reason ?? 'no database'})`,
            );
        for (const w of v.warnings ?? []) notCovered.push(`Vulnerabilities of ${v.subject?.name ?? '?'}: ${w}`);
      } else if (a.kind === 'sbom') {
        const s = (await this.json(a)) as { metadata?: unknown; components?: unknown[]; packages?: unknown[] } | undefined;
        const count = s?.components?.length ?? s?.packages?.length;
        // The same packages are stored as CycloneDX and as SPDX: one finding per SBOM.
        if (count !== undefined && a.attributes.format !== 'spdx')
          findings.push({
            severity: 'info',
            category: 'sbom',
            ...(a.source.host ? { host: a.source.host } : {}),
            ...(a.source.containerName ? { container: a.source.containerName } : {}),
            title: `software bill of materials: ${count} packages (${String(a.attributes.format ?? a.mediaType)})`,
            artifactId: a.id,
          });
      } else if (a.kind === 'yara-report') {
        const y = (await this.json(a)) as YaraScanReport | undefined;
        if (!y) continue;
        const where = (m: YaraMatch) =>
          m.path !== undefined
            ? `${m.path} @${m.offset}`
            : m.pid !== undefined
              ? `PID ${m.pid}${m.address ? ` at 0x${m.address}` : ` @${m.offset}`}`
              : `artifact ${m.artifactId ?? '?'} @${m.offset}`;
        const what =
          y.target.kind === 'container'
            ? y.target.memory
              ? 'live process memory'
              : 'filesystem'
            : y.target.kind === 'drift-scan'
              ? 'drift scan files'
              : 'artifact';
        findings.push({
          severity: y.matchCount > 0 ? 'high' : 'info',
          category: 'yara',
          ...(y.host ? { host: y.host } : {}),
          ...(y.containerName ? { container: y.containerName } : {}),
          title:
            y.matchCount > 0
              ? `YARA (${what}): ${counted(y.rulesMatched.length, 'rule')} matched (${y.rulesMatched.join(', ')}), ${counted(y.stringHits ?? y.matchCount, 'string hit')}`
              : `YARA (${what}): no match of ${counted(y.rules.length, 'rule file')}`,
          detail: [
            ...y.matches.slice(0, 12).map((m) => `${m.rule} ${m.string} in ${where(m)}`),
            `rules: ${y.rules.map((r) => `${r.name} (${r.origin}, SHA-256 ${r.sha256.slice(0, 16)}…)`).join(', ')}; engine ${y.engine.name} ${y.engine.version} (${y.engine.where})`,
          ].join(' · '),
          artifactId: a.id,
        });
        for (const k of y.skipped.slice(0, 20))
          notCovered.push(`YARA of ${y.containerName ?? y.target.kind}: ${k.what} not scanned (${k.reason})`);
      } else if (a.kind === 'benchmark-report') {
        // The latest audit of each host; the earlier ones are in the evidence table and the timeline.
        if (latestBenchmark.get(a.source.host ?? '')?.id !== a.id) continue;
        const b = (await this.json(a)) as
          | { host?: string; takenAt?: string; counts?: Record<string, number>; checks?: { id: string; verdict: string; title: string }[] }
          | undefined;
        const failed = (b?.checks ?? []).filter((c) => c.verdict === 'fail');
        const coverage = Object.entries(b?.counts ?? {})
          .map(([verdict, n]) => `${n} ${verdict}`)
          .join(', ');
        findings.push({
          severity: failed.length ? 'medium' : 'info',
          category: 'benchmark',
          ...(b?.host ? { host: b.host } : {}),
          title: `CIS Docker Benchmark v1.6.0 (${b?.takenAt ?? a.acquiredAt}): ${coverage}`,
          detail: failed.length
            ? `Failed: ${failed
                .slice(0, 20)
                .map((c) => `${c.id} ${c.title}`)
                .join(' · ')}`
            : 'No recommendation failed',
          artifactId: a.id,
        });
        const unchecked = (b?.checks ?? []).filter((c) => c.verdict === 'could-not-check');
        if (unchecked.length)
          notCovered.push(
            `CIS recommendations Drydock could not check on host ${b?.host ?? '?'}: ${unchecked.map((c) => c.id).join(', ')} (each says why in the stored audit)`,
          );
      }
    }
    // Timeline rows worth printing: low and above, exec sessions, quarantine steps, gaps.
    const timeline: TimelineRow[] = [];
    for (const row of this.deps.timeline.iterate(kase.id)) {
      // One finding per quarantine applied and per release (the steps between are in the timeline).
      if (row.source === 'audit' && /^quarantine\.(applied|released) /.test(row.message))
        findings.push({
          severity: 'high',
          category: 'quarantine',
          ...(row.host ? { host: row.host } : {}),
          ...(row.container ? { container: row.container } : {}),
          title: row.message.slice(0, 300),
        });
      if (row.source === 'journal' && row.message.includes(' exec_create '))
        findings.push({
          severity: 'medium',
          category: 'exec',
          ...(row.host ? { host: row.host } : {}),
          ...(row.container ? { container: row.container } : {}),
          title: row.message.slice(0, 300),
        });
      if (timeline.length < REPORT_TIMELINE_ROWS && (row.severity !== 'info' || row.source === 'gap')) timeline.push(row);
    }
    findings.sort(
      (x, y) =>
        RANK[y.severity] - RANK[x.severity] ||
        (x.host ?? '').localeCompare(y.host ?? '') ||
        (x.container ?? '').localeCompare(y.container ?? ''),
    );
    const verify = await this.deps.evidence.verify(kase.id);
    let signature: ReportModel['signature'];
    try {
      signature = (await this.deps.evidence.caseSignature(kase.id)) as ReportModel['signature'];
    } catch {
      signature = undefined;
    }
    const graph = latestGraph ? graphSvg(await this.json(latestGraph)) : '';
    const head = await this.deps.evidence.auditHead(kase.id);
    return {
      kase,
      examiner: this.deps.evidence.actingExaminer().name,
      generatedAt: this.deps.clock.now().toISOString(),
      drydockVersion: drydockVersion(),
      timeZone: zone,
      findings,
      timeline,
      timelineTotal: info.total,
      graphSvg: graph,
      artifacts,
      ...(head ? { auditHead: head } : {}),
      auditEntries: head?.seq ?? 0,
      verification: {
        ok: verify.ok,
        checkedArtifacts: verify.checkedArtifacts,
        checkedEntries: verify.checkedEntries,
        problems: verify.problems.map((p) => ('message' in p ? p.message : `${p.kind} ${'artifactId' in p ? p.artifactId : ''}`)),
        verifiedAt: verify.verifiedAt,
      },
      ...(signature ? { signature } : {}),
      notCovered: [...new Set(notCovered)],
    };
  }

  private async json(a: ArtifactInfo): Promise<unknown> {
    if (a.size > 256 * 1024 * 1024) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.deps.evidence.openArtifact(a.id)) chunks.push(chunk as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
}

function sevOf(value: unknown): FindingSeverity {
  return value === 'critical' || value === 'high' || value === 'medium' || value === 'low' ? value : 'info';
}
