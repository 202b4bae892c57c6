// Language packages that are cheap to read: Python distributions' core metadata
// (*.dist-info/METADATA, *.egg-info/PKG-INFO: RFC 822-style "Name:" and "Version:" headers, per
// the Core metadata specification) and npm packages' package.json under node_modules.

export interface LanguagePackage {
  name: string;
  version: string;
}

/** Whether a path is a Python distribution's metadata file. */
export function isPythonMetadata(path: string): boolean {
  return /\/[^/]+\.dist-info\/METADATA$/.test(path) || /\/[^/]+\.egg-info\/PKG-INFO$/.test(path);
}

/** Whether a path is an installed npm package's manifest: node_modules/NAME/package.json or node_modules/@SCOPE/NAME/package.json. */
export function isNpmManifest(path: string): boolean {
  return /\/node_modules\/(?:@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(path);
}

/** Name and version from core metadata headers (the header block ends at the first blank line). */
export function parsePythonMetadata(text: string): LanguagePackage | undefined {
  let name: string | undefined;
  let version: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') break;
    const match = /^(Name|Version):\s*(.+?)\s*$/i.exec(line);
    if (!match) continue;
    if ((match[1] as string).toLowerCase() === 'name') name ??= match[2];
    else version ??= match[2];
  }
  return name && version ? { name, version } : undefined;
}

/** Name and version of a package.json; undefined when either is missing or not a string. */
export function parseNpmManifest(text: string): LanguagePackage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const { name, version } = value as { name?: unknown; version?: unknown };
  return typeof name === 'string' && typeof version === 'string' && name !== '' && version !== '' ? { name, version } : undefined;
}
