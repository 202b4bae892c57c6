// A fleet collector's bundle merged into the examiner's case (EvidenceService.mergeRunBundle): it
// must verify end to end and be signed by the run key recorded for that run, and nothing else.
// Here the "node" is a second store in a temporary directory that writes a bundle signed with a run
// key, as the collector does inside its image; the examiner's store merges it, or refuses it whole.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCore, type Core } from '../../../main/app/core';
import { createRunKey, runKeySigner } from '../../../main/core/evidence/run-key';
import { tempDir } from '../../unit/evidence/store-fixture';

const PASS = 'correct horse battery';
const NODE_READ_AT = '2026-11-30T12:00:00.000Z';

describe("a run key's bundle merged into one case", () => {
  const work = tempDir('drydock-run-merge-');
  let examiner: Core;
  const runKey = createRunKey('fleet run fr-test-merge', '2026-12-01T00:00:00.000Z');
  const otherKey = createRunKey('fleet run fr-someone-else', '2026-12-01T00:00:00.000Z');
  const bundle = path.join(work, 'node.ddcase');
  const forged = path.join(work, 'forged.ddcase');
  const unsigned = path.join(work, 'unsigned.ddcase');
  const payload = Buffer.from('drydock fleet merge payload '.repeat(100));

  before(async () => {
    // The node: a fresh store with one artifact, exported signed with the run key (as `fleet collect` does).
    // The node's clock is a day behind the merge: what the node read keeps the node's time.
    const node = createCore({ storeDir: path.join(work, 'node'), examiner: 'collector', clock: { now: () => new Date(NODE_READ_AT) } });
    const kase = node.evidence.createCase({ name: 'fleet fr-test-merge node n1' });
    await node.evidence.ingestJson(
      { caseId: kase.id, kind: 'inventory-snapshot', source: { host: 'local' }, method: 'test', mediaType: 'application/json' },
      { payload: payload.toString() },
    );
    await node.evidence.ingestJson(
      { caseId: kase.id, kind: 'inventory-snapshot', source: { host: 'node1' }, method: 'test', mediaType: 'application/json' },
      {
        host: 'node1',
        containers: [{ id: 'c'.repeat(64), name: 'web.1', image: 'busybox', state: 'running', createdAt: '2026-11-29T08:00:00.000Z' }],
      },
    );
    await node.evidence.exportCase(kase.id, bundle, {
      signer: runKeySigner(runKey.privatePem, 'collector n1', () => new Date().toISOString()),
    });
    await node.evidence.exportCase(kase.id, forged, {
      signer: runKeySigner(otherKey.privatePem, 'collector n1', () => new Date().toISOString()),
    });
    await node.evidence.exportCase(kase.id, unsigned);
    await node.close();
    examiner = createCore({ storeDir: path.join(work, 'examiner'), examiner: 'alice' });
    examiner.evidence.signing.createKey(PASS);
  });

  after(async () => {
    await examiner?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const merge = (file: string, caseId: string, accept?: (manifest: { audit: { action: string }[] }) => string | undefined) =>
    examiner.evidence.mergeRunBundle(file, {
      caseId,
      runKey: { fingerprint: runKey.info.fingerprint, publicKey: runKey.info.publicKey, name: 'fleet run fr-test-merge' },
      countersign: examiner.evidence.signing.signer(PASS),
      origin: { runId: 'fr-test-merge', nodeId: 'n1', hostname: 'node-1', host: 'node1' },
      ...(accept ? { accept } : {}),
    });

  it('merges a bundle signed by the run key: the bundle kept verbatim, its artifacts copied with their origin', async () => {
    const kase = examiner.evidence.createCase({ name: 'Fleet merged' });
    const merged = await merge(bundle, kase.id);
    assert.equal(merged.signedBy, runKey.info.fingerprint);
    assert.equal(merged.countersignedBy, examiner.evidence.signing.showKey().fingerprint);
    assert.equal(merged.artifacts.length, 2);
    const copy = await examiner.evidence.getArtifact(merged.artifacts[0]!.to);
    assert.equal(copy?.kind, 'inventory-snapshot');
    assert.equal(copy?.source.host, 'node1');
    assert.deepEqual((copy?.attributes.fleet as { originalArtifactId?: string }).originalArtifactId, merged.artifacts[0]!.from);
    const stored = await examiner.evidence.getArtifact(merged.artifactId);
    assert.equal(stored?.kind, 'fleet-bundle');
    assert.equal(stored?.sha256, merged.sha256);
    assert.ok((await examiner.evidence.verify(kase.id)).ok);
    const actions = (await examiner.evidence.auditEntries({ caseRef: kase.id })).map((e) => e.action);
    assert.ok(actions.includes('fleet.bundle-merged'));
    // The container's lifecycle row: the node's host, and recorded when the collector read the node (not at the merge).
    const rows = (await examiner.timeline.page({ caseRef: kase.id, limit: 1000 })).rows.filter((r) => r.source === 'lifecycle');
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0]!.host, 'node1');
    assert.match(rows[0]!.detail ?? '', new RegExp(`recorded ${NODE_READ_AT.replace(/\./g, '\\.')}\\)`));
  });

  it('refuses, whole, a bundle signed by another key, an unsigned one, and one altered after signing', async () => {
    const kase = examiner.evidence.createCase({ name: 'Fleet refused' });
    await assert.rejects(
      merge(forged, kase.id),
      /The bundle of node node-1 \(n1\) was refused, nothing of it was merged: .*which this store does not trust/,
    );
    await assert.rejects(merge(unsigned, kase.id), /nothing of it was merged: it is not signed/);
    // Signed by the run key, but not saying it was collected where it was fetched from.
    await assert.rejects(
      merge(bundle, kase.id, (m) => (m.audit.some((e) => e.action === 'fleet.collector-started') ? undefined : 'not from this node')),
      /nothing of it was merged: not from this node/,
    );
    const bytes = readFileSync(bundle);
    const at = bytes.indexOf(payload.subarray(0, 40));
    assert.ok(at > 0);
    bytes.write('DRYDOCK', at, 'latin1');
    const altered = path.join(work, 'altered.ddcase');
    writeFileSync(altered, bytes);
    await assert.rejects(merge(altered, kase.id), /refused, nothing of it was merged: .*altered/);
    assert.deepEqual(await examiner.evidence.listArtifacts({ caseRef: kase.id }), [], 'nothing was stored');
    assert.ok(!(await examiner.evidence.auditEntries({ caseRef: kase.id })).some((e) => e.action === 'fleet.bundle-merged'));
  });
});
