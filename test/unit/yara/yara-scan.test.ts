// The YARA room's pure parts with the real in-app engine (libyara as WebAssembly): windowed
// scanning finds a match that straddles a window boundary exactly once and at its stream offset,
// compile errors name the file and line, and the helper's yara output is parsed strictly (a forged
// line is counted, never trusted; odd paths come back byte-exact).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkedScanner, previewBytes, type StreamMatch } from '../../../main/core/yara/chunk-scan';
import { parseHelperOutput } from '../../../main/core/yara/helper-scan';
import { compileRules } from '../../../main/core/yara/rules';
import { wasmScan } from '../../../main/core/yara/wasm-engine';
import { DrydockFailure } from '../../../main/core/errors';

const RULES = 'rule marker { strings: $m = "DRYDOCK-BOUNDARY-MARKER" condition: $m }\nrule tiny { condition: filesize < 100 }\n';

async function scanInWindows(
  data: Buffer,
  chunkBytes: number,
  overlapBytes: number,
  pieces: number,
): Promise<{ found: StreamMatch[]; windows: number }> {
  const found: StreamMatch[] = [];
  const scanner = new ChunkedScanner(
    async (b) => (await wasmScan(b, RULES)).matches,
    (m) => found.push(m),
    { chunkBytes, overlapBytes },
  );
  for (let i = 0; i < data.length; i += pieces) await scanner.push(data.subarray(i, i + pieces));
  await scanner.end();
  return { found, windows: scanner.scanned };
}

describe('YARA windowed scanning (libyara-wasm)', () => {
  it('finds a match across a window boundary once, at its offset in the stream', async () => {
    const data = Buffer.alloc(10_000, 0x2e);
    const marker = Buffer.from('DRYDOCK-BOUNDARY-MARKER');
    // Window 1 is [0, 4096); the next starts at 4096 - 256 = 3840. The marker straddles 4096.
    const at = 4096 - 10;
    marker.copy(data, at);
    const { found, windows } = await scanInWindows(data, 4096, 256, 1000);
    assert.ok(windows >= 3, `scanned in ${windows} windows`);
    const hits = found.filter((m) => m.rule === 'marker');
    assert.equal(hits.length, 1, 'found once, not once per window');
    assert.equal(hits[0]?.offset, at);
    assert.equal(hits[0]?.length, marker.length);
    assert.equal(hits[0]?.head.toString(), marker.toString());
    assert.ok(!found.some((m) => m.rule === 'tiny'), 'filesize is the window size, never under 100 here');
  });

  it('finds a match inside the overlap once, and one at the very end', async () => {
    const data = Buffer.alloc(9000, 0x2e);
    Buffer.from('DRYDOCK-BOUNDARY-MARKER').copy(data, 3900); // inside [3840, 4096): both windows hold it whole
    Buffer.from('DRYDOCK-BOUNDARY-MARKER').copy(data, 9000 - 23);
    const { found } = await scanInWindows(data, 4096, 256, 4096);
    assert.deepEqual(
      found.filter((m) => m.rule === 'marker').map((m) => m.offset),
      [3900, 9000 - 23],
    );
  });

  it('a match longer than the overlap across a boundary is the documented blind spot', async () => {
    const data = Buffer.alloc(8192, 0x2e);
    Buffer.from('DRYDOCK-BOUNDARY-MARKER').copy(data, 4096 - 10);
    const { found } = await scanInWindows(data, 4096, 8, 512);
    assert.equal(found.filter((m) => m.rule === 'marker').length, 0);
  });

  it('a stream within one window is one YARA file: filesize rules see its real size', async () => {
    const { found } = await scanInWindows(Buffer.from('short'), 4096, 256, 2);
    assert.deepEqual(
      found.map((m) => [m.rule, m.string, m.offset]),
      [['tiny', '', 0]],
    );
  });

  it('shows at most 64 matched bytes, non-printables escaped', () => {
    assert.equal(previewBytes(Buffer.from([0x41, 0x00, 0x1b, 0x5c, 0x7f])), 'A\\x00\\x1b\\\\\\x7f');
    assert.ok(previewBytes(Buffer.alloc(100, 0x41)).endsWith('…'));
  });
});

describe('YARA rules', () => {
  it('names the file and line of a compile error', async () => {
    await assert.rejects(
      compileRules([
        { name: 'good.yar', text: 'rule a { condition: true }\n', origin: 'user' },
        { name: 'bad.yar', text: 'rule b {\n condition: nope\n}\n', origin: 'user' },
      ]),
      (err: unknown) => err instanceof DrydockFailure && err.kind === 'invalid-input' && /bad\.yar line 2/.test(err.message),
    );
  });
});

describe("the helper's yara output", () => {
  it('takes only lines in the shapes yara prints, and maps odd paths back to their bytes', () => {
    const odd = Buffer.from('/proc/1/root/tmp/new\nline');
    const out = Buffer.concat([
      Buffer.from('@version 4.2.3\n@odd 1 '),
      Buffer.from(odd.toString('hex')),
      Buffer.from(
        [
          '',
          '@files 3',
          '@scan',
          'marker /proc/1/root/etc/x',
          '0x10:6:$m: MARKER',
          'marker /tmp/d/odd/1',
          '0x0:6:$m: MARKER',
          'norule /proc/1/root/etc/y',
          'forged /etc/passwd',
          '0xzz:$m: nope',
          '@rc 0',
          '@end',
          '',
        ].join('\n'),
      ),
    ]);
    const parsed = parseHelperOutput(out, 'files', 100);
    assert.equal(parsed.version, '4.2.3');
    assert.equal(parsed.files, 3);
    assert.ok(parsed.ended);
    assert.deepEqual(
      parsed.matches.map((m) => [m.rule, m.path, m.string, m.offset, m.length]),
      [
        ['marker', '/etc/x', '$m', 16, 6],
        ['marker', '/tmp/new\nline', '$m', 0, 6],
        ['norule', '/etc/y', '', 0, 0],
      ],
    );
    assert.equal(parsed.malformed, 2, 'a rule line outside /proc/1/root and a bad string line are not trusted');
  });

  it('attributes memory matches to the PID being scanned, with addresses', () => {
    const out = Buffer.from(
      [
        '@scan',
        '@pid 7',
        'marker 7',
        '0x7f00aa:6:$m: MARKER',
        '@rc 7 0 ',
        '@pid 9',
        '@rc 9 1 error scanning 9: could not attach',
        '@end',
        '',
      ].join('\n'),
    );
    const parsed = parseHelperOutput(out, 'memory', 100);
    assert.deepEqual(parsed.pids, [7, 9]);
    assert.deepEqual(
      parsed.matches.map((m) => [m.pid, m.address, m.offset]),
      [[7, '7f00aa', 0x7f00aa]],
    );
    assert.equal(parsed.failures[0]?.pid, 9);
  });
});
