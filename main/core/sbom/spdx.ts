import { randomUUID } from 'node:crypto';
import type { Sbom } from '../../../shared/domain/sbom';
import { drydockVersion } from '../evidence/drydock-version';

// SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/, JSON schema spdx-schema.json). Written
// here: the maintained SPDX libraries are for Python and Java; @cyclonedx/cyclonedx-library only
// carries SPDX license IDs. Only the fields an SBOM of installed packages needs are written.

/** SPDX's date format: YYYY-MM-DDThh:mm:ssZ (no fraction). */
function spdxDate(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** SPDXIDs allow letters, digits, '.' and '-' after "SPDXRef-". */
function spdxId(tail: string): string {
  return `SPDXRef-${tail.replace(/[^A-Za-z0-9.-]/g, '-')}`;
}

/**
 * The SBOM as an SPDX 2.3 JSON document: the image or container is the package the document
 * DESCRIBES, which CONTAINS each installed package (with its purl as a PACKAGE-MANAGER external
 * reference). Licences are NOASSERTION: they are not read.
 */
export function spdxDocument(sbom: Sbom): unknown {
  const subjectId = spdxId(`Subject-${sbom.subject.kind}`);
  const packages = sbom.packages.map((p, i) => ({
    SPDXID: spdxId(`Package-${i}-${p.ecosystem}-${p.name}`),
    name: p.name,
    versionInfo: p.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    ...(p.sourceName ? { sourceInfo: `built from source package ${p.sourceName}${p.sourceVersion ? ` ${p.sourceVersion}` : ''}` } : {}),
    comment: `found in ${p.foundIn}${p.architecture ? `; architecture ${p.architecture}` : ''}`,
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
  }));
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${sbom.subject.kind} ${sbom.subject.name} on ${sbom.host}`,
    documentNamespace: `https://drydock.invalid/spdx/${encodeURIComponent(sbom.host)}/${sbom.subject.id.replace(/^sha256:/, '')}/${randomUUID()}`,
    creationInfo: { created: spdxDate(sbom.takenAt), creators: [`Tool: drydock-${drydockVersion()}`] },
    packages: [
      {
        SPDXID: subjectId,
        name: sbom.subject.name,
        versionInfo: sbom.subject.id,
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: 'NOASSERTION',
        copyrightText: 'NOASSERTION',
        primaryPackagePurpose: 'CONTAINER',
        comment: `${sbom.subject.kind} on host ${sbom.host}, image ${sbom.subject.imageId}${sbom.os?.prettyName ? `, ${sbom.os.prettyName}` : ''}`,
      },
      ...packages,
    ],
    relationships: [
      { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: subjectId },
      ...packages.map((p) => ({ spdxElementId: subjectId, relationshipType: 'CONTAINS', relatedSpdxElement: p.SPDXID })),
    ],
  };
}
