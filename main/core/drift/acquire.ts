import type Dockerode from 'dockerode';
import type { DriftFileMeta } from '../../../shared/domain/drift';
import type { ArtifactWriterPort } from '../evidence/port';
import { readRoot, type ContainerFile } from './container-read';
import { isLossy, parentOf, pathBytes, type PathText } from './path-text';

// One file fetched on request, after a scan left it "hashed only" (over a cap): the same archive
// read as the scan's, streamed straight into an artifact, hashed on the way.

/**
 * Streams the regular file at `target` (its exact bytes: `path`, or `pathBase64` when not
 * UTF-8) out of the container into the writer `open` gives. A name that is not UTF-8 cannot be
 * asked for by name: its nearest UTF-8 ancestor is read and only the entry with those bytes kept.
 * Returns the file (meta with sha256, content 'stored' with the artifact ID), or undefined when
 * the container has no such path; throws on an engine failure (after closing the artifact as
 * incomplete).
 */
export async function acquireFile(
  container: Dockerode.Container,
  target: PathText,
  open: (file: { text: PathText; meta: DriftFileMeta }) => Promise<ArtifactWriterPort>,
  signal?: AbortSignal,
): Promise<ContainerFile | undefined> {
  const raw = pathBytes(target);
  let root = target.path;
  if (target.pathBase64 !== undefined || isLossy(root)) {
    root = parentOf(root);
    while (isLossy(root) && root !== '/') root = parentOf(root);
  }
  let found: ContainerFile | undefined;
  await readRoot(container, root, {
    wanted: (path) => path === target.path,
    openStore: async (file) =>
      pathBytes(file.text).equals(raw) && file.meta.type === 'file' ? open(file) : { skipped: { state: 'not-read' } },
    storeBuffered: () => Promise.reject(new Error('acquire never buffers')),
    captureLimit: () => 0,
    // The examiner asked for this file by name: no size limit but the artifact store's.
    maxFileBytes: Number.POSITIVE_INFINITY,
    onFile: (file) => {
      if (file.raw.equals(raw)) found = file;
    },
    ...(signal ? { signal } : {}),
  });
  return found;
}
