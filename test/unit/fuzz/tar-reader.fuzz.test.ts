// Fuzzing the drift tar reader (main/core/drift/tar-reader.ts over chunk-reader.ts): archives from a
// suspect container. Properties: it ends with entries or TarFormatError / TruncatedStream, never
// another exception; it finishes in bounded time; a header claiming a huge size allocates nothing
// for it; and archives it can describe round-trip (names and bodies byte for byte).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TruncatedStream } from '../../../main/core/drift/chunk-reader';
import { TarFormatError, readTar } from '../../../main/core/drift/tar-reader';
import { buildTar, header } from '../drift/tar-builder';
import { corpus, hex, onlyDocumented, params } from './fuzz-kit';

const documented = (err: Error) => err instanceof TarFormatError || err instanceof TruncatedStream;

async function* chunks(data: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = Math.max(1, sizes.length ? (sizes[i % sizes.length] as number) : data.length);
    yield data.subarray(at, at + n);
    at += n;
  }
}

/** Reads every entry and body; returns what was read, or throws what the reader threw. */
async function readAll(data: Buffer, sizes: number[] = []): Promise<{ name: Buffer; type: string; size: number; body: Buffer }[]> {
  const out: { name: Buffer; type: string; size: number; body: Buffer }[] = [];
  for await (const entry of readTar(chunks(data, sizes))) {
    const parts: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of entry.body) {
      bytes += chunk.length;
      assert.ok(bytes <= entry.header.size, 'a body never yields more than its size');
      parts.push(chunk);
    }
    assert.ok(Number.isSafeInteger(entry.header.size) && entry.header.size >= 0, `size ${entry.header.size} is a byte count`);
    if (entry.header.mtime) assert.ok(!Number.isNaN(entry.header.mtime.getTime()), 'an mtime is a valid date');
    out.push({ name: entry.header.name, type: entry.header.type, size: entry.header.size, body: Buffer.concat(parts) });
  }
  return out;
}

async function survives(data: Buffer, sizes: number[] = []): Promise<void> {
  try {
    await readAll(data, sizes);
  } catch (err) {
    onlyDocumented(err, documented, hex(data));
  }
}

/** A 512-byte header with arbitrary fields and a correct checksum, so the reader goes past it. */
function checksummed(block: Buffer): Buffer {
  const b = Buffer.from(block);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  Buffer.from(`${sum.toString(8).padStart(6, '0')}\0 `, 'latin1').copy(b, 148);
  return b;
}

const FLAGS = ['0', '\0', '1', '2', '3', '5', '7', 'x', 'g', 'L', 'K', 'Z'];
const numericField = fc.oneof(
  fc.nat({ max: 0o77777777777 }).map((n) => `${n.toString(8).padStart(11, '0')}\0`),
  fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => Buffer.from(b).toString('latin1')),
  fc
    .bigInt({ min: 0n, max: (1n << 88n) - 1n })
    .map((n) => `\x80${Buffer.from(n.toString(16).padStart(22, '0'), 'hex').toString('latin1')}`),
  fc.constantFrom('77777777777\0', '-1\0', '1e9\0', '   \0', ''),
);
const paxValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('1099511627776', '1.5', '-1', 'NaN', '1e300', '0x10', '99999999999999999999', ''),
);
/** A header (and optional PAX record) built field by field: the shape hostile archives take. */
const hostileEntry = fc.record({
  name: fc.uint8Array({ maxLength: 100 }),
  flag: fc.constantFrom(...FLAGS),
  size: numericField,
  mtime: numericField,
  magic: fc.constantFrom('ustar\0', 'ustar ', 'garbag'),
  pax: fc.option(fc.dictionary(fc.constantFrom('path', 'size', 'mtime', 'uid', 'gid', 'linkpath', 'x'), paxValue, { maxKeys: 4 })),
  body: fc.uint8Array({ maxLength: 1100 }),
});

type HostileEntry = typeof hostileEntry extends fc.Arbitrary<infer T> ? T : never;

function encodeHostile(e: HostileEntry): Buffer {
  const parts: Buffer[] = [];
  if (e.pax) {
    const data = Buffer.concat(
      Object.entries(e.pax).map(([k, v]) => {
        const rest = ` ${k}=${v}\n`;
        let len = Buffer.byteLength(rest) + 1;
        if (String(len).length + Buffer.byteLength(rest) !== len) len = String(len + 1).length + Buffer.byteLength(rest);
        return Buffer.from(`${len}${rest}`);
      }),
    );
    parts.push(
      header({ name: Buffer.from('PaxHeader'), type: 'x', size: data.length }),
      data,
      Buffer.alloc((512 - (data.length % 512)) % 512),
    );
  }
  const block = Buffer.alloc(512);
  Buffer.from(e.name).copy(block, 0);
  block.write('0000644\0', 100, 'latin1');
  Buffer.from(e.size, 'latin1').subarray(0, 12).copy(block, 124);
  Buffer.from(e.mtime, 'latin1').subarray(0, 12).copy(block, 136);
  block.write(e.flag, 156, 'latin1');
  block.write(e.magic, 257, 'latin1');
  parts.push(checksummed(block), Buffer.from(e.body));
  return Buffer.concat(parts);
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 8 });

describe('fuzz: tar reader', () => {
  it('replays the corpus', async () => {
    for (const { name, bytes } of corpus('tar')) {
      await survives(bytes).catch((err: unknown) => assert.fail(`corpus ${name}: ${String(err)}`));
      await survives(bytes, [1, 7, 511]);
    }
  });

  it('random bytes: entries or a documented error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), chunkSizes, async (bytes, sizes) => survives(Buffer.from(bytes), sizes)),
      params(200),
    );
  });

  it('checksummed hostile headers (huge sizes, base-256, PAX lengths and values): a documented error or sane entries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileEntry, { minLength: 1, maxLength: 3 }), fc.boolean(), chunkSizes, async (entries, end, sizes) => {
        const data = Buffer.concat([...entries.map(encodeHostile), end ? Buffer.alloc(1024) : Buffer.alloc(0)]);
        await survives(data, sizes);
      }),
      params(300),
    );
  });

  it('mutated valid archives: a documented error or sane entries', async () => {
    const base = buildTar([
      { name: 'etc/passwd', body: 'root:x:0:0::/root:/bin/sh\n' },
      { name: 'usr/bin/x', type: '2', linkName: '../../bin/sh' },
      {
        name: 'a/long/name',
        pax: { path: Buffer.from('p\xe4th/with\nnewline', 'latin1'), mtime: '1700000000.5' },
        body: Buffer.alloc(700, 1),
      },
      { name: 'short', gnuLongName: Buffer.alloc(300, 0x61), body: 'x' },
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat({ max: base.length }),
        chunkSizes,
        async (flips, cut, sizes) => {
          const data = Buffer.from(base.subarray(0, Math.max(cut, 1)));
          for (const [at, value] of flips) if (at < data.length) data[at] = value;
          await survives(data, sizes);
        },
      ),
      params(300),
    );
  });

  it('round trip: what the builder writes, the reader returns byte for byte, in any chunking', async () => {
    const spec = fc.record({
      name: fc.uint8Array({ minLength: 1, maxLength: 300 }).filter((n) => !n.includes(0)),
      body: fc.uint8Array({ maxLength: 2000 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 4 }), chunkSizes, async (specs, sizes) => {
        const tar = buildTar(specs.map((s, i) => ({ name: `f${i}`, pax: { path: Buffer.from(s.name) }, body: Buffer.from(s.body) })));
        const read = await readAll(tar, sizes);
        assert.deepEqual(
          read.map((r) => [r.name.toString('hex'), r.body.toString('hex')]),
          specs.map((s) => [Buffer.from(s.name).toString('hex'), Buffer.from(s.body).toString('hex')]),
        );
      }),
      params(200),
    );
  });

  it('a header claiming 2^40 bytes, or a PAX record of 2^40, allocates nothing for it', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const huge = Buffer.concat([
      checksummed(
        Buffer.concat([Buffer.from('big'), Buffer.alloc(121), Buffer.from('\x80\0\0\0\0\0\0\x01\0\0\0\0', 'latin1'), Buffer.alloc(376)]),
      ),
      Buffer.alloc(4096),
    ]);
    await assert.rejects(readAll(huge), (err: unknown) => err instanceof TruncatedStream);
    const pax = Buffer.concat([header({ name: Buffer.from('PaxHeader'), type: 'x', size: 2 ** 40 }), Buffer.alloc(512)]);
    await assert.rejects(readAll(pax), (err: unknown) => err instanceof TarFormatError && /over the/.test(err.message));
    assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 1024 * 1024, 'no buffer sized by the claimed length');
  });
});
