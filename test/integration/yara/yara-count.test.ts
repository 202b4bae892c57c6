// `drydock yara --artifact` counts as a responder reads it: over a 26-byte artifact, a rule with a
// string and a rule matching on its condition alone (filesize) are two rules matched but one string
// hit, in the summary, the gate line, the stored report and the case's timeline; counts agree with
// their nouns.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { YaraScanReport } from '../../../shared/domain/yara';
import { drydock } from '../../helpers/cli';
import { type TestStore, meta, openStore, tempDir } from '../../unit/evidence/store-fixture';

describe('drydock yara: rules matched and string hits', () => {
  let store: TestStore;
  const work = tempDir('drydock-yara-count-');
  const rules = path.join(work, 't.yar');
  let artifact = '';

  before(async () => {
    store = openStore();
    writeFileSync(rules, 'rule kw { strings: $a = "kworker" condition: $a }\nrule small { condition: filesize < 100 }\n');
    const kase = store.evidence.createCase({ name: 'Counts' });
    const bytes = Buffer.from('/tmp/.x/kworker --daemon\n\n', 'latin1');
    assert.equal(bytes.length, 26);
    artifact = (await store.evidence.ingest(meta(kase.id, { mediaType: 'application/octet-stream' }), Readable.from([bytes]))).id;
  });

  after(() => {
    store.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('counts a condition-only rule as a rule matched, not a string hit', () => {
    const r = drydock(store.dir, ['yara', rules, '--artifact', artifact, '--fail-on-match']);
    assert.equal(r.code, 6, r.err);
    assert.match(r.out, /^Scanned 1 file, 26 bytes: 2 rules matched \(kw, small\), 1 string hit$/m);
    assert.match(r.err, /gate failed: 2 rules matched, 1 string hit \(exit 6\)$/m);
    const report = JSON.parse(drydock(store.dir, ['yara', rules, '--artifact', artifact, '--json']).out) as YaraScanReport;
    assert.deepEqual([report.rulesMatched, report.matchCount, report.stringHits], [['kw', 'small'], 2, 1]);
    const timeline = drydock(store.dir, ['timeline', '--format', 'jsonl']);
    assert.equal(timeline.code, 0, timeline.err);
    assert.match(timeline.out, /YARA: 2 rules matched \(kw, small\), 1 string hit, in artifact /);
    const out = path.join(work, 'report.html');
    const html = drydock(store.dir, ['report', '--format', 'html', '--out', out]);
    assert.equal(html.code, 0, html.err);
    assert.match(readFileSync(out, 'utf8'), /YARA \(artifact\): 2 rules matched \(kw, small\), 1 string hit\b/);
  });

  it('says "1 rule matched" and "0 string hits" for a condition-only match alone', () => {
    const only = path.join(work, 'small.yar');
    writeFileSync(only, 'rule small { condition: filesize < 100 }\n');
    const r = drydock(store.dir, ['yara', only, '--artifact', artifact]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /: 1 rule matched \(small\), 0 string hits$/m);
  });
});
