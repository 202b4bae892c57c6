import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreQueue } from '../../../main/core/drift/store-queue';

describe('store queue', () => {
  it('runs at most `concurrency` tasks and holds the reader when the bytes bound is reached', async () => {
    const queue = new StoreQueue(2, 100);
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const task = () =>
      new Promise<number>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        releases.push(() => {
          running--;
          resolve(running);
        });
      });
    const a = await queue.enqueue(60, task);
    const b = await queue.enqueue(30, task);
    let thirdQueued = false;
    const third = queue.enqueue(10, task).then((q) => {
      thirdQueued = true;
      return q;
    });
    await new Promise(setImmediate); // every settled promise has run its callbacks
    assert.equal(thirdQueued, false, 'two running: the third waits');
    releases.shift()!();
    await a.done;
    const c = await third;
    assert.equal(thirdQueued, true);
    let bigQueued = false;
    const big = queue.enqueue(90, task).then((q) => {
      bigQueued = true;
      return q;
    });
    await new Promise(setImmediate); // every settled promise has run its callbacks
    assert.equal(bigQueued, false, '30 + 10 + 90 bytes would pass the bound');
    while (releases.length) releases.shift()!();
    await Promise.all([b.done, c.done]);
    const d = await big;
    releases.shift()!();
    await d.done;
    assert.equal(peak, 2);
  });

  it('keeps a failed task for its awaiter without an unhandled rejection', async () => {
    const queue = new StoreQueue(1, 10);
    const { done } = await queue.enqueue(1, async () => {
      throw new Error('disk full');
    });
    await new Promise(setImmediate);
    await assert.rejects(done, /disk full/);
  });
});
