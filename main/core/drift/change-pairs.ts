import type { ContainerFile } from './container-read';
import type { EngineChange } from './engine-changes';
import type { ImageFile } from './image-index';

// The engine's change list is JSON: a name that is not UTF-8 arrives with its invalid bytes turned
// into U+FFFD, so /tmp/h\xE4 and /tmp/h\xE5 are both "/tmp/h\uFFFD" there. The archive keeps the
// bytes. Each change of the list is paired with at most one container file and one image file by
// their exact bytes, so n colliding names give n entries — never n × n.

export interface PairedChange {
  change: EngineChange;
  /** The container's file for this change (added, modified), when it was read. */
  file?: ContainerFile;
  /** The image's file at the same bytes, when the image has one. */
  image?: ImageFile;
  /** Not in the engine's list: inside this deleted directory, listed from the image (see moves.ts). */
  impliedBy?: string;
}

function imageRaw(file: ImageFile): Buffer {
  return file.pathRaw ?? Buffer.from(file.path, 'utf8');
}

function differs(file: ContainerFile, image: ImageFile): boolean {
  return (
    file.meta.type !== image.type ||
    file.meta.sha256 !== image.sha256 ||
    file.meta.mode !== image.mode ||
    file.meta.size !== image.size ||
    file.meta.uid !== image.uid ||
    file.meta.gid !== image.gid
  );
}

/**
 * One pair per engine change, in the change list's order. `files` holds the container files read,
 * keyed by their text path (several when distinct byte names share a text); `lookup` gives the
 * image's files with a text path. Changes sharing a text are matched to distinct byte names: an
 * added change to a name the image lacks, a modified one to a name both sides have (one that
 * differs first), a deleted one to an image name the container no longer has.
 */
export function pairChanges(
  changes: readonly EngineChange[],
  files: ReadonlyMap<string, readonly ContainerFile[]>,
  lookup: (path: string) => ImageFile[],
): PairedChange[] {
  const groups = new Map<string, EngineChange[]>();
  for (const change of changes) {
    const list = groups.get(change.path);
    if (list) list.push(change);
    else groups.set(change.path, [change]);
  }
  const out: PairedChange[] = [];
  for (const [path, group] of groups) {
    const found = files.get(path) ?? [];
    const images = lookup(path);
    if (group.length === 1 && found.length <= 1 && images.length <= 1) {
      const [change] = group as [EngineChange];
      out.push({ change, ...(found[0] ? { file: found[0] } : {}), ...(images[0] ? { image: images[0] } : {}) });
      continue;
    }
    const imageByRaw = new Map(images.map((i) => [imageRaw(i).toString('hex'), i]));
    const foundRaws = new Set(found.map((f) => f.raw.toString('hex')));
    const usedFiles = new Set<ContainerFile>();
    const usedImages = new Set<ImageFile>();
    const takeFile = (...prefer: ((f: ContainerFile) => boolean)[]): ContainerFile | undefined => {
      for (const test of [...prefer, () => true]) {
        const hit = found.find((f) => !usedFiles.has(f) && test(f));
        if (hit) {
          usedFiles.add(hit);
          return hit;
        }
      }
      return undefined;
    };
    const imageOf = (f: ContainerFile) => imageByRaw.get(f.raw.toString('hex'));
    // Deleted changes last: they take image names no read file claims.
    const ordered = [...group.filter((c) => c.kind !== 'deleted'), ...group.filter((c) => c.kind === 'deleted')];
    for (const change of ordered) {
      if (change.kind === 'deleted') {
        const image =
          images.find((i) => !usedImages.has(i) && !foundRaws.has(imageRaw(i).toString('hex'))) ?? images.find((i) => !usedImages.has(i));
        if (image) usedImages.add(image);
        out.push({ change, ...(image ? { image } : {}) });
        continue;
      }
      const file =
        change.kind === 'added'
          ? takeFile((f) => !imageOf(f))
          : takeFile(
              (f) => {
                const i = imageOf(f);
                return !!i && differs(f, i);
              },
              (f) => !!imageOf(f),
            );
      const image = file ? imageOf(file) : images.length === 1 ? images[0] : undefined;
      if (image) usedImages.add(image);
      out.push({ change, ...(file ? { file } : {}), ...(image ? { image } : {}) });
    }
  }
  return out;
}
