import { PackageURL } from 'packageurl-js';
import type { OsRelease, PackageDatabaseRead, PackageEcosystem, SbomPackage } from '../../../shared/domain/sbom';
import { counted } from '../../../shared/counted';
import { parseApkInstalled } from './apk-database';
import { parseDpkgStatus } from './dpkg-database';
import type { FilesystemRead } from './filesystem-read';
import { parseNpmManifest, parsePythonMetadata } from './language-manifests';
import { parseOsRelease } from './os-release';
import { readRpmSqlite } from './rpmdb-sqlite';

// From the files one filesystem read kept to its package list: each database parsed, each package
// given a Package URL (purl-spec's deb, apk, rpm, pypi and npm types; the distro namespace and
// qualifier from os-release).

export interface PackageList {
  os?: OsRelease;
  packages: SbomPackage[];
  databases: PackageDatabaseRead[];
  limitations: string[];
}

/** rpm purl namespaces by os-release ID (purl-spec's examples: fedora, centos, opensuse, redhat). */
const RPM_NAMESPACE: Record<string, string> = { rhel: 'redhat', ol: 'oracle', amzn: 'amazon', 'opensuse-leap': 'opensuse', sles: 'suse' };

function purl(
  ecosystem: PackageEcosystem,
  os: OsRelease | undefined,
  p: { name: string; version: string; architecture?: string; epoch?: number },
): string {
  const distro = os ? (os.versionId ? `${os.id}-${os.versionId}` : os.id) : undefined;
  const qualifiers: Record<string, string> = {};
  if (p.architecture) qualifiers.arch = p.architecture;
  let namespace: string | undefined;
  let name = p.name;
  let version = p.version;
  switch (ecosystem) {
    case 'deb':
      namespace = os?.id ?? 'debian';
      if (distro) qualifiers.distro = distro;
      break;
    case 'apk':
      namespace = os?.id ?? 'alpine';
      if (os?.versionId) qualifiers.distro = os.versionId;
      break;
    case 'rpm':
      namespace = os ? (RPM_NAMESPACE[os.id] ?? os.id) : undefined;
      if (distro) qualifiers.distro = distro;
      if (p.epoch) {
        qualifiers.epoch = String(p.epoch);
        version = version.replace(/^\d+:/, '');
      }
      break;
    case 'npm': {
      const scoped = /^(@[^/]+)\/(.+)$/.exec(name);
      if (scoped) {
        namespace = scoped[1];
        name = scoped[2] as string;
      }
      break;
    }
    case 'pypi':
      break;
  }
  return new PackageURL(ecosystem, namespace, name, version, Object.keys(qualifiers).length ? qualifiers : undefined, undefined).toString();
}

/** The packages of one filesystem, database by database; a database that fails to parse is stated, never fatal. */
export function packageList(read: FilesystemRead): PackageList {
  const limitations = [...read.skipped];
  const byPath = new Map(read.files.map((f) => [f.path, f]));
  const osFile = [...['/etc/os-release', '/usr/lib/os-release']].map((p) => byPath.get(p)).find((f) => f !== undefined);
  const os = osFile ? parseOsRelease(osFile.bytes.toString('utf8')) : undefined;
  if (!os) limitations.push('no os-release file (/etc/os-release, /usr/lib/os-release): the distribution and its release are unknown');
  const packages: SbomPackage[] = [];
  const databases: PackageDatabaseRead[] = [];
  const add = (
    ecosystem: PackageEcosystem,
    foundIn: string,
    p: Omit<SbomPackage, 'ecosystem' | 'purl' | 'foundIn'> & { epoch?: number },
  ) => {
    let id: string;
    try {
      id = purl(ecosystem, os, p);
    } catch (err) {
      limitations.push(
        `${foundIn}: package ${JSON.stringify(p.name.slice(0, 80))} has no valid Package URL (${(err as Error).message}); left out`,
      );
      return false;
    }
    const { epoch: _epoch, ...rest } = p;
    packages.push({ ecosystem, ...rest, purl: id, foundIn });
    return true;
  };
  const statusD = { count: 0, files: 0 };
  const python = { count: 0, files: 0 };
  const npm = { count: 0, files: 0 };
  for (const file of read.files) {
    const text = () => file.bytes.toString('utf8');
    switch (file.kind) {
      case 'os-release':
        break;
      case 'dpkg-status': {
        const list = parseDpkgStatus(text(), true);
        for (const p of list) add('deb', file.path, p);
        databases.push({ path: file.path, format: 'dpkg-status', state: 'read', packages: list.length });
        break;
      }
      case 'dpkg-status.d': {
        statusD.files++;
        for (const p of parseDpkgStatus(text(), false)) if (add('deb', file.path, p)) statusD.count++;
        break;
      }
      case 'apk-installed': {
        const list = parseApkInstalled(text());
        for (const p of list)
          add('apk', file.path, {
            name: p.name,
            version: p.version,
            ...(p.architecture ? { architecture: p.architecture } : {}),
            ...(p.origin ? { sourceName: p.origin } : {}),
          });
        databases.push({ path: file.path, format: 'apk-installed', state: 'read', packages: list.length });
        break;
      }
      case 'rpm-sqlite': {
        try {
          const read = readRpmSqlite(file.bytes);
          for (const p of read.packages) {
            const { license: _license, ...rest } = p;
            add('rpm', file.path, rest);
          }
          databases.push({
            path: file.path,
            format: 'rpm-sqlite',
            state: read.badHeaders ? 'partly-read' : 'read',
            packages: read.packages.length,
            ...(read.badHeaders
              ? { note: `${counted(read.badHeaders, 'package header')} did not parse: ${read.problems.join('; ')}` }
              : {}),
          });
        } catch (err) {
          databases.push({
            path: file.path,
            format: 'rpm-sqlite',
            state: 'not-read',
            packages: 0,
            note: `SQLite refused it: ${(err as Error).message}`,
          });
        }
        break;
      }
      case 'python-metadata': {
        python.files++;
        const p = parsePythonMetadata(text());
        if (p && add('pypi', file.path, p)) python.count++;
        break;
      }
      case 'npm-package-json': {
        npm.files++;
        const p = parseNpmManifest(text());
        if (p && add('npm', file.path, p)) npm.count++;
        break;
      }
    }
  }
  if (statusD.files) databases.push({ path: '/var/lib/dpkg/status.d', format: 'dpkg-status.d', state: 'read', packages: statusD.count });
  if (python.files)
    databases.push({
      path: '*.dist-info/METADATA, *.egg-info/PKG-INFO',
      format: 'python-metadata',
      state: 'read',
      packages: python.count,
      ...(python.count < python.files ? { note: `${python.files - python.count} of ${python.files} files had no Name and Version` } : {}),
    });
  if (npm.files)
    databases.push({
      path: 'node_modules/*/package.json',
      format: 'npm-package-json',
      state: 'read',
      packages: npm.count,
      ...(npm.count < npm.files ? { note: `${npm.files - npm.count} of ${npm.files} files had no name and version` } : {}),
    });
  for (const db of read.unreadDatabases)
    databases.push({
      path: db.path,
      format: db.format,
      state: 'not-read',
      packages: 0,
      note:
        db.format === 'rpm-berkeley-db'
          ? "rpm's Berkeley DB format (RHEL ≤ 8, CentOS 7) is not read: its packages are not in this SBOM"
          : "rpm's NDB format (SUSE) is not read: its packages are not in this SBOM",
    });
  for (const db of databases) if (db.state !== 'read' && db.note) limitations.push(`${db.path}: ${db.note}`);
  packages.sort((a, b) => (a.ecosystem + a.name < b.ecosystem + b.name ? -1 : a.ecosystem + a.name > b.ecosystem + b.name ? 1 : 0));
  return { ...(os ? { os } : {}), packages, databases, limitations };
}
