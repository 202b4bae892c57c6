import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEvent, sinceParameter, type EngineEvent } from '../../../main/core/hosts/engine-events';
import { nanoToIso } from '../../../main/core/journal/journal-store';
import { replayGap } from '../../../main/core/journal/replay';

const event = (timeNano: bigint): EngineEvent => ({ type: 'container', action: 'create', id: 'c', attributes: {}, timeNano });

describe('engine event times', () => {
  it('reads timeNano exactly (a JSON number would round it), and ignores a label that looks like it', () => {
    const line =
      '{"Type":"container","Action":"start","Actor":{"ID":"c","Attributes":{"timeNano":"5","x\\"timeNano\\":7,":"y"}},"time":1796034554,"timeNano":1796034554536274851}';
    const parsed = parseEvent(line);
    assert.equal(parsed?.timeNano, 1796034554536274851n);
    assert.notEqual(BigInt(Number('1796034554536274851')), 1796034554536274851n, 'the float would have been off');
    assert.equal(sinceParameter(1796034554536274851n), '1796034554.536274851');
    assert.equal(nanoToIso(1796034554536274851n), '2026-11-30T10:29:14.536274851Z');
  });
});

describe('gaps in the engine replay', () => {
  const anchor = 1_000_000_000_000n;
  it('sees none for a new journal, or when the replay holds the last journaled event', () => {
    assert.equal(replayGap(undefined, { events: [event(5n)] }, 10n), undefined);
    assert.equal(replayGap(anchor, { events: [event(anchor), event(anchor + 1n)] }, anchor + 10n), undefined);
  });

  it('states a full replay that starts after the last journaled event, from that event to the first replayed', () => {
    const events = Array.from({ length: 256 }, (_, i) => event(anchor + 100n + BigInt(i)));
    const gap = replayGap(anchor, { events }, anchor + 1000n);
    assert.deepEqual([gap?.from, gap?.to], [anchor, anchor + 100n]);
    assert.match(gap?.note ?? '', /replay was full \(256 events; it keeps only the last 256, moby\/moby#30502\)/);
    const late = replayGap(anchor, { events: events.slice(0, 3) }, anchor + 1000n);
    assert.match(late?.note ?? '', /starts after the journal's last event/);
  });

  it('states an engine that replays nothing it had (restarted), up to the time of asking', () => {
    const gap = replayGap(anchor, { events: [] }, anchor + 7n);
    assert.deepEqual([gap?.from, gap?.to], [anchor, anchor + 7n]);
    assert.match(gap?.note ?? '', /replayed nothing/);
  });
});
