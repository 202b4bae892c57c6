import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type NetworkHandlers = Pick<Handlers, 'network.snapshot' | 'network.watch' | 'network.unwatch' | 'network.watches'>;

export function networkHandlers(core: Core): NetworkHandlers {
  return {
    'network.snapshot': (req) =>
      core.network.snapshot({
        record: req.record,
        ...(req.host !== undefined ? { host: req.host } : {}),
        ...(req.hosts !== undefined ? { hosts: req.hosts } : {}),
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
    'network.watch': (req) =>
      'renew' in req
        ? core.network.renew(req.renew)
        : core.network.watch({
            intervalSeconds: req.intervalSeconds,
            record: req.record,
            ...(req.host !== undefined ? { host: req.host } : {}),
            ...(req.hosts !== undefined ? { hosts: req.hosts } : {}),
            ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
            ...(req.leaseSeconds !== undefined ? { leaseSeconds: req.leaseSeconds } : {}),
          }),
    'network.unwatch': (req) => core.network.unwatch(req.watchId),
    'network.watches': () => core.network.list(),
  };
}
