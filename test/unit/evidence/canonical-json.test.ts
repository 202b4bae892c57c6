import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalHash, canonicalJson } from '../../../main/core/evidence/canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } }), '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('gives the same text for the same value built in any key order', () => {
    const one = { seq: 1, caseId: 'c', details: { note: 'hi', n: 2 } };
    const two = { details: { n: 2, note: 'hi' }, caseId: 'c', seq: 1 };
    assert.equal(canonicalJson(one), canonicalJson(two));
    assert.equal(canonicalHash(one), canonicalHash(two));
  });

  it('hashes the UTF-8 of the canonical text (a fixed vector)', () => {
    const expected = createHash('sha256').update('{"a":[1,"é"],"b":-1.5}').digest('hex');
    assert.equal(canonicalHash({ b: -1.5, a: [1, 'é'] }), expected);
  });

  it('follows JSON.stringify for the awkward values', () => {
    assert.equal(
      canonicalJson({ u: undefined, f: () => 1, n: NaN, i: -Infinity, z: -0, arr: [undefined, () => 1] }),
      '{"arr":[null,null],"i":null,"n":null,"z":0}',
    );
    assert.equal(canonicalJson(new Date(Date.UTC(2025, 0, 2, 3, 4, 5))), '"2025-01-02T03:04:05.000Z"');
    assert.equal(canonicalJson({ when: { toJSON: () => ({ y: 1, x: 2 }) } }), '{"when":{"x":2,"y":1}}');
  });

  it('keeps hostile text exact: escapes, newlines, lone surrogates, non-ASCII keys', () => {
    const value = { path: '/tmp/\u001b[31mred\n\ud800x', é: '<script>', '\u0000': 'nul' };
    const text = canonicalJson(value);
    assert.ok(!text.includes('\u001b') && !text.includes('\n'), 'control characters are escaped');
    assert.ok(text.includes('\\ud800'), 'a lone surrogate is escaped, not replaced');
    assert.deepEqual(JSON.parse(text), value);
  });

  it('round-trips: canonical(parse(canonical(x))) === canonical(x)', () => {
    const samples: unknown[] = [
      { a: 1e21, b: 1e-7, c: 0.1 + 0.2, d: Number.MAX_SAFE_INTEGER, e: -0 },
      [{ '10': 1, '9': 2, a: [] }, 'x', null, true],
      { nested: { deeper: { deepest: ['\u2028', '\ud83d\ude00', '\udfff'] } } },
    ];
    for (const sample of samples) {
      const once = canonicalJson(sample);
      assert.equal(canonicalJson(JSON.parse(once)), once);
    }
  });

  it('sorts by UTF-16 code units, not by locale', () => {
    assert.equal(canonicalJson({ b: 1, B: 2, a: 3, ä: 4, '10': 5, '9': 6 }), '{"10":5,"9":6,"B":2,"a":3,"b":1,"ä":4}');
  });

  it('refuses values with no JSON form', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(() => canonicalJson(cyclic), /circular/);
    assert.throws(() => canonicalJson({ big: 1n }), /BigInt/);
    assert.throws(() => canonicalJson(undefined), /no JSON form/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { k: 1 };
    assert.equal(canonicalJson({ a: shared, b: shared }), '{"a":{"k":1},"b":{"k":1}}');
  });
});
