// Software bills of materials: what is installed in an image or a container, read from its package
// databases and language manifests (never by running anything from it).

/** Package ecosystems as Package URL types name them (https://github.com/package-url/purl-spec). */
export type PackageEcosystem = 'deb' | 'apk' | 'rpm' | 'pypi' | 'npm';

export interface SbomPackage {
  ecosystem: PackageEcosystem;
  name: string;
  /** The version as the package manager records it (rpm: [EPOCH:]VERSION-RELEASE). */
  version: string;
  architecture?: string;
  /** The source package (dpkg Source, apk origin, rpm SOURCERPM's name). */
  sourceName?: string;
  sourceVersion?: string;
  /** Package URL (purl). */
  purl: string;
  /** The database or manifest it was read from (a path in the image or container). */
  foundIn: string;
}

export type PackageDatabaseFormat =
  'dpkg-status' | 'dpkg-status.d' | 'apk-installed' | 'rpm-sqlite' | 'rpm-berkeley-db' | 'rpm-ndb' | 'python-metadata' | 'npm-package-json';

/** One database or manifest family found in the filesystem, and whether it was read. */
export interface PackageDatabaseRead {
  path: string;
  format: PackageDatabaseFormat;
  state: 'read' | 'not-read' | 'partly-read';
  packages: number;
  /** Why it was not (or only partly) read. */
  note?: string;
}

/** /etc/os-release (or /usr/lib/os-release) fields, per os-release(5). */
export interface OsRelease {
  id: string;
  idLike: string[];
  versionId?: string;
  versionCodename?: string;
  prettyName?: string;
}

export interface SbomSubject {
  kind: 'image' | 'container';
  /** Container ID or image ID (sha256:…). */
  id: string;
  /** Container name or the image's first tag (or its short ID). */
  name: string;
  imageId: string;
}

export interface Sbom {
  host: string;
  subject: SbomSubject;
  takenAt: string;
  os?: OsRelease;
  packages: SbomPackage[];
  databases: PackageDatabaseRead[];
  /** What this SBOM does not cover (files over a bound, unreadable databases…). */
  limitations: string[];
}

/** A container's packages minus its image's: what changed at runtime. */
export interface SbomDrift {
  added: SbomPackage[];
  removed: SbomPackage[];
  changed: { image: SbomPackage; container: SbomPackage }[];
}

export type SbomFormat = 'cyclonedx' | 'spdx';

export interface StoredSbomDocument {
  format: SbomFormat;
  subject: 'image' | 'container';
  artifactId: string;
  sha256: string;
}

export interface SbomResult {
  /** The SBOM of the target (the container's when the target is a container). */
  sbom: Sbom;
  /** For a container: its image's SBOM and the runtime drift between them. */
  image?: Sbom;
  drift?: SbomDrift;
  /** CycloneDX 1.5 JSON and SPDX 2.3 JSON documents of `sbom`. */
  documents: Record<SbomFormat, unknown>;
  stored?: { caseId: string; documents: StoredSbomDocument[] };
}

/** The key a package is compared under between two SBOMs: ecosystem, name, architecture. */
export function sbomPackageKey(p: Pick<SbomPackage, 'ecosystem' | 'name' | 'architecture'>): string {
  return `${p.ecosystem}\u0000${p.name}\u0000${p.architecture ?? ''}`;
}

/** Packages in `container` that are not in `image`, gone from it, or at another version. */
export function diffSboms(image: readonly SbomPackage[], container: readonly SbomPackage[]): SbomDrift {
  const before = new Map(image.map((p) => [sbomPackageKey(p), p]));
  const after = new Map(container.map((p) => [sbomPackageKey(p), p]));
  const drift: SbomDrift = { added: [], removed: [], changed: [] };
  for (const [key, p] of after) {
    const was = before.get(key);
    if (!was) drift.added.push(p);
    else if (was.version !== p.version) drift.changed.push({ image: was, container: p });
  }
  for (const [key, p] of before) if (!after.has(key)) drift.removed.push(p);
  return drift;
}
