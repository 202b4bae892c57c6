import type { VerifyProblem } from '../../../../shared/domain/evidence';

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
