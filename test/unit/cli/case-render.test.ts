// `drydock evidence list` (and `case artifacts`) names the case it lists, escaped: case names come
// from examiners and from imported bundles.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { artifactsHeader } from '../../../main/cli/commands/case';
import type { CaseInfo } from '../../../shared/domain/evidence';

function kase(id: string, name: string): CaseInfo {
  return {
    id,
    name,
    examiner: 'ex',
    organisation: '',
    timeZone: 'UTC',
    description: '',
    status: 'open',
    readOnly: false,
    createdAt: '2026-12-01T00:00:00Z',
  };
}

describe('evidence list header', () => {
  const list = { cases: [kase('c-1', 'INC-1'), kase('c-2', 'evil\u001b[2Jname')], currentCaseId: 'c-1' };

  it('names the current case without --case, and counts with the noun agreeing', () => {
    assert.equal(artifactsHeader(list, undefined, 1), 'Case INC-1 (c-1), the current case: 1 artifact');
    assert.equal(artifactsHeader(list, undefined, 3), 'Case INC-1 (c-1), the current case: 3 artifacts');
  });

  it('names the case --case chose, by ID or by name, escaped', () => {
    const line = artifactsHeader(list, 'c-2', 0);
    assert.ok(!line.includes('\u001b'), 'no raw escape reaches the terminal');
    assert.match(line, /^Case evil\\x1b\[2Jname \(c-2\): 0 artifacts$/);
    assert.equal(artifactsHeader(list, 'INC-1', 2), 'Case INC-1 (c-1): 2 artifacts');
  });

  it('says when no case is selected', () => {
    assert.match(artifactsHeader({ cases: list.cases, currentCaseId: null }, undefined, 0), /^No case selected/);
  });
});
