import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type VulnsHandlers = Pick<Handlers, 'vulndb.import' | 'vulndb.status' | 'vulns.scan'>;

export function vulnsHandlers(core: Core): VulnsHandlers {
  return {
    'vulndb.import': (req) => core.vulns.importDb(req.file, req.expectedSha256),
    'vulndb.status': () => core.vulns.status(),
    'vulns.scan': (req) =>
      core.vulns.scan({
        host: req.host,
        target: req.target,
        maxAgeDays: req.maxAgeDays,
        record: req.record,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
  };
}
