import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type ProcessHandlers = Pick<Handlers, 'processes.snapshot' | 'processes.watch' | 'processes.unwatch' | 'processes.watches'>;

export function processesHandlers(core: Core): ProcessHandlers {
  return {
    'processes.snapshot': (req) =>
      core.processes.snapshot({
        host: req.host,
        container: req.container,
        store: req.store,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
    'processes.watch': (req) =>
      core.processes.watch({
        host: req.host,
        container: req.container,
        intervalSeconds: req.intervalSeconds,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
    'processes.unwatch': (req) => core.processes.unwatch(req.watchId),
    'processes.watches': () => core.processes.list(),
  };
}
