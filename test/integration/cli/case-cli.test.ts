import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { drydock as runBin } from '../../helpers/cli';
import { type TestStore, meta, openStore, tempDir } from '../../unit/evidence/store-fixture';

interface Run {
  code: number;
  out: string;
  err: string;
}

/**
 * The built `drydock` bin against a store this test also holds open (to plant hostile rows and
 * tamper with the chain): `values` become --flags, `words` the command and its positionals.
 */
function cli(store: TestStore) {
  return async (words: string[], values: Record<string, string | boolean | undefined> = {}, json = false): Promise<Run> => {
    const flags = Object.entries(values).flatMap(([k, v]) =>
      v === undefined || v === false ? [] : v === true ? [`--${k}`] : [`--${k}`, v],
    );
    const r = runBin(store.dir, [...words, ...flags, ...(json ? ['--json'] : [])], { env: { DRYDOCK_EXAMINER: '' } });
    return { code: r.code ?? -1, out: r.out.replace(/\n$/, ''), err: r.err.replace(/\n$/, '') };
  };
}

describe('case CLI commands', () => {
  let a: TestStore;
  let b: TestStore;
  const work = tempDir('drydock-cli-');
  let run: ReturnType<typeof cli>;

  before(() => {
    a = openStore();
    b = openStore();
    run = cli(a);
  });
  after(() => {
    a.dispose();
    b.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('creates, lists, selects and notes cases', async () => {
    let r = await run(['case', 'create'], { name: 'Intrusion 42', organisation: 'CERT', tz: 'Europe/Berlin', description: 'web host' });
    assert.equal(r.code, 0);
    assert.match(r.out, /Created case Intrusion 42 \([\w-]+\).*Europe\/Berlin.*current case/);
    r = await run(['case', 'create'], { name: 'Second' });
    r = await run(['case', 'list']);
    assert.match(r.out, /^\*\s+[\w-]+\s+Second\s+open/m);
    r = await run(['case', 'use', 'Intrusion 42']);
    assert.match(r.out, /Current case: Intrusion 42/);
    r = await run(['case', 'note', 'found', 'a', 'web', 'shell']);
    assert.equal(r.code, 0);
    assert.match(r.out, /Note recorded as audit entry 2/);
    r = await run(['case', 'create'], { name: 'Bad', tz: 'Mars/Olympus' });
    assert.equal(r.code, 2, 'an input error');
    assert.match(r.err, /Unknown time zone "Mars\/Olympus"/);
    r = await run(['case', 'create'], {});
    assert.equal(r.code, 2);
  });

  it('prints artifacts and the audit log without raw control characters', async () => {
    const kase = await a.evidence.currentCase();
    assert.ok(kase);
    await a.evidence.ingest(
      meta(kase.id, { source: { host: 'lab', containerName: 'evil\u001b]0;pwned\u0007', path: '/tmp/\u001b[2Jx' } }),
      Readable.from([Buffer.from('x')]),
    );
    a.evidence.audit('host.tested', { host: 'lab\u001b[31m' });
    const artifacts = await run(['case', 'artifacts']);
    assert.equal(artifacts.code, 0);
    assert.ok(!artifacts.out.includes('\u001b') && !artifacts.out.includes('\u0007'), 'no raw escape reaches the terminal');
    assert.match(artifacts.out, /evil\\x1b\]0;pwned\\x07/);
    const audit = await run(['case', 'audit']);
    assert.ok(!audit.out.includes('\u001b'));
    assert.match(audit.out, /artifact\.added/);
    const json = await run(['case', 'audit'], {}, true);
    const lines = json.out.split('\n').map((l) => JSON.parse(l) as { action: string });
    assert.equal(lines[0]?.action, 'case.created');
  });

  it('verifies (exit 0), and exits non-zero once a row is tampered with', async () => {
    let r = await run(['case', 'verify']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^Verified \d+ artifacts? and \d+ audit entr(?:y|ies): OK/);
    const kase = await a.evidence.currentCase();
    a.db.prepare("UPDATE audit_log SET action = 'note.edited' WHERE chain = ? AND seq = 2").run(kase?.id);
    r = await run(['case', 'verify'], { case: 'Intrusion 42' });
    assert.equal(r.code, 5);
    assert.match(r.out, /Verification FAILED .*\nfirst: audit chain broken at entry 2: /);
    a.db.prepare("UPDATE audit_log SET action = 'note.added' WHERE chain = ? AND seq = 2").run(kase?.id);
  });

  it('exports a bundle and an artifact, and imports the bundle elsewhere', async () => {
    const bundle = path.join(work, 'case.tar');
    let r = await run(['case', 'export'], { out: bundle });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Wrote .*case\.tar: 1 artifact, \d+ audit entr(?:y|ies), \d+ bytes, sha256 [a-f0-9]{64}/);
    r = await run(['case', 'export'], { out: bundle });
    assert.equal(r.code, 1);
    assert.match(r.err, /already exists/);

    const [artifact] = await a.evidence.listArtifacts();
    assert.ok(artifact);
    const copy = path.join(work, 'artifact.bin');
    r = await run(['artifact', 'export', artifact.id], { out: copy });
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync(copy, 'utf8'), 'x');

    const runB = cli(b);
    r = await runB(['case', 'import', bundle]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Imported case Intrusion 42 \([\w-]+\) read-only\nSignature: UNSIGNED[^\n]*\nVerified 1 artifact /);
    r = await runB(['case', 'import', bundle]);
    assert.equal(r.code, 1);
    assert.match(r.err, /already in this evidence store/);
    r = await runB(['case', 'close', 'Intrusion 42']);
    assert.match(r.err, /read-only/);
    assert.ok(!existsSync(path.join(work, 'nothing.tar')));
  });

  it('answers to the names the issue gives: case new, evidence list, evidence verify', async () => {
    let r = await run(['case', 'new'], { name: 'Aliased', tz: 'UTC' });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Created case Aliased \([\w-]+\).*current case$/);
    const kase = await a.evidence.currentCase();
    assert.equal(kase?.name, 'Aliased');
    await a.evidence.ingest(meta(kase.id), Readable.from([Buffer.from('aliased bytes')]));
    const list = await run(['evidence', 'list']);
    assert.equal(list.code, 0);
    assert.deepEqual(list, await run(['case', 'artifacts']));
    assert.match(list.out, new RegExp(`^Case Aliased \\(${kase.id}\\), the current case: 1 artifact\nID\\s+KIND\\s+STATUS`));
    const other = await run(['evidence', 'list'], { case: 'Intrusion 42' });
    assert.match(other.out, /^Case Intrusion 42 \([\w-]+\): \d+ artifacts?\n/, 'the header names the case --case chose');
    assert.ok(!(await run(['evidence', 'list'], {}, true)).out.startsWith('Case '), 'no header in --json');
    assert.ok(!other.out.includes((await a.evidence.listArtifacts())[0]?.id ?? '?'), '--case lists that case, not the current one');
    r = await run(['evidence', 'verify'], { case: 'Aliased' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^Verified 1 artifact and \d+ audit entr(?:y|ies): OK/);
    r = await run(['evidence', 'verify']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^Verified 2 artifacts and \d+ audit entr(?:y|ies): OK/, 'without --case, the whole store');
    r = await run(['case', 'new'], {});
    assert.equal(r.code, 2);
  });

  it('exports a bundle to a positional FILE as well as --out FILE, and refuses both or neither', async () => {
    const bundle = path.join(work, 'positional.tar');
    let r = await run(['case', 'export', bundle]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Wrote .*positional\.tar: 1 artifact,/);
    assert.ok(existsSync(bundle));
    r = await run(['case', 'export', path.join(work, 'one.tar')], { out: path.join(work, 'two.tar') });
    assert.equal(r.code, 2);
    r = await run(['case', 'export', 'a.tar', 'b.tar']);
    assert.equal(r.code, 2);
    r = await run(['case', 'export']);
    assert.equal(r.code, 2);
    assert.match(r.err, /needs the bundle FILE/);
    assert.ok(!existsSync(path.join(work, 'one.tar')) && !existsSync(path.join(work, 'two.tar')));
  });

  it('shows an artifact: provenance and a preview, with nothing raw reaching the terminal', async () => {
    const kase = await a.evidence.currentCase();
    assert.ok(kase);
    const json = await a.evidence.ingestJson(
      meta(kase.id, { kind: 'inventory-snapshot', mediaType: 'application/json', source: { host: 'lab' } }),
      { containers: [{ name: 'web\u001b[2J', id: 12345678901234567890n.toString() }] },
    );
    let r = await run(['evidence', 'show', json.id]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^Artifact ${json.id}\n {2}kind {8}inventory-snapshot\n`));
    assert.match(r.out, new RegExp(`sha256 {6}${json.sha256}`));
    assert.match(
      r.out,
      /\n {2}acquired {4}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z by Drydock /,
      'the Z says UTC: the word is not repeated',
    );
    assert.match(r.out, /\nPreview \(JSON, all \d+ bytes\):\n\{\n {2}"containers": \[\n {4}\{\n {6}"name": "web\\u001b\[2J",/);

    const hostile = await a.evidence.ingest(
      meta(kase.id, {
        mediaType: 'text/plain',
        source: { host: 'lab', containerName: 'evil\u001b]0;title\u0007', path: '/tmp/\u202ereversed' },
      }),
      Readable.from([Buffer.from('line one\r\x1b[2Koverwritten\nline two\n')]),
    );
    r = await run(['evidence', 'show', hostile.id]);
    assert.equal(r.code, 0, r.err);
    for (const raw of ['\u001b', '\u0007', '\r', '\u202e']) assert.ok(!r.out.includes(raw), `no raw ${JSON.stringify(raw)} in the output`);
    assert.match(r.out, /container evil\\x1b\]0;title\\x07/);
    assert.match(r.out, /path {8}\/tmp\/\\x202ereversed/);
    assert.match(r.out, /Preview \(text, all 34 bytes\):\nline one\\r\\x1b\[2Koverwritten\nline two\n$/);

    const binary = await a.evidence.ingest(
      meta(kase.id, { kind: 'pcap' }),
      Readable.from([
        Buffer.concat([Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 0, 0]), Buffer.from('GET /index.html HTTP/1.1'), Buffer.alloc(40)]),
      ]),
    );
    r = await run(['evidence', 'show', binary.id], { bytes: '32' });
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /Preview \(binary, first 32 of 70 bytes\):\n00000000 {2}d4 c3 b2 a1 00 00 47 45 {2}54 20 2f 69 6e 64 65 78 {2}\|\.\.\.\.\.\.GET \/index\|\n00000010 /,
    );
    assert.match(r.out, /Strings \(1, runs of 6 or more printable characters\):\n {2}GET \/index\.html HTTP\/1\.1\n/);
    assert.match(r.out, /… 38 more bytes/);

    const asJson = await run(['evidence', 'show', json.id], {}, true);
    const parsed = JSON.parse(asJson.out) as { artifact: { id: string }; preview: { kind: string } };
    assert.equal(parsed.artifact.id, json.id);
    assert.equal(parsed.preview.kind, 'json');

    // A short look by default (512 bytes), --bytes for more; long attributes cut on the page, whole in --json.
    const longText = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(3, '0')}`).join('\n');
    const attributes = { note: `\u001b[31m${'x'.repeat(500)}`, tail: 'LAST-ATTRIBUTE' };
    const long = await a.evidence.ingest(meta(kase.id, { mediaType: 'text/plain', attributes }), Readable.from([Buffer.from(longText)]));
    r = await run(['evidence', 'show', long.id]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`\nPreview \\(text, first 512 of ${longText.length} bytes\\):\n`));
    // Lines of 9 bytes: the first 512 end with 'line 056'.
    assert.ok(r.out.includes(`${longText.slice(0, 512)}\n… `) && !r.out.includes('line 057'), 'exactly 512 bytes shown');
    assert.match(r.out, new RegExp(`… ${longText.length - 512} more bytes \\(--bytes N shows up to 1048576;`));
    const attributeLine = r.out.split('\n').find((l) => l.startsWith('  attributes  '));
    assert.ok(attributeLine, r.out);
    assert.ok(attributeLine.length < 300, `a readable line, not ${attributeLine.length} characters`);
    assert.match(attributeLine, /^ {2}attributes {2}\{"note":"\\u001b\[31mxxx+… \(--json shows them all\)$/);
    assert.ok(!attributeLine.includes('LAST-ATTRIBUTE') && !attributeLine.includes('\u001b'));
    r = await run(['evidence', 'show', long.id], { bytes: '1024' });
    assert.match(r.out, new RegExp(`\nPreview \\(text, first 1024 of ${longText.length} bytes\\):\n`));
    const longJson = JSON.parse((await run(['evidence', 'show', long.id], {}, true)).out) as {
      artifact: { attributes: Record<string, unknown> };
      preview: { bytes: number };
    };
    assert.deepEqual(longJson.artifact.attributes, attributes, '--json keeps every attribute whole');
    assert.equal(longJson.preview.bytes, 512);

    assert.equal((await run(['evidence', 'show'])).code, 2);
    assert.equal((await run(['evidence', 'show', json.id], { bytes: 'lots' })).code, 2);
    r = await run(['evidence', 'show', json.id], { bytes: String(2 * 1024 * 1024) });
    assert.equal(r.code, 2, 'an input error');
    assert.match(r.err, /maxBytes/);
    r = await run(['evidence', 'show', 'no-such-artifact']);
    assert.equal(r.code, 3, 'not found');
    assert.match(r.err, /No artifact "no-such-artifact"/);
  });
});

describe('case and evidence commands through the real command line', () => {
  const store = tempDir('drydock-cli-main-');
  const work = tempDir('drydock-cli-main-out-');
  after(() => {
    rmSync(store, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  async function drydock(...args: string[]): Promise<Run> {
    const r = runBin(store, [...args, '--examiner', 'cli-test']);
    return { code: r.code ?? -1, out: r.out.replace(/\n$/, ''), err: r.err.replace(/\n$/, '') };
  }

  it('parses the aliases and the positional bundle FILE as a user types them', async () => {
    let r = await drydock('case', 'new', '--name', 'Typed');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Created case Typed/);
    r = await drydock('evidence', 'list');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Case Typed \([\w-]+\), the current case: 0 artifacts\nNo artifacts$/);
    r = await drydock('case', 'note', 'seen', 'from', 'the', 'shell');
    assert.equal(r.code, 0, r.err);
    const bundle = path.join(work, 'typed.tar');
    r = await drydock('case', 'export', bundle);
    assert.equal(r.code, 0, r.err);
    assert.ok(existsSync(bundle));
    r = await drydock('evidence', 'verify', '--case', 'Typed');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Verified 0 artifacts and \d+ audit entr(?:y|ies): OK/);
    r = await drydock('evidence', 'show', 'missing');
    assert.equal(r.code, 3, 'not found');
    assert.match(r.err, /^drydock evidence show: No artifact "missing" in this evidence store/);
    for (const [words, usage] of [
      [['case', 'new'], 'case new --name NAME'],
      [['evidence', 'list'], 'evidence list [--case CASE]'],
      [['evidence', 'verify'], 'evidence verify [--case CASE]'],
      [['case', 'export'], 'case export FILE'],
      [['evidence', 'show'], 'evidence show ID'],
    ] as const) {
      r = await drydock(...words, '--help');
      assert.equal(r.code, 0, r.err);
      assert.ok(r.out.includes(`Usage: drydock ${usage}`), usage);
      assert.match(r.out, /\nExample:\n {2}drydock /);
    }
    r = await drydock('evidence', 'show', '--help');
    assert.match(r.out, /\n {2}--bytes VALUE +how many bytes of the artifact to preview \(default 512, at most 1048576\)\n/);
  });
});
