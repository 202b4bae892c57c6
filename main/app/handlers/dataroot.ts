import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type DataRootHandlers = Pick<
  Handlers,
  | 'dataroot.open'
  | 'dataroot.list'
  | 'dataroot.inventory'
  | 'dataroot.images'
  | 'dataroot.layerOwner'
  | 'dataroot.drift'
  | 'dataroot.logs'
  | 'dataroot.compareDisk'
  | 'dataroot.timeline'
  | 'dataroot.processes'
>;

const caseOf = (req: { caseRef?: string | undefined }) => (req.caseRef !== undefined ? { caseRef: req.caseRef } : {});

export function dataRootHandlers(core: Core): DataRootHandlers {
  return {
    'dataroot.open': (req) => core.dataRoot.open(req.dataRoot),
    'dataroot.list': () => core.dataRoot.list(),
    'dataroot.inventory': (req) => core.dataRoot.inventory({ dataRoot: req.dataRoot, record: req.record, ...caseOf(req) }),
    'dataroot.images': (req) => core.dataRoot.images({ dataRoot: req.dataRoot, record: req.record, ...caseOf(req) }),
    'dataroot.layerOwner': (req) => core.dataRoot.layerOwner({ dataRoot: req.dataRoot, id: req.id, record: req.record, ...caseOf(req) }),
    'dataroot.drift': (req) =>
      core.dataRoot.drift({
        dataRoot: req.dataRoot,
        containers: req.containers,
        contentCapBytes: req.contentCapBytes,
        keyEvidenceCapBytes: req.keyEvidenceCapBytes,
        ...caseOf(req),
      }),
    'dataroot.compareDisk': (req) =>
      core.dataRoot.compareDisk({ host: req.host, dataRoot: req.dataRoot, record: req.record, ...caseOf(req) }),
    'dataroot.timeline': (req) => core.dataRoot.timelineSources({ dataRoot: req.dataRoot, ...caseOf(req) }),
    'dataroot.processes': (req) =>
      core.dataRoot.processConfig({ dataRoot: req.dataRoot, container: req.container, record: req.record, ...caseOf(req) }),
    'dataroot.logs': (req) => core.dataRoot.logs({ dataRoot: req.dataRoot, container: req.container, ...caseOf(req) }),
  };
}
