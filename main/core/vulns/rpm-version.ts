// rpm version ordering: rpmvercmp (rpmio/rpmvercmp.c, rpm 4.18) on each part of an
// [EPOCH:]VERSION-RELEASE, epochs compared as integers (a missing epoch is 0). Alphanumeric runs
// are compared segment by segment (numeric segments numerically and newer than alphabetic ones),
// '~' sorts before everything, even the end, and '^' after the end but before anything else.
// Written here: no maintained npm package implements it; test/unit/vulns checks it against
// rpm's own rpm.vercmp (through `rpm --eval` with Lua).

const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isAlnum = (c: string) => isDigit(c) || isAlpha(c);

/** rpmvercmp: -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const ch = (s: string, k: number) => (k < s.length ? (s[k] as string) : '');
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(ch(a, i)) && ch(a, i) !== '~' && ch(a, i) !== '^') i++;
    while (j < b.length && !isAlnum(ch(b, j)) && ch(b, j) !== '~' && ch(b, j) !== '^') j++;
    if (ch(a, i) === '~' || ch(b, j) === '~') {
      if (ch(a, i) !== '~') return 1;
      if (ch(b, j) !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (ch(a, i) === '^' || ch(b, j) === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ch(a, i) !== '^') return 1;
      if (ch(b, j) !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    let x = i;
    let y = j;
    let numeric: boolean;
    if (isDigit(ch(a, x))) {
      while (x < a.length && isDigit(ch(a, x))) x++;
      while (y < b.length && isDigit(ch(b, y))) y++;
      numeric = true;
    } else {
      while (x < a.length && isAlpha(ch(a, x))) x++;
      while (y < b.length && isAlpha(ch(b, y))) y++;
      numeric = false;
    }
    if (x === i) return -1;
    if (y === j) return numeric ? 1 : -1;
    let one = a.slice(i, x);
    let two = b.slice(j, y);
    if (numeric) {
      one = one.replace(/^0+/, '');
      two = two.replace(/^0+/, '');
      if (one.length !== two.length) return one.length > two.length ? 1 : -1;
    }
    if (one !== two) return one < two ? -1 : 1;
    i = x;
    j = y;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

function parseEvr(evr: string): { epoch: string; version: string; release?: string } {
  // An epoch is the digits before the first ':' (none, or empty, is 0); anything else before a ':' is part of the version.
  const colon = evr.indexOf(':');
  const epochText = colon >= 0 ? evr.slice(0, colon) : '';
  const split = colon >= 0 && /^\d*$/.test(epochText);
  const rest = split ? evr.slice(colon + 1) : evr;
  const dash = rest.lastIndexOf('-');
  const epoch = split && epochText !== '' ? epochText : '0';
  return dash >= 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest };
}

/**
 * Compares two [EPOCH:]VERSION[-RELEASE] strings as rpm's rpmverCmp does (lib/rpmver.c, what
 * rpm.vercmp runs): epochs (missing = 0), then versions, then releases, a present release above a
 * missing one.
 */
export function compareRpmVersions(a: string, b: string): number {
  const x = parseEvr(a);
  const y = parseEvr(b);
  const epoch = rpmvercmp(x.epoch, y.epoch);
  if (epoch) return epoch;
  const version = rpmvercmp(x.version, y.version);
  if (version) return version;
  if (x.release === undefined || y.release === undefined) return x.release === y.release ? 0 : x.release === undefined ? -1 : 1;
  return rpmvercmp(x.release, y.release);
}
