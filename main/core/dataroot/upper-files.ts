import type { DataRootProblem, UpperFileEntry, UpperFilesOfContainer } from '../../../shared/domain/dataroot';
import type { LayerEntry } from '../drift/layer-drift';
import { nanoToIso } from '../time-nano';
import type { ContainerRecord } from './records';
import type { DataRootSource } from './source';

// The writable layers' entries as filesystem events, as a bodyfile lists them for mactime: every
// entry of overlay2/<mount-id>/diff with its modification time, nanoseconds kept. Only metadata is
// read (no file is opened). ctime and atime are left out on purpose: in a copied tree or a tarball
// they are the copy's, not the container's; and an mtime can be set to anything (touch -r).

/** Entries kept per container: past it the list is cut and says so (a hostile layer of millions). */
export const UPPER_ENTRIES_PER_CONTAINER = 200_000;

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

/**
 * The entries of each container's writable layer (containers without a mount ID are skipped), in
 * walk order. A layer that cannot be walked (a symlink out of the data root, too many entries)
 * becomes a problem naming it; the others are still read.
 * @returns one list per container walked, each at most UPPER_ENTRIES_PER_CONTAINER long.
 */
export async function readUpperFiles(
  src: DataRootSource,
  records: readonly ContainerRecord[],
  problems: DataRootProblem[],
): Promise<UpperFilesOfContainer[]> {
  const walked = records.filter((r): r is ContainerRecord & { mountId: string } => r.mountId !== undefined);
  const lists = walked.map((r) => ({
    containerId: r.id,
    containerName: r.inspect.Name.replace(/^\//, ''),
    mountId: r.mountId,
    entries: [] as UpperFileEntry[],
    truncated: false,
  }));
  const visit = (list: UpperFilesOfContainer, e: LayerEntry) => {
    if (list.entries.length >= UPPER_ENTRIES_PER_CONTAINER) {
      list.truncated = true;
      return;
    }
    const path = e.raw.toString('utf8');
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (name === OPAQUE_MARKER) return;
    const named = e.type === 'file' && name.startsWith(WHITEOUT_PREFIX);
    const whiteout = named || (e.type === 'char-device' && e.rdev?.major === 0 && e.rdev.minor === 0);
    list.entries.push({
      path: named ? `${path.slice(0, path.length - name.length)}${name.slice(WHITEOUT_PREFIX.length)}` : path,
      type: whiteout ? 'whiteout' : e.type,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      size: e.size,
      mtime: nanoToIso(BigInt(e.mtimeSec) * 1_000_000_000n + BigInt(e.mtimeNsec)),
      ...(e.opaque ? { opaque: true } : {}),
    });
  };
  // A tar archive is one pass for every layer; a directory is walked layer by layer anyway, and
  // one unreadable layer (a symlink out of the root) must not hide the others.
  if (src.info.kind === 'tarball') {
    try {
      await src.walkLayers(
        walked.map((r) => r.mountId),
        async (i, e) => visit(lists[i] as UpperFilesOfContainer, e),
        { contents: false },
      );
      return lists;
    } catch (err) {
      problems.push({ path: src.info.path, problem: `the writable layers could not be read: ${(err as Error).message}` });
      return [];
    }
  }
  const out: UpperFilesOfContainer[] = [];
  for (const list of lists) {
    try {
      await src.walkLayers([list.mountId], async (_i, e) => visit(list, e), { contents: false });
      out.push(list);
    } catch (err) {
      problems.push({ path: `overlay2/${list.mountId}/diff`, problem: (err as Error).message });
    }
  }
  return out;
}
