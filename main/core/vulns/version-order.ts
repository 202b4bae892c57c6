import { createRequire } from 'node:module';
import type Semver from 'semver';
import { compareApkVersions } from './apk-version';
import { compareDpkgVersions } from './dpkg-version';
import { compareRpmVersions } from './rpm-version';

// Which version ordering an OSV ecosystem uses (OSV schema: "ECOSYSTEM" ranges are ordered by the
// ecosystem's own rules, "SEMVER" ranges by Semantic Versioning 2.0.0).

export type VersionCompare = (a: string, b: string) => number;

const BY_BASE: Record<string, VersionCompare> = {
  Debian: compareDpkgVersions,
  Ubuntu: compareDpkgVersions,
  Alpine: compareApkVersions,
  'Red Hat': compareRpmVersions,
  'Rocky Linux': compareRpmVersions,
  AlmaLinux: compareRpmVersions,
};

let semverLoaded: typeof Semver | undefined;

/** npm's semver, loaded at the first comparison, not with the core: 47 modules every CLI command would wait for. */
function semverLib(): typeof Semver {
  return (semverLoaded ??= createRequire(__filename)('semver') as typeof Semver);
}

/** SemVer 2.0.0 precedence (npm's semver); an invalid version sorts as a string. */
export function compareSemver(a: string, b: string): number {
  const semver = semverLib();
  const x = semver.valid(semver.coerce(a, { includePrerelease: true }) ?? a) ?? undefined;
  const y = semver.valid(semver.coerce(b, { includePrerelease: true }) ?? b) ?? undefined;
  if (semver.valid(a) && semver.valid(b)) return semver.compare(a, b);
  if (x && y) return semver.compare(x, y);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The ordering for an OSV ecosystem's ECOSYSTEM ranges; undefined where Drydock has none (PyPI's
 * PEP 440: such records are matched by their listed versions only).
 */
export function ecosystemOrder(base: string): VersionCompare | undefined {
  return BY_BASE[base] ?? (base === 'npm' ? compareSemver : undefined);
}
