/** Code points shown escaped: C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides. */
function unsafe(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/**
 * Text that came from an engine or a container (a task's error, a log line), made safe to keep in
 * a message: unsafe characters shown as \uXXXX escapes, at most `max` characters. The CLI and the
 * renderer escape again when they print; this keeps stored messages one line and bounded.
 */
export function engineText(value: unknown, max = 500): string {
  const text = typeof value === 'string' ? value : String(value ?? '');
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    out += unsafe(code) ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
    if (out.length > max) return `${out.slice(0, max)}…`;
  }
  return out;
}
