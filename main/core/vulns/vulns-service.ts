import type { Sbom, SbomPackage } from '../../../shared/domain/sbom';
import { sbomPackageKey } from '../../../shared/domain/sbom';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import type { VulnCoverage, VulnDbImportResult, VulnDbStatus, VulnFinding, VulnReport } from '../../../shared/domain/vulns';
import type { AuditFn } from '../audit-fn';
import { isoNow, type Clock } from '../clock';
import type { NewArtifact } from '../evidence/port';
import { counted } from '../../../shared/counted';
import { isAffected } from './affected';
import { osvNames, osvTarget, osvVersion } from './osv-ecosystem';
import { ecosystemOrder, compareSemver } from './version-order';
import { importOsvZip } from './vulndb-import';
import type { VulnDbStore } from './vulndb-store';

/** A target's SBOM (and its image's, for a container): SbomService.packages, passed in by core.ts. */
export type PackagesFn = (host: string, target: string) => Promise<{ sbom: Sbom; image?: Sbom }>;

export interface VulnsEvidence {
  resolveWritableCase(ref?: string, acquisition?: { host: string }): { id: string };
  currentCase(): Promise<{ id: string; status: string; readOnly: boolean } | null>;
  ingestJson(meta: NewArtifact, value: unknown): ArtifactInfo | Promise<ArtifactInfo>;
}

export interface VulnsServiceDeps {
  store: VulnDbStore;
  packages: PackagesFn;
  evidence: VulnsEvidence;
  audit: AuditFn;
  clock: Clock;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Offline vulnerability matching: OSV exports imported into the store, SBOM packages matched with
 * their ecosystem's version ordering against their release's records. A scan never reports "no
 * vulnerabilities" for what it could not check: such ecosystems are 'not-scanned' with why.
 */
export class VulnsService {
  constructor(private readonly deps: VulnsServiceDeps) {}

  /**
   * Imports an OSV zip export (see importOsvZip), audited with its SHA-256, source, record count
   * and newest record, in the current case when one is open and writable.
   * @throws DrydockFailure as importOsvZip does.
   */
  async importDb(file: string, expectedSha256?: string): Promise<VulnDbImportResult> {
    const outcome = await importOsvZip(this.deps.store, file, isoNow(this.deps.clock), expectedSha256);
    const kase = await this.deps.evidence.currentCase();
    const caseId = kase && kase.status === 'open' && !kase.readOnly ? kase.id : undefined;
    const imp = outcome.import;
    this.deps.audit(
      'vulndb.imported',
      {
        source: imp.source,
        sha256: imp.sha256,
        bytes: imp.bytes,
        records: imp.records,
        rejected: outcome.rejected,
        ecosystems: imp.ecosystems,
        newestRecord: imp.newestRecord,
        ...(expectedSha256 ? { expectedSha256: expectedSha256.toLowerCase() } : {}),
      },
      caseId,
    );
    return { import: imp, rejected: outcome.rejected, rejectedExamples: outcome.rejectedExamples, ...(caseId ? { caseId } : {}) };
  }

  /** The imports and, per ecosystem, the one in use with its age in days. */
  status(): VulnDbStatus {
    const now = this.deps.clock.now().getTime();
    return {
      imports: this.deps.store.imports(),
      current: [...this.deps.store.current()].map(([ecosystem, imp]) => ({
        ecosystem,
        importId: imp.id,
        sha256: imp.sha256,
        source: imp.source,
        newestRecord: imp.newestRecord,
        ageDays: Math.floor((now - Date.parse(imp.newestRecord)) / DAY_MS),
      })),
    };
  }

  /**
   * Matches a container's or an image's SBOM, stored as a 'vulnerability-report' artifact when `record` is set.
   * @throws DrydockFailure from the SBOM read (not-found, engine, unreachable) or the case resolution.
   */
  async scan(request: { host: string; target: string; maxAgeDays: number; record: boolean; caseRef?: string }): Promise<VulnReport> {
    const { host } = request;
    const kase = request.record ? this.deps.evidence.resolveWritableCase(request.caseRef, { host }) : undefined;
    const { sbom, image } = await this.deps.packages(host, request.target);
    const report = this.match(sbom, image, request.maxAgeDays);
    if (!kase) return report;
    const info = await this.deps.evidence.ingestJson(
      {
        caseId: kase.id,
        kind: 'vulnerability-report',
        source: { host, ...(sbom.subject.kind === 'container' ? { containerId: sbom.subject.id, containerName: sbom.subject.name } : {}) },
        method:
          'OSV records imported into the store, matched against the SBOM read through the engine, with each ecosystem’s version ordering',
        mediaType: 'application/json',
        attributes: {
          findings: report.findings.length,
          databases: report.coverage.filter((c) => c.database).map((c) => ({ ecosystem: c.osvEcosystem, ...c.database })),
          notScanned: report.coverage.filter((c) => c.state === 'not-scanned').map((c) => c.ecosystem),
        },
      },
      report,
    );
    this.deps.audit(
      'vulns.scanned',
      {
        host,
        subject: sbom.subject.kind,
        id: sbom.subject.id,
        name: sbom.subject.name,
        findings: report.findings.length,
        databases: report.coverage
          .filter((c) => c.database)
          .map((c) => ({ ecosystem: c.osvEcosystem, sha256: c.database?.sha256, source: c.database?.source })),
        notScanned: report.coverage.filter((c) => c.state === 'not-scanned').map((c) => c.ecosystem),
        artifactId: info.id,
      },
      kase.id,
    );
    return { ...report, stored: { caseId: kase.id, artifactId: info.id, sha256: info.sha256 } };
  }

  /** The matching itself, on SBOMs already read. */
  match(sbom: Sbom, image: Sbom | undefined, maxAgeDays: number): VulnReport {
    const now = this.deps.clock.now().getTime();
    const current = this.deps.store.current();
    const fromImage = image ? new Map(image.packages.map((p) => [sbomPackageKey(p), p.version])) : undefined;
    const coverage: VulnCoverage[] = [];
    const findings: VulnFinding[] = [];
    const warnings: string[] = [...sbom.limitations];
    const groups = new Map<SbomPackage['ecosystem'], SbomPackage[]>();
    for (const p of sbom.packages) groups.set(p.ecosystem, [...(groups.get(p.ecosystem) ?? []), p]);
    for (const [ecosystem, packages] of groups) {
      const resolved = osvTarget(ecosystem, sbom.os);
      if ('why' in resolved) {
        coverage.push({ ecosystem, packages: packages.length, state: 'not-scanned', reason: resolved.why });
        continue;
      }
      const { target } = resolved;
      const imp = current.get(target.base);
      if (!imp) {
        coverage.push({
          ecosystem,
          packages: packages.length,
          osvEcosystem: target.label,
          state: 'not-scanned',
          reason: `no ${target.base} OSV database imported (drydock vulndb import ${target.base}-all.zip)`,
        });
        continue;
      }
      const ageDays = Math.floor((now - Date.parse(imp.newestRecord)) / DAY_MS);
      const stale = ageDays > maxAgeDays;
      const staleWarning = stale
        ? `the ${target.base} database (${imp.source}, SHA-256 ${imp.sha256.slice(0, 16)}…) is ${ageDays} days old (newest record ${imp.newestRecord}), over the ${maxAgeDays}-day threshold: vulnerabilities published since are missing`
        : undefined;
      if (staleWarning) warnings.push(staleWarning);
      const order = ecosystemOrder(target.base);
      coverage.push({
        ecosystem,
        packages: packages.length,
        osvEcosystem: target.label,
        state: 'scanned',
        ...(order
          ? {}
          : { reason: `${target.base} versions are matched against the records' listed versions only (no ordering for its ranges)` }),
        database: { importId: imp.id, sha256: imp.sha256, source: imp.source, newestRecord: imp.newestRecord, ageDays, stale },
      });
      const orders = { ...(order ? { ECOSYSTEM: order } : {}), SEMVER: compareSemver };
      for (const p of packages) {
        const version = osvVersion(p);
        const seen = new Set<string>();
        for (const name of osvNames(p)) {
          for (const row of this.deps.store.affected(imp.id, target.base, name)) {
            if (seen.has(row.osvId) || !target.matchesRelease(row.ecosystem)) continue;
            const verdict = isAffected(version, row, orders);
            if (!verdict.affected) continue;
            seen.add(row.osvId);
            const severity = row.severity ?? row.recordSeverity;
            findings.push({
              id: row.osvId,
              aliases: row.aliases,
              ...(row.summary ? { summary: row.summary } : {}),
              ...(severity ? { severity } : {}),
              package: {
                ecosystem: p.ecosystem,
                name: p.name,
                version: p.version,
                purl: p.purl,
                ...(p.sourceName ? { sourceName: p.sourceName } : {}),
              },
              osvEcosystem: row.ecosystem,
              osvPackage: row.name,
              ...(verdict.fixed ? { fixedVersion: verdict.fixed } : {}),
              origin: fromImage && fromImage.get(sbomPackageKey(p)) !== p.version ? 'runtime' : 'image',
              ...(staleWarning ? { staleWarning } : {}),
            });
          }
        }
      }
    }
    for (const c of coverage)
      if (c.state === 'not-scanned') warnings.push(`${counted(c.packages, `${c.ecosystem} package`)} not scanned: ${c.reason ?? ''}`);
    if (sbom.packages.length === 0) warnings.push('no packages were found: nothing was scanned');
    findings.sort((a, b) => (a.package.name + a.id < b.package.name + b.id ? -1 : 1));
    return {
      host: sbom.host,
      subject: sbom.subject,
      takenAt: isoNow(this.deps.clock),
      ...(sbom.os?.prettyName ? { osRelease: sbom.os.prettyName } : {}),
      maxAgeDays,
      coverage,
      findings,
      warnings,
    };
  }
}
