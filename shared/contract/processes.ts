import { z } from 'zod';
import type { ProcessSampleEvent, ProcessSnapshotResult, ProcessWatchEndedEvent, ProcessWatchInfo } from '../domain/processes';
import { channel, event } from './define';
import { caseRef, containerRef, empty, hostName } from './schemas';

export { caseRef };

export const watchId = z.string().regex(/^pw-[a-z0-9-]{6,64}$/, 'a process watch ID');

export const processesChannels = {
  /** One process tree of a running container from the host's process table; stored as a 'process-snapshot' artifact unless store is false. */
  'processes.snapshot': channel<ProcessSnapshotResult>()(() =>
    z.object({ host: hostName, container: containerRef, caseRef: caseRef.optional(), store: z.boolean().default(true) }).strict(),
  ),
  /** Samples every intervalSeconds and emits 'processes.sample' with what appeared, vanished or was re-parented. */
  'processes.watch': channel<ProcessWatchInfo>()(() =>
    z
      .object({ host: hostName, container: containerRef, intervalSeconds: z.number().int().min(1).max(3600), caseRef: caseRef.optional() })
      .strict(),
  ),
  'processes.unwatch': channel<{ stopped: boolean; watch?: ProcessWatchInfo }>()(() => z.object({ watchId }).strict()),
  'processes.watches': channel<ProcessWatchInfo[]>()(empty),
} as const;

export const processesEvents = {
  /** A watch began (from any client): the header shows what runs on which host until 'processes.watch-ended'. */
  'processes.watch-started': event<ProcessWatchInfo>(),
  'processes.sample': event<ProcessSampleEvent>(),
  'processes.watch-ended': event<ProcessWatchEndedEvent>(),
} as const;
