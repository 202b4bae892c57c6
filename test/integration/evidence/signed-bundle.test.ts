// Signed case bundles through the built CLI, each store a directory of its own: the examiner signs
// at export, the reviewer's store verifies at import against the keys it trusts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { drydock } from '../../helpers/cli';
import { Readable } from 'node:stream';
import { createCore } from '../../../main/app/core';
import { tempDir } from '../../unit/evidence/store-fixture';

const PASS = 'correct horse battery';
const withPass = (passphrase = PASS) => ({ env: { DRYDOCK_KEY_PASSPHRASE: passphrase } });

function ok(run: { code: number | null; out: string; err: string }, what: string): string {
  assert.equal(run.code, 0, `${what}: exit ${run.code}\n${run.out}\n${run.err}`);
  return run.out;
}

/** Replaces one same-length run of bytes in a file (a tar member's data is stored as is). */
function patch(file: string, from: string | Buffer, to: string | Buffer, target = tempFile(file, 'patched')): string {
  const bytes = readFileSync(file);
  const a = Buffer.isBuffer(from) ? from : Buffer.from(from);
  const b = Buffer.isBuffer(to) ? to : Buffer.from(to);
  assert.equal(a.length, b.length);
  const at = bytes.indexOf(a);
  assert.ok(at >= 0, `${a.toString('latin1').slice(0, 40)} is in ${file}`);
  b.copy(bytes, at);
  writeFileSync(target, bytes);
  return target;
}

let counter = 0;
function tempFile(near: string, tag: string): string {
  return path.join(path.dirname(near), `${tag}-${++counter}.ddcase`);
}

function caseCount(store: string): number {
  return JSON.parse(ok(drydock(store, ['case', 'list', '--json']), 'case list')).cases.length;
}

describe('signed case bundles (CLI)', () => {
  const work = tempDir('drydock-signed-');
  const examinerStore = path.join(work, 'examiner');
  const reviewerStore = path.join(work, 'reviewer');
  const publicKeyFile = path.join(work, 'alice.pub');
  const signed = path.join(work, 'signed.ddcase');
  const unsigned = path.join(work, 'unsigned.ddcase');
  let fingerprint = '';
  let blobSha = '';

  before(async () => {
    // A case with one artifact, made through the core the CLI runs (acquisitions need an engine).
    const core = createCore({ storeDir: examinerStore, examiner: 'alice' });
    const kase = core.evidence.createCase({ name: 'INC-7 signed' });
    const bytes = Buffer.alloc(100_000, 0x5a);
    const source = { host: 'lab', containerId: 'c0ffee000000', containerName: 'web', path: '/etc/shadow' };
    const artifact = await core.evidence.ingest(
      { caseId: kase.id, kind: 'container-file', source, method: 'test stream', mediaType: 'application/octet-stream' },
      Readable.from([bytes]),
    );
    blobSha = artifact.sha256;
    await core.close();
    const created = JSON.parse(ok(drydock(examinerStore, ['key', 'create', '--examiner', 'alice', '--json'], withPass()), 'key create'));
    fingerprint = created.fingerprint;
    assert.match(fingerprint, /^[a-f0-9]{64}$/);
    ok(drydock(examinerStore, ['key', 'show', '--out', publicKeyFile]), 'key show --out');
    ok(drydock(examinerStore, ['case', 'export', signed, '--sign'], withPass()), 'case export --sign');
    ok(drydock(examinerStore, ['case', 'export', unsigned]), 'case export');
  });

  it('shows the fingerprint as SHA-256 of the raw public key, and writes a PEM public key file', () => {
    const shown = drydock(examinerStore, ['key', 'show']);
    assert.match(ok(shown, 'key show'), new RegExp(`Fingerprint \\(SHA-256 of the raw 32-byte public key\\): ${fingerprint}`));
    const raw = Buffer.from(/Public key \(raw, base64\): (\S+)/.exec(shown.out)![1]!, 'base64');
    assert.equal(raw.length, 32);
    assert.equal(createHash('sha256').update(raw).digest('hex'), fingerprint);
    assert.match(readFileSync(publicKeyFile, 'utf8'), /-----BEGIN PUBLIC KEY-----/);
    // The private key is on disk only encrypted.
    const keyFile = readFileSync(path.join(examinerStore, 'keys', 'examiner-key.json'), 'utf8');
    assert.doesNotMatch(keyFile, /PRIVATE KEY/);
    assert.match(keyFile, /"aes-256-gcm"/);
  });

  it('refuses to sign without a key or with a wrong passphrase, and writes nothing', () => {
    const target = path.join(work, 'wrong-pass.ddcase');
    const wrong = drydock(examinerStore, ['case', 'export', target, '--sign'], withPass('not the passphrase'));
    assert.equal(wrong.code, 2, wrong.err);
    assert.match(wrong.err, /Wrong passphrase for the examiner key/);
    assert.equal(existsSync(target), false);
    const keyless = path.join(work, 'keyless');
    ok(drydock(keyless, ['case', 'create', '--name', 'no key']), 'case create');
    const noKey = drydock(keyless, ['case', 'export', target, '--sign'], withPass());
    assert.equal(noKey.code, 3, noKey.err);
    assert.match(noKey.err, /no examiner key to sign with/);
    assert.equal(existsSync(target), false);
  });

  it('marks a bundle signed by a key the reviewer does not trust, and records it for the case', () => {
    const store = path.join(work, 'untrusting');
    const imported = JSON.parse(ok(drydock(store, ['case', 'import', signed, '--json']), 'import'));
    assert.deepEqual(
      { status: imported.signature.status, fingerprint: imported.signature.fingerprint, signer: imported.signature.signer },
      { status: 'untrusted', fingerprint, signer: 'alice' },
    );
    const human = drydock(path.join(work, 'untrusting-2'), ['case', 'import', signed]);
    assert.match(ok(human, 'import'), new RegExp(`signed by an UNTRUSTED key ${fingerprint}`));
    const refused = drydock(path.join(work, 'untrusting-3'), ['case', 'import', signed, '--require-signature']);
    assert.equal(refused.code, 5, refused.err);
    assert.match(refused.err, /which this store does not trust/);
  });

  it('verifies a signed bundle on a fresh store that trusts the key: who signed and when', () => {
    const trusted = JSON.parse(ok(drydock(reviewerStore, ['key', 'trust', publicKeyFile, '--json']), 'key trust'));
    assert.equal(trusted.fingerprint, fingerprint);
    assert.equal(trusted.name, 'alice');
    assert.match(ok(drydock(reviewerStore, ['key', 'list']), 'key list'), new RegExp(fingerprint));
    const run = drydock(reviewerStore, ['case', 'import', signed, '--require-signature', '--json']);
    const imported = JSON.parse(ok(run, 'import'));
    assert.equal(imported.signature.status, 'trusted');
    assert.equal(imported.signature.fingerprint, fingerprint);
    assert.equal(imported.signature.trustedAs, 'alice');
    assert.match(imported.signature.signedAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal(imported.report.ok, true);
    // The signer's fingerprint is kept with the case and in the audit record of the import.
    const recorded = JSON.parse(ok(drydock(reviewerStore, ['case', 'signature', imported.case.id, '--json']), 'case signature'));
    assert.equal(recorded.fingerprint, fingerprint);
    assert.equal(recorded.status, 'trusted');
  });

  it('refuses a signed bundle whose manifest or blob was altered, even with the key trusted', () => {
    const store = path.join(work, 'tamper');
    ok(drydock(store, ['key', 'trust', publicKeyFile]), 'key trust');
    // exportedBy is vouched for by no audit entry: only the signature protects it.
    const by = /"exportedBy":"([^"]+)"/.exec(readFileSync(signed, 'latin1'))![1]!;
    const manifest = patch(signed, `"exportedBy":"${by}"`, `"exportedBy":"${'x'.repeat(by.length)}"`);
    const m = drydock(store, ['case', 'import', manifest]);
    assert.equal(m.code, 5, m.err);
    assert.match(m.err, /covers another manifest: manifest.json was altered/);
    // Flip one byte of the blob's data (its tar header is 512 bytes from its name).
    const blob = readFileSync(signed);
    const dataAt = blob.lastIndexOf(Buffer.from(`blobs/${blobSha}`)) + 512;
    const flipped = Buffer.from(blob);
    flipped[dataAt + 100] = (flipped[dataAt + 100]! ^ 0xff) & 0xff;
    const blobFile = tempFile(signed, 'blob');
    writeFileSync(blobFile, flipped);
    const b = drydock(store, ['case', 'import', blobFile]);
    assert.equal(b.code, 5, b.err);
    assert.match(b.err, new RegExp(`blobs/${blobSha} was altered`));
    // A signature entry altered by one character never verifies.
    const sig = JSON.parse(/\{"format":"drydock-bundle-signature"[^\0]*?\}(?=\0)/.exec(readFileSync(signed, 'latin1'))![0]) as {
      signature: string;
    };
    const bad = sig.signature.startsWith('A') ? `B${sig.signature.slice(1)}` : `A${sig.signature.slice(1)}`;
    const s = drydock(store, ['case', 'import', patch(signed, sig.signature, bad)]);
    assert.equal(s.code, 5, s.err);
    assert.match(s.err, /signature does not verify/);
    assert.equal(caseCount(store), 0, 'nothing was imported');
  });

  it('refuses an unsigned bundle with --require-signature, and marks it unsigned otherwise', () => {
    const store = path.join(work, 'unsigned-store');
    const refused = drydock(store, ['case', 'import', unsigned, '--require-signature']);
    assert.equal(refused.code, 5, refused.err);
    assert.match(refused.err, /it is not signed, and a signature by a trusted key was required/);
    assert.equal(caseCount(store), 0);
    const marked = drydock(store, ['case', 'import', unsigned]);
    assert.match(ok(marked, 'import'), /Signature: UNSIGNED/);
  });

  after(() => rmSync(work, { recursive: true, force: true }));
});
