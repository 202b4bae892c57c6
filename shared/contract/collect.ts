import { z } from 'zod';
import type { CollectProgressEvent, CollectResult } from '../domain/collect';
import { channel, event } from './define';
import { caseRef, containerRef, hostName } from './schemas';

const pid = z.number().int().min(1).max(4_194_304);
export const collectId = z.string().regex(/^col-[a-z0-9-]{6,64}$/, 'a collection ID');

export const collectChannels = {
  /**
   * Collects one container's evidence in order of volatility (RFC 3227), into one case, each step
   * stored and audited by its own capability; a step that fails is recorded and the rest still run:
   * processes → process detail → connections → memory (`memory`: every process, none, or these
   * PIDs; default all) → capture for `captureSeconds` (default 10; 0 skips it) → drift → logs →
   * inspect and configuration. A stopped container has no processes, connections, memory or
   * packets: those steps are recorded as skipped with the reason. One audit entry before
   * ('collect.started', the plan) and one after ('collect.finished', naming the failed steps);
   * 'collect.progress' events as each step starts and ends. Resolves once every step has ended, or
   * once the step running when collect.cancel came has stopped (see 'collect.cancel').
   */
  'collect.run': channel<CollectResult>()(() =>
    z
      .object({
        host: hostName,
        container: containerRef,
        caseRef: caseRef.optional(),
        memory: z.union([z.literal('all'), z.literal('none'), z.array(pid).min(1).max(512)]).default('all'),
        captureSeconds: z.number().int().min(0).max(3600).default(10),
        collectId: collectId.optional(),
      })
      .strict(),
  ),
  /**
   * Cancels a collection under way (`cancelled` is false when none with that ID runs): the step
   * running stops through its capability's own cancel path (the memory acquisition, the capture, the
   * drift scan; the short steps finish), its helpers and scratch volumes removed as usual; what it
   * stored is kept and it is recorded 'cancelled', and the steps not started are 'cancelled' too.
   * Audited as 'collect.cancelled'; collect.run then resolves with `cancelled` set.
   */
  'collect.cancel': channel<{ cancelled: boolean }>()(() => z.object({ collectId }).strict()),
} as const;

export const collectEvents = {
  'collect.progress': event<CollectProgressEvent>(),
} as const;
