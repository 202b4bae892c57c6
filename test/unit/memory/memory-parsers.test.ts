// The memory room's pure parts: strings over a stream (ASCII and UTF-16LE at both alignments,
// across chunk boundaries, paging), the ELF core head, /proc/PID/maps and capability decoding, and
// the region reader's framing (a trailer missing where it must be is a failure, never a guess).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FoundString } from '../../../shared/domain/memory';
import { decodeCapabilities } from '../../../main/core/memory/capabilities';
import { coreLayout, PAGE } from '../../../main/core/memory/elf-core';
import { parseMaps } from '../../../main/core/memory/proc-maps';
import { RegionFramer } from '../../../main/core/memory/region-reader';
import { MAX_STRING_CHARS, scanStrings } from '../../../main/core/memory/strings-scan';

async function* chunks(buffer: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

async function strings(buffer: Buffer, size: number, limit = Infinity): Promise<{ found: FoundString[]; stoppedAt: number | null }> {
  const found: FoundString[] = [];
  const { stoppedAt } = await scanStrings(chunks(buffer, size), {
    startOffset: 0,
    minLength: 4,
    emit: (s) => {
      found.push(s);
      return found.length < limit;
    },
  });
  return { found: found.sort((a, b) => a.offset - b.offset), stoppedAt };
}

describe('memory parsers', () => {
  it('finds ASCII and UTF-16LE strings at either alignment, whatever the chunking', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0x01]),
      Buffer.from('hello world', 'latin1'),
      Buffer.from([0x00, 0xfe]),
      Buffer.from('wide-even', 'utf16le'),
      Buffer.from([0xfe, 0xfe, 0xfe]),
      Buffer.from('wide-odd', 'utf16le'),
      Buffer.from([0xfe, 0x01]),
      Buffer.from('abc', 'latin1'),
    ]);
    for (const size of [1, 3, 7, bytes.length]) {
      const { found } = await strings(bytes, size);
      assert.deepEqual(
        found.map((f) => [f.offset, f.encoding, f.text]),
        [
          [2, 'ascii', 'hello world'],
          [15, 'utf-16le', 'wide-even'],
          [36, 'utf-16le', 'wide-odd'],
        ],
        `chunks of ${size}`,
      );
    }
  });

  it('stops at the limit and says where', async () => {
    const bytes = Buffer.from('first\u0000second\u0000third\u0000', 'latin1');
    const { found, stoppedAt } = await strings(bytes, 4, 2);
    assert.deepEqual(
      found.map((f) => f.text),
      ['first', 'second'],
    );
    assert.ok(stoppedAt !== null && stoppedAt <= 13);
  });

  it('marks a string cut at MAX_STRING_CHARS with the length of its whole run, and only such a string', async () => {
    const bytes = Buffer.concat([
      Buffer.from('A'.repeat(MAX_STRING_CHARS + 500), 'latin1'),
      Buffer.from([0xff]),
      Buffer.from('W'.repeat(MAX_STRING_CHARS + 1), 'utf16le'),
      Buffer.from([0xff, 0xff]),
      Buffer.from('B'.repeat(MAX_STRING_CHARS), 'latin1'),
    ]);
    const { found } = await strings(bytes, 4096);
    const long = found.find((f) => f.encoding === 'ascii' && f.text.startsWith('A'));
    assert.deepEqual([long?.text.length, long?.truncated, long?.length], [MAX_STRING_CHARS, true, MAX_STRING_CHARS + 500]);
    const wide = found.find((f) => f.encoding === 'utf-16le' && f.text.startsWith('W'));
    assert.deepEqual([wide?.text.length, wide?.truncated, wide?.length], [MAX_STRING_CHARS, true, MAX_STRING_CHARS + 1]);
    const whole = found.find((f) => f.encoding === 'ascii' && f.text.startsWith('B'));
    assert.equal(whole?.text.length, MAX_STRING_CHARS);
    assert.ok(whole && !('truncated' in whole) && !('length' in whole), 'a string kept whole carries neither field');
  });

  it('lays out an ELF core: PT_NOTE, page-aligned PT_LOADs, unread regions with no file bytes', () => {
    const layout = coreLayout(
      [
        { start: 0x400000n, end: 0x402000n, fileOffset: 0n, perms: 'r-xp', path: '/bin/x (deleted)', included: true },
        { start: 0x7f0000000000n, end: 0x7f0000004000n, fileOffset: 0n, perms: 'r--p', path: '[vvar]', included: false },
        { start: 0x7ffd00000000n, end: 0x7ffd00001000n, fileOffset: 0n, perms: 'rw-p', path: '[stack]', included: true },
      ],
      { pid: 1, ppid: 0, pgrp: 1, sid: 1, uid: 0, gid: 0, state: 'S', comm: Buffer.from('x'), args: Buffer.from('x -c') },
      'amd64',
      true,
    );
    const head = layout.head;
    assert.equal(head.readUInt16LE(16), 4);
    assert.equal(head.readUInt16LE(18), 62);
    assert.equal(head.readUInt16LE(56), 4, 'one PT_NOTE and three PT_LOAD');
    assert.equal(head.readUInt32LE(64), 4, 'PT_NOTE first');
    assert.equal(head.length % PAGE, 0);
    assert.deepEqual(layout.offsets, [head.length, head.length + 0x2000, head.length + 0x2000]);
    assert.equal(layout.size, head.length + 0x3000);
    const phdr = (i: number) => 64 + i * 56;
    assert.equal(head.readBigUInt64LE(phdr(2) + 32), 0n, 'the unread region has no file bytes');
    assert.equal(head.readBigUInt64LE(phdr(2) + 40), 0x4000n, 'but its size in memory');
    assert.equal(head.readUInt32LE(phdr(1) + 4), 5, 'r-x is PF_R|PF_X');
    assert.ok(head.includes(Buffer.from('/bin/x (deleted)\u0000', 'latin1')), 'NT_FILE names the mapped file');
  });

  it('parses maps and flags executable memory no file backs', () => {
    const { regions, skipped } = parseMaps(
      [
        '00400000-00401000 r-xp 00000000 00:27 15 /tmp/a\\012b (deleted)',
        '7f0000000000-7f0000001000 rwxp 00000000 00:00 0 ',
        '7f0000001000-7f0000002000 r-xp 00000000 00:00 0 [vdso]',
        'garbage line',
      ].join('\n'),
    );
    assert.equal(skipped, 1);
    assert.deepEqual(
      regions.map((r) => [r.path, r.anonymousExecutable]),
      [
        ['/tmp/a\\012b (deleted)', false],
        ['', true],
        ['[vdso]', false],
      ],
    );
  });

  it('decodes capability masks', () => {
    assert.deepEqual(decodeCapabilities('00000000a80425fb')?.names.slice(0, 3), ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER']);
    assert.equal(decodeCapabilities('zz'), null);
  });

  it('refuses a region stream that lost its place', async () => {
    const stored: Buffer[] = [];
    const events: string[] = [];
    const framer = new RegionFramer(
      [{ firstPage: 1n, pages: 1 }],
      async (c) => void stored.push(c),
      () => undefined,
      { ready: () => events.push('ready'), end: () => events.push('end') },
    );
    // The page, then something that is not dd's trailer where the trailer must be.
    framer.write(Buffer.concat([Buffer.from('@ready\n'), Buffer.alloc(PAGE, 0x41), Buffer.from('\nnot a trailer\n')]));
    await new Promise<void>((resolve) => framer.end(resolve));
    assert.deepEqual(events, ['ready']);
    assert.equal(Buffer.concat(stored).length, PAGE);
    assert.match(framer.failure ?? '', /no trailer/);
    assert.equal(framer.ended, false);
  });

  it('says so when the reader may not open /proc/PID/mem, instead of waiting for pages that never come', async () => {
    const events: string[] = [];
    const framer = new RegionFramer(
      [{ firstPage: 1n, pages: 1 }],
      async () => undefined,
      () => undefined,
      {
        ready: () => events.push('ready'),
        end: () => events.push('end'),
      },
    );
    framer.write(Buffer.from('@denied\n'));
    await new Promise<void>((resolve) => framer.end(resolve));
    assert.deepEqual(events, []);
    assert.match(framer.failure ?? '', /refused opening \/proc\/PID\/mem \(permission denied\)/);
  });
});
