import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type TimelineHandlers = Pick<Handlers, 'timeline.page' | 'timeline.histogram' | 'timeline.indexAt' | 'timeline.export' | 'report.create'>;

export function timelineHandlers(core: Core): TimelineHandlers {
  return {
    'timeline.page': (req) =>
      core.timeline.page({
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
        ...(req.filter !== undefined ? { filter: req.filter } : {}),
        offset: req.offset,
        limit: req.limit,
        ...(req.logFilter !== undefined ? { logFilter: req.logFilter } : {}),
      }),
    'timeline.histogram': (req) =>
      core.timeline.histogram({
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
        ...(req.filter !== undefined ? { filter: req.filter } : {}),
        bins: req.bins,
        ...(req.from !== undefined ? { from: req.from } : {}),
        ...(req.to !== undefined ? { to: req.to } : {}),
      }),
    'timeline.indexAt': (req) =>
      core.timeline.indexAt({
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
        ...(req.filter !== undefined ? { filter: req.filter } : {}),
        time: req.time,
      }),
    'timeline.export': (req) =>
      core.timeline.export({
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
        ...(req.filter !== undefined ? { filter: req.filter } : {}),
        format: req.format,
        target: req.target,
        ...(req.timeZone !== undefined ? { timeZone: req.timeZone } : {}),
        ...(req.logFilter !== undefined ? { logFilter: req.logFilter } : {}),
      }),
    'report.create': (req) =>
      core.report.create({
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
        format: req.format,
        ...(req.target !== undefined ? { target: req.target } : {}),
        ...(req.timeZone !== undefined ? { timeZone: req.timeZone } : {}),
      }),
  };
}
