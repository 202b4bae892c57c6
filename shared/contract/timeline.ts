import { z } from 'zod';
import {
  TIMELINE_SEVERITIES,
  TIMELINE_SOURCES,
  type TimelineExportResult,
  type TimelineHistogram,
  type TimelinePage,
} from '../domain/timeline';
import type { CaseReport } from '../domain/report';
import { channel } from './define';
import { caseRef, hostName, localPath } from './schemas';

const rfc3339 = z
  .string()
  .max(64)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/, 'an RFC 3339 time');

/** The host name of rows read from a data root: `data-root:` and the absolute path (see DataRootInfo.host). */
const dataRootHost = z
  .string()
  .max(4096 + 10)
  .regex(/^data-root:\//, 'data-root: and an absolute path')
  .refine((h) => !h.includes('\0'), 'no NUL bytes');

export const timelineFilter = z
  .object({
    sources: z.array(z.enum(TIMELINE_SOURCES)).max(TIMELINE_SOURCES.length).optional(),
    minSeverity: z.enum(TIMELINE_SEVERITIES).optional(),
    text: z.string().max(500).optional(),
    from: rfc3339.optional(),
    to: rfc3339.optional(),
    /** A host, or a data root as its rows name it (`data-root:` and its absolute path). */
    host: z.union([hostName, dataRootHost]).optional(),
    container: z.string().min(1).max(256).optional(),
  })
  .strict();

const logFilter = z.string().min(1).max(500);
const timeZone = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_+\-/]+$/, 'an IANA time zone name');

export const timelineChannels = {
  /** A page of the case's merged timeline (built or rebuilt when the case changed), time order. */
  'timeline.page': channel<TimelinePage>()(() =>
    z
      .object({
        caseRef: caseRef.optional(),
        filter: timelineFilter.optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(5000).default(200),
        logFilter: logFilter.optional(),
      })
      .strict(),
  ),
  /** Row counts per bin and each bin's worst severity: the density strip of the d3 timeline. */
  'timeline.histogram': channel<TimelineHistogram>()(() =>
    z
      .object({
        caseRef: caseRef.optional(),
        filter: timelineFilter.optional(),
        bins: z.number().int().min(1).max(4000),
        from: rfc3339.optional(),
        to: rfc3339.optional(),
      })
      .strict(),
  ),
  /** The index (after the filter) of the first row at or after `time`. */
  'timeline.indexAt': channel<number>()(() =>
    z.object({ caseRef: caseRef.optional(), filter: timelineFilter.optional(), time: rfc3339 }).strict(),
  ),
  /** Writes the timeline as Timesketch JSON Lines or plaso l2tcsv to a new file (UTC unless a zone is named). */
  'timeline.export': channel<TimelineExportResult>()(() =>
    z
      .object({
        caseRef: caseRef.optional(),
        filter: timelineFilter.optional(),
        format: z.enum(['jsonl', 'l2tcsv']),
        target: localPath,
        timeZone: timeZone.optional(),
        logFilter: logFilter.optional(),
      })
      .strict(),
  ),
  /**
   * The case report: a self-contained offline HTML page, and a PDF rendered from it by the browser
   * engine when asked; stored in the case as artifacts and written to `target` when given.
   */
  'report.create': channel<CaseReport>()(() =>
    z
      .object({
        caseRef: caseRef.optional(),
        format: z.enum(['html', 'pdf']),
        target: localPath.optional(),
        timeZone: timeZone.optional(),
      })
      .strict(),
  ),
} as const;

export const timelineEvents = {} as const;
