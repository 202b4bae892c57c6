import { z } from 'zod';
import type { YaraScanReport } from '../domain/yara';
import { channel } from './define';
import { scanId } from './drift';
import { artifactId, caseRef, containerRef, hostName } from './schemas';

/** One rule file as the examiner gave it: its name (no directories) and its text (trusted-ish: the examiner's own). */
const ruleFile = z
  .object({
    name: z
      .string()
      .min(1)
      .max(255)
      .refine((n) => !n.includes('/') && !n.includes('\\') && ![...n].some((c) => (c.codePointAt(0) ?? 0) < 0x20), 'a file name'),
    text: z.string().max(4 * 1024 * 1024),
  })
  .strict();

const rules = {
  rules: z.array(ruleFile).max(256).default([]),
  /** Adds Drydock's starter rules (resources/yara). */
  starter: z.boolean().default(false),
  caseRef: caseRef.optional(),
};

export const yaraChannels = {
  /**
   * Runs YARA rules over a running container's filesystem (Debian's yara in a helper, over
   * /proc/1/root) or, with `memory`, its processes' live memory (`pids`, default all); a stopped
   * container's filesystem is streamed from the archive endpoint into the in-app engine. Stored as
   * a 'yara-report' artifact.
   */
  'yara.scan-container': channel<YaraScanReport>()(() =>
    z
      .object({
        host: hostName,
        container: containerRef,
        memory: z.boolean().default(false),
        pids: z.array(z.number().int().min(1).max(4_194_304)).max(512).optional(),
        ...rules,
      })
      .strict(),
  ),
  /** Runs YARA rules in the app over a stored artifact (a memory image region by region). */
  'yara.scan-artifact': channel<YaraScanReport>()(() => z.object({ artifactId, ...rules }).strict()),
  /** Runs YARA rules in the app over the changed files a drift scan stored. */
  'yara.scan-drift': channel<YaraScanReport>()(() => z.object({ scanId, ...rules }).strict()),
} as const;

export const yaraEvents = {} as const;
