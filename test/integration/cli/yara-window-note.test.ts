// `drydock yara --artifact`, the built bin on a store of its own: the note about the in-app engine's
// 16 MiB windows is printed only when a scanned stream took more than one window; a file smaller
// than a window is one YARA file and gets no such note.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CHUNK_BYTES } from '../../../main/core/yara/chunk-scan';
import { drydock } from '../../helpers/cli';
import { type TestStore, meta, openStore, tempDir } from '../../unit/evidence/store-fixture';

const MARKER = 'DRYDOCK-WINDOW-NOTE-MARKER';
const WINDOW_NOTE = /^Note: .*MiB windows overlapping by/m;

describe('drydock yara: the windowing note', () => {
  let store: TestStore;
  const work = tempDir('drydock-yara-note-');
  const rules = path.join(work, 'marker.yar');
  let small = '';
  let large = '';

  before(async () => {
    store = openStore();
    writeFileSync(rules, `rule marker { strings: $m = "${MARKER}" condition: $m }\n`);
    const kase = store.evidence.createCase({ name: 'Windows' });
    const body = (size: number): Buffer => {
      const bytes = Buffer.alloc(size, 0x2e);
      bytes.write(MARKER, size - MARKER.length - 100, 'latin1');
      return bytes;
    };
    small = (await store.evidence.ingest(meta(kase.id, { mediaType: 'application/octet-stream' }), Readable.from([body(4096)]))).id;
    large = (
      await store.evidence.ingest(
        meta(kase.id, { mediaType: 'application/octet-stream' }),
        Readable.from([body(CHUNK_BYTES + 1024 * 1024)]),
      )
    ).id;
  });

  after(() => {
    store.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('says nothing of windows for a file smaller than one', () => {
    const r = drydock(store.dir, ['yara', rules, '--artifact', small]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /1 rule matched \(marker\), 1 string hit$/m);
    assert.doesNotMatch(r.out, WINDOW_NOTE);
    assert.ok(!r.out.includes('MiB'), r.out);
  });

  it('notes the windows when the stream is larger than one', () => {
    const r = drydock(store.dir, ['yara', rules, '--artifact', large]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /1 rule matched \(marker\), 1 string hit$/m);
    assert.match(r.out, WINDOW_NOTE);
  });
});
