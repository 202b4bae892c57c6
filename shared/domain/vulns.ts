// Offline vulnerability matching: OSV databases imported into the store, matched against SBOMs
// with each ecosystem's own version ordering.

import type { PackageEcosystem, SbomSubject } from './sbom';

/** One imported OSV database file. */
export interface VulnDbImport {
  id: number;
  /** The file's name as given (its directory is not kept). */
  source: string;
  sha256: string;
  bytes: number;
  records: number;
  /** OSV ecosystems (the part before ':') it holds, with record counts. */
  ecosystems: Record<string, number>;
  importedAt: string;
  /** The newest `modified` date among its records: how current the data is. */
  newestRecord: string;
  /** Ecosystems a later import replaced (matching uses the latest import of each ecosystem). */
  supersededFor: string[];
}

export interface VulnDbStatus {
  imports: VulnDbImport[];
  /** Per OSV ecosystem: the import matching uses, and the age of its newest record in days. */
  current: { ecosystem: string; importId: number; sha256: string; source: string; newestRecord: string; ageDays: number }[];
}

export interface VulnDbImportResult {
  import: VulnDbImport;
  /** Records skipped as not OSV (with the first few reasons). */
  rejected: number;
  rejectedExamples: string[];
  /** The case the import was recorded in, when one was open. */
  caseId?: string;
}

export interface VulnFinding {
  /** OSV ID (DSA-…, DLA-…, GHSA-…, CVE-…). */
  id: string;
  /** Other IDs of the same vulnerability (CVE). */
  aliases: string[];
  summary?: string;
  severity?: string;
  package: { ecosystem: PackageEcosystem; name: string; version: string; purl: string; sourceName?: string };
  /** The OSV ecosystem and package name the record names ("Debian:12", the source package). */
  osvEcosystem: string;
  osvPackage: string;
  /** The first version that fixes it, when the record has one. */
  fixedVersion?: string;
  /** Whether the package came with the image or was added or changed at runtime. */
  origin: 'image' | 'runtime';
  /** The database's age warning, repeated on every finding when it is over the threshold. */
  staleWarning?: string;
}

/** Per ecosystem of the SBOM: whether it was scanned, against which database, or why not. */
export interface VulnCoverage {
  ecosystem: PackageEcosystem;
  packages: number;
  /** The OSV ecosystem matched against ("Debian:12"), when known. */
  osvEcosystem?: string;
  state: 'scanned' | 'not-scanned';
  /** Why not scanned: no database imported for it, an unknown release, an unsupported ecosystem. */
  reason?: string;
  database?: { importId: number; sha256: string; source: string; newestRecord: string; ageDays: number; stale: boolean };
}

export interface VulnReport {
  host: string;
  subject: SbomSubject;
  takenAt: string;
  osRelease?: string;
  maxAgeDays: number;
  coverage: VulnCoverage[];
  findings: VulnFinding[];
  /** Whole-report warnings (stale databases, ecosystems not scanned, SBOM limitations). */
  warnings: string[];
  stored?: { caseId: string; artifactId: string; sha256: string };
}
