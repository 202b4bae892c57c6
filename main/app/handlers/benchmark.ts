import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type BenchmarkHandlers = Pick<Handlers, 'benchmark.run'>;

export function benchmarkHandlers(core: Core): BenchmarkHandlers {
  return {
    'benchmark.run': (req) =>
      core.benchmark.run(req.host, {
        record: req.record,
        hostFiles: req.hostFiles,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
  };
}
