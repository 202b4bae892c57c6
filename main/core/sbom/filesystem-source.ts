import { randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import { LABELS } from '../helper/container';
import type { HelperLedger } from '../helper/ledger';
import { thisProcessOwner } from '../helper/owner';
import { engineCall } from '../hosts/engine-call';
import { readFilesystem, type FilesystemRead } from './filesystem-read';

// Where the filesystem an SBOM reads comes from: a container's own merged filesystem
// (GET /containers/{id}/export), or an image's, through a created and never started container of
// the image (recorded in the helper ledger, removed at the end whatever happens), so nothing from
// the image runs.

const HELPER_DEADLINE_MS = 60 * 60 * 1000;

/**
 * Reads a container's filesystem through the export endpoint.
 * @throws DrydockFailure naming host and container when the engine refuses or the stream breaks.
 */
export async function readContainerFilesystem(
  docker: Dockerode,
  host: string,
  container: { id: string; name: string },
): Promise<FilesystemRead> {
  return engineCall({ host, container: container.name, action: 'reading the container filesystem (export)' }, async () =>
    readFilesystem((await docker.getContainer(container.id).export()) as unknown as NodeJS.ReadableStream),
  );
}

/**
 * Reads an image's filesystem through a never-started container of it.
 * @throws DrydockFailure naming the host and image when the create, the export or the stream fails.
 */
export async function readImageFilesystem(
  docker: Dockerode,
  host: string,
  helpers: HelperLedger,
  image: { id: string; name: string },
  caseId?: string,
): Promise<FilesystemRead> {
  const helperId = randomBytes(6).toString('hex');
  const created = new Date();
  const deadline = new Date(created.getTime() + HELPER_DEADLINE_MS);
  const helper = await engineCall(
    { host, action: `creating a never-started container of image ${image.name} to read its filesystem` },
    () =>
      helpers.create(
        docker,
        host,
        {
          name: `drydock-sbom-${helperId}`,
          Image: image.id,
          // Never started; the entrypoint only makes the create valid for images without one.
          Entrypoint: ['/drydock-never-started'],
          Cmd: [],
          NetworkDisabled: true,
          Labels: {
            [LABELS.helper]: 'sbom-image',
            [LABELS.id]: helperId,
            [LABELS.target]: image.id,
            [LABELS.ownerMachine]: thisProcessOwner.machine,
            [LABELS.ownerPid]: String(thisProcessOwner.pid),
            [LABELS.ownerStarted]: String(thisProcessOwner.startedAtMs),
            [LABELS.deadline]: deadline.toISOString(),
          },
          HostConfig: {
            NetworkMode: 'none',
            AutoRemove: false,
            LogConfig: { Type: 'none', Config: {} },
            RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
          },
        },
        { helperId, purpose: 'sbom-image', target: image.id, owner: thisProcessOwner, deadline, ...(caseId ? { caseId } : {}) },
      ),
  );
  try {
    return await engineCall(
      { host, action: `reading the filesystem of image ${image.name} (export of a never-started container)` },
      async () => readFilesystem((await helper.export()) as unknown as NodeJS.ReadableStream),
    );
  } finally {
    // A failed removal is audited by the ledger and the sweeper takes the helper later.
    await helpers.remove(docker, host, helper.id, 'image filesystem read for an SBOM').catch(() => undefined);
  }
}
