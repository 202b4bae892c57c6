// Issue 11: the examiner on every record. The case says j.doe; the server runs as root; every audit
// entry and artifact of that case must say j.doe, unless the examiner explicitly says otherwise —
// and a change of examiner is itself on the record.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { AuditEntry } from '../../../shared/domain/evidence';
import { drydock } from '../../helpers/cli';
import { createCore } from '../../../main/app/core';
import { createDispatcher } from '../../../main/app/dispatch';
import { createHandlers } from '../../../main/app/handlers';
import { docker } from '../../helpers/docker';

function audit(store: string, env: NodeJS.ProcessEnv): AuditEntry[] {
  const r = drydock(store, ['case', 'audit', '--json'], { env });
  assert.equal(r.code, 0, r.err);
  return r.out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditEntry);
}

describe('the acting examiner', () => {
  const stores: string[] = [];
  after(() => stores.forEach((s) => rmSync(s, { recursive: true, force: true })));

  it("writes the case's examiner, not the OS user, when no one chose otherwise; --examiner and DRYDOCK_EXAMINER win", () => {
    const store = mkdtempSync('/tmp/drydock-examiner-');
    stores.push(store);
    const os = { DRYDOCK_EXAMINER: '' };
    let r = drydock(store, ['case', 'create', '--name', 'INC-7', '--examiner', 'j.doe'], { env: os });
    assert.equal(r.code, 0, r.err);
    r = drydock(store, ['inventory'], { env: os });
    assert.equal(r.code, 0, r.err);
    r = drydock(store, ['case', 'note', 'seen', 'by', 'the', 'lead'], { env: os });
    assert.equal(r.code, 0, r.err);
    const before = audit(store, os);
    assert.ok(before.length >= 4);
    assert.deepEqual([...new Set(before.map((e) => e.examiner))], ['j.doe'], 'every entry is j.doe, none the OS user');
    assert.notEqual(docker(['info', '--format', '{{.ID}}']), '', 'the engine answered');

    r = drydock(store, ['case', 'note', 'second opinion', '--examiner', 'a.smith'], { env: os });
    assert.equal(r.code, 0, r.err);
    r = drydock(store, ['case', 'note', 'from the environment'], { env: { DRYDOCK_EXAMINER: 'ops-bot' } });
    assert.equal(r.code, 0, r.err);
    const entries = audit(store, os);
    const notes = entries.filter((e) => e.action === 'note.added').map((e) => [e.examiner, (e.details as { text: string }).text]);
    assert.deepEqual(notes, [
      ['j.doe', 'seen by the lead'],
      ['a.smith', 'second opinion'],
      ['ops-bot', 'from the environment'],
    ]);
  });

  it('records a change of examiner made in the app, by the new examiner, naming the previous one', async () => {
    const store = mkdtempSync('/tmp/drydock-examiner-app-');
    stores.push(store);
    // As the app starts: no explicit examiner (the UI's field is empty), whatever DRYDOCK_EXAMINER says.
    const core = createCore({ storeDir: store });
    const dispatch = createDispatcher(createHandlers(core));
    try {
      const created = await dispatch('evidence.case-create', { name: 'INC-8', examiner: 'j.doe' });
      assert.ok(created.ok);
      const before = await dispatch('evidence.examiner', {});
      assert.ok(before.ok);
      const chosen = await dispatch('evidence.examiner-set', { name: 'k.lee' });
      assert.ok(chosen.ok);
      assert.deepEqual(chosen.value, { name: 'k.lee', source: 'explicit' });
      const log = await dispatch('evidence.audit', {});
      assert.ok(log.ok);
      const entries = log.value as AuditEntry[];
      const change = entries.find((e) => e.action === 'examiner.changed');
      assert.ok(change, 'the change is audited');
      assert.equal(change.examiner, 'k.lee');
      assert.deepEqual(change.details, { from: (before.value as { name: string }).name, to: 'k.lee', source: 'explicit' });
      const cleared = await dispatch('evidence.examiner-set', { name: '' });
      assert.ok(cleared.ok);
      assert.notEqual((cleared.value as { name: string }).name, 'k.lee', 'an empty name clears the choice');
    } finally {
      await core.close();
    }
  });
});
