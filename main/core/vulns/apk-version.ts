// Alpine version ordering as apk-tools implements it (src/version.c, apk-tools 2.14:
// get_token/next_token and apk_version_compare_blob): tokens are digit runs (after a '.', leading
// zeros make a fraction-like component that sorts lower), one lowercase letter, suffixes
// (_alpha < _beta < _pre < _rc < nothing < _cvs < _svn < _git < _hg < _p) with an optional number,
// and the -rN revision. Written here: there is no maintained npm package for it, and this machine
// has no apk to check against, so the unit test pins apk-tools' own test vectors.

const T = { invalid: -1, digitOrZero: 0, digit: 1, letter: 2, suffix: 3, suffixNo: 4, revisionNo: 5, end: 6 } as const;
const PRE = ['alpha', 'beta', 'pre', 'rc'];
const POST = ['cvs', 'svn', 'git', 'hg', 'p'];

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isLower = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';

class Cursor {
  at = 0;
  type: number = T.digit;
  constructor(readonly s: string) {}
  get len() {
    return this.s.length - this.at;
  }
  peek(k = 0) {
    return this.s[this.at + k];
  }
}

function nextToken(c: Cursor): void {
  let n: number = T.invalid;
  if (c.len <= 0) n = T.end;
  else if ((c.type === T.digit || c.type === T.digitOrZero) && isLower(c.peek())) n = T.letter;
  else if (c.type === T.letter && isDigit(c.peek())) n = T.digit;
  else if (c.type === T.suffix && isDigit(c.peek())) n = T.suffixNo;
  else {
    const here = c.peek();
    if (here === '.') n = T.digitOrZero;
    else if (here === '_') n = T.suffix;
    else if (here === '-' && c.len > 1 && c.peek(1) === 'r') {
      n = T.revisionNo;
      c.at++;
    }
    c.at++;
  }
  if (n < c.type) {
    if (!(
      (n === T.digitOrZero && c.type === T.digit) ||
      (n === T.suffix && c.type === T.suffixNo) ||
      (n === T.digit && c.type === T.letter)
    ))
      n = T.invalid;
  }
  c.type = n;
}

function getToken(c: Cursor): number {
  let v = 0;
  let i = 0;
  let nt: number = T.invalid;
  if (c.len <= 0) {
    c.type = T.end;
    return 0;
  }
  const ch = (k: number) => c.s[c.at + k];
  const digits = () => {
    while (i < c.len && isDigit(ch(i))) {
      v = v * 10 + (c.s.charCodeAt(c.at + i) - 48);
      i++;
    }
  };
  switch (c.type) {
    case T.digitOrZero:
      // Leading zeros make a component that sorts below every plain number of that position.
      if (ch(0) === '0') {
        while (i < c.len && ch(i) === '0') i++;
        nt = T.digit;
        v = -i;
      } else digits();
      break;
    case T.digit:
    case T.suffixNo:
    case T.revisionNo:
      digits();
      break;
    case T.letter:
      v = c.s.charCodeAt(c.at);
      i = 1;
      break;
    case T.suffix: {
      const rest = c.s.slice(c.at);
      const pre = PRE.findIndex((s) => rest.startsWith(s));
      if (pre >= 0) {
        i = (PRE[pre] as string).length;
        v = pre - PRE.length;
        break;
      }
      const post = POST.findIndex((s) => rest.startsWith(s));
      if (post >= 0) {
        i = (POST[post] as string).length;
        v = post;
        break;
      }
      c.type = T.invalid;
      return -1;
    }
    default:
      c.type = T.invalid;
      return -1;
  }
  c.at += i;
  if (c.len <= 0) c.type = T.end;
  else if (nt !== T.invalid) c.type = nt;
  else nextToken(c);
  return v;
}

/** Compares two Alpine package versions: -1, 0 or 1, as `apk version -t` orders them. */
export function compareApkVersions(a: string, b: string): number {
  const x = new Cursor(a);
  const y = new Cursor(b);
  let av = 0;
  let bv = 0;
  while (x.type === y.type && x.type !== T.end && x.type !== T.invalid && av === bv) {
    av = getToken(x);
    bv = getToken(y);
  }
  if (av < bv) return -1;
  if (av > bv) return 1;
  if (x.type === y.type) return 0;
  if (x.type === T.suffix) {
    const probe = new Cursor(a);
    probe.at = x.at;
    probe.type = x.type;
    if (getToken(probe) < 0) return -1;
  }
  if (y.type === T.suffix) {
    const probe = new Cursor(b);
    probe.at = y.at;
    probe.type = y.type;
    if (getToken(probe) < 0) return 1;
  }
  if (x.type > y.type) return -1;
  if (y.type > x.type) return 1;
  return 0;
}
