import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type JournalHandlers = Pick<Handlers, 'journal.watch' | 'journal.status' | 'journal.entries'>;

export function journalHandlers(core: Core): JournalHandlers {
  return {
    'journal.watch': (req) => core.journal.watch(req.host),
    'journal.status': (req) => core.journal.status(req.host),
    'journal.entries': (req) => core.journal.entries(req.host, req.afterSeq, req.limit),
  };
}
