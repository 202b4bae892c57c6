import type { DriftFileMeta, DriftFileType, ExecutableKind } from '../../../shared/domain/drift';
import type { EngineChange } from './engine-changes';
import { ancestorsAndSelf, parentOf, pathText } from './path-text';

// The engine's change list, recomputed from disk. The container's filesystem is the overlay of its
// upper directory on its lower layers (the init layer, then the image's), merged as the overlay
// filesystem does (Linux Documentation/filesystems/overlayfs.rst): the topmost layer holding a path
// wins, a whiteout (character device 0/0) hides the path below it, an opaque directory
// (trusted.overlay.opaque=y) hides everything below it in lower layers; Docker's layer-tar
// conventions (`.wh.NAME`, `.wh..wh..opq`) are honoured too. The merged container tree is then
// compared with the merged lower tree exactly as the engine's "naive" diff does (moby
// pkg/archive/changes.go ChangesDirs / FileInfo.addChanges / statDifferent, which Docker 20.10's
// overlay2 driver answers GET /containers/{id}/changes with, as measured against a live engine in
// test/integration/dataroot): a path only in the container is added (and everything below it), one
// only in the lower tree deleted (its children are not listed), one in both modified when its mode,
// owner or device differs or — not for directories — its size or modification time does; a
// directory with changes below it is listed as modified. That comparison is of metadata only: a
// file rewritten with its size and modification time put back (touch -r) is not listed by the
// engine. The upper directory holds it all the same, so every non-directory of the upper directory
// that the comparison did not list is returned too, marked `hidden`.

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

/**
 * A path's key in a layer tree: its raw bytes read as latin1, one key per byte name (text with
 * U+FFFD would make two names that differ only in invalid bytes one). '/' stays '/'.
 */
export function layerKey(raw: Buffer): string {
  return raw.toString('latin1');
}

/** The text of a key (and its bytes when they are not valid UTF-8), as reports carry paths. */
export function keyText(key: string): { path: string; pathBase64?: string } {
  return pathText(Buffer.from(key, 'latin1'));
}

/** One layer's tree, keyed by layerKey (the paths' raw bytes); paths, changes and whiteouts below are keys too. */
export class LayerTree {
  readonly files = new Map<string, LayerFile>();
  /** Paths deleted by `.wh.NAME` files (layer-tar convention). */
  readonly whiteoutNames = new Set<string>();
  /** Findings about the tree itself (a whiteout naming '..'). */
  readonly problems: string[] = [];

  add(file: LayerFile): void {
    const key = layerKey(file.raw);
    const name = key.slice(key.lastIndexOf('/') + 1);
    if (name === OPAQUE_MARKER) {
      const parent = parentOf(key);
      const dir = this.files.get(parent);
      if (dir) dir.opaque = true;
      else {
        const { pathBase64: _drop, ...rest } = file;
        this.files.set(parent, {
          ...rest,
          raw: Buffer.from(parent, 'latin1'),
          ...keyText(parent),
          type: 'directory',
          opaque: true,
          size: 0,
        });
      }
      return;
    }
    if (name.startsWith(WHITEOUT_PREFIX)) {
      const target = name.slice(WHITEOUT_PREFIX.length);
      if (target === '' || target === '.' || target === '..' || target.includes('/')) {
        this.problems.push(`a whiteout ${file.path} names ${JSON.stringify(target)}, which is no file of the directory: ignored`);
        return;
      }
      const parent = parentOf(key);
      this.whiteoutNames.add(parent === '/' ? `/${target}` : `${parent}/${target}`);
      return;
    }
    const existing = this.files.get(key);
    // A directory entry may arrive after an opaque marker created it (tar order): keep the marker.
    if (existing?.opaque && file.type === 'directory') file.opaque = true;
    this.files.set(key, file);
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

/** moby's sameFsTimeSpec: the same second, and the same nanoseconds unless either side has none. */
function sameFsTime(a: LayerEntry, b: LayerEntry): boolean {
  return a.mtimeSec === b.mtimeSec && (a.mtimeNsec === b.mtimeNsec || a.mtimeNsec === 0 || b.mtimeNsec === 0);
}

/** moby's statDifferent: mode, owner, device; size and modification time for all but directories. */
function statDifferent(a: LayerEntry, b: LayerEntry): boolean {
  if (a.type !== b.type || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid) return true;
  if ((a.rdev?.major ?? 0) !== (b.rdev?.major ?? 0) || (a.rdev?.minor ?? 0) !== (b.rdev?.minor ?? 0)) return true;
  return a.type !== 'directory' && (!sameFsTime(a, b) || a.size !== b.size);
}

/** Children names per directory of a merged tree. */
function childrenOf(tree: ReadonlyMap<string, LayerFile>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const path of tree.keys()) {
    if (path === '/') continue;
    const parent = parentOf(path);
    const list = out.get(parent);
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (list) list.push(name);
    else out.set(parent, [name]);
  }
  for (const list of out.values()) list.sort();
  return out;
}

export interface UpperChange extends EngineChange {
  /** In the upper directory but not in the engine's (metadata) change list: found by reading the disk. */
  hidden?: true;
}

/**
 * The change list the engine gives for this container (see the file's head), then the upper
 * directory's files that list leaves out, marked `hidden`. Paths are layerKey keys: keyText
 * turns them into the text the engine's own list would hold.
 */
export function upperChanges(upper: LayerTree, lowers: readonly LayerTree[]): UpperChange[] {
  const before = mergeLayers(lowers);
  const after = mergeLayers([upper, ...lowers]);
  const oldChildren = childrenOf(before);
  const newChildren = childrenOf(after);
  const changes: UpperChange[] = [];
  const marked = new Set<string>();
  const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);
  const visit = (path: string, oldExists: boolean): void => {
    const sizeAtEntry = changes.length;
    if (!oldExists) {
      changes.push({ path, kind: 'added' });
      marked.add(path);
    }
    const isDir = path === '/' || after.get(path)?.type === 'directory';
    const remaining = new Set(oldExists && isDir ? (oldChildren.get(path) ?? []) : []);
    for (const name of newChildren.get(path) ?? []) {
      const child = join(path, name);
      const had = remaining.has(name);
      if (had) {
        if (statDifferent(before.get(child) as LayerFile, after.get(child) as LayerFile)) {
          changes.push({ path: child, kind: 'modified' });
          marked.add(child);
        }
        remaining.delete(name);
      }
      if (isDir) visit(child, had);
    }
    for (const name of [...remaining].sort()) changes.push({ path: join(path, name), kind: 'deleted' });
    if (changes.length > sizeAtEntry && isDir && !marked.has(path) && path !== '/')
      changes.splice(sizeAtEntry, 0, { path, kind: 'modified' });
  };
  visit('/', true);
  const listed = new Set(changes.map((c) => c.path));
  for (const [path, file] of upper.files) {
    if (listed.has(path) || file.type === 'directory' || isWhiteoutDevice(file) || after.get(path) !== file) continue;
    changes.push({ path, kind: before.has(path) ? 'modified' : 'added', hidden: true });
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
