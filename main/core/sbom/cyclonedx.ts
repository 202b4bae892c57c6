import { randomUUID } from 'node:crypto';
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { Sbom } from '../../../shared/domain/sbom';
import { drydockVersion } from '../evidence/drydock-version';

/**
 * The SBOM as a CycloneDX 1.5 JSON document (https://cyclonedx.org/docs/1.5/json/), built and
 * normalised by @cyclonedx/cyclonedx-library: the image or container is the metadata component
 * (type container), each package a library component with its purl; where a package was found is
 * the property drydock:foundIn, its source package drydock:sourceName/sourceVersion.
 */
export function cycloneDxDocument(sbom: Sbom): unknown {
  const bom = new Models.Bom();
  bom.serialNumber = `urn:uuid:${randomUUID()}`;
  bom.metadata.timestamp = new Date(sbom.takenAt);
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, 'drydock', { version: drydockVersion() }));
  const subject = new Models.Component(Enums.ComponentType.Container, sbom.subject.name, { bomRef: 'subject', version: sbom.subject.id });
  subject.properties.add(new Models.Property('drydock:host', sbom.host));
  subject.properties.add(new Models.Property('drydock:subjectKind', sbom.subject.kind));
  subject.properties.add(new Models.Property('drydock:imageId', sbom.subject.imageId));
  if (sbom.os?.prettyName) subject.properties.add(new Models.Property('drydock:osRelease', sbom.os.prettyName));
  bom.metadata.component = subject;
  sbom.packages.forEach((p, i) => {
    const component = new Models.Component(Enums.ComponentType.Library, p.name, {
      bomRef: `pkg-${i}`,
      version: p.version,
      purl: p.purl,
    });
    component.properties.add(new Models.Property('drydock:foundIn', p.foundIn));
    if (p.architecture) component.properties.add(new Models.Property('drydock:architecture', p.architecture));
    if (p.sourceName) component.properties.add(new Models.Property('drydock:sourceName', p.sourceName));
    if (p.sourceVersion) component.properties.add(new Models.Property('drydock:sourceVersion', p.sourceVersion));
    bom.components.add(component);
  });
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot5));
  return JSON.parse(serializer.serialize(bom, { sortLists: false })) as unknown;
}
