import { createHash } from 'node:crypto';
import type Dockerode from 'dockerode';
import type { DriftContent, DriftFileMeta, ExecutableKind } from '../../../shared/domain/drift';
import type { ArtifactWriterPort } from '../evidence/port';
import { headerMeta } from './entry-meta';
import { executableKind, HeadCollector } from './file-sniff';
import { entryPath, type PathText } from './path-text';
import { readTar } from './tar-reader';

// The container side: each planned root streamed through GET /containers/{id}/archive, every
// regular file hashed as it passes, the changed ones stored as artifacts when they fit under the
// cap. Whole files are never held in memory, except the few small text files the classifier
// parses (package databases, account files), each under its own bound.

export interface ContainerFile {
  text: PathText;
  raw: Buffer;
  meta: DriftFileMeta;
  content: DriftContent;
  /** A small file's store still in progress (see StoreQueue): its outcome replaces `content`. */
  pendingContent?: Promise<DriftContent>;
  /** Bytes kept for parsing, when the caller asked for them. */
  captured?: Buffer;
  /** MD5 and SHA-1 of a changed regular file: what dpkg's md5sums and apk's Z: checksums record (package-integrity.ts). */
  digests?: { md5: string; sha1: string };
}

export interface ReadHooks {
  /** Whether this path is one the scan wants (a changed path); others only pass through. */
  wanted(path: string): boolean;
  /**
   * For a wanted regular file: an artifact writer to stream it into, why it is not stored, or
   * 'buffer' for a small file that is collected in memory and handed to storeBuffered.
   */
  openStore(file: {
    text: PathText;
    meta: DriftFileMeta;
    executable?: ExecutableKind;
  }): Promise<ArtifactWriterPort | { skipped: DriftContent } | 'buffer'>;
  /** Stores a small file's bytes off the read path; resolves when queued. */
  storeBuffered(file: { text: PathText; meta: DriftFileMeta }, bytes: Buffer): Promise<{ done: Promise<DriftContent> }>;
  /** The most bytes worth keeping in memory for parsing this path (0: none). */
  captureLimit(path: string, size: number): number;
  onFile(file: ContainerFile): void;
  /** Regular files over this are not read (default MAX_READ_FILE_BYTES; an examiner's own acquire lifts it). */
  maxFileBytes?: number;
  signal?: AbortSignal;
}

export interface RootRead {
  /** The root is gone from the container (deleted after the change list was read). */
  missing: boolean;
  files: ContainerFile[];
  /** Entries whose names leave the requested path (absolute, '..', another top-level name): skipped, never written. */
  refused: number;
  /** Why the read stopped before the archive's end (a file over MAX_READ_FILE_BYTES), when it did. */
  stopped?: string;
}

/**
 * A regular file larger than this is not read: its header is recorded and the archive is closed
 * there. Hashing streams every byte through the engine's connection; a hostile header claiming
 * 2^40 bytes, or a 10 GiB sparse file, would hold the scan for hours.
 */
export const MAX_READ_FILE_BYTES = 4 * 1024 ** 3;

/** Reads one root; a failure mid-stream throws after whatever was stored has been closed as incomplete. */
export async function readRoot(container: Dockerode.Container, root: string, hooks: ReadHooks): Promise<RootRead> {
  let stream: AsyncIterable<Buffer>;
  try {
    stream = (await container.getArchive({
      path: root,
      ...(hooks.signal ? { abortSignal: hooks.signal } : {}),
    })) as unknown as AsyncIterable<Buffer>;
  } catch (err) {
    // Engine 20.10's 404 for a missing path also reads "no such container - Could not find the file …".
    const message = engineMessage(err);
    if (
      (err as { statusCode?: number }).statusCode === 404 &&
      (/could not find the file/i.test(message) || !/no such container/i.test(message))
    )
      return { missing: true, files: [], refused: 0 };
    throw err;
  }
  const files: ContainerFile[] = [];
  /** Hashes of this archive's regular files: a hardlink entry refers back to one of them. */
  const hashes = new Map<string, { sha256: string; size: number; executable?: DriftFileMeta['executable'] }>();
  let refused = 0;
  for await (const entry of readTar(stream)) {
    const located = entryPath(root, entry.header.name);
    if (!located) {
      refused++;
      continue;
    }
    const path = located.text.path;
    const want = hooks.wanted(path);
    const meta: DriftFileMeta = headerMeta(root, entry.header);
    delete (meta as { linkRaw?: Buffer }).linkRaw;
    const maxFileBytes = hooks.maxFileBytes ?? MAX_READ_FILE_BYTES;
    if (meta.type === 'file' && meta.size > maxFileBytes) {
      const note = `${meta.size} bytes by its header, over the ${maxFileBytes}-byte read limit: not read or hashed`;
      if (want) hooks.onFile({ text: located.text, raw: located.raw, meta, content: { state: 'over-cap', note } });
      // Leaving the loop closes the archive stream: the engine sends no more of it.
      return {
        missing: false,
        files,
        refused,
        stopped: `the archive of ${root} holds ${path}, ${note}; the read of ${root} stopped there, so what follows it in the archive is listed unread`,
      };
    }
    let content: DriftContent = { state: meta.type === 'file' ? 'not-read' : 'not-regular' };
    let digests: ContainerFile['digests'];
    let captured: Buffer | undefined;
    let pending: Promise<DriftContent> | undefined;
    if (meta.type === 'file') {
      const hash = createHash('sha256');
      // Package databases record MD5 (dpkg) and SHA-1 (apk): computed for the changed files only.
      const md5 = want ? createHash('md5') : undefined;
      const sha1 = want ? createHash('sha1') : undefined;
      const head = new HeadCollector();
      let writer: ArtifactWriterPort | undefined;
      let buffered = false;
      // The file's first chunk is read before deciding where its bytes go: whether it runs (ELF
      // magic, a shebang) decides which cap applies to it.
      const body = entry.body[Symbol.asyncIterator]();
      const first = want ? await body.next() : undefined;
      const chunks = async function* (): AsyncGenerator<Buffer> {
        if (first && !first.done) yield first.value;
        for (let next = await body.next(); !next.done; next = await body.next()) yield next.value;
      };
      if (want) {
        const sniffed = executableKind(first && !first.done ? first.value : Buffer.alloc(0), meta.mode);
        const opened = await hooks.openStore({ text: located.text, meta, ...(sniffed ? { executable: sniffed } : {}) });
        if (opened === 'buffer') buffered = true;
        else if ('skipped' in opened) content = opened.skipped;
        else writer = opened;
      }
      const limit = want ? Math.max(hooks.captureLimit(path, meta.size), buffered ? meta.size : 0) : 0;
      const parts: Buffer[] = [];
      let kept = 0;
      try {
        for await (const chunk of chunks()) {
          hash.update(chunk);
          md5?.update(chunk);
          sha1?.update(chunk);
          head.push(chunk);
          if (kept < limit) {
            const part = chunk.subarray(0, limit - kept);
            parts.push(Buffer.from(part));
            kept += part.length;
          }
          if (writer) await writer.write(chunk);
        }
      } catch (err) {
        if (writer) {
          const info = await writer.abandon(
            `the archive stream from the engine failed after ${writer.bytes} of ${meta.size} bytes: ${(err as Error).message}`,
          );
          content = {
            state: 'failed',
            artifactId: info.id,
            note: 'the read was cut short; the bytes received are stored as an incomplete artifact',
          };
        }
        // The header was seen: the report keeps what is known of the file (no hash).
        if (want)
          hooks.onFile({
            text: located.text,
            raw: located.raw,
            meta,
            content: writer ? content : { state: 'failed', note: 'the read was cut short' },
          });
        throw err;
      }
      meta.sha256 = hash.digest('hex');
      if (md5 && sha1) digests = { md5: md5.digest('hex'), sha1: sha1.digest('hex') };
      const kind = executableKind(head.head, meta.mode);
      if (kind) meta.executable = kind;
      hashes.set(path, { sha256: meta.sha256, size: meta.size, ...(kind ? { executable: kind } : {}) });
      if (writer) {
        const info = await writer.finish();
        content = { state: 'stored', artifactId: info.id };
      }
      if (limit > 0) captured = Buffer.concat(parts, kept);
      if (buffered && captured) {
        const bytes = captured;
        const { done } = await hooks.storeBuffered({ text: located.text, meta }, bytes);
        pending = done;
        if (hooks.captureLimit(path, meta.size) === 0) captured = undefined;
      }
    } else if (meta.type === 'hardlink' && meta.linkTarget !== undefined) {
      const target = hashes.get(meta.linkTarget);
      if (target) {
        // A hard link is a regular file sharing its partner's inode: compare it as one.
        meta.type = 'file';
        meta.sha256 = target.sha256;
        meta.size = target.size;
        if (target.executable) meta.executable = target.executable;
      }
      content = { state: 'not-regular', note: `hard link to ${meta.linkTarget}` };
    }
    if (!want) continue;
    const file: ContainerFile = {
      text: located.text,
      raw: located.raw,
      meta,
      content,
      ...(captured ? { captured } : {}),
      ...(pending ? { pendingContent: pending } : {}),
      ...(digests ? { digests } : {}),
    };
    files.push(file);
    hooks.onFile(file);
  }
  return { missing: false, files, refused };
}

function engineMessage(err: unknown): string {
  const json = (err as { json?: unknown }).json;
  if (json && typeof json === 'object' && typeof (json as { message?: unknown }).message === 'string')
    return (json as { message: string }).message;
  return (err as Error).message ?? '';
}
