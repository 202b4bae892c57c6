// The progress line of long CLI commands (drydock memory): on a terminal one line rewritten in
// place and cleared at the end; in a log about one line per tenth of the work, whatever its size,
// or one every few seconds when the work is slow; sizes in binary units.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binaryBytes, progressLine } from '../../../main/cli/progress-line';

function target(tty: boolean) {
  const written: string[] = [];
  const lines: string[] = [];
  return { written, lines, tty, write: (c: string) => written.push(c), line: (t: string) => lines.push(t) };
}

describe('progress line', () => {
  it('writes about one line per tenth when stderr is not a terminal, from 1% updates', () => {
    const out = target(false);
    let t = 0;
    const line = progressLine(out, { now: () => t });
    for (let pct = 1; pct <= 100; pct++) {
      t += 10;
      line.update(`p ${pct}%`, pct / 100);
    }
    line.done();
    assert.deepEqual(out.lines, ['p 1%', 'p 10%', 'p 20%', 'p 30%', 'p 40%', 'p 50%', 'p 60%', 'p 70%', 'p 80%', 'p 90%', 'p 100%']);
    assert.deepEqual(out.written, [], 'nothing written in place');
  });

  it('adds a line every few seconds when the work is slow, and starts again for the next piece', () => {
    const out = target(false);
    let t = 0;
    const line = progressLine(out, { now: () => t, everyMs: 5000 });
    line.update('a 1%', 0.01);
    t = 6000;
    line.update('a 2%', 0.02);
    t = 7000;
    line.update('a 3%', 0.03);
    line.restart();
    line.update('b 1%', 0.01);
    assert.deepEqual(out.lines, ['a 1%', 'a 2%', 'b 1%']);
  });

  it('rewrites one line in place on a terminal, at most every 100 ms but always the end, and clears it', () => {
    const out = target(true);
    let t = 0;
    const line = progressLine(out, { now: () => t });
    line.update('x 1%', 0.01);
    t = 50;
    line.update('x 2%', 0.02);
    t = 150;
    line.update('x 3%\u001b[2J', 0.03);
    t = 160;
    line.update('x 100%', 1);
    line.done();
    line.done();
    assert.deepEqual(out.written, ['\rx 1%\u001b[K', '\rx 3%\\x1b[2J\u001b[K', '\rx 100%\u001b[K', '\r\u001b[K']);
    assert.deepEqual(out.lines, []);
  });

  it('gives sizes in binary units with one decimal', () => {
    assert.deepEqual([0, 1023, 1024, 8419824, 636772352, 1024 ** 3 * 1.5, 1024 * 1024 - 1].map(binaryBytes), [
      '0 B',
      '1023 B',
      '1.0 KiB',
      '8.0 MiB',
      '607.3 MiB',
      '1.5 GiB',
      '1.0 MiB',
    ]);
  });
});
