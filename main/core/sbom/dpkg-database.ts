import { controlStanzas } from './control-stanzas';

// dpkg's database: /var/lib/dpkg/status (deb-control(5) stanzas, one per package, with a Status
// field) and the distroless variant /var/lib/dpkg/status.d/<name> (one file per package, no Status
// field: everything listed is installed).

export interface DpkgPackage {
  name: string;
  version: string;
  architecture?: string;
  sourceName?: string;
  sourceVersion?: string;
}

/**
 * The installed packages of a dpkg status text. With `requireStatus` (the status file), only
 * stanzas whose Status ends in "installed" count; a status.d file has no Status field.
 * Source: "Source: NAME" or "Source: NAME (VERSION)" (deb-control(5)); absent means the binary's own.
 */
export function parseDpkgStatus(text: string, requireStatus = true): DpkgPackage[] {
  const out: DpkgPackage[] = [];
  for (const fields of controlStanzas(text)) {
    const name = fields.get('package');
    const version = fields.get('version');
    if (!name || !version) continue;
    if (requireStatus && !/(^|\s)installed$/.test(fields.get('status') ?? '')) continue;
    const architecture = fields.get('architecture');
    const source = /^(\S+)(?:\s+\(([^)]+)\))?$/.exec(fields.get('source') ?? '');
    out.push({
      name,
      version,
      ...(architecture ? { architecture } : {}),
      ...(source ? { sourceName: source[1] as string } : {}),
      ...(source?.[2] ? { sourceVersion: source[2] } : {}),
    });
  }
  return out;
}
