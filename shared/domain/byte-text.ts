// Names from a container are bytes, not text. For people they are shown with every valid UTF-8
// sequence decoded and every other byte as \xNN, so two names that differ in one invalid byte
// read differently (U+FFFD would make them look the same). Pure: used by the CLI and the renderer.

/** Decodes base64 (standard alphabet) to bytes; an empty array for malformed input. */
export function base64Bytes(base64: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    return new Uint8Array();
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  let n: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) [n, min] = [2, 0x80];
  else if (b0 >= 0xe0 && b0 <= 0xef) [n, min] = [3, 0x800];
  else if (b0 >= 0xf0 && b0 <= 0xf4) [n, min] = [4, 0x10000];
  else return 0;
  if (i + n > bytes.length) return 0;
  let cp = b0 & (0xff >> (n + 1));
  for (let k = 1; k < n; k++) {
    const b = bytes[i + k] as number;
    if ((b & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

/**
 * Bytes as text: valid UTF-8 decoded, each byte of an invalid sequence written as `\xNN` (two
 * lower-case hex digits), never U+FFFD. Control characters are left for the caller's own
 * escaping (the CLI's safeText, the renderer's visibleText).
 */
export function bytesAsText(bytes: Uint8Array): string {
  const decoder = new TextDecoder('utf-8');
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceLength(bytes, i);
    if (n === 0) {
      out += `\\x${(bytes[i] as number).toString(16).padStart(2, '0')}`;
      i++;
      continue;
    }
    let end = i + n;
    while (end < bytes.length) {
      const m = sequenceLength(bytes, end);
      if (m === 0) break;
      end += m;
    }
    out += decoder.decode(bytes.subarray(i, end));
    i = end;
  }
  return out;
}

/**
 * A container path for people: `path` itself when it is valid UTF-8 (no `pathBase64`), else its
 * exact bytes (`pathBase64`) with the invalid ones as `\xNN`.
 */
export function pathDisplayText(path: string, pathBase64?: string): string {
  return pathBase64 === undefined ? path : bytesAsText(base64Bytes(pathBase64));
}
