import type { Readable } from 'node:stream';
import { FORENSIC_IMAGE_LABEL } from '../../../shared/domain/quarantine';
import type { StepContext, StepOutcome, SnapshotEvidence } from './step-context';

const EXPORT_LABEL = 'drydock.forensic.export';
const RECORD_LABEL = 'drydock.forensic.record';

/** A repository path component Docker accepts, from a container name that may be anything. */
export function forensicRepository(containerName: string): string {
  const slug = containerName
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/[._-]{2,}/g, '-')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, 60)
    .replace(/[._-]+$/g, '');
  return `drydock-forensic/${slug || 'container'}`;
}

export function forensicImageRef(containerName: string, recordId: string): string {
  return `${forensicRepository(containerName)}:${recordId}`;
}

/**
 * Commits the container to a labelled forensic image without pausing it (the engine's default
 * commit pauses; only the pause mode may freeze it), then streams the filesystem of that image
 * into the case: the export comes from a never-started container created from the image, so the
 * artifact is exactly the committed filesystem, not a container still changing underneath.
 */
export async function snapshot(ctx: StepContext, evidence: SnapshotEvidence, caseId: string, examiner: string): Promise<StepOutcome> {
  const { record } = ctx;
  const imageRef = forensicImageRef(record.containerName, record.id);
  record.snapshot ??= { imageRef };
  const imageId = record.snapshot.imageId ?? (await committedEarlier(ctx));
  if (imageId) {
    record.snapshot.imageId = imageId;
  } else {
    const [repo, tag] = [imageRef.slice(0, imageRef.lastIndexOf(':')), imageRef.slice(imageRef.lastIndexOf(':') + 1)];
    const committed = (await ctx.engine('committing it to a forensic image', () =>
      ctx.docker.getContainer(record.containerId).commit({
        _query: {
          container: record.containerId,
          repo,
          tag,
          pause: false,
          author: `Drydock (${examiner})`,
          comment: `Forensic snapshot of ${record.containerName} (${record.containerId}) on ${record.host}, quarantine ${record.id}`,
        },
        _body: {
          Labels: {
            [FORENSIC_IMAGE_LABEL]: '1',
            [RECORD_LABEL]: record.id,
            'drydock.forensic.container': record.containerId,
            'drydock.forensic.host': record.host,
            'drydock.forensic.case': caseId,
            'drydock.forensic.at': ctx.now(),
          },
        },
      }),
    )) as { Id?: string; id?: string };
    record.snapshot.imageId = committed.Id ?? committed.id ?? '';
  }
  ctx.save();
  await ctx.checkpoint('snapshot', 'committed');

  const stored = record.snapshot.artifactId ? await evidence.getArtifact(record.snapshot.artifactId) : undefined;
  if (!stored || stored.status !== 'complete') {
    const artifact = await exportImage(ctx, evidence, caseId, record.snapshot.imageId ?? imageRef, imageRef);
    record.snapshot.artifactId = artifact.id;
    record.snapshot.sha256 = artifact.sha256;
    record.snapshot.size = artifact.size;
    ctx.save();
    if (artifact.status !== 'complete') throw ctx.failure('engine', `The filesystem export of ${imageRef} stopped early (${artifact.statusReason ?? 'incomplete'}); kept as incomplete artifact ${artifact.id}`);
  }
  await ctx.checkpoint('snapshot', 'exported');
  return { state: 'done', detail: `Committed to ${imageRef} (${(record.snapshot.imageId ?? '').slice(7, 19)}); filesystem exported as artifact ${record.snapshot.artifactId} (${record.snapshot.size ?? 0} bytes)` };
}

async function committedEarlier(ctx: StepContext): Promise<string | undefined> {
  const images = await ctx.engine('looking for an earlier forensic image', () => ctx.docker.listImages({ filters: { label: [`${RECORD_LABEL}=${ctx.record.id}`] } }));
  return images[0]?.Id;
}

async function exportImage(ctx: StepContext, evidence: SnapshotEvidence, caseId: string, image: string, imageRef: string) {
  const { docker, record } = ctx;
  await removeExportContainers(ctx);
  const created = await ctx.engine('creating the export container', () =>
    docker.createContainer({
      Image: image,
      // Never started: the command only has to be syntactically present.
      Entrypoint: ['/drydock-export-only'],
      Cmd: [],
      NetworkDisabled: true,
      Labels: { [EXPORT_LABEL]: record.id, 'drydock.managed': '1' },
      HostConfig: { NetworkMode: 'none', AutoRemove: false },
    }),
  );
  try {
    const stream = (await ctx.engine('exporting the forensic image filesystem', () => created.export())) as unknown as Readable;
    return await evidence.ingest(
      {
        caseId,
        kind: 'filesystem-export',
        source: { host: record.host, containerId: record.containerId, containerName: record.containerName },
        method: 'docker commit (pause=false) to a labelled forensic image, then the Engine API export of a never-started container created from that image',
        mediaType: 'application/x-tar',
        attributes: { quarantineId: record.id, imageRef, imageId: record.snapshot?.imageId ?? '', excludes: 'volumes and bind mounts (not part of a commit)' },
      },
      stream,
    );
  } finally {
    await created.remove({ force: true, v: true }).catch(() => undefined);
  }
}

/** Export containers a crashed run left behind. */
async function removeExportContainers(ctx: StepContext): Promise<void> {
  const leftovers = await ctx.engine('listing leftover export containers', () => ctx.docker.listContainers({ all: true, filters: { label: [`${EXPORT_LABEL}=${ctx.record.id}`] } }));
  for (const c of leftovers) await ctx.docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
}
