/**
 * Text from a host under investigation may carry escape sequences that rewrite the examiner's
 * terminal. Everything printed for humans goes through here: control characters become visible
 * escapes (\x1b, \n) and nothing reaches the terminal raw. JSON output is already safe.
 */
export function safeText(value: string, maxLength = 4096): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || isInvisibleFormat(code)) {
      out += ch === '\n' ? '\\n' : ch === '\t' ? '\\t' : ch === '\r' ? '\\r' : `\\x${code.toString(16).padStart(2, '0')}`;
    } else {
      out += ch;
    }
    if (out.length >= maxLength) return `${out.slice(0, maxLength)}…`;
  }
  return out;
}

/** Fixed-width table for terminals, every cell made safe. */
export function table(headers: string[], rows: string[][]): string {
  const cells = rows.map((row) => row.map((cell) => safeText(cell, 120)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/**
 * Format characters that reorder or hide text on screen: line/paragraph separators, bidi embeddings,
 * overrides and isolates (U+202A–202E, U+2066–2069), bidi marks (U+200E/F, U+061C), zero-width and
 * invisible operators (U+200B–200D, U+2060–2064), the BOM and interlinear annotations.
 */
function isInvisibleFormat(code: number): boolean {
  return (
    code === 0x061c ||
    (code >= 0x200b && code <= 0x200f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2064) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff ||
    (code >= 0xfff9 && code <= 0xfffb)
  );
}
