import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedLock } from '../../../main/core/quarantine/keyed-lock';
import { forensicImageRef, forensicRepository } from '../../../main/core/quarantine/snapshot';
import { quarantineModes } from '../../../shared/contract/quarantine';

describe('forensic image names', () => {
  it('makes a valid repository from any container name', () => {
    assert.equal(forensicRepository('Web_1'), 'drydock-forensic/web_1');
    assert.equal(forensicRepository('shop..web--1'), 'drydock-forensic/shop-web-1');
    assert.equal(forensicRepository('-._'), 'drydock-forensic/container');
    assert.equal(forensicRepository('a'.repeat(200)).length, 'drydock-forensic/'.length + 60);
    assert.match(forensicImageRef('x', 'q-abc-1234'), /^drydock-forensic\/x:q-abc-1234$/);
  });
});

describe('quarantine modes', () => {
  it('are put in run order, each once; unknown and empty lists are refused', () => {
    assert.deepEqual(quarantineModes.parse(['stop', 'isolate', 'stop', 'snapshot']), ['isolate', 'snapshot', 'stop']);
    assert.equal(quarantineModes.safeParse([]).success, false);
    assert.equal(quarantineModes.safeParse(['freeze']).success, false);
  });
});

describe('KeyedLock', () => {
  it('runs tasks of one key one after another, of different keys side by side, and survives failures', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      lock.run('a', task('a1', 30, true)),
      lock.run('a', task('a2', 5)),
      lock.run('b', task('b1', 5)),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'fulfilled', 'fulfilled'],
    );
    assert.ok(log.indexOf('end a1') < log.indexOf('start a2'), 'same key: serialised');
    assert.ok(log.indexOf('start b1') < log.indexOf('end a1'), 'other key: not blocked');
  });
});
