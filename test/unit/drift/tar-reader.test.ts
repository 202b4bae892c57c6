import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { TruncatedStream } from '../../../main/core/drift/chunk-reader';
import { entryPath, pathBytes, pathText } from '../../../main/core/drift/path-text';
import { readTar, TarFormatError, type TarHeader } from '../../../main/core/drift/tar-reader';
import { buildTar, chunked } from './tar-builder';

async function collect(data: Buffer, chunk = 97): Promise<{ header: TarHeader; body: Buffer }[]> {
  const out: { header: TarHeader; body: Buffer }[] = [];
  for await (const entry of readTar(chunked(data, chunk))) {
    const parts: Buffer[] = [];
    for await (const c of entry.body) parts.push(c);
    out.push({ header: entry.header, body: Buffer.concat(parts) });
  }
  return out;
}

describe('tar reader', () => {
  it('reads ustar entries, bodies and metadata whatever the chunking', async () => {
    const big = Buffer.alloc(70_000, 7);
    const data = buildTar([
      { name: 'tmp/', type: '5', mode: 0o1777 },
      { name: 'tmp/x', body: big, mode: 0o4755, uid: 1000, gid: 33 },
      { name: 'tmp/l', type: '2', linkName: '/etc/shadow', mode: 0o777 },
      { name: 'tmp/h', type: '1', linkName: 'tmp/x' },
    ]);
    for (const size of [7, 511, 512, 4096, data.length]) {
      const entries = await collect(data, size);
      assert.deepEqual(
        entries.map((e) => [e.header.name.toString(), e.header.type, e.header.mode, e.header.size]),
        [
          ['tmp/', 'directory', 0o1777, 0],
          ['tmp/x', 'file', 0o4755, 70_000],
          ['tmp/l', 'symlink', 0o777, 0],
          ['tmp/h', 'hardlink', 0o644, 0],
        ],
      );
      assert.equal(createHash('sha256').update(entries[1]!.body).digest('hex'), createHash('sha256').update(big).digest('hex'));
      assert.equal(entries[1]!.header.uid, 1000);
      assert.equal(entries[2]!.header.linkName?.toString(), '/etc/shadow');
    }
  });

  it('keeps PAX paths byte for byte, invalid UTF-8, newlines and escapes included', async () => {
    const raw = Buffer.concat([Buffer.from('tmp/'), Buffer.from([0xff, 0xfe]), Buffer.from('\n\u001b[31m<b>')]);
    const entries = await collect(buildTar([{ name: 'ignored', pax: { path: raw, mtime: '1700000000.5' }, body: 'x' }]));
    assert.ok(entries[0]!.header.name.equals(raw));
    assert.equal(entries[0]!.header.mtime?.toISOString(), '2023-11-14T22:13:20.500Z');
    const text = pathText(raw);
    assert.ok(text.pathBase64, 'invalid UTF-8 carries its bytes');
    assert.ok(pathBytes(text).equals(raw));
    assert.ok(text.path.includes('\uFFFD'));
  });

  it('takes GNU long names', async () => {
    const long = Buffer.from(`tmp/${'a'.repeat(300)}`);
    const entries = await collect(buildTar([{ name: 'short', gnuLongName: long, body: 'y' }]));
    assert.ok(entries[0]!.header.name.equals(long));
  });

  it('skips bodies the caller does not read', async () => {
    const data = buildTar([
      { name: 'a', body: Buffer.alloc(5000, 1) },
      { name: 'b', body: 'second' },
    ]);
    const names: string[] = [];
    let second = '';
    for await (const entry of readTar(chunked(data))) {
      names.push(entry.header.name.toString());
      if (entry.header.name.toString() === 'a') {
        // Read one chunk and walk away.
        for await (const c of entry.body) {
          assert.ok(c.length > 0);
          break;
        }
      } else for await (const c of entry.body) second += c.toString();
    }
    assert.deepEqual(names, ['a', 'b']);
    assert.equal(second, 'second');
  });

  it('refuses a bad checksum, a truncated stream and an oversized metadata record', async () => {
    await assert.rejects(collect(buildTar([{ name: 'a', body: 'x', corruptChecksum: true }])), TarFormatError);
    const good = buildTar([{ name: 'a', body: Buffer.alloc(2000, 1) }], { end: false });
    await assert.rejects(collect(good.subarray(0, 1200)), TruncatedStream);
    await assert.rejects(
      collect(buildTar([{ name: 'a', pax: { comment: Buffer.alloc(2 * 1024 * 1024, 0x41) }, body: 'x' }])),
      /over the .*limit/,
    );
  });

  it('maps entry names under the requested root and refuses names that escape it', () => {
    assert.equal(entryPath('/etc', Buffer.from('etc/passwd'))?.text.path, '/etc/passwd');
    assert.equal(entryPath('/etc', Buffer.from('etc/'))?.text.path, '/etc');
    assert.equal(entryPath('/usr/local/bin', Buffer.from('bin/x'))?.text.path, '/usr/local/bin/x');
    assert.equal(entryPath('/', Buffer.from('bin'))?.text.path, '/bin');
    assert.equal(entryPath('/', Buffer.from('/etc/passwd'))?.text.path, '/etc/passwd', 'the archive of / names entries absolutely');
    assert.equal(entryPath('/', Buffer.from('/')), null);
    assert.equal(entryPath('/etc', Buffer.from('etc/../root/.ssh/id_rsa')), null);
    assert.equal(entryPath('/etc', Buffer.from('/etc/passwd')), null);
    assert.equal(entryPath('/etc', Buffer.from('usr/bin/x')), null);
    const odd = entryPath('/tmp', Buffer.concat([Buffer.from('tmp/'), Buffer.from([0xff])]));
    assert.ok(odd?.raw.equals(Buffer.concat([Buffer.from('/tmp/'), Buffer.from([0xff])])));
  });
});
