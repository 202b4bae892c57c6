// Gaps are facts: the engine replays at most its last 256 events (moby/moby#30502). With a second
// dockerd: a journal that reconnects after a few events records none lost; one that reconnects
// after 150 containers were created and removed (300 events) records an explicit gap from its last
// event to the first one the engine still had; one whose engine restarted (and forgot) says so too,
// whether the journal was stopped or the connection dropped and came back by itself.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JournalEntry } from '../../../shared/domain/journal';
import { BUSYBOX, startTestCore, type TestCore } from '../../helpers/docker';
import { startSecondEngine, type SecondEngine } from '../../helpers/second-engine';
import { nextEvent, waitFor } from '../../helpers/wait';

const HOST = 'journal-second';

describe('event journal gaps', () => {
  let t: TestCore;
  let engine: SecondEngine;

  before(async () => {
    engine = await startSecondEngine('ddj', [BUSYBOX]);
    t = startTestCore('drydock-journal');
    await t.call('hosts.add', { name: HOST, url: `unix://${engine.socket}` });
  });

  after(async () => {
    await t?.close();
    await engine?.stop();
  });

  const entries = (): Promise<JournalEntry[]> => t.call('journal.entries', { host: HOST, limit: 10_000 });

  /** create + remove `count` containers on the second engine (2 events each), 8 at a time. */
  async function churn(count: number, prefix: string): Promise<string[]> {
    const ids: string[] = [];
    const d = engine.docker();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < count) {
          const n = next++;
          const container = await d.createContainer({ Image: BUSYBOX, Cmd: ['true'], name: `${prefix}-${n}` });
          await container.remove();
          ids.push(container.id);
        }
      }),
    );
    return ids;
  }

  async function lastDestroyJournaled(id: string): Promise<JournalEntry> {
    return waitFor(async () => (await entries()).find((entry) => entry.actorId === id && entry.action === 'destroy'), {
      what: `the destroy of ${id.slice(0, 12)} in the journal`,
    });
  }

  it('records no gap when the replay reaches back to the last journaled event', async () => {
    await t.call('journal.watch', { host: HOST });
    const [first] = await churn(1, 'ddj-before');
    const anchor = await lastDestroyJournaled(first ?? '');
    await t.call('hosts.disconnect', { name: HOST });

    const [missed] = await churn(3, 'ddj-few');
    const status = await t.call('journal.watch', { host: HOST });
    assert.equal(status.gaps, 0, 'nothing was lost');
    const after = await entries();
    assert.ok(
      after.some((entry) => entry.actorId === missed && entry.action === 'create'),
      'the events made while away were replayed into the journal',
    );
    assert.equal(
      after.filter((entry) => entry.actorId === anchor.actorId && entry.action === 'destroy').length,
      1,
      'the replayed anchor is journaled once',
    );
  });

  it('records a gap from the last journaled event to the first replayed one when 300 events were missed', async () => {
    const before = await entries();
    const anchor = before.filter((entry) => entry.kind === 'event').at(-1);
    assert.ok(anchor);
    await t.call('hosts.disconnect', { name: HOST });

    // Before the burst: one container that keeps running and one that exits with 3, both kept.
    const d = engine.docker();
    const survivor = await d.createContainer({ Image: BUSYBOX, Cmd: ['sleep', '600'], name: 'ddj-survivor' });
    await survivor.start();
    const exited = await d.createContainer({ Image: BUSYBOX, Cmd: ['sh', '-c', 'exit 3'], name: 'ddj-exited' });
    await exited.start();
    await exited.wait();
    const ids = await churn(150, 'ddj-many');
    const status = await t.call('journal.watch', { host: HOST });
    assert.equal(status.gaps, 1);
    const after = await entries();
    const gap = after.find((entry) => entry.kind === 'gap');
    assert.ok(gap);
    assert.equal(gap.timeNano, anchor.timeNano, 'the gap starts at the last event the journal had');
    const replayed = after.filter(
      (entry) => entry.kind === 'event' && BigInt(entry.timeNano) > BigInt(anchor.timeNano) && !entry.attributes['drydock.reconstructed'],
    );
    assert.equal(replayed.length, 256, "the engine's replay: its last 256 events");
    assert.equal(gap.gapUntilNano, replayed[0]?.timeNano, 'the gap ends at the first event the engine still had');
    assert.match(gap.note ?? '', /^Event gap from \S+ to \S+: the engine's replay was full \(256 events; it keeps only the last 256/);
    assert.ok(
      !replayed.some((entry) => entry.actorId === ids[0] && entry.action === 'create'),
      'the first containers of the burst are indeed not in the journal',
    );
    // The state rebuilt from list and inspect: what the engine still knows of the gap, marked as such.
    const rebuilt = after.filter((entry) => entry.attributes['drydock.reconstructed'] === 'inspect after an event gap');
    const steps = (id: string) =>
      rebuilt
        .filter((entry) => entry.actorId === id)
        .map((entry) => `${entry.action}${entry.exitCode !== undefined ? ` ${entry.exitCode}` : ''}`);
    assert.deepEqual(steps(survivor.id), ['create', 'start'], 'the running container: created and started inside the gap');
    // (Sorted: for a process that exits at once the engine can record FinishedAt before StartedAt.)
    assert.deepEqual(steps(exited.id).sort(), ['create', 'die 3', 'start'], 'the exited one, with its exit code');
    for (const entry of rebuilt) {
      assert.ok(
        BigInt(entry.timeNano) > BigInt(gap.timeNano) && BigInt(entry.timeNano) <= BigInt(gap.gapUntilNano ?? '0'),
        'inside the gap',
      );
      assert.match(entry.note ?? '', /^Reconstructed from the container's inspect after an event gap/);
    }
    assert.equal(
      rebuilt.filter((entry) => ids.includes(entry.actorId)).length,
      0,
      'containers created and removed inside the gap cannot be rebuilt: the gap stands for them',
    );
    const audited = t.core.db.prepare<[], { details: string }>("SELECT details FROM audit_log WHERE action = 'journal.gap'").all();
    assert.ok(
      audited.some((row) => (JSON.parse(row.details) as { host?: string }).host === HOST),
      'the gap is in the audit log',
    );
  });

  it('records a gap when the engine restarted and replays nothing it had', async () => {
    const before = (await entries()).filter((entry) => entry.kind === 'event').at(-1);
    assert.ok(before);
    await t.call('hosts.disconnect', { name: HOST });
    await engine.kill();
    await engine.restart();
    const status = await t.call('journal.watch', { host: HOST });
    assert.equal(status.gaps, 2);
    const gap = (await entries()).filter((entry) => entry.kind === 'gap').at(-1);
    assert.equal(gap?.timeNano, before.timeNano);
    assert.match(gap?.note ?? '', /replayed nothing since the journal's last event|starts after the journal's last event/);
  });

  it('checks the replay when a lost connection comes back by itself, and journals live events after it', async () => {
    const before = (await entries()).filter((entry) => entry.kind === 'event').at(-1);
    assert.ok(before);
    const lost = nextEvent(t.core, 'host.status', (s) => s.name === HOST && s.state === 'reconnecting', { timeoutMs: 30_000 });
    await engine.kill();
    await lost;
    const back = nextEvent(t.core, 'host.status', (s) => s.name === HOST && s.state === 'connected', { timeoutMs: 60_000 });
    await engine.restart();
    await back;
    const gap = await waitFor(async () => (await entries()).find((entry) => entry.kind === 'gap' && entry.timeNano === before.timeNano), {
      what: 'a gap from the last event before the engine died',
    });
    assert.match(gap.note ?? '', /Event gap from /);
    const [id] = await churn(1, 'ddj-after');
    await lastDestroyJournaled(id ?? '');
  });
});
