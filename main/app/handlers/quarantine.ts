import type { Core } from '../core';
import type { Handlers } from '../dispatch';
import { looksLikeTask, mayBeTaskIdPrefix, resolveQuarantineTarget, resolveReleaseTarget } from '../task-quarantine';

type QuarantineHandlers = Pick<Handlers, 'quarantine.plan' | 'quarantine.apply' | 'quarantine.release' | 'quarantine.status'>;

export function quarantineHandlers(core: Core): QuarantineHandlers {
  const caseOf = (ref: string | undefined) => (ref !== undefined ? { caseRef: ref } : {});
  const orchestration = (req: { drainNode?: boolean | undefined; scale?: number | undefined }) => ({
    ...(req.drainNode ? { drainNode: true } : {}),
    ...(req.scale !== undefined ? { scale: req.scale } : {}),
  });
  return {
    'quarantine.plan': async (req) =>
      core.quarantine.plan({
        ...(await resolveQuarantineTarget(core, req.host, req.container)),
        modes: req.modes,
        ...caseOf(req.caseRef),
        ...orchestration(req),
      }),
    'quarantine.apply': async (req) =>
      core.quarantine.apply({
        ...(await resolveQuarantineTarget(core, req.host, req.container)),
        modes: req.modes,
        ...caseOf(req.caseRef),
        ...orchestration(req),
      }),
    'quarantine.release': async (req) =>
      core.quarantine.release({
        ...(await resolveReleaseTarget(core, req.host, req.container)),
        ...caseOf(req.caseRef),
        ...(req.reason !== undefined ? { reason: req.reason } : {}),
        ...(req.dryRun ? { dryRun: true } : {}),
      }),
    'quarantine.status': async (req) => {
      const records = await core.quarantine.status({
        host: req.host,
        includeReleased: req.includeReleased,
        ...(req.container !== undefined ? { container: req.container } : {}),
      });
      const ref = req.container;
      if (records.length || ref === undefined || !(looksLikeTask(ref) || mayBeTaskIdPrefix(ref))) return records;
      // A Swarm task named through its manager: its records, wherever its node's profile is.
      const ofTask = core.quarantine.forTask(req.host, ref);
      return req.includeReleased ? ofTask : ofTask.filter((r) => r.state !== 'released');
    },
  };
}
