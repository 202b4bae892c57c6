// `drydock cluster triage` says what it did on the hosts: the helper image it loaded (and left for
// later runs) and the helper containers its reads ran and removed, from the audit entries it caused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { footprintLine } from '../../../main/cli/commands/cluster-triage';
import { triageFootprint } from '../../../main/core/cluster/cluster-triage';
import type { AuditEntry } from '../../../shared/domain/evidence';

let seq = 0;
const entry = (action: string, details: Record<string, unknown>): AuditEntry => ({
  seq: ++seq,
  caseId: 'case-1',
  at: '2026-12-01T04:00:00Z',
  examiner: 'ex',
  action,
  details,
  prevHash: '',
  hash: '',
});
const helper = (host: string, action: string) =>
  entry(action, { host, containerId: `${host}-c`, name: 'drydock-drift-index-1', purpose: 'drift-index' });

describe('cluster triage footprint', () => {
  it('counts the helper image loads and the helper containers, per run', () => {
    const f = triageFootprint([
      entry('capture.helper-image-loaded', { host: 'dd2', image: 'drydock/capture-helper:1', bytes: 21_800_000 }),
      entry('capture.helper-image-loaded', { host: 'dd3', image: 'drydock/capture-helper:1', bytes: 21_800_000 }),
      helper('dd2', 'helper.created'),
      helper('dd2', 'helper.removed'),
      helper('dd3', 'helper.created'),
      helper('dd3', 'helper.removed'),
      entry('drift.scan-started', { host: 'dd1' }),
      entry('helper.created', { containerId: 'x' }),
    ]);
    assert.deepEqual(f.hosts, ['dd2', 'dd3']);
    assert.equal(f.helpersCreated, 2);
    assert.equal(f.helpersRemoved, 2);
    assert.equal(
      footprintLine(f),
      'On the hosts: helper image drydock/capture-helper:1 loaded on 2 hosts (dd2, dd3; 21.8 MB each; left there for later runs), 2 helper containers run and removed (drydock footprint lists each action)',
    );
  });

  it('says nothing was loaded or run, and names helpers left behind', () => {
    assert.equal(
      footprintLine(triageFootprint([])),
      'On the hosts: no helper image loaded, no helper container run (drydock footprint lists each action)',
    );
    const left = footprintLine(
      triageFootprint([
        helper('dd2', 'helper.created'),
        helper('dd2', 'helper.remove-failed'),
        entry('capture.helper-image-load-failed', { host: 'd\u001b[2J' }),
      ]),
    );
    assert.match(left, /1 helper container run and 0 removed, 1 could not be removed \(left for the sweeper\)/);
    assert.match(left, /failed part way on d\\x1b\[2J/);
    assert.ok(!left.includes('\u001b'));
  });
});
