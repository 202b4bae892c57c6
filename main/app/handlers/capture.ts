import type { CaptureOptions } from '../../../shared/domain/capture';
import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type CaptureHandlers = Pick<
  Handlers,
  | 'capture.start'
  | 'capture.stop'
  | 'capture.wait'
  | 'capture.get'
  | 'capture.list'
  | 'capture.check-filter'
  | 'capture.summary'
  | 'capture.export'
  | 'capture.settings'
  | 'capture.set-settings'
  | 'capture.sweep'
>;

export function captureHandlers(core: Core): CaptureHandlers {
  return {
    'capture.start': (req) => {
      const o = req.options;
      const options: CaptureOptions = {
        interface: o.interface,
        ...(o.filter !== undefined ? { filter: o.filter } : {}),
        ...(o.durationSeconds !== undefined ? { durationSeconds: o.durationSeconds } : {}),
        ...(o.packetCount !== undefined ? { packetCount: o.packetCount } : {}),
        ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
        ...(o.snaplen !== undefined ? { snaplen: o.snaplen } : {}),
      };
      return core.capture.start({
        host: req.host,
        container: req.container,
        options,
        summarize: req.summarize,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      });
    },
    'capture.stop': (req) => core.capture.stop(req.captureId),
    'capture.wait': (req) => core.capture.wait(req.captureId),
    'capture.get': (req) => core.capture.get(req.captureId),
    'capture.list': (req) => core.capture.list(req.limit),
    'capture.check-filter': (req) => core.capture.checkFilter(req),
    'capture.summary': (req) => core.capture.summary(req.pcapArtifactId),
    'capture.export': (req) => core.capture.export(req.artifactId, req.path),
    'capture.settings': () => core.capture.settings(),
    'capture.set-settings': (req) => core.capture.setSettings(req.helperImage),
    'capture.sweep': (req) => core.capture.sweep(req.host),
  };
}
