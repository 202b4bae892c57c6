import { isUtf8 } from 'node:buffer';

// Paths from a container are bytes. The engine's change list (JSON) already turned invalid UTF-8
// into U+FFFD, so text with U+FFFD is the key both sides can agree on; the raw bytes travel
// beside it whenever they are not valid UTF-8, so nothing is lost.

export interface PathText {
  path: string;
  pathBase64?: string;
}

export function pathText(raw: Buffer): PathText {
  const text = raw.toString('utf8');
  return isUtf8(raw) ? { path: text } : { path: text, pathBase64: raw.toString('base64') };
}

/** The raw bytes of a path given as text plus its optional base64 form. */
export function pathBytes(value: PathText): Buffer {
  return value.pathBase64 !== undefined ? Buffer.from(value.pathBase64, 'base64') : Buffer.from(value.path, 'utf8');
}

/** Text that may stand for more than one byte sequence (it holds a replacement character). */
export function isLossy(path: string): boolean {
  return path.includes('\uFFFD');
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** '/a/b/c' → ['/a', '/a/b', '/a/b/c']. */
export function ancestorsAndSelf(path: string): string[] {
  const out: string[] = [];
  let at = path.indexOf('/', 1);
  while (at !== -1) {
    out.push(path.slice(0, at));
    at = path.indexOf('/', at + 1);
  }
  out.push(path);
  return out;
}

export function isUnder(path: string, dir: string): boolean {
  return dir === '/' ? path.startsWith('/') : path === dir || path.startsWith(`${dir}/`);
}

/**
 * An archive entry's name as an absolute container path. The engine names entries after the
 * requested path's last component; anything else (absolute names, '..' components, another
 * top-level name) did not come from a well-behaved engine and is refused with null.
 */
export function entryPath(root: string, name: Buffer): { text: PathText; raw: Buffer } | null {
  let bytes = name;
  while (bytes.length > 1 && bytes[bytes.length - 1] === 0x2f) bytes = bytes.subarray(0, bytes.length - 1);
  if (bytes.length >= 2 && bytes[0] === 0x2e && bytes[1] === 0x2f) bytes = bytes.subarray(2);
  // The archive of / names its entries absolutely ("/etc/passwd"); any other root's entries are relative.
  if (root === '/') while (bytes.length > 0 && bytes[0] === 0x2f) bytes = bytes.subarray(1);
  if (bytes.length === 0 || bytes[0] === 0x2f) return null;
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x2f) {
      const part = bytes.subarray(start, i);
      if (part.length === 0 || (part.length === 1 && part[0] === 0x2e)) return null;
      if (part.length === 2 && part[0] === 0x2e && part[1] === 0x2e) return null;
      parts.push(part);
      start = i + 1;
    }
  }
  const base = root === '/' ? '' : root.slice(root.lastIndexOf('/') + 1);
  if (base !== '' && !(parts[0] as Buffer).equals(Buffer.from(base, 'utf8'))) return null;
  const parent = root === '/' ? '' : parentOf(root);
  const raw = Buffer.concat([Buffer.from(parent === '/' ? '' : parent, 'utf8'), Buffer.from('/'), bytes]);
  return { text: pathText(raw), raw };
}
