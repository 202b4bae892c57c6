import type Dockerode from 'dockerode';
import type { DriftEntry, PackageIntegrity } from '../../../shared/domain/drift';
import { readRpmFileDigests } from '../sbom/rpmdb-sqlite';
import { readRoot } from './container-read';

// debsums / rpm -V for a container's drift: every changed regular file a package owns is checked
// against the digest its package database recorded when the package was installed: dpkg's
// /var/lib/dpkg/info/<package>[:<arch>].md5sums ("<md5>  <path without leading slash>" lines,
// dpkg(1)) and apk's installed database (Z: "Q1" + base64 SHA-1 of the file R: under the F:
// directory, apk-tools' database format). A match means the package operation explains the file;
// a mismatch is a package-owned file changed after installation. rpm's per-file digests (SHA-256
// on current rpm) come from its SQLite database's header blobs, read by the sbom room's published parser.

export const DPKG_INFO = '/var/lib/dpkg/info';
/** One md5sums or list file is read up to this size (the largest in Debian are a few MiB). */
const INFO_FILE_LIMIT = 8 * 1024 * 1024;
/** rpm's SQLite database is read for its digests up to this size (a full RHEL install: ~100 MiB). */
const RPM_DB_LIMIT = 256 * 1024 * 1024;

/** Who owns a path and the digest its package recorded for it, if any. */
export interface OwnedFile {
  package: string;
  algorithm?: 'md5' | 'sha1' | 'sha256';
  digest?: string;
  source: string;
}

export interface PackageFileDigests {
  owners: Map<string, OwnedFile>;
  sources: string[];
}

/** The package of /var/lib/dpkg/info/NAME[:ARCH].EXT. */
function dpkgInfoPackage(path: string, ext: 'list' | 'md5sums'): string | undefined {
  const match = new RegExp(`^/var/lib/dpkg/info/([^/]+?)(?::[a-z0-9-]+)?\\.${ext}$`).exec(path);
  return match?.[1];
}

/** dpkg's file lists and md5sums of every package, read from the container's info directory. */
export function dpkgDigests(infoFiles: Map<string, Buffer>): PackageFileDigests {
  const owners = new Map<string, OwnedFile>();
  for (const [path, bytes] of infoFiles) {
    const pkg = dpkgInfoPackage(path, 'list');
    if (!pkg) continue;
    for (const line of bytes.toString('utf8').split('\n'))
      if (line.startsWith('/') && line !== '/.') owners.set(line, { package: pkg, source: path });
  }
  for (const [path, bytes] of infoFiles) {
    const pkg = dpkgInfoPackage(path, 'md5sums');
    if (!pkg) continue;
    for (const line of bytes.toString('utf8').split('\n')) {
      const match = /^([0-9a-f]{32}) {2}(.+)$/.exec(line);
      if (!match) continue;
      const file = `/${match[2] as string}`;
      owners.set(file, { package: pkg, algorithm: 'md5', digest: match[1] as string, source: path });
    }
  }
  return { owners, sources: owners.size ? [`${DPKG_INFO}/*.list, *.md5sums`] : [] };
}

/** apk's owners and SHA-1s from its installed database text. */
export function apkDigests(text: string, source: string): PackageFileDigests {
  const owners = new Map<string, OwnedFile>();
  for (const stanza of text.split(/\n\s*\n/)) {
    let pkg = '';
    let dir = '';
    let last: string | undefined;
    for (const line of stanza.split('\n')) {
      if (line.startsWith('P:')) pkg = line.slice(2).trim();
      else if (line.startsWith('F:')) dir = line.slice(2).trim();
      else if (line.startsWith('R:') && pkg) {
        last = `/${dir ? `${dir}/` : ''}${line.slice(2).trim()}`;
        owners.set(last, { package: pkg, source });
      } else if (line.startsWith('Z:Q1') && last) {
        const sha1 = Buffer.from(line.slice(4).trim(), 'base64');
        if (sha1.length === 20) owners.set(last, { package: pkg, algorithm: 'sha1', digest: sha1.toString('hex'), source });
      }
    }
  }
  return { owners, sources: owners.size ? [source] : [] };
}

/**
 * The .list and .md5sums files of /var/lib/dpkg/info, read through the archive endpoint (kept in
 * memory, never stored as evidence); undefined when the container has no such directory.
 */
export async function readDpkgInfo(container: Dockerode.Container, signal?: AbortSignal): Promise<Map<string, Buffer> | undefined> {
  const out = new Map<string, Buffer>();
  const read = await readRoot(container, DPKG_INFO, {
    wanted: (path) => path.endsWith('.md5sums') || path.endsWith('.list'),
    openStore: async () => ({ skipped: { state: 'not-read', note: 'read for its digests only' } }),
    storeBuffered: () => Promise.reject(new Error('package info files are not stored')),
    captureLimit: (_path, size) => Math.min(size, INFO_FILE_LIMIT),
    onFile: (file) => {
      if (file.captured) out.set(file.text.path, file.captured);
    },
    ...(signal ? { signal } : {}),
  });
  return read.missing ? undefined : out;
}

/**
 * The path and, on a merged-/usr system (Debian 12: /bin, /sbin and /lib* are links into /usr), the
 * name a package may have listed it under: the change list says /usr/lib/x, the package /lib/x.
 */
export function mergedUsrAliases(path: string): string[] {
  const merged = /^\/usr(\/(?:bin|sbin|lib|lib32|lib64|libx32)\/.+)$/.exec(path);
  if (merged) return [path, merged[1] as string];
  const split = /^\/(?:bin|sbin|lib|lib32|lib64|libx32)\/.+$/.exec(path);
  return split ? [path, `/usr${path}`] : [path];
}

/** rpm's SQLite database, read through the archive endpoint, as owners and recorded digests (rpm -V's reference). */
async function readRpmDigests(
  container: Dockerode.Container,
  database: string,
  signal?: AbortSignal,
): Promise<{ digests: PackageFileDigests } | { why: string }> {
  if (!database.endsWith('/rpmdb.sqlite'))
    return { why: `rpm's ${database} is not an SQLite database: files owned by rpm packages are classified without package verification` };
  let bytes: Buffer | undefined;
  const read = await readRoot(container, database.slice(0, database.lastIndexOf('/')), {
    wanted: (path) => path === database,
    openStore: async () => ({ skipped: { state: 'not-read', note: 'read for its digests only' } }),
    storeBuffered: () => Promise.reject(new Error('the rpm database is not stored here')),
    captureLimit: (_path, size) => Math.min(size, RPM_DB_LIMIT),
    onFile: (file) => {
      if (file.captured && file.captured.length === file.meta.size) bytes = file.captured;
    },
    ...(signal ? { signal } : {}),
  });
  if (read.missing || !bytes)
    return { why: `rpm's ${database} could not be read (gone, or over ${RPM_DB_LIMIT} bytes): rpm packages' files are not verified` };
  try {
    const { files, badHeaders } = readRpmFileDigests(bytes);
    const owners = new Map<string, OwnedFile>();
    for (const [path, f] of files)
      owners.set(path, { package: f.package, source: database, ...(f.digest ? { algorithm: f.algorithm, digest: f.digest } : {}) });
    return { digests: { owners, sources: [`${database}${badHeaders ? ` (${badHeaders} package headers not read)` : ''}`] } };
  } catch (err) {
    return { why: `rpm's ${database} could not be opened (${(err as Error).message}): rpm packages' files are not verified` };
  }
}

/** The digest of a changed file by algorithm. */
export interface ChangedDigests {
  md5: string;
  sha1: string;
  sha256?: string;
}

/**
 * Checks each added or modified regular file a package owns against its recorded digest, in place:
 * a match lowers the entry to info as explained by the package (its other reasons kept, at info);
 * a mismatch adds a critical reason naming both digests. Entries get their owner's name.
 */
export function verifyPackageFiles(
  entries: DriftEntry[],
  digestsOf: (path: string) => ChangedDigests | undefined,
  databases: PackageFileDigests[],
  /** Packages installed or upgraded after start: dpkg's own control files for them are part of that operation. */
  touched: ReadonlySet<string> = new Set(),
): PackageIntegrity {
  const integrity: PackageIntegrity = {
    verified: 0,
    explained: [],
    mismatched: [],
    noDigests: [],
    sources: databases.flatMap((d) => d.sources),
  };
  const explained = new Map<string, number>();
  const noDigests = new Set<string>();
  for (const entry of entries) {
    if (entry.change === 'deleted' || entry.container?.type !== 'file') continue;
    if (entry.verdict === 'identical' || entry.verdict === 'metadata-only') continue;
    const owned = databases.flatMap((d) => mergedUsrAliases(entry.path).map((p) => d.owners.get(p))).find((o) => o !== undefined);
    const control = /^\/var\/lib\/dpkg\/info\/([^/]+?)(?::[a-z0-9-]+)?\.[a-z]+$/.exec(entry.path)?.[1];
    if (!owned && control !== undefined && touched.has(control)) {
      // A maintainer script, file list or md5sums dpkg wrote for a package it installed after start.
      explained.set(control, (explained.get(control) ?? 0) + 1);
      entry.reasons = [
        {
          class: 'package-db',
          severity: 'info',
          reason: `dpkg's control file of package ${control}, written when it was installed after start`,
        },
        ...entry.reasons.map((r) => ({ ...r, severity: 'info' as const })),
      ];
      entry.severity = 'info';
      entry.package ??= control;
      continue;
    }
    if (!owned) continue;
    entry.package ??= owned.package;
    const actual = digestsOf(entry.path);
    if (!owned.algorithm || !owned.digest || !actual) {
      if (!owned.digest) noDigests.add(owned.package);
      continue;
    }
    const now = owned.algorithm === 'md5' ? actual.md5 : owned.algorithm === 'sha1' ? actual.sha1 : actual.sha256;
    if (now === undefined) continue;
    if (now === owned.digest) {
      integrity.verified++;
      explained.set(owned.package, (explained.get(owned.package) ?? 0) + 1);
      entry.reasons = [
        {
          class: 'package-db',
          severity: 'info',
          reason: `matches the ${owned.algorithm.toUpperCase()} package ${owned.package} recorded for it (${owned.source}): explained by that package's installation`,
        },
        ...entry.reasons.map((r) => ({ ...r, severity: 'info' as const })),
      ];
      entry.severity = 'info';
      continue;
    }
    integrity.mismatched.push({
      path: entry.path,
      package: owned.package,
      algorithm: owned.algorithm,
      recorded: owned.digest,
      actual: now,
      ...(actual.sha256 ? { sha256: actual.sha256 } : {}),
    });
    entry.reasons.unshift({
      class: 'package-db',
      severity: 'critical',
      reason: `owned by package ${owned.package}, but no longer what it installed: ${owned.algorithm.toUpperCase()} recorded ${owned.digest} (${owned.source}), now ${now}${actual.sha256 ? ` (SHA-256 ${actual.sha256}${entry.image?.sha256 ? `; the image's SHA-256 ${entry.image.sha256}` : ''})` : ''}`,
    });
    if (!entry.classes.includes('package-db')) entry.classes.push('package-db');
    entry.severity = 'critical';
    delete entry.demoted;
  }
  integrity.explained = [...explained]
    .map(([pkg, files]) => ({ package: pkg, files }))
    .sort((a, b) => b.files - a.files || (a.package < b.package ? -1 : 1));
  integrity.noDigests = [...noDigests].sort();
  return integrity;
}

export interface IntegrityCheck {
  container: Dockerode.Container;
  signal?: AbortSignal;
  entries: DriftEntry[];
  digestsOf: (path: string) => ChangedDigests | undefined;
  /** apk's installed database: the container's when it changed, else the image's. */
  apkInstalled?: Buffer;
  /** The container's rpm database path, when it has one (its per-file digests are checked too). */
  rpmDatabase?: string;
  /** Packages installed or upgraded after start (from the package database's drift). */
  touched?: ReadonlySet<string>;
}

/**
 * Reads the package databases' digests (dpkg's info directory through the archive endpoint, apk's
 * installed file as given) and verifies the changed files; undefined when no changed regular file
 * could be package-owned or no database holds digests. Limitations are returned to be reported.
 * @throws the engine's error when the info directory cannot be read.
 */
export async function checkPackageIntegrity(check: IntegrityCheck): Promise<{ integrity?: PackageIntegrity; limitations: string[] }> {
  const candidates = check.entries.some(
    (e) => e.change !== 'deleted' && e.container?.type === 'file' && e.verdict !== 'identical' && e.verdict !== 'metadata-only',
  );
  const limitations: string[] = [];
  if (!candidates) return { limitations };
  const databases: PackageFileDigests[] = [];
  const info = await readDpkgInfo(check.container, check.signal);
  if (info && info.size > 0) databases.push(dpkgDigests(info));
  if (check.apkInstalled) databases.push(apkDigests(check.apkInstalled.toString('utf8'), '/lib/apk/db/installed'));
  if (check.rpmDatabase) {
    const rpm = await readRpmDigests(check.container, check.rpmDatabase, check.signal);
    if ('digests' in rpm) databases.push(rpm.digests);
    else limitations.push(rpm.why);
  }
  const verified = verifyWithDatabases(check.entries, check.digestsOf, databases, check.touched);
  return { ...verified, limitations: [...limitations, ...verified.limitations] };
}

/**
 * verifyPackageFiles over databases already read (a live container's through the archive endpoint,
 * a layer read's from its trees), with the limitation a report states for packages that recorded
 * no digest; no integrity when no database was read.
 */
export function verifyWithDatabases(
  entries: DriftEntry[],
  digestsOf: (path: string) => ChangedDigests | undefined,
  databases: PackageFileDigests[],
  touched?: ReadonlySet<string>,
): { integrity?: PackageIntegrity; limitations: string[] } {
  if (databases.length === 0) return { limitations: [] };
  const integrity = verifyPackageFiles(entries, digestsOf, databases, touched);
  const limitations: string[] = [];
  if (integrity.noDigests.length)
    limitations.push(
      `Packages owning changed files without a recorded digest for them (no md5sums, or configuration files): ${integrity.noDigests.join(', ')}`,
    );
  return { integrity, limitations };
}

/** Whether a path is one of dpkg's file lists or md5sums (/var/lib/dpkg/info/NAME[:ARCH].list|.md5sums). */
export function isDpkgDigestFile(path: string): boolean {
  return (
    path.startsWith(`${DPKG_INFO}/`) &&
    (path.endsWith('.md5sums') || path.endsWith('.list')) &&
    !path.slice(DPKG_INFO.length + 1).includes('/')
  );
}

/** The size up to which one dpkg info file is read for its digests (bytes). */
export const DPKG_INFO_FILE_LIMIT = INFO_FILE_LIMIT;
