import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scoreReason } from '../../../renderer/src/views/drift/drift-text';

describe('drift score reason', () => {
  it('spells out the file findings with their weights and what configuration and risk flags added', () => {
    const counts = { critical: 1, high: 2, medium: 0, low: 3, info: 4 };
    // 1000 + 200 + 3 from files, 110 more from a high risk flag and a medium config change.
    assert.equal(
      scoreReason(counts, 1313),
      'files: 1 critical × 1000 + 2 high × 100 + 3 low × 1; configuration drift and risk flags: 110; 4 info changes (weight 0)',
    );
  });

  it('says when nothing weighs, and when a container is not scored yet', () => {
    assert.equal(scoreReason({ critical: 0, high: 0, medium: 0, low: 0, info: 2 }, 0), 'no finding above info; 2 info changes (weight 0)');
    assert.equal(scoreReason(undefined, undefined), 'not scored yet');
    assert.equal(
      scoreReason({ critical: 0, high: 0, medium: 0, low: 0, info: 0 }, 100),
      'no file finding above info; configuration drift and risk flags: 100',
    );
  });
});
