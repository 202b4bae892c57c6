import { BENCHMARK_VERDICTS, type BenchmarkCheck, type BenchmarkVerdict } from '../../../shared/domain/benchmark';
import { CATALOG } from './catalog';
import { containerChecks } from './container-checks';
import { daemonChecks } from './daemon-checks';
import type { EngineFacts } from './facts';
import { hostChecks } from './host-checks';
import { imageChecks } from './image-checks';
import { swarmChecks } from './swarm-checks';

/**
 * Every recommendation of the catalog, in the benchmark's order, judged from the facts. Pure. A
 * recommendation with no result, or with two, is a bug in this module and throws.
 */
export function evaluateBenchmark(facts: EngineFacts): BenchmarkCheck[] {
  const all = [...hostChecks(facts), ...daemonChecks(facts), ...imageChecks(facts), ...containerChecks(facts), ...swarmChecks(facts)];
  const byId = new Map<string, BenchmarkCheck>();
  for (const check of all) {
    if (byId.has(check.id)) throw new Error(`CIS ${check.id} judged twice`);
    byId.set(check.id, check);
  }
  return CATALOG.map((entry) => {
    const check = byId.get(entry.id);
    if (!check) throw new Error(`CIS ${entry.id} has no result`);
    return check;
  });
}

export function countVerdicts(checks: readonly BenchmarkCheck[]): Record<BenchmarkVerdict, number> {
  const counts = Object.fromEntries(BENCHMARK_VERDICTS.map((v) => [v, 0])) as Record<BenchmarkVerdict, number>;
  for (const c of checks) counts[c.verdict] += 1;
  return counts;
}
