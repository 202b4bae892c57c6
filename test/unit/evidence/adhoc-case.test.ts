import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Clock } from '../../../main/core/clock';
import { DrydockFailure } from '../../../main/core/errors';
import { openStore } from './store-fixture';

/** A clock the test moves by hand. */
function handClock(iso: string): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return { now: () => new Date(now), set: (next) => (now = new Date(next)) };
}

describe('ad-hoc cases', () => {
  it('opens one for the first acquisition with no open case, reuses it that UTC day, and opens a new one the next day', () => {
    const clock = handClock('2026-11-30T23:58:00Z');
    const store = openStore(undefined, 'j.doe', clock);
    try {
      assert.throws(
        () => store.evidence.resolveWritableCase(),
        (err: unknown) => err instanceof DrydockFailure && err.kind === 'conflict',
        'outside an acquisition nothing is opened',
      );
      const first = store.evidence.resolveWritableCase(undefined, { host: 'prod-7' });
      assert.equal(first.name, 'prod-7 2026-11-30');
      assert.equal(first.examiner, 'j.doe');
      const opened = store.seen.filter((s) => s.event === 'evidence.adhoc-case-opened');
      assert.equal(opened.length, 1);
      assert.match(
        (opened[0]?.payload as { reason: string }).reason,
        /^no case was open: opened the ad-hoc case "prod-7 2026-11-30" for host prod-7/,
      );
      assert.equal(store.evidence.resolveWritableCase(undefined, { host: 'other' }).id, first.id, 'same day, same case, whatever the host');
      clock.set('2026-12-01T00:01:00Z');
      const next = store.evidence.resolveWritableCase(undefined, { host: 'prod-7' });
      assert.notEqual(next.id, first.id);
      assert.equal(next.name, 'prod-7 2026-12-01');
      assert.equal(store.seen.filter((s) => s.event === 'evidence.adhoc-case-opened').length, 2);
    } finally {
      store.dispose();
    }
  });

  it('never replaces a case the examiner opened, and opens a fresh one (named apart) when the current case is closed', async () => {
    const clock = handClock('2026-11-30T10:00:00Z');
    const store = openStore(undefined, 'j.doe', clock);
    try {
      const mine = store.evidence.createCase({ name: 'INC-1' });
      clock.set('2026-12-03T10:00:00Z');
      assert.equal(
        store.evidence.resolveWritableCase(undefined, { host: 'h' }).id,
        mine.id,
        "an examiner's own case stays current on later days",
      );
      await store.evidence.closeCase();
      const adHoc = store.evidence.resolveWritableCase(undefined, { host: 'h' });
      assert.equal(adHoc.name, 'h 2026-12-03');
      await store.evidence.closeCase();
      const again = store.evidence.resolveWritableCase(undefined, { host: 'h' });
      assert.equal(again.name, 'h 2026-12-03 (2)');
      const log = await store.evidence.auditEntries({ caseRef: again.id });
      assert.deepEqual(
        log.map((e) => e.action),
        ['case.created', 'case.adhoc-opened'],
      );
      assert.match(JSON.stringify(log[1]?.details), /the current case \\"h 2026-12-03\\" \([^)]*\) is closed/);
    } finally {
      store.dispose();
    }
  });
});
