import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type QuarantineHandlers = Pick<Handlers, 'quarantine.plan' | 'quarantine.apply' | 'quarantine.release' | 'quarantine.status'>;

export function quarantineHandlers(core: Core): QuarantineHandlers {
  const caseOf = (ref: string | undefined) => (ref !== undefined ? { caseRef: ref } : {});
  return {
    'quarantine.plan': (req) =>
      core.quarantine.plan({ host: req.host, container: req.container, modes: req.modes, ...caseOf(req.caseRef) }),
    'quarantine.apply': (req) =>
      core.quarantine.apply({ host: req.host, container: req.container, modes: req.modes, ...caseOf(req.caseRef) }),
    'quarantine.release': (req) =>
      core.quarantine.release({
        host: req.host,
        container: req.container,
        ...caseOf(req.caseRef),
        ...(req.reason !== undefined ? { reason: req.reason } : {}),
      }),
    'quarantine.status': (req) =>
      core.quarantine.status({
        host: req.host,
        includeReleased: req.includeReleased,
        ...(req.container !== undefined ? { container: req.container } : {}),
      }),
  };
}
