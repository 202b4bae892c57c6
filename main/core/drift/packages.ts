import type { PackageDrift, PackageVersion } from '../../../shared/domain/drift';

// Package databases as text: dpkg's status file and apk's installed file. Both come from the
// container, so the parsers are forgiving (a garbled stanza is skipped, never fatal) and bounded.

export const PACKAGE_DATABASES = {
  '/var/lib/dpkg/status': 'dpkg',
  '/lib/apk/db/installed': 'apk',
} as const satisfies Record<string, PackageDrift['manager']>;

export type PackageDatabasePath = keyof typeof PACKAGE_DATABASES;

/** rpm keeps a binary database (Berkeley DB, NDB or SQLite): changes are reported, not itemised. */
export const RPM_DATABASE = /^\/(var\/lib\/rpm|usr\/lib\/sysimage\/rpm)\/[^/]+$/;

/** The text of a package database is read whole for parsing, up to this size. */
export const PACKAGE_DB_LIMIT = 32 * 1024 * 1024;

export function isPackageDatabase(path: string): path is PackageDatabasePath {
  return Object.prototype.hasOwnProperty.call(PACKAGE_DATABASES, path);
}

/**
 * Installed packages of a dpkg status file. Only stanzas whose Status ends in "installed" count
 * (removed-but-configured packages keep a stanza with "deinstall ok config-files").
 */
export function parseDpkgStatus(text: string): PackageVersion[] {
  const out: PackageVersion[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      if (line.startsWith(' ') || line.startsWith('\t')) continue;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const name = fields.get('package');
    const status = fields.get('status') ?? '';
    if (!name || !/(^|\s)installed$/.test(status)) continue;
    const architecture = fields.get('architecture');
    out.push({ name, version: fields.get('version') ?? '', ...(architecture ? { architecture } : {}) });
  }
  return out;
}

/** Packages of apk's installed database (P: name, V: version, A: architecture; blank line between). */
export function parseApkInstalled(text: string): PackageVersion[] {
  const out: PackageVersion[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    let name = '';
    let version = '';
    let architecture = '';
    for (const line of stanza.split('\n')) {
      if (line.startsWith('P:')) name = line.slice(2).trim();
      else if (line.startsWith('V:')) version = line.slice(2).trim();
      else if (line.startsWith('A:')) architecture = line.slice(2).trim();
    }
    if (name) out.push({ name, version, ...(architecture ? { architecture } : {}) });
  }
  return out;
}

export function parsePackageDatabase(manager: 'dpkg' | 'apk', text: string): PackageVersion[] {
  return manager === 'dpkg' ? parseDpkgStatus(text) : parseApkInstalled(text);
}

/** Files apk lists per package in its installed database (F: directory, R: file in it). */
export function apkFileOwners(text: string): Map<string, string> {
  const owners = new Map<string, string>();
  for (const stanza of text.split(/\n\s*\n/)) {
    let name = '';
    let dir = '';
    for (const line of stanza.split('\n')) {
      if (line.startsWith('P:')) name = line.slice(2).trim();
      else if (line.startsWith('F:')) dir = line.slice(2).trim();
      else if (line.startsWith('R:') && name) owners.set(`/${dir ? `${dir}/` : ''}${line.slice(2).trim()}`, name);
    }
  }
  return owners;
}

/** The package a dpkg file list belongs to: /var/lib/dpkg/info/NAME[:ARCH].list. */
export function dpkgListPackage(path: string): string | undefined {
  const match = /^\/var\/lib\/dpkg\/info\/([^/]+?)(?::[a-z0-9-]+)?\.list$/.exec(path);
  return match?.[1];
}

/** Added, removed and changed packages between the image's list and the container's. */
export function diffPackages(
  manager: PackageDrift['manager'],
  database: string,
  before: PackageVersion[],
  after: PackageVersion[],
): PackageDrift {
  const key = (p: PackageVersion) =>
    p.architecture && manager === 'dpkg' && p.architecture !== 'all' ? `${p.name}:${p.architecture}` : p.name;
  const old = new Map(before.map((p) => [key(p), p]));
  const now = new Map(after.map((p) => [key(p), p]));
  const added: PackageVersion[] = [];
  const removed: PackageVersion[] = [];
  const upgraded: PackageDrift['upgraded'] = [];
  for (const [k, p] of now) {
    const was = old.get(k);
    if (!was) added.push(p);
    else if (was.version !== p.version) upgraded.push({ name: p.name, from: was.version, to: p.version });
  }
  for (const [k, p] of old) if (!now.has(k)) removed.push(p);
  const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { manager, database, added: added.sort(byName), removed: removed.sort(byName), upgraded: upgraded.sort(byName) };
}
