// Debian control-file stanzas (deb822, as in dpkg's status file): "Field: value" lines, continuation
// lines starting with a space or tab, stanzas separated by blank lines. The text comes from a
// suspect filesystem: a malformed line is skipped, never fatal.

/** One stanza's fields, names lower-cased; continuation lines are dropped (no field read here needs them). */
export type Stanza = Map<string, string>;

/** The stanzas of a deb822 text, in order. */
export function* controlStanzas(text: string): Generator<Stanza> {
  let fields: Stanza = new Map();
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (fields.size > 0) yield fields;
      fields = new Map();
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (fields.size > 0) yield fields;
}
