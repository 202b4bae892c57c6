// The yara command's summary and gate line: a rule matching on its condition alone (no string) is a
// rule matched but no string hit, and the counts agree with their nouns (counted()).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderYara, yaraTally } from '../../../main/cli/commands/yara';
import { parseHelperOutput } from '../../../main/core/yara/helper-scan';
import type { YaraScanReport } from '../../../shared/domain/yara';

function report(over: Partial<YaraScanReport>): YaraScanReport {
  return {
    target: { kind: 'artifact', artifactId: 'A1' },
    engine: { name: 'libyara-wasm', version: '4.5.0', where: 'app' },
    rules: [{ name: 't.yar', sha256: '0'.repeat(64), origin: 'user' }],
    rulesMatched: [],
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    scanned: { files: 1, bytes: 26, pids: [], regions: 0, artifactIds: ['A1'] },
    matches: [],
    matchCount: 0,
    truncated: false,
    skipped: [],
    warnings: [],
    limitations: [],
    ...over,
  };
}

describe('yara summary counts', () => {
  it('counts a condition-only rule as a rule matched, not as a string hit', () => {
    const r = report({
      rulesMatched: ['kw', 'small'],
      matches: [
        { rule: 'kw', string: '$a', offset: 3, length: 7, artifactId: 'A1', preview: 'kworker' },
        { rule: 'small', string: '', offset: 0, length: 0, artifactId: 'A1' },
      ],
      matchCount: 2,
      stringHits: 1,
    });
    const text = renderYara(r);
    assert.match(text, /: 2 rules matched \(kw, small\), 1 string hit$/m);
    assert.doesNotMatch(text, /\(s\)/);
    assert.equal(yaraTally(r, false), '2 rules matched, 1 string hit');
  });

  it('says "1 rule matched, 0 string hits" for a lone condition-only rule', () => {
    const r = report({
      rulesMatched: ['small'],
      matches: [{ rule: 'small', string: '', offset: 0, length: 0, artifactId: 'A1' }],
      matchCount: 1,
      stringHits: 0,
    });
    assert.equal(yaraTally(r), '1 rule matched (small), 0 string hits');
  });

  it('reads a report stored before stringHits as its match count', () => {
    assert.equal(yaraTally(report({ rulesMatched: ['kw'], matchCount: 3 }), false), '1 rule matched, 3 string hits');
  });

  it("counts the helper's string lines, not a rule line without strings, and keeps counting past the kept ones", () => {
    const root = '/proc/1/root';
    const out = Buffer.from(
      [
        '@version 4.2.3',
        '@scan',
        `kw ${root}/etc/a`,
        '0x3:7:$a: kworker',
        '0x20:7:$a: kworker',
        `small ${root}/etc/a`,
        '@files 1',
        '@rc 0',
        '@end',
        '',
      ].join('\n'),
    );
    const parsed = parseHelperOutput(out, 'files', 1);
    assert.equal(parsed.matches.length, 1);
    assert.equal(parsed.dropped, 2, 'one string line and the condition-only rule past the one kept');
    assert.equal(parsed.stringHits, 2);
  });
});
