import { z } from 'zod';
import type { JournalEntry, JournalStatus } from '../domain/journal';
import { channel, event } from './define';
import { hostName } from './schemas';

export const journalChannels = {
  /**
   * Connects the host (if it is not) so its engine events are journaled, and resolves once the
   * engine's replay since the journal's last event has been read and any gap recorded.
   */
  'journal.watch': channel<JournalStatus>()(() => z.object({ host: hostName }).strict()),
  'journal.status': channel<JournalStatus>()(() => z.object({ host: hostName }).strict()),
  /** The host's journal in engine-time order (ties in arrival order), after `afterSeq` when given. */
  'journal.entries': channel<JournalEntry[]>()(() =>
    z
      .object({ host: hostName, afterSeq: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(10_000).default(1000) })
      .strict(),
  ),
} as const;

export const journalEvents = {
  /** A row was appended to a host's journal (an event, or a gap). */
  'journal.entry': event<JournalEntry>(),
} as const;
