import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type LogsHandlers = Pick<Handlers, 'logs.acquire' | 'logs.followSetting'>;

export function logsHandlers(core: Core): LogsHandlers {
  return {
    'logs.acquire': (req) =>
      core.logs.acquire({
        host: req.host,
        container: req.container,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
        ...(req.since !== undefined ? { since: req.since } : {}),
        ...(req.until !== undefined ? { until: req.until } : {}),
        ...(req.tail !== undefined ? { tail: req.tail } : {}),
      }),
    'logs.followSetting': (req) => core.logFollower.setting(req.caseRef, req.followOnStart),
  };
}
