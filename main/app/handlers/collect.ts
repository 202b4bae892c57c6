import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type CollectHandlers = Pick<Handlers, 'collect.run' | 'collect.cancel'>;

export function collectHandlers(core: Core): CollectHandlers {
  return {
    'collect.run': (req) =>
      core.collect.run({
        host: req.host,
        container: req.container,
        memory: req.memory,
        captureSeconds: req.captureSeconds,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
        ...(req.collectId !== undefined ? { collectId: req.collectId } : {}),
      }),
    'collect.cancel': (req) => core.collect.cancel(req.collectId),
  };
}
