import type Dockerode from 'dockerode';
import { diffSboms, type Sbom, type SbomResult, type SbomSubject, type StoredSbomDocument } from '../../../shared/domain/sbom';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import type { AuditFn } from '../audit-fn';
import { isoNow, type Clock } from '../clock';
import { DrydockFailure } from '../errors';
import type { NewArtifact } from '../evidence/port';
import type { HelperLedger } from '../helper/ledger';
import { engineCall, type DockerSource } from '../hosts/engine-call';
import { readContainerFilesystem, readImageFilesystem } from './filesystem-source';
import type { FilesystemRead } from './filesystem-read';
import { spdxDocument } from './spdx';

export interface SbomEvidence {
  resolveWritableCase(ref?: string, acquisition?: { host: string }): { id: string };
  ingestJson(meta: NewArtifact, value: unknown): ArtifactInfo | Promise<ArtifactInfo>;
}

export interface SbomServiceDeps {
  hosts: DockerSource;
  evidence: SbomEvidence;
  audit: AuditFn;
  clock: Clock;
  helpers: HelperLedger;
}

export interface SbomRequest {
  host: string;
  /** A container (ID or name) or an image (ID or reference). */
  target: string;
  record: boolean;
  caseRef?: string;
}

/** The packages of a target without documents or storage: what vulnerability matching reads. */
export interface SbomPackages {
  sbom: Sbom;
  image?: Sbom;
}

function shortImage(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * SBOMs of images and containers, read from their filesystems through the engine (export of the
 * container, or of a never-started container of the image): dpkg, apk and rpm (SQLite) databases,
 * Python and npm manifests. A container's SBOM comes with its image's and the runtime drift.
 */
export class SbomService {
  constructor(private readonly deps: SbomServiceDeps) {}

  /**
   * The SBOM of a container (with its image's and the drift) or of an image, as CycloneDX 1.5 and
   * SPDX 2.3 documents, stored as 'sbom' artifacts in the case when `record` is set.
   * @throws DrydockFailure: 'not-found' (no such container or image on the host), 'engine'/'unreachable'
   *   when the export fails, 'conflict' from the case resolution.
   */
  async build(request: SbomRequest): Promise<SbomResult> {
    const { host } = request;
    const kase = request.record ? this.deps.evidence.resolveWritableCase(request.caseRef, { host }) : undefined;
    const { sbom, image } = await this.packages(host, request.target, kase?.id);
    const drift = image ? diffSboms(image.packages, sbom.packages) : undefined;
    // Loaded when an SBOM is built, not with the core (about 100 ms every CLI command would wait for).
    const { cycloneDxDocument } = await import('./cyclonedx');
    const documents = { cyclonedx: cycloneDxDocument(sbom), spdx: spdxDocument(sbom) };
    const result: SbomResult = { sbom, ...(image ? { image } : {}), ...(drift ? { drift } : {}), documents };
    if (!kase) return result;
    const stored: StoredSbomDocument[] = [];
    const subjects: Sbom[] = image ? [sbom, image] : [sbom];
    for (const subject of subjects) {
      const docs = subject === sbom ? documents : { cyclonedx: cycloneDxDocument(subject), spdx: spdxDocument(subject) };
      for (const format of ['cyclonedx', 'spdx'] as const) {
        const info = await this.deps.evidence.ingestJson(
          {
            caseId: kase.id,
            kind: 'sbom',
            source: {
              host,
              ...(subject.subject.kind === 'container' ? { containerId: subject.subject.id, containerName: subject.subject.name } : {}),
            },
            method: `${format === 'cyclonedx' ? 'CycloneDX 1.5' : 'SPDX 2.3'} JSON from the ${subject.subject.kind}'s package databases (${subject.databases.map((d) => `${d.path} ${d.state}`).join(', ') || 'none found'}), read through the engine's export endpoint`,
            mediaType: format === 'cyclonedx' ? 'application/vnd.cyclonedx+json' : 'application/spdx+json',
            attributes: {
              format,
              subject: subject.subject.kind,
              imageId: subject.subject.imageId,
              packages: subject.packages.length,
              limitations: subject.limitations,
            },
          },
          docs[format],
        );
        stored.push({ format, subject: subject.subject.kind, artifactId: info.id, sha256: info.sha256 });
      }
    }
    this.deps.audit(
      'sbom.acquired',
      {
        host,
        subject: sbom.subject.kind,
        id: sbom.subject.id,
        name: sbom.subject.name,
        imageId: sbom.subject.imageId,
        packages: sbom.packages.length,
        ...(drift ? { runtimeAdded: drift.added.length, runtimeRemoved: drift.removed.length, runtimeChanged: drift.changed.length } : {}),
        artifacts: stored.map((s) => s.artifactId),
      },
      kase.id,
    );
    return { ...result, stored: { caseId: kase.id, documents: stored } };
  }

  /**
   * The packages of a container (and of its image) or of an image, nothing stored.
   * @throws DrydockFailure as build does.
   */
  async packages(host: string, target: string, caseId?: string): Promise<SbomPackages> {
    const docker = await this.deps.hosts.docker(host);
    const container = await this.findContainer(docker, host, target);
    if (container) {
      const takenAt = isoNow(this.deps.clock);
      const read = await readContainerFilesystem(docker, host, container);
      const sbom = await this.assemble(
        host,
        { kind: 'container', id: container.id, name: container.name, imageId: container.imageId },
        takenAt,
        read,
      );
      const imageName = container.imageName ?? shortImage(container.imageId);
      let image: Sbom | undefined;
      try {
        image = await this.imageSbom(docker, host, { id: container.imageId, name: imageName }, caseId);
      } catch (err) {
        if (!(err instanceof DrydockFailure && err.kind === 'not-found')) throw err;
        sbom.limitations.push(
          `the image ${imageName} of container ${container.name} is gone from host ${host}: no image SBOM, no runtime drift`,
        );
      }
      return { sbom, ...(image ? { image } : {}) };
    }
    const inspect = await engineCall({ host, action: `inspecting image ${target}` }, () => docker.getImage(target).inspect()).catch(
      (err: unknown) => {
        if (err instanceof DrydockFailure && err.kind === 'not-found')
          throw new DrydockFailure('not-found', `Host ${host} has no container or image named ${target}`, { host, cause: err });
        throw err;
      },
    );
    const name = (inspect.RepoTags ?? []).find((t) => t !== '<none>:<none>') ?? shortImage(inspect.Id);
    return { sbom: await this.imageSbom(docker, host, { id: inspect.Id, name }, caseId) };
  }

  private async imageSbom(docker: Dockerode, host: string, image: { id: string; name: string }, caseId?: string): Promise<Sbom> {
    const takenAt = isoNow(this.deps.clock);
    const read = await readImageFilesystem(docker, host, this.deps.helpers, image, caseId);
    return this.assemble(host, { kind: 'image', id: image.id, name: image.name, imageId: image.id }, takenAt, read);
  }

  private async assemble(host: string, subject: SbomSubject, takenAt: string, read: FilesystemRead): Promise<Sbom> {
    // Loaded at the first SBOM, not with the core (packageurl-js: about 20 ms every CLI command would wait for).
    const { packageList } = await import('./package-list');
    const list = packageList(read);
    return {
      host,
      subject,
      takenAt,
      ...(list.os ? { os: list.os } : {}),
      packages: list.packages,
      databases: list.databases,
      limitations: list.limitations,
    };
  }

  private async findContainer(
    docker: Dockerode,
    host: string,
    target: string,
  ): Promise<{ id: string; name: string; imageId: string; imageName?: string } | undefined> {
    // Image references hold ':' or '/', container names never do.
    if (/[:/]/.test(target)) return undefined;
    try {
      const inspect = await engineCall({ host, container: target, action: 'inspecting the container' }, () =>
        docker.getContainer(target).inspect(),
      );
      return {
        id: inspect.Id,
        name: inspect.Name.replace(/^\//, ''),
        imageId: inspect.Image,
        ...(inspect.Config.Image ? { imageName: inspect.Config.Image } : {}),
      };
    } catch (err) {
      if (err instanceof DrydockFailure && err.kind === 'not-found') return undefined;
      throw err;
    }
  }
}
