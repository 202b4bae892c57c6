import { z } from 'zod';
import type { BenchmarkReport } from '../domain/benchmark';
import { channel } from './define';
import { caseRef, hostName } from './schemas';

export const benchmarkChannels = {
  /**
   * Audits the host against the CIS Docker Benchmark v1.6.0 from what the Engine API shows; host-file
   * checks are read by a read-only helper when `hostFiles` is set, else could-not-check. Stored as a 'benchmark-report' artifact in the case (an ad-hoc one
   * when none is open) unless `record` is false.
   */
  'benchmark.run': channel<BenchmarkReport>()(() =>
    z
      .object({
        host: hostName,
        record: z.boolean().default(true),
        caseRef: caseRef.optional(),
        /** Read sections 1 and 3 from the host's files through a short-lived read-only helper. */
        hostFiles: z.boolean().default(false),
      })
      .strict(),
  ),
} as const;

export const benchmarkEvents = {} as const;
