import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { journalLine } from '../../../main/cli/commands/journal';
import type { JournalEntry } from '../../../shared/domain/journal';

const base: JournalEntry = {
  seq: 1,
  host: 'h',
  kind: 'event',
  timeNano: '1796034554536274851',
  time: '2026-11-30T10:29:14.536274851Z',
  receivedAt: '2026-11-30T10:29:14.600Z',
  type: 'container',
  action: 'exec_create',
  actionDetail: 'sh -c \u001b[2Jevil',
  actorId: 'c'.repeat(64),
  name: 'web\u001b]0;pwned\u0007',
  attributes: {},
};

const hasControl = (text: string): boolean => [...text].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f');

describe('drydock watch lines', () => {
  it('print what the host sent with control characters made visible', () => {
    const line = journalLine({
      ...base,
      exec: { user: 'root\u001b[31m', argv: ['sh', '-c', '\u001b[2Jevil'], privileged: true, tty: false },
    });
    assert.ok(!hasControl(line), line);
    assert.match(line, /^2026-11-30T10:29:14\.536274851Z container exec_create web.*pwned.* user root.* privileged: /);
    assert.ok(!hasControl(journalLine(base)));
  });

  it('print a gap with its span and why', () => {
    const line = journalLine({
      ...base,
      kind: 'gap',
      type: 'gap',
      action: 'gap',
      gapUntil: '2026-11-30T11:00:00.000000000Z',
      note: 'Event gap from a to b: the replay was full',
    });
    assert.equal(
      line,
      '2026-11-30T10:29:14.536274851Z GAP until 2026-11-30T11:00:00.000000000Z: Event gap from a to b: the replay was full',
    );
  });
});
