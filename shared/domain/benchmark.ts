// The CIS Docker Benchmark (v1.6.0 numbering) as Drydock audits it: one result per recommendation,
// each with the evidence behind its verdict.

/** Worst first: the order a report is read and a gate is judged in. */
export const BENCHMARK_VERDICTS = ['fail', 'warn', 'could-not-check', 'info', 'pass', 'not-applicable'] as const;
export type BenchmarkVerdict = (typeof BENCHMARK_VERDICTS)[number];

/**
 * How the benchmark assesses a recommendation. v1.6.0 says Automated / Manual where earlier versions
 * said Scored / Not Scored; `scored` is kept for readers who know the older words.
 */
export type BenchmarkAssessment = 'automated' | 'manual';

export interface BenchmarkEvidence {
  /** Where the value was read: 'GET /info', 'GET /containers/{id}/json', or what would be needed ('host file'). */
  source: string;
  /** The field or path within it: 'LiveRestoreEnabled', 'HostConfig.Privileged', '/etc/docker/daemon.json'. */
  field: string;
  /** The value as read (stringified), or why it was not read. */
  value: string;
  /** The container, image or network it belongs to, when the check looks at several. */
  subject?: string;
  /** That subject's own verdict, when the check judges several subjects. */
  verdict?: BenchmarkVerdict;
}

export interface BenchmarkCheck {
  /** The CIS ID, e.g. '2.2' or '5.5'. */
  id: string;
  section: number;
  title: string;
  level: 1 | 2;
  assessment: BenchmarkAssessment;
  scored: boolean;
  verdict: BenchmarkVerdict;
  /** Why this verdict, in one sentence (for could-not-check: what would be needed). */
  reason: string;
  /** Never empty: the values read, or for could-not-check the source that was not available. */
  evidence: BenchmarkEvidence[];
}

export interface BenchmarkReport {
  benchmark: 'CIS Docker Benchmark';
  benchmarkVersion: '1.6.0';
  host: string;
  takenAt: string;
  engine: { serverVersion: string; apiVersion: string; operatingSystem: string; name: string };
  checks: BenchmarkCheck[];
  counts: Record<BenchmarkVerdict, number>;
  /** Where the report was stored, when it was. */
  stored?: { caseId: string; artifactId: string; sha256: string };
  /** What this run could not look at (a container the engine did not answer for), when anything. */
  limitations?: string[];
}

/** The recommendations a gate counts: 'fail' gates on failures only, 'warn' on warnings too. */
export type BenchmarkGate = 'fail' | 'warn';

export function gateHits(report: BenchmarkReport, gate: BenchmarkGate): BenchmarkCheck[] {
  return report.checks.filter((c) => c.verdict === 'fail' || (gate === 'warn' && c.verdict === 'warn'));
}
