// apk's database, /lib/apk/db/installed: one stanza per package, blank lines between, one
// "X:value" line per field (apk-tools' "installed database" format: P name, V version, A
// architecture, o origin, F directory, R file in it, Z the file's checksum).

export interface ApkPackage {
  name: string;
  version: string;
  architecture?: string;
  /** The origin (source) package. */
  origin?: string;
}

/** The packages of an apk installed file; stanzas without a P: line are skipped. */
export function parseApkInstalled(text: string): ApkPackage[] {
  const out: ApkPackage[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const f = new Map<string, string>();
    for (const line of stanza.split('\n'))
      if (line.length >= 2 && line[1] === ':' && !f.has(line[0] as string)) f.set(line[0] as string, line.slice(2).trim());
    const name = f.get('P');
    if (!name) continue;
    const architecture = f.get('A');
    const origin = f.get('o');
    out.push({ name, version: f.get('V') ?? '', ...(architecture ? { architecture } : {}), ...(origin ? { origin } : {}) });
  }
  return out;
}
