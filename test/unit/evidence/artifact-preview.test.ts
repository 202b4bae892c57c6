import assert from 'node:assert/strict';
import { chmodSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Core } from '../../../main/app/core';
import { createDispatcher, type Handlers } from '../../../main/app/dispatch';
import { evidenceHandlers } from '../../../main/app/handlers/evidence';
import type { ArtifactPreview } from '../../../shared/contract/evidence';
import { buildPreview, hexLines, printableRuns, reindent } from '../../../main/core/evidence/artifact-preview';
import { generated, meta, openStore, type TestStore } from './store-fixture';

const whole = (mediaType: string) => ({ mediaType, size: 0, truncated: false });

describe('artifact preview: deciding what the bytes are', () => {
  it('re-indents a whole JSON document without re-encoding its values', () => {
    const doc = '{"id":12345678901234567890,"name":"a\\u001b[31mb","list":[1, 2.50,{}],"empty":[],"nested":{"k":"v,:{"}}';
    const p = buildPreview(Buffer.from(doc), whole('application/json'));
    assert.equal(p.kind, 'json');
    assert.equal(
      p.text,
      [
        '{',
        '  "id": 12345678901234567890,',
        '  "name": "a\\u001b[31mb",',
        '  "list": [',
        '    1,',
        '    2.50,',
        '    {}',
        '  ],',
        '  "empty": [],',
        '  "nested": {',
        '    "k": "v,:{"',
        '  }',
        '}',
      ].join('\n'),
    );
    assert.deepEqual(JSON.parse(p.text ?? ''), JSON.parse(doc));
  });

  it('recognises JSON by its content when the media type does not say so, and only when it parses', () => {
    assert.equal(buildPreview(Buffer.from(' [1,2]'), whole('application/octet-stream')).kind, 'json');
    const broken = buildPreview(Buffer.from('{not json'), whole('application/octet-stream'));
    assert.equal(broken.kind, 'text');
    assert.equal(broken.text, '{not json');
  });

  it('shows a truncated JSON document as written (it cannot be parsed), still as JSON', () => {
    const p = buildPreview(Buffer.from('{"a":[1,2,'), { mediaType: 'application/vnd.x+json', size: 1000, truncated: true });
    assert.equal(p.kind, 'json');
    assert.equal(p.text, '{"a":[1,2,');
    assert.equal(p.truncated, true);
    assert.equal(p.size, 1000);
    assert.equal(p.bytes, 10);
  });

  it('replaces invalid UTF-8 and drops a character cut by the preview limit', () => {
    const bad = buildPreview(
      Buffer.concat([Buffer.from('one bad byte: '), Buffer.from([0xff]), Buffer.from(' in a line\n')]),
      whole('text/plain'),
    );
    assert.equal(bad.kind, 'text');
    assert.equal(bad.text, 'one bad byte: \ufffd in a line\n');
    const euro = Buffer.from('the price is 5€', 'utf8');
    const cut = buildPreview(euro.subarray(0, euro.length - 1), { mediaType: 'text/plain', size: euro.length, truncated: true });
    assert.equal(cut.text, 'the price is 5');
    const ended = buildPreview(euro.subarray(0, euro.length - 1), whole('text/plain'));
    assert.equal(ended.text, 'the price is 5\ufffd', 'at the real end a partial character is invalid, and shown so');
  });

  it('keeps terminal escapes in text as data (the viewer makes them visible)', () => {
    const p = buildPreview(Buffer.from('log \x1b[2J line\r\n'), whole('text/plain'));
    assert.equal(p.kind, 'text');
    assert.equal(p.text, 'log \x1b[2J line\r\n');
  });

  it('treats NUL bytes or mostly undecodable bytes as binary: hex lines and strings', () => {
    const data = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]), Buffer.from('/bin/sh\0short\0a tab\there\0')]);
    const p = buildPreview(data, whole('text/plain'));
    assert.equal(p.kind, 'binary');
    assert.equal(p.text, undefined);
    assert.deepEqual(p.strings, ['/bin/sh', 'a tab\there']);
    assert.equal(p.hex?.[0], '00000000  7f 45 4c 46 00 01 02 2f  62 69 6e 2f 73 68 00 73  |.ELF.../bin/sh.s|');
    assert.equal(p.hex?.length, Math.ceil(data.length / 16));
    const latin = buildPreview(Buffer.from(Array.from({ length: 64 }, (_, i) => 0x80 + i)), whole('application/octet-stream'));
    assert.equal(latin.kind, 'binary');
    assert.equal(buildPreview(Buffer.alloc(0), whole('application/octet-stream')).kind, 'text');
  });

  it('pads the last hex line so the ASCII column lines up', () => {
    const [line] = hexLines(Buffer.from([0x41, 0x0a, 0xff]));
    assert.equal(line, `00000000  41 0a ff ${' '.repeat(3 * 13 + 1)} |A..|`);
    assert.deepEqual(printableRuns(Buffer.from('abcde\0abcdef')), ['abcdef']);
  });

  it('refuses to indent hostile nesting or documents that would balloon', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    assert.equal(reindent(deep), undefined);
    const p = buildPreview(Buffer.from(deep), whole('application/json'));
    assert.equal(p.kind, 'json');
    assert.equal(p.text, deep);
    assert.equal(reindent(`${'['.repeat(65)}1${']'.repeat(65)}`), undefined);
    assert.ok(
      reindent(`${'['.repeat(64)}1${']'.repeat(64)}`)?.includes(`
${'  '.repeat(64)}1
`),
    );
    const wide = `${'['.repeat(60)}${Array.from({ length: 50_000 }, () => '1').join(',')}${']'.repeat(60)}`;
    assert.equal(reindent(wide), undefined, 'indentation that would multiply the size is not produced');
  });
});

describe('artifact preview through the evidence store', () => {
  let store: TestStore;
  let call: ReturnType<typeof createDispatcher>;
  let caseId: string;
  const preview = async (request: { artifactId: string; maxBytes?: number }): Promise<ArtifactPreview> => {
    const r = await call('evidence.preview', request);
    assert.ok(r.ok, JSON.stringify(r));
    return r.value as ArtifactPreview;
  };

  before(() => {
    store = openStore();
    call = createDispatcher(evidenceHandlers({ evidence: store.evidence } as unknown as Core) as unknown as Handlers);
    caseId = store.evidence.createCase({ name: 'preview' }).id;
  });
  after(() => store.dispose());

  it('previews an inventory-like JSON artifact in full, re-indented', async () => {
    const info = await store.evidence.ingestJson(meta(caseId, { kind: 'inventory-snapshot', mediaType: 'application/json' }), {
      containers: [{ name: 'web', flags: ['privileged'] }],
    });
    const p = await preview({ artifactId: info.id });
    assert.equal(p.kind, 'json');
    assert.equal(p.truncated, false);
    assert.equal(p.size, info.size);
    assert.match(p.text ?? '', /^\{\n {2}"containers": \[\n {4}\{\n {6}"name": "web",/);
  });

  it('reads only the first maxBytes of a large blob', async () => {
    const info = await store.evidence.ingest(
      meta(caseId, { kind: 'pcap', mediaType: 'application/vnd.tcpdump.pcap' }),
      generated(3 * 1024 * 1024),
    );
    const p = await preview({ artifactId: info.id, maxBytes: 4096 });
    assert.equal(p.kind, 'binary');
    assert.equal(p.truncated, true);
    assert.equal(p.bytes, 4096);
    assert.equal(p.hex?.length, 256);
    assert.equal(p.size, 3 * 1024 * 1024);

    // A blob grown (sparsely) to 64 GiB would take minutes to read whole; the preview must not care.
    const blob = path.join(store.dir, 'blobs', 'sha256', info.sha256.slice(0, 2), info.sha256.slice(2, 4), info.sha256);
    chmodSync(blob, 0o644);
    truncateSync(blob, 64 * 1024 ** 3);
    const started = Date.now();
    const big = await preview({ artifactId: info.id });
    assert.equal(big.bytes, 64 * 1024);
    assert.equal(big.truncated, true);
    assert.ok(Date.now() - started < 5000, 'the preview stopped at its limit');
  });

  it('says exactly when the artifact ends at the limit', async () => {
    const info = await store.evidence.ingest(meta(caseId, { mediaType: 'text/plain' }), Readable.from([Buffer.from('0123456789')]));
    const exact = await preview({ artifactId: info.id, maxBytes: 10 });
    assert.equal(exact.truncated, false);
    assert.equal(exact.text, '0123456789');
    const short = await preview({ artifactId: info.id, maxBytes: 9 });
    assert.equal(short.truncated, true);
    assert.equal(short.text, '012345678');
  });

  it('refuses an out-of-range maxBytes and an unknown artifact', async () => {
    const tooBig = await call('evidence.preview', { artifactId: 'x', maxBytes: 1024 * 1024 + 1 });
    assert.equal(tooBig.ok, false);
    assert.equal(!tooBig.ok && tooBig.error.kind, 'invalid-input');
    const missing = await call('evidence.preview', { artifactId: 'nope' });
    assert.equal(!missing.ok && missing.error.kind, 'not-found');
  });
});
