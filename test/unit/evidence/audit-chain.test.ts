import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AuditEntry, VerifyProblem } from '../../../shared/domain/evidence';
import { ChainChecker, entryHash, genesisHash } from '../../../main/core/evidence/audit-chain';
import { type TestStore, meta, openStore } from './store-fixture';

function firstChainProblem(problems: VerifyProblem[]): Extract<VerifyProblem, { kind: 'chain-broken' }> {
  const first = problems[0];
  assert.ok(first, 'a problem is reported');
  assert.equal(first.kind, 'chain-broken', `first problem: ${JSON.stringify(first)}`);
  return first as Extract<VerifyProblem, { kind: 'chain-broken' }>;
}

describe('audit chain in the store', () => {
  let store: TestStore;
  let caseId: string;

  beforeEach(async () => {
    store = openStore();
    caseId = store.evidence.createCase({ name: 'Chain case', timeZone: 'Europe/Berlin' }).id;
    for (const text of ['first note', 'second note', 'third note', 'fourth note']) await store.evidence.addNote(text);
  });
  afterEach(() => store.dispose());

  it('chains each entry to the previous one from a genesis derived from the case ID', async () => {
    const entries = await store.evidence.auditEntries({ caseRef: caseId });
    assert.deepEqual(
      entries.map((e) => e.action),
      ['case.created', 'note.added', 'note.added', 'note.added', 'note.added'],
    );
    assert.equal(entries[0]?.prevHash, genesisHash(caseId));
    for (let i = 1; i < entries.length; i++) assert.equal(entries[i]?.prevHash, entries[i - 1]?.hash);
    for (const e of entries) {
      assert.equal(e.hash, entryHash(e));
      assert.equal(e.examiner, 'examiner-a');
      assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    assert.notEqual(genesisHash(caseId), genesisHash(null));
    const report = await store.evidence.verify(caseId);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.checkedEntries, 5);
  });

  it('detects an edited details field and names the entry', async () => {
    store.db
      .prepare('UPDATE audit_log SET details = ? WHERE chain = ? AND seq = 3')
      .run(JSON.stringify({ text: 'second note, rewritten' }), caseId);
    const report = await store.evidence.verify(caseId);
    assert.equal(report.ok, false);
    const problem = firstChainProblem(report.problems);
    assert.equal(problem.seq, 3);
    assert.match(problem.message, /audit entry 3 .*"note\.added".* altered/);
  });

  it('detects a deleted entry in the middle', async () => {
    store.db.prepare('DELETE FROM audit_log WHERE chain = ? AND seq = 2').run(caseId);
    const problem = firstChainProblem((await store.evidence.verify(caseId)).problems);
    assert.equal(problem.seq, 2);
    assert.match(problem.message, /entry 2 is missing .*jumps from 1 to 3/);
  });

  it('detects deleted entries at the end (the head record remembers)', async () => {
    store.db.prepare('DELETE FROM audit_log WHERE chain = ? AND seq >= 4').run(caseId);
    const problem = firstChainProblem((await store.evidence.verify(caseId)).problems);
    assert.equal(problem.seq, 4);
    assert.match(problem.message, /entries 4 to 5 are missing/);
  });

  it('detects reordered entries', async () => {
    // Swap the positions of entries 2 and 4 (each keeps its content, hash and links).
    const swap = store.db.transaction(() => {
      store.db.prepare('UPDATE audit_log SET seq = -1 WHERE chain = ? AND seq = 2').run(caseId);
      store.db.prepare('UPDATE audit_log SET seq = 2 WHERE chain = ? AND seq = 4').run(caseId);
      store.db.prepare('UPDATE audit_log SET seq = 4 WHERE chain = ? AND seq = -1').run(caseId);
    });
    swap();
    const problem = firstChainProblem((await store.evidence.verify(caseId)).problems);
    assert.equal(problem.seq, 2);
  });

  it('detects a chain transplanted onto another case', async () => {
    const other = store.evidence.createCase({ name: 'Other case' }).id;
    store.db.transaction(() => {
      store.db.prepare('DELETE FROM audit_log WHERE chain = ?').run(other);
      store.db.prepare('UPDATE audit_log SET chain = ?, case_id = ? WHERE chain = ?').run(other, other, caseId);
      store.db.prepare('DELETE FROM audit_heads WHERE chain = ?').run(other);
      store.db.prepare('UPDATE audit_heads SET chain = ? WHERE chain = ?').run(other, caseId);
    })();
    const problem = firstChainProblem((await store.evidence.verify(other)).problems);
    assert.equal(problem.seq, 1);
    assert.match(problem.message, /belongs to case|genesis/);
  });

  it('detects an edited case row and an edited artifact row', async () => {
    const artifact = await store.evidence.ingestJson(meta(caseId, { kind: 'process-snapshot', mediaType: 'application/json' }), {
      pids: [1, 2],
    });
    assert.equal((await store.evidence.verify()).ok, true);

    store.db.prepare('UPDATE artifacts SET method = ? WHERE id = ?').run('something else', artifact.id);
    let report = await store.evidence.verify(caseId);
    assert.deepEqual(
      report.problems.map((p) => p.kind),
      ['row-tampered'],
    );
    const rowProblem = report.problems[0] as Extract<VerifyProblem, { kind: 'row-tampered' }>;
    assert.equal(rowProblem.table, 'artifacts');
    assert.equal(rowProblem.id, artifact.id);
    assert.match(rowProblem.message, /no longer matches the hash recorded in audit entry \d+/);

    store.db.prepare('UPDATE artifacts SET method = ? WHERE id = ?').run(artifact.method, artifact.id);
    store.db.prepare('UPDATE cases SET organisation = ? WHERE id = ?').run('Someone Else Ltd', caseId);
    report = await store.evidence.verify(caseId);
    const caseProblem = report.problems[0] as Extract<VerifyProblem, { kind: 'row-tampered' }>;
    assert.equal(caseProblem.table, 'cases');
    assert.match(caseProblem.message, /organisation/);
  });

  it('detects an artifact row deleted or inserted behind its back', async () => {
    const artifact = await store.evidence.ingestJson(meta(caseId), { a: 1 });
    store.db.pragma('foreign_keys = OFF');
    store.db.prepare('DELETE FROM artifacts WHERE id = ?').run(artifact.id);
    let report = await store.evidence.verify(caseId);
    assert.match((report.problems[0] as { message: string }).message, /row is missing \(deleted\)/);

    store.db
      .prepare(
        "INSERT INTO artifacts (id, case_id, kind, status, status_reason, source_json, method, media_type, drydock_version, acquired_at, size, sha256, attributes_json) VALUES ('forged', ?, 'logs', 'complete', NULL, '{}', 'm', 't', '0', 'x', 0, ?, '{}')",
      )
      .run(caseId, artifact.sha256);
    report = await store.evidence.verify(caseId);
    assert.ok(report.problems.some((p) => p.kind === 'row-tampered' && p.id === 'forged' && /not written by Drydock/.test(p.message)));
  });

  it('puts actions under no case on the store chain, which verifies too', async () => {
    store.evidence.audit('host.added', { host: 'lab' }, undefined);
    await store.evidence.closeCase(caseId);
    // The current case is closed now: general actions go to the store chain.
    const entry = store.evidence.audit('host.tested', { host: 'lab', ok: true });
    assert.equal(entry.caseId, null);
    assert.equal(entry.seq, 1);
    assert.equal(entry.prevHash, genesisHash(null));
    const report = await store.evidence.verify();
    assert.equal(report.ok, true, JSON.stringify(report.problems));
  });

  it('emits every appended entry on the event hub', async () => {
    const appended = store.seen.filter((s) => s.event === 'evidence.audit-appended').map((s) => (s.payload as AuditEntry).action);
    assert.deepEqual(appended, ['case.created', 'note.added', 'note.added', 'note.added', 'note.added']);
  });
});

describe('ChainChecker on entries from anywhere', () => {
  function chain(caseId: string, n: number): AuditEntry[] {
    const out: AuditEntry[] = [];
    let prev = genesisHash(caseId);
    for (let seq = 1; seq <= n; seq++) {
      const e = {
        seq,
        caseId,
        at: `2025-01-01T00:00:0${seq}.000Z`,
        examiner: 'x',
        action: 'note.added',
        details: { text: `n${seq}` },
        prevHash: prev,
      };
      const hashed = { ...e, hash: entryHash(e) };
      out.push(hashed);
      prev = hashed.hash;
    }
    return out;
  }

  function check(caseId: string, entries: AuditEntry[]): ChainChecker {
    const checker = new ChainChecker(caseId, 'case "t"');
    for (const e of entries) checker.push(e);
    const last = entries[entries.length - 1];
    checker.end(last ? { seq: last.seq, hash: last.hash } : undefined);
    return checker;
  }

  it('accepts an intact chain', () => {
    assert.deepEqual(check('case-1', chain('case-1', 5)).problems, []);
  });

  it('reports reordering at the first misplaced entry', () => {
    const entries = chain('case-1', 5);
    const [a, b] = [entries[1], entries[2]];
    assert.ok(a && b);
    entries[1] = b;
    entries[2] = a;
    const problem = check('case-1', entries).problems[0];
    assert.equal(problem?.kind, 'chain-broken');
    assert.match((problem as { message: string }).message, /entry 2 is missing|out of order/);
  });

  it('reports a rewritten chain whose hashes were recomputed but whose genesis is foreign', () => {
    const foreign = chain('case-2', 3).map((e) => ({ ...e, caseId: 'case-1' }));
    const problems = check('case-1', foreign).problems;
    assert.equal(problems[0]?.kind, 'chain-broken');
    assert.match((problems[0] as { message: string }).message, /genesis/);
  });
});
