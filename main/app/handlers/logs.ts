import type { Core } from '../core';
import type { Handlers } from '../dispatch';
import { readLogPage } from '../../core/logs/log-page';

type LogsHandlers = Pick<Handlers, 'logs.acquire' | 'logs.followSetting' | 'logs.page'>;

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
    'logs.page': (req) =>
      readLogPage(core.evidence, {
        artifactId: req.artifactId,
        ...(req.offset !== undefined ? { offset: req.offset } : {}),
        ...(req.before !== undefined ? { before: req.before } : {}),
        limit: req.limit,
      }),
  };
}
