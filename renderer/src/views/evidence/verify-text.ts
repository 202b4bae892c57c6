import type { ArtifactInfo, AuditEntry, VerifyProblem } from '../../../../shared/domain/evidence';

/** One verification problem in a sentence that names exactly what failed. */
export function describeProblem(p: VerifyProblem): string {
  switch (p.kind) {
    case 'blob-missing':
      return `Artifact ${p.artifactId}: its blob sha256:${p.sha256} is missing from the store`;
    case 'blob-mismatch':
      return `Artifact ${p.artifactId}: blob content hashes to ${p.actual}, expected ${p.expected}`;
    case 'row-tampered':
      return `Row ${p.id} in table ${p.table} was altered: ${p.message}`;
    case 'chain-broken':
      return `Audit chain broken at entry #${p.seq}: ${p.message}`;
    case 'integrity-check':
      return `Database integrity check failed: ${p.message}`;
  }
}

/**
 * Changes to a case after a verification, which it does not vouch for: audit entries other than
 * verifications (each artifact comes with one), or artifacts when the log is not loaded.
 */
export function changesAfter(verifiedAt: string, audit: readonly AuditEntry[], artifacts: readonly ArtifactInfo[]): number {
  const at = Date.parse(verifiedAt);
  const entries = audit.filter((e) => e.action !== 'case.verified' && Date.parse(e.at) > at).length;
  const added = artifacts.filter((a) => Date.parse(a.acquiredAt) > at).length;
  return Math.max(entries, added);
}
