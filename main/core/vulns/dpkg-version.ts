// Debian version ordering, as dpkg implements it (lib/dpkg/version.c: dpkg_version_compare and
// verrevcmp; deb-version(7)): [epoch:]upstream[-revision], epochs compared as integers, the two
// other parts by alternating non-digit runs (letters sort before non-letters, '~' before
// everything, even the end) and digit runs (numerically). Written here, not taken from a
// library: the npm packages that do this are unmaintained; test/unit/vulns checks it against
// `dpkg --compare-versions` itself.

interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

function parse(version: string): DebianVersion {
  const text = version.trim();
  const colon = text.indexOf(':');
  const epochText = colon >= 0 ? text.slice(0, colon) : '';
  const epoch = /^\d+$/.test(epochText) ? Number(epochText) : 0;
  const rest = colon >= 0 ? text.slice(colon + 1) : text;
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** dpkg's order(): digits and the end weigh 0, letters their code, '~' -1, anything else its code + 256. */
function order(c: number | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 126) return -1;
  return c + 256;
}

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  const at = (s: string, k: number) => (k < s.length ? s.charCodeAt(k) : undefined);
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(at(a, i));
      const bc = order(at(b, j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (at(a, i) === 48) i++;
    while (at(b, j) === 48) j++;
    while (i < a.length && j < b.length && isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a.charCodeAt(i))) return 1;
    if (j < b.length && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Compares two Debian versions: negative, zero or positive, as dpkg --compare-versions orders them. */
export function compareDpkgVersions(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  const upstream = verrevcmp(x.upstream, y.upstream);
  if (upstream) return Math.sign(upstream);
  return Math.sign(verrevcmp(x.revision, y.revision));
}
