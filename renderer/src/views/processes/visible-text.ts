/**
 * Text from a host under investigation, made visible: control characters, bidi overrides and
 * other invisible code points become \xNN / \u{…} escapes so a process title cannot hide part of
 * itself or reorder what the examiner reads. React already prevents markup injection; this
 * prevents deception. Long values are cut with an ellipsis (the full value stays in the data).
 */
export function visibleText(value: string, max = 2000): string {
  let out = '';
  for (const ch of value) {
    // Cut only when something is left to show: a value exactly `max` long is shown whole.
    if (out.length >= max) return `${out.slice(0, max)}…`;
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (
      (code >= 0x200b && code <= 0x200f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069) ||
      code === 0xfeff ||
      code === 0x2028 ||
      code === 0x2029
    )
      out += `\\u{${code.toString(16)}}`;
    else out += ch;
  }
  return out.length > max ? `${out.slice(0, max)}…` : out;
}
