// Artifact and drift scan IDs shortened like git hashes, through the contract on a real store: a
// unique prefix (8+ characters of an artifact ID; ds- and 8+ of a scan's) stands for the whole ID on
// every channel that names one (the record, strings, export, a YARA scan, a drift scan's result),
// resolved in the core; an ambiguous prefix fails naming every candidate, an unknown one says there
// is none, a too short one says how long it must be; upper case is taken as the lower case stored.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import { startTestCore, type TestCore } from '../../helpers/docker';

describe('artifact ID prefixes', () => {
  let t: TestCore;
  let a: ArtifactInfo;
  let b: ArtifactInfo;

  before(async () => {
    t = startTestCore('drydock-artifact-prefix');
    const kase = await t.call('evidence.case-create', { name: 'Prefixes' });
    const meta = {
      caseId: kase.id,
      kind: 'container-inspect' as const,
      source: { host: 'local', containerId: 'c'.repeat(64), containerName: 'web-1' },
      method: 'test: stored as JSON',
      mediaType: 'application/json',
      attributes: {},
    };
    a = await t.core.evidence.ingestJson(meta, { marker: 'PREFIX-MARKER-ALPHA-0001' });
    b = await t.core.evidence.ingestJson(meta, { marker: 'PREFIX-MARKER-BRAVO-0002' });
  });

  after(async () => {
    await t?.close();
  });

  it('takes a unique prefix of 8+ characters wherever an artifact ID goes', async () => {
    assert.equal((await t.call('evidence.artifact', { artifactId: a.id.slice(0, 8) })).id, a.id);
    assert.equal((await t.call('evidence.artifact', { artifactId: b.id.slice(0, 13) })).id, b.id);
    const strings = await t.call('memory.strings', { artifactId: a.id.slice(0, 8), from: 0, limit: 10, minLength: 6 });
    assert.ok(
      strings.strings.some((s) => s.text.includes('PREFIX-MARKER-ALPHA-0001')),
      JSON.stringify(strings.strings),
    );
    const out = path.join(t.storeDir, 'exported.json');
    const exported = await t.call('evidence.export-artifact', { artifactId: b.id.slice(0, 8), path: out });
    assert.equal(exported.sha256, b.sha256);
    assert.ok(existsSync(out));
  });

  it('refuses an unknown prefix as not found, and one shorter than 8 characters as invalid input saying so', async () => {
    const taken = new Set([a.id.slice(0, 8), b.id.slice(0, 8)]);
    const unknown = ['ffffffff', '00000000', '12345678'].find((p) => !taken.has(p)) ?? 'abcdefab';
    const missing = await t.dispatch('evidence.artifact', { artifactId: unknown });
    assert.equal(missing.ok, false);
    assert.equal(!missing.ok && missing.error.kind, 'not-found');
    assert.match(!missing.ok ? missing.error.message : '', new RegExp(`No artifact "${unknown}"`));
    const short = await t.dispatch('memory.strings', { artifactId: a.id.slice(0, 7) });
    assert.equal(!short.ok && short.error.kind, 'invalid-input');
    assert.match(!short.ok ? short.error.message : '', /an artifact ID prefix needs at least 8 hex characters/);
    // IDs are written in lower case; a prefix in upper case names the same artifact.
    assert.equal((await t.call('evidence.artifact', { artifactId: a.id.slice(0, 8).toUpperCase() })).id, a.id);
  });

  it('fails on an ambiguous prefix, listing the candidates', async () => {
    // A second row whose ID shares a's first 9 characters (the store's own IDs are random UUIDs: a
    // collision of 8 characters is made by hand, as a bundle import could bring one).
    const twin = `${a.id.slice(0, 9)}${b.id.slice(9)}`;
    t.core.db.exec('CREATE TEMP TABLE twin AS SELECT * FROM artifacts WHERE 0');
    t.core.db.prepare('INSERT INTO twin SELECT * FROM artifacts WHERE id = ?').run(b.id);
    t.core.db.prepare('UPDATE twin SET id = ?').run(twin);
    t.core.db.exec('INSERT INTO artifacts SELECT * FROM twin');
    const result = await t.dispatch('yara.scan-artifact', { artifactId: a.id.slice(0, 8), starter: true });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.kind, 'conflict');
    const message = !result.ok ? result.error.message : '';
    assert.match(message, /ambiguous/);
    assert.ok(message.includes(a.id) && message.includes(twin), message);
    // More of the ID settles it; the whole ID always does.
    assert.equal((await t.call('evidence.artifact', { artifactId: a.id.slice(0, 10) })).id, a.id);
    assert.equal((await t.call('evidence.artifact', { artifactId: a.id })).id, a.id);
  });

  it('takes a unique prefix of a drift scan ID, and lists the scans an ambiguous one starts', async () => {
    // Two stored scans (as a finished scan's row holds them) started in the same millisecond.
    const kase = (await t.call('evidence.cases', {})).cases[0];
    const insert = t.core.db.prepare(
      'INSERT INTO drift_scans (id, host, case_id, state, started_at, owner_pid, info) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const ids = ['ds-mx3prefx-aaaa1111', 'ds-mx3prefx-bbbb2222'] as const;
    for (const id of ids) {
      const info = { id, host: 'local', caseId: kase?.id, state: 'complete', startedAt: '2026-11-30T00:00:00.000Z', containers: [] };
      insert.run(id, 'local', kase?.id ?? '', 'complete', info.startedAt, process.pid, JSON.stringify(info));
    }
    assert.equal((await t.call('drift.result', { scanId: 'ds-mx3prefx-b' })).id, ids[1]);
    assert.equal((await t.call('drift.result', { scanId: ids[0] })).id, ids[0]);
    const ambiguous = await t.dispatch('yara.scan-drift', { scanId: 'ds-mx3prefx', starter: true });
    assert.equal(!ambiguous.ok && ambiguous.error.kind, 'conflict');
    const message = !ambiguous.ok ? ambiguous.error.message : '';
    assert.ok(message.includes(ids[0]) && message.includes(ids[1]), message);
    const unknown = await t.dispatch('drift.result', { scanId: 'ds-zzzzzzzz' });
    assert.equal(!unknown.ok && unknown.error.kind, 'not-found');
    assert.match(!unknown.ok ? unknown.error.message : '', /No drift scan ds-zzzzzzzz/);
    // Too short (the contract takes any ds- prefix; the core says why it is refused), and in upper case.
    for (const short of ['ds-mx3prf', 'ds-mx3pr']) {
      const refused = await t.dispatch('yara.scan-drift', { scanId: short, starter: true });
      assert.equal(!refused.ok && refused.error.kind, 'invalid-input');
      assert.match(!refused.ok ? refused.error.message : '', /needs ds- and at least 8 more characters/);
    }
    assert.equal((await t.call('drift.result', { scanId: 'DS-MX3PREFX-B' })).id, ids[1]);
  });
});
