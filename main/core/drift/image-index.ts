import { createHash, randomBytes } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { DriftFileMeta, DriftFileType, ExecutableKind, PackageVersion } from '../../../shared/domain/drift';
import { LABELS } from '../helper/container';
import type { HelperLedger } from '../helper/ledger';
import { thisProcessOwner } from '../helper/owner';
import type { Db } from '../store/database';
import { headerMeta } from './entry-meta';
import { executableKind, HeadCollector } from './file-sniff';
import { isPackageDatabase, PACKAGE_DATABASES, PACKAGE_DB_LIMIT, parsePackageDatabase } from './packages';
import { entryPath, isUnder } from './path-text';
import { readTar } from './tar-reader';

// The image side of a drift scan, read without running the image: a container is created from the
// image ID and never started, its filesystem streamed through the engine's export endpoint (the
// same API on a remote host), every file hashed on the way, and the result cached per image ID in
// the store. Nothing from the image touches the local filesystem.

export interface ImageFile extends DriftFileMeta {
  path: string;
  pathRaw?: Buffer;
  linkRaw?: Buffer;
}

export interface ImagePackages {
  [database: string]: PackageVersion[];
}

export interface IndexSummary {
  imageId: string;
  builtAt: string;
  entries: number;
  bytes: number;
}

/** Image-side bytes kept for diffs and for reasons ("user x added"): small files where intruders write. */
const BASELINE_DIRS = ['/etc', '/root', '/home', '/var/spool/cron', '/usr/local/etc', '/var/www', '/srv', '/usr/share/nginx/html'];
const BASELINE_FILE_LIMIT = 256 * 1024;
const BASELINE_TOTAL_LIMIT = 64 * 1024 * 1024;
/** Indexes kept; the least recently used beyond this are dropped. */
const MAX_CACHED_IMAGES = 64;
const INSERT_BATCH = 2000;
const HELPER_DEADLINE_MS = 60 * 60 * 1000;

interface FileRow {
  path: string;
  path_raw: Buffer | null;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: string | null;
  sha256: string | null;
  link: string | null;
  link_raw: Buffer | null;
  exec: string | null;
}

function rowToFile(row: FileRow): ImageFile {
  return {
    path: row.path,
    ...(row.path_raw ? { pathRaw: row.path_raw } : {}),
    type: row.type as DriftFileType,
    mode: row.mode,
    uid: row.uid,
    gid: row.gid,
    size: row.size,
    ...(row.mtime ? { mtime: row.mtime } : {}),
    ...(row.sha256 ? { sha256: row.sha256 } : {}),
    ...(row.link !== null ? { linkTarget: row.link } : {}),
    ...(row.link_raw ? { linkRaw: row.link_raw, linkTargetBase64: row.link_raw.toString('base64') } : {}),
    ...(row.exec ? { executable: row.exec as ExecutableKind } : {}),
  };
}

export function keepsBaseline(path: string, size: number): boolean {
  if (isPackageDatabase(path)) return size <= PACKAGE_DB_LIMIT;
  return size <= BASELINE_FILE_LIMIT && BASELINE_DIRS.some((d) => isUnder(path, d) && path !== d);
}

/** The cached indexes in the store's database. */
export class ImageIndexStore {
  constructor(private readonly db: Db) {}

  summary(imageId: string): IndexSummary | undefined {
    const row = this.db
      .prepare<[string], { built_at: string; entries: number; bytes: number }>(
        'SELECT built_at, entries, bytes FROM drift_images WHERE image_id = ? AND entries >= 0',
      )
      .get(imageId);
    return row ? { imageId, builtAt: row.built_at, entries: row.entries, bytes: row.bytes } : undefined;
  }

  touch(imageId: string, at: string): void {
    this.db.prepare('UPDATE drift_images SET used_at = ? WHERE image_id = ?').run(at, imageId);
  }

  /** Every indexed file at this path (text key; more than one only for distinct invalid-UTF-8 names). */
  lookup(imageId: string, path: string): ImageFile[] {
    return this.db
      .prepare<[string, string], FileRow>('SELECT * FROM drift_image_files WHERE image_id = ? AND path = ?')
      .all(imageId, path)
      .map(rowToFile);
  }

  /** How much of the image lies under a directory: what reading it through the archive endpoint costs. */
  subtreeCost(imageId: string, dir: string): { entries: number; bytes: number } {
    const low = dir === '/' ? '/' : `${dir}/`;
    const high = dir === '/' ? '0' : `${dir}0`;
    const row = this.db
      .prepare<[string, string, string], { n: number; bytes: number | null }>(
        'SELECT count(*) AS n, sum(size) AS bytes FROM drift_image_files WHERE image_id = ? AND path >= ? AND path < ?',
      )
      .get(imageId, low, high);
    return { entries: row?.n ?? 0, bytes: row?.bytes ?? 0 };
  }

  /** Up to `limit` entries below a directory (not the directory itself), in path order: what a deleted directory held. */
  under(imageId: string, dir: string, limit: number): ImageFile[] {
    const low = dir === '/' ? '/' : `${dir}/`;
    const high = dir === '/' ? '0' : `${dir}0`;
    return this.db
      .prepare<[string, string, string, number], FileRow>(
        'SELECT * FROM drift_image_files WHERE image_id = ? AND path >= ? AND path < ? ORDER BY path LIMIT ?',
      )
      .all(imageId, low, high, limit)
      .map(rowToFile);
  }

  content(imageId: string, path: string): Buffer | undefined {
    return this.db
      .prepare<[string, string], { content: Buffer }>('SELECT content FROM drift_image_content WHERE image_id = ? AND path = ?')
      .get(imageId, path)?.content;
  }

  packages(imageId: string): ImagePackages {
    const row = this.db.prepare<[string], { packages: string }>('SELECT packages FROM drift_images WHERE image_id = ?').get(imageId);
    return row ? (JSON.parse(row.packages) as ImagePackages) : {};
  }

  begin(imageId: string, at: string): IndexWriter {
    this.db.prepare('DELETE FROM drift_images WHERE image_id = ?').run(imageId);
    this.db
      .prepare('INSERT INTO drift_images (image_id, built_at, used_at, entries, bytes, packages) VALUES (?, ?, ?, -1, 0, ?)')
      .run(imageId, at, at, '{}');
    return new IndexWriter(this.db, imageId);
  }

  discard(imageId: string): void {
    this.db.prepare('DELETE FROM drift_images WHERE image_id = ?').run(imageId);
  }

  /** Drops the least recently used indexes beyond the limit. */
  prune(keep = MAX_CACHED_IMAGES): void {
    this.db
      .prepare('DELETE FROM drift_images WHERE image_id IN (SELECT image_id FROM drift_images ORDER BY used_at DESC LIMIT -1 OFFSET ?)')
      .run(keep);
  }
}

export class IndexWriter {
  private rows: FileRow[] = [];
  private contents: { path: string; content: Buffer }[] = [];
  entries = 0;
  bytes = 0;
  private readonly insertFile;
  private readonly insertContent;

  constructor(
    private readonly db: Db,
    private readonly imageId: string,
  ) {
    this.insertFile = db.prepare(
      'INSERT INTO drift_image_files (image_id, path, path_raw, type, mode, uid, gid, size, mtime, sha256, link, link_raw, exec) VALUES (@image_id, @path, @path_raw, @type, @mode, @uid, @gid, @size, @mtime, @sha256, @link, @link_raw, @exec)',
    );
    this.insertContent = db.prepare('INSERT OR REPLACE INTO drift_image_content (image_id, path, content) VALUES (?, ?, ?)');
  }

  add(row: FileRow, content?: Buffer): void {
    this.rows.push(row);
    if (content) this.contents.push({ path: row.path, content });
    this.entries++;
    this.bytes += row.size;
    if (this.rows.length >= INSERT_BATCH) this.flush();
  }

  flush(): void {
    const rows = this.rows;
    const contents = this.contents;
    this.rows = [];
    this.contents = [];
    this.db.transaction(() => {
      for (const row of rows) this.insertFile.run({ image_id: this.imageId, ...row });
      for (const c of contents) this.insertContent.run(this.imageId, c.path, c.content);
    })();
  }

  finish(packages: ImagePackages): void {
    this.flush();
    this.db
      .prepare('UPDATE drift_images SET entries = ?, bytes = ?, packages = ? WHERE image_id = ?')
      .run(this.entries, this.bytes, JSON.stringify(packages), this.imageId);
  }
}

export interface BuildOptions {
  host: string;
  /** Records the index helper by container ID and audits its creation and removal. */
  helpers: HelperLedger;
  imageId: string;
  signal?: AbortSignal;
  now: () => string;
  onProgress?: (entries: number, bytes: number) => void;
}

/** A created, never-started container of the image; recorded in the helper ledger (its labels are for people, not proof). */
export function indexHelperOptions(imageId: string, helperId: string, now: Date): Dockerode.ContainerCreateOptions {
  return {
    name: `drydock-drift-index-${helperId}`,
    Image: imageId,
    // Never started; the entrypoint only has to make the create valid for images without one.
    Entrypoint: ['/drydock-never-started'],
    Cmd: [],
    NetworkDisabled: true,
    Labels: {
      [LABELS.helper]: 'drift-index',
      [LABELS.id]: helperId,
      [LABELS.target]: imageId,
      [LABELS.ownerMachine]: thisProcessOwner.machine,
      [LABELS.ownerPid]: String(thisProcessOwner.pid),
      [LABELS.ownerStarted]: String(thisProcessOwner.startedAtMs),
      [LABELS.deadline]: new Date(now.getTime() + HELPER_DEADLINE_MS).toISOString(),
    },
    HostConfig: {
      NetworkMode: 'none',
      AutoRemove: false,
      LogConfig: { Type: 'none', Config: {} },
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    },
  };
}

/**
 * Streams the image's filesystem into the index. The helper container is removed whatever
 * happens; an index cut short is discarded (a partial index would make files look deleted).
 */
export async function buildImageIndex(docker: Dockerode, store: ImageIndexStore, options: BuildOptions): Promise<IndexSummary> {
  const helperId = randomBytes(6).toString('hex');
  const created = new Date();
  const helper = await options.helpers.create(docker, options.host, indexHelperOptions(options.imageId, helperId, created), {
    helperId,
    purpose: 'drift-index',
    target: options.imageId,
    owner: thisProcessOwner,
    deadline: new Date(created.getTime() + HELPER_DEADLINE_MS),
  });
  const builtAt = options.now();
  const writer = store.begin(options.imageId, builtAt);
  const packages: ImagePackages = {};
  let baselineBytes = 0;
  try {
    const stream = (await helper.export(options.signal ? { abortSignal: options.signal } : {})) as unknown as AsyncIterable<Buffer>;
    let lastReport = 0;
    /** Regular files seen so far: a hard link entry takes its partner's hash (the archive stores the bytes once). */
    const regular = new Map<string, { sha256: string; size: number; exec: ExecutableKind | undefined }>();
    for await (const entry of readTar(stream)) {
      const located = entryPath('/', entry.header.name);
      if (!located) continue;
      const { header } = entry;
      const path = located.text.path;
      let sha256: string | null = null;
      let exec: ExecutableKind | undefined;
      let content: Buffer | undefined;
      if (header.type === 'file') {
        const hash = createHash('sha256');
        const head = new HeadCollector();
        const keep = keepsBaseline(path, header.size) && baselineBytes + header.size <= BASELINE_TOTAL_LIMIT;
        const parts: Buffer[] = [];
        for await (const chunk of entry.body) {
          hash.update(chunk);
          head.push(chunk);
          if (keep) parts.push(Buffer.from(chunk));
        }
        sha256 = hash.digest('hex');
        exec = executableKind(head.head, header.mode);
        if (keep) {
          content = Buffer.concat(parts);
          baselineBytes += content.length;
          if (isPackageDatabase(path)) packages[path] = parsePackageDatabase(PACKAGE_DATABASES[path], content.toString('utf8'));
        }
      }
      const meta = headerMeta('/', header);
      if (sha256) regular.set(path, { sha256, size: header.size, exec });
      else if (meta.type === 'hardlink' && meta.linkTarget !== undefined) {
        const partner = regular.get(meta.linkTarget);
        if (partner) {
          meta.type = 'file';
          meta.size = partner.size;
          sha256 = partner.sha256;
          exec = partner.exec;
        }
      }
      writer.add(
        {
          path,
          path_raw: located.text.pathBase64 !== undefined ? located.raw : null,
          type: meta.type,
          mode: meta.mode,
          uid: header.uid,
          gid: header.gid,
          size: meta.size,
          mtime: meta.mtime ?? null,
          sha256,
          link: meta.linkTarget ?? null,
          link_raw: meta.linkRaw ?? null,
          exec: exec ?? null,
        },
        content,
      );
      if (options.onProgress && writer.entries - lastReport >= 500) {
        lastReport = writer.entries;
        options.onProgress(writer.entries, writer.bytes);
      }
    }
    writer.finish(packages);
    store.prune();
    return { imageId: options.imageId, builtAt, entries: writer.entries, bytes: writer.bytes };
  } catch (err) {
    store.discard(options.imageId);
    throw err;
  } finally {
    // A failed removal is audited by the ledger (helper.remove-failed) and the sweeper takes the helper later.
    await options.helpers.remove(docker, options.host, helper.id, 'image index built').catch(() => undefined);
  }
}
