import { z } from 'zod';
import {
  QUARANTINE_MODES,
  type QuarantineChangedEvent,
  type QuarantineMode,
  type QuarantinePlan,
  type QuarantineRecord,
} from '../domain/quarantine';
import { channel, event } from './define';
import { caseRef, containerRef, hostName } from './schemas';

/** Modes in any order, each at most once; the core runs them in QUARANTINE_MODES order. */
export const quarantineModes = z
  .array(z.enum(QUARANTINE_MODES as [QuarantineMode, ...QuarantineMode[]]))
  .min(1, 'at least one mode: isolate, pause, snapshot or stop')
  .max(QUARANTINE_MODES.length * 2)
  .transform((modes) => QUARANTINE_MODES.filter((m) => modes.includes(m)));

/**
 * A Swarm task (the container named as TASK_ID or SERVICE.SLOT with the manager as host): drain its
 * node, scale its service to N replicas, each through the manager, recorded and undone on release.
 */
const orchestratorOptions = {
  drainNode: z.boolean().optional(),
  scale: z.number().int().min(0).max(100_000).optional(),
};

export const quarantineChannels = {
  /**
   * What each step would do to this container, for the confirmation; changes nothing. The container
   * may be named as a Swarm task (TASK_ID or SERVICE.SLOT) with its manager as host: the plan then
   * holds the service's policy and each orchestrator action's consequence.
   */
  'quarantine.plan': channel<QuarantinePlan>()(
    z
      .object({ host: hostName, container: containerRef, modes: quarantineModes, caseRef: caseRef.optional(), ...orchestratorOptions })
      .strict(),
  ),
  /** Records the container's state, then runs the steps; re-running completes an interrupted apply or adds modes. */
  'quarantine.apply': channel<QuarantineRecord>()(
    z
      .object({ host: hostName, container: containerRef, modes: quarantineModes, caseRef: caseRef.optional(), ...orchestratorOptions })
      .strict(),
  ),
  /**
   * Restores the recorded networks (aliases, static IPs), unpauses, restarts what quarantine
   * stopped; safe to repeat. The responder's reason is kept in the record and the audit log
   * ("not given" when absent). With dryRun, changes nothing and answers with the record release
   * would act on (the active one, else the last one, released).
   */
  'quarantine.release': channel<QuarantineRecord>()(
    z
      .object({
        host: hostName,
        container: containerRef,
        caseRef: caseRef.optional(),
        reason: z.string().trim().min(1, 'a reason, when given, is not empty').max(2000).optional(),
        /** Change nothing: answer with the record release would act on, as it is now. */
        dryRun: z.boolean().optional(),
      })
      .strict(),
  ),
  /** Active quarantines of a host (or one container's records, newest first, with includeReleased). */
  'quarantine.status': channel<QuarantineRecord[]>()(
    z.object({ host: hostName, container: containerRef.optional(), includeReleased: z.boolean().default(false) }).strict(),
  ),
} as const;

export const quarantineEvents = {
  'quarantine.changed': event<QuarantineChangedEvent>(),
} as const;
