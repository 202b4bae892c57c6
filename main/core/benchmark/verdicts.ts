import { BENCHMARK_VERDICTS, type BenchmarkCheck, type BenchmarkEvidence, type BenchmarkVerdict } from '../../../shared/domain/benchmark';
import { catalogEntry } from './catalog';

/** One result, its catalog facts (title, level, assessment) filled in. */
export function result(id: string, verdict: BenchmarkVerdict, reason: string, evidence: BenchmarkEvidence[]): BenchmarkCheck {
  const entry = catalogEntry(id);
  return {
    id,
    section: entry.section,
    title: entry.title,
    level: entry.level,
    assessment: entry.assessment,
    scored: entry.assessment === 'automated',
    verdict,
    reason,
    evidence,
  };
}

/**
 * A recommendation that is not met: 'fail' where the benchmark assesses it automatically, 'warn'
 * where it leaves the judgement to the auditor (Manual), so a gate on failures is a gate on what
 * the benchmark itself scores.
 */
export function notMet(id: string): BenchmarkVerdict {
  return catalogEntry(id).assessment === 'manual' ? 'warn' : 'fail';
}

export function worst(verdicts: readonly BenchmarkVerdict[]): BenchmarkVerdict | undefined {
  return [...verdicts].sort((a, b) => BENCHMARK_VERDICTS.indexOf(a) - BENCHMARK_VERDICTS.indexOf(b))[0];
}

export function ev(source: string, field: string, value: unknown, subject?: string, verdict?: BenchmarkVerdict): BenchmarkEvidence {
  const text = value === undefined ? '(absent)' : typeof value === 'string' ? value : JSON.stringify(value);
  return { source, field, value: text, ...(subject !== undefined ? { subject } : {}), ...(verdict !== undefined ? { verdict } : {}) };
}

export interface SubjectResult {
  subject: string;
  verdict: BenchmarkVerdict;
  evidence: { source: string; field: string; value: unknown }[];
}

/**
 * A check judged per container or image: its verdict is the worst of theirs, and every subject's
 * values are in the evidence (passing ones too, so a pass shows what it rests on).
 */
export function perSubject(
  id: string,
  subjects: SubjectResult[],
  what: string,
  none: { verdict: BenchmarkVerdict; reason: string; evidence: BenchmarkEvidence[] },
): BenchmarkCheck {
  if (subjects.length === 0) return result(id, none.verdict, none.reason, none.evidence);
  const verdict = worst(subjects.map((s) => s.verdict)) ?? 'pass';
  const hits = subjects.filter((s) => s.verdict === verdict).map((s) => s.subject);
  const reason =
    verdict === 'pass'
      ? `All ${subjects.length} ${what} meet it`
      : `${hits.length} of ${subjects.length} ${what}: ${verdict}: ${hits.slice(0, 5).join(', ')}${hits.length > 5 ? ', …' : ''}`;
  const evidence = subjects.flatMap((s) => s.evidence.map((e) => ev(e.source, e.field, e.value, s.subject, s.verdict)));
  return result(id, verdict, reason, evidence);
}
