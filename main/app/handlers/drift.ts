import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type DriftHandlers = Pick<
  Handlers,
  | 'drift.scan'
  | 'drift.resume'
  | 'drift.cancel'
  | 'drift.result'
  | 'drift.wait'
  | 'drift.list'
  | 'drift.report'
  | 'drift.rules'
  | 'drift.rules-set'
  | 'drift.file'
  | 'drift.mount-inventory'
  | 'drift.acquire'
>;

export function driftHandlers(core: Core): DriftHandlers {
  return {
    'drift.scan': (req) => core.drift.scan(req),
    'drift.resume': (req) => core.drift.resume(req.scanId, req.concurrency),
    'drift.cancel': (req) => core.drift.cancel(req.scanId),
    'drift.result': (req) => core.drift.result(req.scanId),
    'drift.wait': (req) => core.drift.wait(req.scanId),
    'drift.list': (req) =>
      core.drift.list({
        limit: req.limit,
        ...(req.host !== undefined ? { host: req.host } : {}),
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
    'drift.report': (req) => core.drift.report(req.artifactId),
    'drift.rules': () => core.drift.rules(),
    'drift.rules-set': (req) => core.drift.setRules(req.rules),
    'drift.file': (req) => core.drift.file(req),
    'drift.acquire': (req) =>
      core.drift.acquire({
        host: req.host,
        container: req.container,
        path: req.path,
        ...(req.pathBase64 !== undefined ? { pathBase64: req.pathBase64 } : {}),
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
    'drift.mount-inventory': (req) =>
      core.drift.mountInventory({
        host: req.host,
        container: req.container,
        destination: req.destination,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
  };
}
