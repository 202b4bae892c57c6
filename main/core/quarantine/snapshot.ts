import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ContainerInspectInfo } from 'dockerode';
import { FORENSIC_IMAGE_LABEL, type ExcludedMount } from '../../../shared/domain/quarantine';
import { LABELS } from '../helper/container';
import { thisProcessOwner } from '../helper/owner';
import type { StepContext, StepOutcome, SnapshotEvidence } from './step-context';

const EXPORT_LABEL = 'drydock.forensic.export';
const RECORD_LABEL = 'drydock.forensic.record';
/** An export container left longer than this by a vanished process may be swept. */
const EXPORT_DEADLINE_MS = 6 * 3600 * 1000;

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

/** Every mount of the container (a commit holds none of them), as the engine reports it. */
export function excludedMounts(inspect: ContainerInspectInfo): ExcludedMount[] {
  return (inspect.Mounts ?? []).map((m) => ({
    type: String(m.Type ?? 'unknown'),
    ...(m.Name ? { name: m.Name } : {}),
    source: m.Source ?? '',
    destination: m.Destination ?? '',
    readWrite: m.RW === true,
  }));
}

/** One line for the record, the artifact and the terminal: "volume data at /data, bind /srv at /cfg". */
export function describeExcluded(mounts: ExcludedMount[]): string {
  return mounts
    .map((m) => `${m.type}${m.type === 'volume' ? ` ${m.name ?? m.source}` : m.source ? ` ${m.source}` : ''} at ${m.destination}`)
    .join(', ');
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
  // Read when the commit is made: the mounts left out are the container's at that moment.
  record.snapshot.excludedMounts ??= excludedMounts(await ctx.inspect());
  const imageId = record.snapshot.imageId ?? (await committedEarlier(ctx));
  const committedNow = !imageId;
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
    if (artifact.status !== 'complete')
      throw ctx.failure(
        'engine',
        `The filesystem export of ${imageRef} stopped early (${artifact.statusReason ?? 'incomplete'}); kept as incomplete artifact ${artifact.id}`,
      );
  }
  await ctx.checkpoint('snapshot', 'exported');
  const excluded = record.snapshot.excludedMounts;
  return {
    state: 'done',
    detail: [
      `${committedNow ? 'Committed to' : 'Found the image an interrupted earlier run committed,'} ${imageRef} (${(record.snapshot.imageId ?? '').slice(7, 19)}); filesystem exported as artifact ${record.snapshot.artifactId} (${record.snapshot.size ?? 0} bytes)`,
      excluded.length
        ? `Not included (mounts are not part of a commit; collect them separately): ${describeExcluded(excluded)}`
        : 'It has no volume or bind mount: nothing left out',
    ].join('. '),
    facts: {
      imageRef,
      imageId: record.snapshot.imageId ?? '',
      artifactId: record.snapshot.artifactId ?? '',
      sha256: record.snapshot.sha256 ?? '',
      excludedMounts: excluded,
    },
  };
}

/**
 * The image an interrupted earlier run of this quarantine committed, if any. Labels are hostile
 * input (anyone with the engine can set them), so a labelled image counts only when the engine
 * itself says it was committed from this container (image inspect's Container) after this
 * quarantine began; anything else is ignored and the container is committed anew.
 */
async function committedEarlier(ctx: StepContext): Promise<string | undefined> {
  const { record } = ctx;
  const images = await ctx.engine('looking for an earlier forensic image', () =>
    ctx.docker.listImages({ filters: { label: [`${RECORD_LABEL}=${record.id}`] } }),
  );
  for (const image of images) {
    const info = (await ctx.engine('inspecting an earlier forensic image', () => ctx.docker.getImage(image.Id).inspect())) as {
      Id: string;
      Container?: string;
      Created?: string;
    };
    const created = Date.parse(info.Created ?? '');
    if (info.Container === record.containerId && Number.isFinite(created) && created >= Date.parse(record.createdAt) - 1000) return info.Id;
  }
  return undefined;
}

async function exportImage(ctx: StepContext, evidence: SnapshotEvidence, caseId: string, image: string, imageRef: string) {
  const { docker, record } = ctx;
  await removeExportContainers(ctx);
  const helperId = randomBytes(6).toString('hex');
  const created = await ctx.engine('creating the export container', () =>
    ctx.helpers.create(
      docker,
      ctx.host,
      {
        Image: image,
        // Never started: the command only has to be syntactically present.
        Entrypoint: ['/drydock-export-only'],
        Cmd: [],
        NetworkDisabled: true,
        Labels: { [EXPORT_LABEL]: record.id, 'drydock.managed': '1', ...helperLabels(helperId) },
        HostConfig: { NetworkMode: 'none', AutoRemove: false },
      },
      {
        helperId,
        purpose: 'snapshot-export',
        target: image,
        owner: thisProcessOwner,
        deadline: new Date(Date.now() + EXPORT_DEADLINE_MS),
        ...(record.caseId ? { caseId: record.caseId } : {}),
      },
    ),
  );
  try {
    const stream = (await ctx.engine('exporting the forensic image filesystem', () => created.export())) as unknown as Readable;
    return await evidence.ingest(
      {
        caseId,
        kind: 'filesystem-export',
        source: { host: record.host, containerId: record.containerId, containerName: record.containerName },
        method:
          'docker commit (pause=false) to a labelled forensic image, then the Engine API export of a never-started container created from that image',
        mediaType: 'application/x-tar',
        attributes: {
          quarantineId: record.id,
          imageRef,
          imageId: record.snapshot?.imageId ?? '',
          excludes: 'volumes, bind and tmpfs mounts (not part of a commit)',
          excludedMounts: record.snapshot?.excludedMounts ?? [],
        },
      },
      stream,
    );
  } finally {
    // A failed removal is audited by the ledger (helper.remove-failed) and the sweeper takes the helper later.
    await ctx.helpers.remove(docker, ctx.host, created.id, 'filesystem exported').catch(() => undefined);
  }
}

/** Export containers a crashed run left behind: only those Drydock recorded creating (the label alone proves nothing). */
async function removeExportContainers(ctx: StepContext): Promise<void> {
  const leftovers = await ctx.engine('listing leftover export containers', () =>
    ctx.docker.listContainers({ all: true, filters: { label: [`${EXPORT_LABEL}=${ctx.record.id}`] } }),
  );
  for (const c of leftovers) {
    const verdict = ctx.helpers.judge({ id: c.Id, imageId: c.ImageID, name: (c.Names?.[0] ?? '').replace(/^\//, ''), labels: c.Labels });
    // A failed removal is audited by the ledger (helper.remove-failed) and left for the next snapshot or the sweeper.
    if (verdict.kind === 'helper')
      await ctx.helpers.remove(ctx.docker, ctx.host, c.Id, 'left by an interrupted snapshot').catch(() => undefined);
  }
}

/** Owner labels the ledger compares with its record (they say who, the record says it is true). */
function helperLabels(helperId: string): Record<string, string> {
  return {
    [LABELS.id]: helperId,
    [LABELS.ownerMachine]: thisProcessOwner.machine,
    [LABELS.ownerPid]: String(thisProcessOwner.pid),
    [LABELS.ownerStarted]: String(thisProcessOwner.startedAtMs),
  };
}
