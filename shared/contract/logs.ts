import { z } from 'zod';
import type { LogPage, LogsAcquisition, LogsFollowSetting } from '../domain/logs';
import { channel } from './define';
import { artifactId, caseRef, containerRef, hostName } from './schemas';

/**
 * A point in time for since/until: seconds since the epoch (with a fraction), an RFC 3339 date
 * ('2026-11-30T10:00:00Z'), or a duration back from now ('90s', '10m', '2h', '1d').
 */
export const logTime = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^(\d{1,12}(\.\d{1,9})?|\d+(\.\d+)?[smhd]|\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?)$/,
    'seconds since the epoch, an RFC 3339 date, or a duration such as 10m',
  );

export const logsChannels = {
  /** Reads a container's stdout/stderr through the engine's logs endpoint (timestamps on) and stores it as one 'logs' artifact. */
  'logs.acquire': channel<LogsAcquisition>()(() =>
    z
      .object({
        host: hostName,
        container: containerRef,
        caseRef: caseRef.optional(),
        since: logTime.optional(),
        until: logTime.optional(),
        tail: z.number().int().min(0).max(1_000_000_000).optional(),
      })
      .strict(),
  ),
  /**
   * Whether the journal follows the logs of every container that starts on a journaled host into
   * this case (the named one, else the current one): read it, or set it with `followOnStart`.
   */
  'logs.followSetting': channel<LogsFollowSetting>()(() =>
    z.object({ caseRef: caseRef.optional(), followOnStart: z.boolean().optional() }).strict(),
  ),
  /**
   * A page of a stored logs artifact by byte range: `limit` lines from `offset` (a line start), or
   * the `limit` lines before `before` (the previous page; the artifact's size for the last page).
   */
  'logs.page': channel<LogPage>()(() =>
    z
      .object({
        artifactId,
        offset: z.number().int().min(0).optional(),
        before: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(2000).default(200),
      })
      .strict(),
  ),
} as const;

export const logsEvents = {} as const;
