import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogFrameSplitter, LogLineWriter } from '../../../main/core/logs/log-lines';
import { engineTimeParameter } from '../../../main/core/logs/log-time';
import type { LogStream } from '../../../shared/domain/logs';

const T1 = '2026-11-30T10:29:32.245017886Z';
const T2 = '2026-11-30T10:29:33.000000001Z';

function frame(type: 1 | 2, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Runs a multiplexed body through the splitter and the writer, `chunk` bytes at a time. */
async function store(
  body: Buffer,
  chunk: number,
  splitBytes?: number,
): Promise<{ text: string; counts: Awaited<ReturnType<LogLineWriter['end']>> }> {
  const records: Buffer[] = [];
  const writer = new LogLineWriter((record) => void records.push(record), splitBytes);
  const splitter = new LogFrameSplitter();
  for (let i = 0; i < body.length; i += chunk) await splitter.push(body.subarray(i, i + chunk), (s: LogStream, p) => writer.push(s, p));
  assert.equal(splitter.midFrame, false);
  const counts = await writer.end();
  return { text: Buffer.concat(records).toString('latin1'), counts };
}

describe('stored log lines', () => {
  const body = Buffer.concat([
    frame(1, `${T1} out-1\n`),
    frame(2, `${T1} err-1\n`),
    // A long message the engine split into pieces, each with the message's timestamp repeated.
    frame(1, `${T1} aaaa`),
    frame(2, `${T2} err-2\n`),
    frame(1, `${T1} bbbb`),
    frame(1, `${T1} cc\n`),
    frame(1, `${T2} \u001b[31m\u0000\xff raw\n`),
    frame(2, `${T2} no newline`),
  ]);

  it('tags each line by stream, joins pieces byte-exact, and ends an unterminated last line — whatever the chunking', async () => {
    const expected = [
      `stdout ${T1} out-1`,
      `stderr ${T1} err-1`,
      `stderr ${T2} err-2`,
      `stdout ${T1} aaaabbbbcc`,
      `stdout ${T2} \u001b[31m\u0000\xff raw`,
      `stderr ${T2} no newline`,
      '',
    ].join('\n');
    for (const chunk of [1, 3, 7, 8, 9, body.length]) {
      const { text, counts } = await store(body, chunk);
      assert.equal(text, expected, `chunks of ${chunk}`);
      assert.equal(counts.lines, 6);
      assert.deepEqual(counts.perStream, { stdout: 3, stderr: 3, tty: 0 });
      assert.equal(counts.joinedPieces, 2);
      assert.deepEqual(counts.unterminated, ['stderr']);
      assert.equal(counts.firstTimestamp, T1);
      assert.equal(counts.lastTimestamp, T2);
    }
  });

  it('stores a line longer than the split size in tagged pieces, memory bounded', async () => {
    const { text, counts } = await store(frame(1, `${T1} ${'x'.repeat(25)}\n`), 5, 20);
    const records = text.split('\n').slice(0, -1);
    assert.ok(records.length > 1);
    assert.ok(records[0]?.startsWith('stdout '));
    assert.ok(records.slice(1).every((r) => r.startsWith('stdout+ ')));
    assert.equal(records.map((r) => r.slice(r.indexOf(' ') + 1)).join(''), `${T1} ${'x'.repeat(25)}`);
    assert.equal(counts.lines, 1);
    assert.equal(counts.splitLines, 1);
  });

  it('reads a TTY stream as one raw stream, splitting at newlines only', async () => {
    const records: Buffer[] = [];
    const writer = new LogLineWriter((record) => void records.push(record));
    await writer.push('tty', Buffer.from(`${T1} one\r\n${T1} t`), false);
    await writer.push('tty', Buffer.from(`${T1} wo\r\n`), false);
    await writer.end();
    assert.equal(Buffer.concat(records).toString(), `tty ${T1} one\r\ntty ${T1} t${T1} wo\r\n`);
  });

  it('refuses a body that is not the Engine API multiplexed format, or a frame past the limit', async () => {
    await assert.rejects(
      new LogFrameSplitter().push(Buffer.from('2026-11-30T10:00:00Z hello\n'), async () => undefined),
      /not multiplexed/,
    );
    const huge = Buffer.alloc(8);
    huge.writeUInt8(1, 0);
    huge.writeUInt32BE(0xffffffff, 4);
    await assert.rejects(
      new LogFrameSplitter().push(huge, async () => undefined),
      /exceeds/,
    );
  });
});

describe('since and until for the logs endpoint', () => {
  const now = new Date('2026-11-30T12:00:00.000Z');
  it('keeps RFC 3339 nanoseconds, takes epoch seconds as given, durations back from now', () => {
    assert.equal(engineTimeParameter('2026-11-30T10:29:32.245017886Z', now, 'since'), '1796034572.245017886');
    assert.equal(engineTimeParameter('2026-11-30T10:29:32', now, 'since'), '1796034572.000000000');
    assert.equal(engineTimeParameter('1796034572.5', now, 'since'), '1796034572.5');
    assert.equal(engineTimeParameter('10m', now, 'since'), `${now.getTime() / 1000 - 600}.000000000`);
    assert.equal(engineTimeParameter('2026-11-30', now, 'since'), '1795996800.000000000');
    assert.throws(() => engineTimeParameter('2026-13-45', now, 'since'), /not a time/);
  });
});
