import type { DriftFileMeta, DriftFileType, ExecutableKind } from '../../../shared/domain/drift';
import type { EngineChange } from './engine-changes';
import { ancestorsAndSelf, parentOf, pathText } from './path-text';

// The engine's change list, recomputed from disk: an overlay2 container's upper directory against
// its lower layers, exactly as the engine's overlay2 driver computes GET /containers/{id}/changes
// with native diff (moby pkg/archive/changes.go `changes` with `overlayDeletedFile`, Docker 20.10
// to 27): every entry of the upper directory is a change; a character device 0/0 is a whiteout
// (deleted); a directory with trusted.overlay.opaque=y that a lower layer also has is "deleted" (and
// what it now holds is added); a path a lower layer has is "modified", except a directory whose
// size, mode and modification time equal the lower one's (listed only through its children); the
// parent of an added or deleted path is listed as modified once. The overlay filesystem's own
// rules (Linux Documentation/filesystems/overlayfs.rst) give the merged lower view: the topmost
// layer holding a path wins, a whiteout hides the path below it, an opaque directory hides
// everything below it in lower layers. Docker's layer-tar conventions (`.wh.NAME`, `.wh..wh..opq`)
// are honoured too, for trees unpacked from image archives.

/** One entry of a layer's tree (overlay2/<id>/diff), as the walker saw it. */
export interface LayerEntry {
  /** The path inside the layer, absolute ('/etc/passwd'), as raw bytes. */
  raw: Buffer;
  type: DriftFileType;
  /** Permission bits with setuid, setgid and sticky. */
  mode: number;
  uid: number;
  gid: number;
  /** st_size (a directory's on-disk size too; 0 for directories read from a tar archive). */
  size: number;
  mtimeSec: number;
  mtimeNsec: number;
  /** Device numbers of a character or block device (a whiteout is 0/0). */
  rdev?: { major: number; minor: number };
  /** A symlink's target, or a hard link's partner path in the same layer. */
  linkRaw?: Buffer;
  /** The directory carries trusted.overlay.opaque=y (or holds a `.wh..wh..opq` marker). */
  opaque?: boolean;
}

/** A layer entry once read: its hash and what runs, for regular files. */
export interface LayerFile extends LayerEntry {
  path: string;
  pathBase64?: string;
  sha256?: string;
  executable?: ExecutableKind;
  /** Small text files an analysis needs the bytes of (package databases, account files). */
  captured?: Buffer;
}

export const OPAQUE_MARKER = '.wh..wh..opq';
const WHITEOUT_PREFIX = '.wh.';

/** One layer's tree, keyed by text path. */
export class LayerTree {
  readonly files = new Map<string, LayerFile>();
  /** Paths deleted by `.wh.NAME` files (layer-tar convention). */
  readonly whiteoutNames = new Set<string>();
  /** Findings about the tree itself (a whiteout naming '..'). */
  readonly problems: string[] = [];

  add(file: LayerFile): void {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (name === OPAQUE_MARKER) {
      const dir = this.files.get(parentOf(file.path));
      if (dir) dir.opaque = true;
      else this.files.set(parentOf(file.path), { ...file, path: parentOf(file.path), type: 'directory', opaque: true, size: 0 });
      return;
    }
    if (name.startsWith(WHITEOUT_PREFIX)) {
      const target = name.slice(WHITEOUT_PREFIX.length);
      if (target === '' || target === '.' || target === '..' || target.includes('/')) {
        this.problems.push(`a whiteout ${file.path} names ${JSON.stringify(target)}, which is no file of the directory: ignored`);
        return;
      }
      const parent = parentOf(file.path);
      this.whiteoutNames.add(parent === '/' ? `/${target}` : `${parent}/${target}`);
      return;
    }
    const existing = this.files.get(file.path);
    // A directory entry may arrive after an opaque marker created it (tar order): keep the marker.
    if (existing?.opaque && file.type === 'directory') file.opaque = true;
    this.files.set(file.path, file);
  }

  isWhiteout(path: string): boolean {
    if (this.whiteoutNames.has(path)) return true;
    const f = this.files.get(path);
    return f !== undefined && isWhiteoutDevice(f);
  }
}

export function isWhiteoutDevice(entry: LayerEntry): boolean {
  return entry.type === 'char-device' && entry.rdev !== undefined && entry.rdev.major === 0 && entry.rdev.minor === 0;
}

/** The layer entry's path as text, with its bytes when they are not valid UTF-8. */
export function layerPathText(raw: Buffer): { path: string; pathBase64?: string } {
  return pathText(raw);
}

/**
 * The files the lower layers show through an overlay mount (top layer first): whiteouts and
 * opaque directories of higher layers hide what lies below them.
 */
export function mergeLayers(layers: readonly LayerTree[]): Map<string, LayerFile> {
  const merged = new Map<string, LayerFile>();
  const deleted = new Set<string>();
  const opaque = new Set<string>();
  const hidden = (path: string): boolean => {
    const chain = ancestorsAndSelf(path);
    for (let i = 0; i < chain.length; i++) {
      const at = chain[i] as string;
      if (deleted.has(at)) return true;
      if (i < chain.length - 1 && opaque.has(at)) return true;
    }
    return false;
  };
  for (const layer of layers) {
    for (const [path, file] of layer.files) {
      if (isWhiteoutDevice(file) || merged.has(path) || hidden(path)) continue;
      merged.set(path, file);
    }
    for (const [path, file] of layer.files) {
      if (isWhiteoutDevice(file)) deleted.add(path);
      if (file.type === 'directory' && file.opaque) opaque.add(path);
    }
    for (const path of layer.whiteoutNames) deleted.add(path);
  }
  return merged;
}

/** Go's os.FileMode comparison of two entries: type and permission bits. */
function sameMode(a: LayerEntry, b: LayerEntry): boolean {
  return a.type === b.type && a.mode === b.mode;
}

/** moby's sameFsTime: equal, or the same second when either side has no nanoseconds. */
function sameFsTime(a: LayerEntry, b: LayerEntry): boolean {
  return a.mtimeSec === b.mtimeSec && (a.mtimeNsec === b.mtimeNsec || a.mtimeNsec === 0 || b.mtimeNsec === 0);
}

/**
 * The change list the engine would give for this upper directory over these lower layers (see the
 * file's head), in walk order. Upper entries that are layer-tar markers are not changes themselves.
 */
export function upperChanges(upper: LayerTree, lowers: readonly LayerTree[]): EngineChange[] {
  const changes: EngineChange[] = [];
  const changedDirs = new Set<string>();
  const inLower = (path: string) => lowers.some((l) => l.files.has(path) || l.whiteoutNames.has(path));
  const paths = [...upper.files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const deletions = [...upper.whiteoutNames].map((path) => ({ path, whiteout: true }));
  const ordered = [...paths.map((path) => ({ path, whiteout: false })), ...deletions].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  for (const { path, whiteout } of ordered) {
    if (path === '/') continue;
    const file = upper.files.get(path);
    let kind: EngineChange['kind'];
    if (whiteout || (file && isWhiteoutDevice(file))) kind = 'deleted';
    else if (file?.type === 'directory' && file.opaque && lowers.some((l) => l.files.has(path))) kind = 'deleted';
    else {
      kind = 'added';
      let same = false;
      for (const lower of lowers) {
        const below = lower.files.get(path);
        if (!below) continue;
        if (
          file &&
          below.type === 'directory' &&
          file.type === 'directory' &&
          file.size === below.size &&
          sameMode(file, below) &&
          sameFsTime(file, below)
        )
          same = true;
        kind = 'modified';
        break;
      }
      if (same) continue;
      if (kind === 'added' && inLower(path)) kind = 'modified';
    }
    if (file?.type === 'directory') changedDirs.add(path);
    if (kind === 'added' || kind === 'deleted') {
      const parent = parentOf(path);
      if (!changedDirs.has(parent) && parent !== '/') {
        changes.push({ path: parent, kind: 'modified' });
        changedDirs.add(parent);
      }
    }
    changes.push({ path, kind });
  }
  return changes;
}

/** A layer file as drift metadata, the way the engine's archive endpoint describes it (seconds, sizes of regular files only). */
export function layerMeta(file: LayerFile): DriftFileMeta {
  const isFile = file.type === 'file';
  const link = file.type === 'symlink' || file.type === 'hardlink' ? file.linkRaw : undefined;
  const linkText = link ? pathText(link) : undefined;
  return {
    type: file.type,
    mode: file.mode,
    uid: file.uid,
    gid: file.gid,
    size: isFile ? file.size : 0,
    ...(Number.isFinite(new Date(file.mtimeSec * 1000).getTime()) ? { mtime: new Date(file.mtimeSec * 1000).toISOString() } : {}),
    ...(file.sha256 ? { sha256: file.sha256 } : {}),
    ...(linkText ? { linkTarget: linkText.path } : {}),
    ...(linkText?.pathBase64 !== undefined ? { linkTargetBase64: linkText.pathBase64 } : {}),
    ...(file.executable ? { executable: file.executable } : {}),
  };
}
