// The evidence store's vocabulary. An artifact is immutable once stored; its SHA-256 is its name.

export interface CaseInfo {
  id: string;
  name: string;
  examiner: string;
  organisation: string;
  timeZone: string;
  description: string;
  status: 'open' | 'closed';
  /** Imported from a bundle: browsable, never written to. */
  readOnly: boolean;
  createdAt: string;
  closedAt?: string;
}

export const ARTIFACT_KINDS = [
  'container-file',
  'pcap',
  'process-snapshot',
  'inventory-snapshot',
  'drift-report',
  'logs',
  'filesystem-export',
  'connection-snapshot',
  'flow-summary',
  'mount-inventory',
  'benchmark-report',
  'sbom',
  'vulnerability-report',
  'note',
  'case-report',
  'process-detail',
  'memory-image',
  'yara-report',
  'container-inspect',
  'checkpoint',
  'image-file',
  'replica-comparison',
  'cluster-triage',
  'cluster-listings',
  'fleet-key',
  'fleet-bundle',
  'fleet-triage',
] as const;

export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export type ArtifactStatus = 'complete' | 'incomplete';

export interface ArtifactSource {
  host?: string;
  containerId?: string;
  containerName?: string;
  /** Path inside the container, stored byte-exact (may contain anything). */
  path?: string;
}

export interface ArtifactInfo {
  id: string;
  caseId: string;
  kind: ArtifactKind;
  status: ArtifactStatus;
  /** Why it is incomplete, when it is. */
  statusReason?: string;
  source: ArtifactSource;
  /** How it was acquired: "engine archive endpoint", "tcpdump in helper container"... */
  method: string;
  mediaType: string;
  drydockVersion: string;
  acquiredAt: string;
  size: number;
  sha256: string;
  /** Free-form, kind-specific facts (tcpdump drop counters, size caps...). */
  attributes: Record<string, unknown>;
}

export interface AuditEntry {
  seq: number;
  caseId: string | null;
  at: string;
  examiner: string;
  action: string;
  /** Canonical JSON of the details, exactly as hashed. */
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type VerifyProblem =
  | { kind: 'blob-missing'; artifactId: string; sha256: string }
  | { kind: 'blob-mismatch'; artifactId: string; expected: string; actual: string }
  | { kind: 'row-tampered'; table: string; id: string; message: string }
  | { kind: 'chain-broken'; seq: number; message: string }
  | { kind: 'integrity-check'; message: string };

export interface VerifyReport {
  ok: boolean;
  checkedArtifacts: number;
  checkedEntries: number;
  /** The first problem found, precisely; further ones listed after it. */
  problems: VerifyProblem[];
  verifiedAt: string;
}

/** Who is acting and by which rule: explicit choice, DRYDOCK_EXAMINER, the case's examiner, the OS user. */
export interface ActingExaminer {
  name: string;
  source: 'explicit' | 'DRYDOCK_EXAMINER' | 'case' | 'os-user';
}
