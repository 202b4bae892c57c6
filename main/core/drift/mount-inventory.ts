import { createHash } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { MountInventoryEntry } from '../../../shared/domain/drift';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import type { ArtifactWriterPort } from '../evidence/port';
import { headerMeta } from './entry-meta';
import { entryPath } from './path-text';
import { readTar } from './tar-reader';

/**
 * Hashes every file under one mount point, read through the container's archive endpoint (which
 * sees the mount as the container does), into newline-delimited JSON streamed straight into an
 * artifact: one line per entry, whatever the mount's size.
 */
export async function inventoryMount(
  container: Dockerode.Container,
  destination: string,
  writer: ArtifactWriterPort,
  signal?: AbortSignal,
): Promise<{ artifact: ArtifactInfo; files: number; bytes: number; complete: boolean }> {
  let files = 0;
  let bytes = 0;
  try {
    const stream = (await container.getArchive({
      path: destination,
      ...(signal ? { abortSignal: signal } : {}),
    })) as unknown as AsyncIterable<Buffer>;
    for await (const entry of readTar(stream)) {
      const located = entryPath(destination, entry.header.name);
      if (!located) continue;
      const meta = headerMeta(destination, entry.header);
      let sha256: string | undefined;
      if (meta.type === 'file') {
        const hash = createHash('sha256');
        for await (const chunk of entry.body) hash.update(chunk);
        sha256 = hash.digest('hex');
        bytes += meta.size;
      }
      const line: MountInventoryEntry = {
        path: located.text.path,
        ...(located.text.pathBase64 !== undefined ? { pathBase64: located.text.pathBase64 } : {}),
        type: meta.type,
        mode: meta.mode,
        uid: meta.uid ?? 0,
        gid: meta.gid ?? 0,
        size: meta.size,
        ...(meta.mtime ? { mtime: meta.mtime } : {}),
        ...(sha256 ? { sha256 } : {}),
        ...(meta.linkTarget !== undefined ? { linkTarget: meta.linkTarget } : {}),
      };
      files++;
      await writer.write(Buffer.from(`${JSON.stringify(line)}\n`, 'utf8'));
    }
  } catch (err) {
    const artifact = await writer.abandon(`the archive stream of ${destination} failed after ${files} entries: ${(err as Error).message}`, {
      files,
      bytes,
    });
    return { artifact, files, bytes, complete: false };
  }
  const artifact = await writer.finish({ files, bytes });
  return { artifact, files, bytes, complete: true };
}
