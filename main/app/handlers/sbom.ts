import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type SbomHandlers = Pick<Handlers, 'sbom.build'>;

export function sbomHandlers(core: Core): SbomHandlers {
  return {
    'sbom.build': (req) =>
      core.sbom.build({
        host: req.host,
        target: req.target,
        record: req.record,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
  };
}
