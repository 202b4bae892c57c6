import type { OsRelease, PackageEcosystem, SbomPackage } from '../../../shared/domain/sbom';

// Which OSV ecosystem a package of an SBOM is matched in, from its package type and the image's
// os-release (OSV's ecosystem list: "Debian:12", "Ubuntu:22.04:LTS", "Alpine:v3.18",
// "Red Hat:enterprise_linux:9::appstream", "PyPI", "npm"), and under which package name
// (distributions publish advisories per source package).

export interface OsvTarget {
  /** The part before ':' ("Debian"). */
  base: string;
  /** Whether an affected entry's full ecosystem string is this release's. */
  matchesRelease(ecosystem: string): boolean;
  /** What the report names as the ecosystem matched ("Debian:12"). */
  label: string;
}

export type OsvTargetOrWhy = { target: OsvTarget } | { why: string };

function major(version: string | undefined): string | undefined {
  return version?.split('.')[0];
}

const RPM_BASES: Record<string, string> = { rhel: 'Red Hat', rocky: 'Rocky Linux', almalinux: 'AlmaLinux' };

/** The OSV ecosystem of an SBOM's packages of one type, or why they cannot be matched. */
export function osvTarget(ecosystem: PackageEcosystem, os: OsRelease | undefined): OsvTargetOrWhy {
  const exact = (base: string): OsvTargetOrWhy => ({ target: { base, label: base, matchesRelease: (e) => e === base } });
  switch (ecosystem) {
    case 'pypi':
      return exact('PyPI');
    case 'npm':
      return exact('npm');
    case 'deb': {
      if (os?.id === 'debian' || os?.idLike.includes('debian')) {
        if (os.id === 'ubuntu') break;
        const release = major(os.versionId);
        if (os.id !== 'debian') return { why: `a Debian derivative (${os.id}) has no OSV ecosystem of its own` };
        if (!release) return { why: 'the Debian release is unknown (os-release has no VERSION_ID: testing or unstable)' };
        const label = `Debian:${release}`;
        return { target: { base: 'Debian', label, matchesRelease: (e) => e === label } };
      }
      if (os?.id !== 'ubuntu')
        return { why: `dpkg packages on ${os ? `"${os.id}"` : 'an unknown distribution (no os-release)'}: no OSV ecosystem to match` };
      break;
    }
    case 'apk': {
      if (os?.id !== 'alpine')
        return { why: `apk packages on ${os ? `"${os.id}"` : 'an unknown distribution (no os-release)'}: no OSV ecosystem to match` };
      const release = /^(\d+\.\d+)/.exec(os.versionId ?? '')?.[1];
      if (!release) return { why: 'the Alpine release is unknown (os-release has no VERSION_ID)' };
      const label = `Alpine:v${release}`;
      return { target: { base: 'Alpine', label, matchesRelease: (e) => e === label } };
    }
    case 'rpm': {
      const base = os ? RPM_BASES[os.id] : undefined;
      const release = major(os?.versionId);
      if (!base || !release)
        return {
          why: `rpm packages on ${os ? `"${os.id}" ${os.versionId ?? ''}`.trim() : 'an unknown distribution (no os-release)'}: no OSV ecosystem to match`,
        };
      // "Red Hat:enterprise_linux:9::appstream", "Rocky Linux:9", "AlmaLinux:9"
      const label = `${base}:${release}`;
      return {
        target: {
          base,
          label,
          matchesRelease: (e) => {
            const parts = e.split(':');
            return base === 'Red Hat' ? parts[2] === release || (parts[2] ?? '').startsWith(`${release}.`) : parts[1] === release;
          },
        },
      };
    }
  }
  // Ubuntu: "Ubuntu:22.04" or "Ubuntu:22.04:LTS" (and Pro streams, which a plain image is not on).
  const version = os?.versionId;
  if (!version) return { why: 'the Ubuntu release is unknown (os-release has no VERSION_ID)' };
  const label = `Ubuntu:${version}`;
  return { target: { base: 'Ubuntu', label, matchesRelease: (e) => e === label || e === `${label}:LTS` } };
}

/** The names a package is looked up under: the source package for Debian, Ubuntu and Alpine, PEP 503's normal form for PyPI. */
export function osvNames(p: SbomPackage): string[] {
  switch (p.ecosystem) {
    case 'deb':
    case 'apk':
      return [p.sourceName ?? p.name];
    case 'rpm':
      // Red Hat's records name each binary package.
      return [p.name];
    case 'pypi':
      return [p.name.toLowerCase().replace(/[-_.]+/g, '-')];
    case 'npm':
      return [p.name];
  }
}

/** The version compared against the record: the source version for Debian and Ubuntu (their advisories are per source). */
export function osvVersion(p: SbomPackage): string {
  return p.ecosystem === 'deb' ? (p.sourceVersion ?? p.version) : p.version;
}
