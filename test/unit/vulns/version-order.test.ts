// The three distribution version orderings against the reference tools on this machine: dpkg's
// own `dpkg --compare-versions` and rpm's `rpm.vercmp` (through `rpm --eval` with Lua), each on a
// few thousand generated pairs (seeded, so a failure reproduces); apk against apk-tools' own test
// vectors (no apk here).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { compareApkVersions } from '../../../main/core/vulns/apk-version';
import { compareDpkgVersions } from '../../../main/core/vulns/dpkg-version';
import { compareRpmVersions } from '../../../main/core/vulns/rpm-version';

/** A small seeded generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)] as T;
}

function piece(rnd: () => number, alphabet: string, max: number): string {
  let s = '';
  const n = 1 + Math.floor(rnd() * max);
  for (let i = 0; i < n; i++) s += pick(rnd, alphabet.split(''));
  return s;
}

/** A second version near the first: most pairs share a prefix, which is where orderings differ. */
function mutate(rnd: () => number, v: string, alphabet: string): string {
  const at = Math.floor(rnd() * (v.length + 1));
  switch (Math.floor(rnd() * 5)) {
    case 0:
      return v.slice(0, at) + pick(rnd, alphabet.split('')) + v.slice(at + 1);
    case 1:
      return v.slice(0, at) + pick(rnd, alphabet.split('')) + v.slice(at);
    case 2:
      return v + pick(rnd, ['~rc1', '+b1', '.1', 'a', '~', '0', '.0', '^1', '~~']);
    case 3:
      return v.slice(0, Math.max(1, at));
    default:
      return v;
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'drydock-vercmp-'));
after(() => rmSync(work, { recursive: true, force: true }));

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

describe('dpkg version ordering', () => {
  it('agrees with dpkg --compare-versions on 2,000 generated pairs', () => {
    const rnd = random(17);
    const upstreamChars = '0123456789abcxyzAZ.+~';
    const pairs: [string, string][] = [];
    const version = () => {
      const epoch = rnd() < 0.2 ? `${Math.floor(rnd() * 3)}:` : '';
      const upstream = `${Math.floor(rnd() * 10)}${piece(rnd, upstreamChars, 8)}`;
      const revision = rnd() < 0.6 ? `-${piece(rnd, '0123456789abdeb.+~', 6)}` : '';
      return epoch + upstream + revision;
    };
    const valid = (v: string) => /^(\d+:)?\d[A-Za-z0-9.+~-]*$/.test(v) && !/-$/.test(v) && !/:.*:/.test(v);
    while (pairs.length < 2000) {
      const a = version();
      const b = rnd() < 0.8 ? mutate(rnd, a, upstreamChars) : version();
      if (valid(a) && valid(b)) pairs.push([a, b]);
    }
    const file = path.join(work, 'dpkg-pairs');
    writeFileSync(file, pairs.map(([a, b]) => `${a} ${b}\n`).join(''));
    // One shell for all pairs: dpkg is run twice per pair at most, without Node's spawn cost.
    const out = execFileSync(
      'sh',
      [
        '-c',
        `while read a b; do if dpkg --compare-versions "$a" lt "$b" 2>/dev/null; then echo -1; elif dpkg --compare-versions "$a" eq "$b" 2>/dev/null; then echo 0; else echo 1; fi; done <"$1"`,
        'sh',
        file,
      ],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    )
      .trim()
      .split('\n')
      .map(Number);
    assert.equal(out.length, pairs.length);
    const wrong = pairs.filter(([a, b], i) => sign(compareDpkgVersions(a, b)) !== out[i]).slice(0, 5);
    assert.deepEqual(wrong, [], 'pairs ordered differently from dpkg');
    // The generator must exercise all three answers, or the agreement says little.
    for (const answer of [-1, 0, 1]) assert.ok(out.filter((n) => n === answer).length > 100, `answer ${answer} is frequent enough`);
  });
});

describe('rpm version ordering', () => {
  it("agrees with rpm's rpm.vercmp on 3,000 generated [EPOCH:]VERSION[-RELEASE] pairs", () => {
    const rnd = random(42);
    const chars = '0123456789aAzZ._~^+';
    const version = () => {
      const epoch = rnd() < 0.15 ? `${Math.floor(rnd() * 3)}:` : '';
      const release = rnd() < 0.6 ? `-${piece(rnd, '0123456789el.~^_', 5)}` : '';
      return epoch + piece(rnd, chars, 8) + release;
    };
    const pairs: [string, string][] = [];
    while (pairs.length < 3000) {
      const a = version();
      const b = rnd() < 0.8 ? mutate(rnd, a, chars) : version();
      if (!/[\t\n'"\\%{}]/.test(a + b) && a !== '' && b !== '') pairs.push([a, b]);
    }
    const file = path.join(work, 'rpm-pairs');
    writeFileSync(file, pairs.map(([a, b]) => `${a}\t${b}\n`).join(''));
    const lua = `%{lua: for line in io.lines("${file}") do local a, b = line:match("^(.-)\\t(.*)$"); print(rpm.vercmp(a, b) .. "\\n") end}`;
    const out = execFileSync('rpm', ['--eval', lua], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number);
    assert.equal(out.length, pairs.length);
    const wrong = pairs.filter(([a, b], i) => sign(compareRpmVersions(a, b)) !== sign(out[i] as number)).slice(0, 5);
    assert.deepEqual(wrong, [], 'pairs ordered differently from rpm');
    for (const answer of [-1, 0, 1]) assert.ok(out.filter((n) => sign(n) === answer).length > 100, `answer ${answer} is frequent enough`);
  });
});

describe('apk version ordering', () => {
  // A sample of apk-tools' test/version.data lines, each checked both ways round.
  const vectors: [string, '<' | '=' | '>', string][] = [
    ['2.34', '>', '0.1.0_alpha'],
    ['23_foo', '>', '4_beta'],
    ['0.1.0_alpha', '=', '0.1.0_alpha'],
    ['0.1.0_alpha', '<', '0.1.3_alpha'],
    ['0.1.3_alpha', '>', '0.1.0_alpha'],
    ['0.1.0_alpha2', '>', '0.1.0_alpha'],
    ['0.1.0_alpha', '<', '2.2.39-r1'],
    ['2.2.39-r1', '>', '1.0.4-r3'],
    ['1.0.4-r3', '<', '1.0.4-r4'],
    ['1.0.4-r4', '<', '1.6'],
    ['1.6', '>', '1.0.2'],
    ['1.0.2', '>', '0.7-r1'],
    ['0.7-r1', '<', '1.0.0'],
    ['1.0.0', '<', '1.0.1'],
    ['1.0.1', '<', '1.1'],
    ['1.1', '>', '1.1_alpha1'],
    ['1.1_alpha1', '<', '1.2.1'],
    ['1.2.1', '>', '1.2'],
    ['1.2', '<', '1.3_alpha'],
    ['1.3_alpha', '<', '1.3_alpha2'],
    ['1.3_alpha2', '<', '1.3_alpha3'],
    ['1.3_alpha8', '>', '0.6.0'],
    ['0.6.0', '<', '0.6.1'],
    ['0.6.1', '<', '0.7.0'],
    ['0.7.0', '<', '0.8_beta1'],
    ['0.8_beta1', '<', '0.8_beta2'],
    ['0.8_beta4', '<', '4.8-r1'],
    ['3.10.18-r1', '>', '2.3.0b-r1'],
    ['2.3.0b-r1', '<', '2.3.0b-r2'],
    ['2.3.0b-r2', '<', '2.3.0b-r3'],
    ['1.0_p10-r0', '>', '1.0_p9-r0'],
    ['0.1.0_alpha_pre2', '<', '0.1.0_alpha'],
    ['1.3_pre1-r1', '<', '1.3.2'],
    ['0.20070207_rc1', '<', '1.0'],
    ['2.0.0_rc3-r1', '>', '1.5'],
    ['4.5_p1', '<', '4.5_p1-r1'],
    ['1.06-r6', '<', '006'],
    ['3.0.20060720', '<', '20060720'],
    ['0.9.28.1', '<', '087-r1'],
    ['2.12r-r4', '<', '2.12r-r5'],
    ['1.2.07.8', '<', '1.2.12.04'],
    ['1.2a', '<', '1.2b'],
    ['1.2a', '>', '1.2'],
  ];
  it("orders apk-tools' test vectors as apk does", () => {
    const wrong: string[] = [];
    for (const [a, op, b] of vectors) {
      const want = op === '<' ? -1 : op === '=' ? 0 : 1;
      if (compareApkVersions(a, b) !== want) wrong.push(`${a} ${op} ${b}`);
      if (compareApkVersions(b, a) !== -want) wrong.push(`${b} ${op === '<' ? '>' : op === '>' ? '<' : '='} ${a}`);
    }
    assert.deepEqual(wrong, []);
  });
});
