import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import type { ArtifactInfo, AuditEntry, CaseInfo } from '../../../shared/domain/evidence';
import type { BundleExportResult } from '../../../shared/contract/evidence';
import { DrydockFailure } from '../../../main/core/errors';
import { BlobStore } from '../../../main/core/evidence/blob-store';
import { readBundle } from '../../../main/core/evidence/bundle-import';
import { type TestStore, failingAfter, generated, meta, openStore, readAllBytes, tempDir } from '../../unit/evidence/store-fixture';

const BIG = 20 * 1024 * 1024;

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function isFailure(kind: string, pattern: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof DrydockFailure, `a DrydockFailure, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    assert.match(err.message, pattern);
    return true;
  };
}

/** The store holds nothing of a refused bundle: no case, no row, no blob, no temporary file. */
function assertUntouched(store: TestStore): void {
  assert.equal((store.db.prepare('SELECT COUNT(*) AS n FROM cases').get() as { n: number }).n, 0);
  assert.equal((store.db.prepare('SELECT COUNT(*) AS n FROM artifacts').get() as { n: number }).n, 0);
  assert.equal((store.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE chain <> ''").get() as { n: number }).n, 0);
  const blobs = path.join(store.dir, 'blobs', 'sha256');
  assert.equal(
    existsSync(blobs) ? readdirSync(blobs, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length : 0,
    0,
    'no blob committed',
  );
  const tmp = path.join(store.dir, 'blobs', 'tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], [], 'no staged file left');
}

/** Writes a tar with the given entries (all plain files unless a type is given). */
async function writeTar(
  file: string,
  entries: { name: string; data?: Buffer; type?: 'symlink' | 'directory'; linkname?: string }[],
): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(file));
  for (const e of entries) {
    if (e.type) pack.entry({ name: e.name, type: e.type, ...(e.linkname ? { linkname: e.linkname } : {}) });
    else pack.entry({ name: e.name, size: e.data?.length ?? 0 }, e.data ?? Buffer.alloc(0));
  }
  pack.finalize();
  await done;
}

async function tarEntries(file: string): Promise<{ name: string; data: Buffer }[]> {
  const extract = tar.extract();
  Readable.from([readFileSync(file)]).pipe(extract);
  const out: { name: string; data: Buffer }[] = [];
  for await (const entry of extract)
    out.push({ name: entry.header.name, data: await readAllBytes(entry as unknown as NodeJS.ReadableStream) });
  return out;
}

describe('case bundles between two stores', () => {
  const work = tempDir('drydock-bundle-');
  const bundle = path.join(work, 'case.drydock.tar');
  let a: TestStore;
  let kase: CaseInfo;
  let exported: BundleExportResult;
  let artifactsA: ArtifactInfo[];
  let auditA: AuditEntry[];
  let big: ArtifactInfo;
  const stores: TestStore[] = [];
  const fresh = () => {
    const s = openStore(tempDir('drydock-store-b-'), 'reviewer');
    stores.push(s);
    return s;
  };

  before(async () => {
    a = openStore(tempDir('drydock-store-a-'), 'examiner-a');
    stores.push(a);
    kase = a.evidence.createCase({
      name: 'Operation <b>Red</b> «ä»',
      organisation: 'CERT',
      timeZone: 'Europe/Berlin',
      description: 'Compromised web host',
    });
    await a.evidence.ingest(
      meta(kase.id, { source: { host: 'lab', containerName: 'web\n<b>x</b>', path: '/var/www/\ud800index.php' } }),
      Readable.from([Buffer.from('<?php system($_GET["c"]);')]),
    );
    await a.evidence.ingestJson(meta(kase.id, { kind: 'process-snapshot', mediaType: 'application/json' }), {
      processes: [{ pid: 1, args: 'nginx' }],
    });
    big = await a.evidence.ingest(
      meta(kase.id, { kind: 'filesystem-export', mediaType: 'application/x-tar' }),
      generated(BIG, 64 * 1024, 7),
    );
    await a.evidence.ingest(meta(kase.id, { kind: 'pcap' }), failingAfter(Buffer.from('pcap-so-far'), 'connection reset'));
    await a.evidence.ingest(meta(kase.id, { source: { host: 'lab2' } }), Readable.from([Buffer.from('<?php system($_GET["c"]);')]));
    await a.evidence.addNote('alpha note: web shell found in /var/www');
    await a.evidence.addNote('second note');
    a.evidence.audit('host.tested', { host: 'lab', ok: true });
    exported = await a.evidence.exportCase(undefined, bundle);
    artifactsA = await a.evidence.listArtifacts({ caseRef: kase.id });
    auditA = await a.evidence.auditEntries({ caseRef: kase.id });
  });

  after(() => {
    for (const s of stores) s.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('exports one tar: manifest first, then each distinct blob, with the file hash returned', async () => {
    assert.equal(exported.caseId, kase.id);
    assert.equal(exported.artifacts, 5);
    assert.equal(exported.bytes, statSync(bundle).size);
    assert.equal(exported.sha256, sha256(readFileSync(bundle)));
    const entries = await tarEntries(bundle);
    assert.equal(entries[0]?.name, 'manifest.json');
    const manifest = JSON.parse(entries[0]?.data.toString('utf8') ?? '') as {
      formatVersion: number;
      drydockVersion: string;
      blobs: { path: string; sha256: string; size: number }[];
      audit: unknown[];
    };
    assert.equal(manifest.formatVersion, 1);
    assert.equal(manifest.drydockVersion, JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).version);
    assert.equal(manifest.blobs.length, 4, 'the duplicate artifact shares its blob');
    assert.deepEqual(
      entries.slice(1).map((e) => e.name),
      manifest.blobs.map((b) => b.path),
    );
    for (const e of entries.slice(1)) assert.equal(`blobs/${sha256(e.data)}`, e.name);
    assert.equal(manifest.audit.length, exported.auditEntries);
    const last = (await a.evidence.auditEntries({ caseRef: kase.id, afterSeq: auditA.length - 1 }))[0];
    assert.equal(last?.action, 'case.exported');
    assert.equal(last?.details.sha256, exported.sha256);
  });

  it('refuses to overwrite an existing file', async () => {
    await assert.rejects(() => a.evidence.exportCase(kase.id, bundle), isFailure('conflict', /already exists/));
  });

  it('imports into a fresh store: read-only, identical rows and chain, and it verifies', async () => {
    const b = fresh();
    const result = await b.evidence.importCase(bundle);
    assert.equal(result.report.ok, true, JSON.stringify(result.report.problems));
    assert.equal(result.report.checkedArtifacts, 5);
    assert.equal(result.case.readOnly, true);
    assert.equal(result.case.name, kase.name);
    assert.deepEqual(await b.evidence.listArtifacts({ caseRef: kase.id }), artifactsA);
    const auditB = await b.evidence.auditEntries({ caseRef: kase.id });
    assert.deepEqual(auditB, auditA.slice(0, exported.auditEntries));
    const bytes = await readAllBytes(await b.evidence.openArtifact(big.id));
    assert.equal(bytes.length, BIG);
    assert.equal(sha256(bytes), big.sha256);
    const whole = await b.evidence.verify();
    assert.equal(whole.ok, true, JSON.stringify(whole.problems));
    const storeChain = await b.evidence.auditEntries({});
    assert.equal(storeChain[0]?.action, 'case.imported');
    assert.equal(storeChain[0]?.details.bundleSha256, exported.sha256);

    assert.throws(() => b.evidence.resolveWritableCase(kase.id), isFailure('conflict', /read-only/));
    await assert.rejects(() => b.evidence.addNote('reviewer note', kase.id), isFailure('conflict', /read-only/));
    await assert.rejects(() => b.evidence.closeCase(kase.id), isFailure('conflict', /read-only/));

    // A second import of the same bundle is a conflict and changes nothing.
    const before = (b.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    await assert.rejects(
      () => b.evidence.importCase(bundle),
      isFailure('conflict', /already in this evidence store \(imported earlier\); nothing was imported/),
    );
    assert.equal((b.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n, before);

    // Re-exported from the reviewer's store, it still imports and verifies in a third store.
    const again = path.join(work, 'reexport.tar');
    await b.evidence.exportCase(kase.id, again);
    const c = fresh();
    assert.equal((await c.evidence.importCase(again)).report.ok, true);
  });

  it('refuses a bundle with one byte of a blob changed, naming the blob', async () => {
    const copy = path.join(work, 'tampered-blob.tar');
    copyFileSync(bundle, copy);
    const raw = readFileSync(copy);
    const header = raw.indexOf(Buffer.from(`blobs/${big.sha256}`));
    assert.ok(header > 0);
    const at = header + 512 + 12345;
    raw[at] = raw[at]! ^ 0x01;
    writeFileSync(copy, raw);
    const c = fresh();
    await assert.rejects(
      () => c.evidence.importCase(copy),
      isFailure(
        'integrity',
        new RegExp(`refused, nothing was imported: blobs/${big.sha256} was altered: its ${BIG} bytes hash to [a-f0-9]{64}`),
      ),
    );
    assertUntouched(c);
  });

  it('refuses a bundle whose manifest was edited, naming the audit entry', async () => {
    const copy = path.join(work, 'tampered-manifest.tar');
    const raw = readFileSync(bundle);
    const at = raw.indexOf(Buffer.from('alpha note'));
    assert.ok(at > 0 && at < 1_000_000, 'the note is in the manifest');
    raw.write('alpha NOTE', at);
    writeFileSync(copy, raw);
    const entries = auditA.filter((e) => e.action === 'note.added');
    const c = fresh();
    await assert.rejects(
      () => c.evidence.importCase(copy),
      isFailure('integrity', new RegExp(`manifest\\.json: audit entry ${entries[0]?.seq} of case .* \\("note\\.added"\\) was altered`)),
    );
    assertUntouched(c);
  });

  it('refuses a bundle whose artifact row was edited in the manifest', async () => {
    const copy = path.join(work, 'tampered-row.tar');
    const raw = readFileSync(bundle);
    const at = raw.indexOf(Buffer.from('"method":"test stream"'));
    assert.ok(at > 0);
    raw.write('"method":"TEST stream"', at);
    writeFileSync(copy, raw);
    const c = fresh();
    await assert.rejects(
      () => c.evidence.importCase(copy),
      isFailure('integrity', /manifest\.json: artifact [\w-]+ of case .*: its row no longer matches the hash recorded in audit entry \d+/),
    );
    assertUntouched(c);
  });

  it('refuses a truncated bundle', async () => {
    const copy = path.join(work, 'truncated.tar');
    copyFileSync(bundle, copy);
    truncateSync(copy, Math.floor(statSync(copy).size / 2));
    const c = fresh();
    await assert.rejects(() => c.evidence.importCase(copy), isFailure('integrity', /truncated/));
    assertUntouched(c);
  });

  it('refuses hostile tar entries', async () => {
    const manifest = (await tarEntries(bundle))[0]?.data ?? Buffer.alloc(0);
    const cases: [string, { name: string; data?: Buffer; type?: 'symlink' | 'directory'; linkname?: string }[], RegExp][] = [
      ['dot-dot first', [{ name: '../x', data: Buffer.from('x') }], /entry "\.\.\/x" climbs out of the bundle/],
      [
        'dot-dot after the manifest',
        [
          { name: 'manifest.json', data: manifest },
          { name: 'blobs/../../x', data: Buffer.from('x') },
        ],
        /climbs out of the bundle/,
      ],
      ['absolute path', [{ name: '/etc/cron.d/evil', data: Buffer.from('x') }], /absolute path/],
      [
        'symlink',
        [
          { name: 'manifest.json', data: manifest },
          { name: 'blobs/link', type: 'symlink', linkname: '/etc/passwd' },
        ],
        /is a symlink \(to "\/etc\/passwd"\)/,
      ],
      ['directory', [{ name: 'blobs/', type: 'directory' }], /is a directory/],
      [
        'unknown entry',
        [
          { name: 'manifest.json', data: manifest },
          { name: 'notes.txt', data: Buffer.from('x') },
        ],
        /unexpected entry "notes\.txt"/,
      ],
      ['manifest not first', [{ name: `blobs/${big.sha256}`, data: Buffer.from('x') }], /the first entry must be manifest\.json/],
      ['not JSON', [{ name: 'manifest.json', data: Buffer.from('{not json') }], /manifest\.json is not valid JSON/],
      ['empty', [], /no manifest\.json/],
    ];
    for (const [label, entries, pattern] of cases) {
      const file = path.join(work, `hostile-${label.replace(/\W+/g, '-')}.tar`);
      await writeTar(file, entries);
      const c = fresh();
      await assert.rejects(() => c.evidence.importCase(file), isFailure('integrity', pattern), label);
      assertUntouched(c);
    }
  });

  it('refuses an oversize manifest before reading it', async () => {
    const c = fresh();
    await assert.rejects(
      () =>
        readBundle(new BlobStore(c.dir), bundle, {
          maxManifestBytes: 1024,
          assertNew: () => undefined,
          checkSignature: () => assert.fail('the manifest is refused before any signature is checked'),
        }),
      isFailure('integrity', /manifest\.json is \d+ bytes, over the 1024-byte limit/),
    );
    assertUntouched(c);
  });

  it('refuses a bundle from a newer format as unsupported', async () => {
    const manifest = JSON.parse((await tarEntries(bundle))[0]?.data.toString('utf8') ?? '') as Record<string, unknown>;
    const file = path.join(work, 'newer.tar');
    await writeTar(file, [{ name: 'manifest.json', data: Buffer.from(JSON.stringify({ ...manifest, formatVersion: 99 })) }]);
    const c = fresh();
    await assert.rejects(() => c.evidence.importCase(file), isFailure('unsupported', /bundle format 99/));
  });
});
