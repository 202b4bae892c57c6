import type Dockerode from 'dockerode';
import type { DriftFileMeta, DriftFileType, EngineChangeKind } from '../../../shared/domain/drift';

export interface EngineChange {
  /** As the engine's JSON gives it: invalid UTF-8 already replaced by U+FFFD. */
  path: string;
  kind: EngineChangeKind;
}

const KINDS: Record<number, EngineChangeKind> = { 0: 'modified', 1: 'added', 2: 'deleted' };

/**
 * Changes read per container; an engine listing more (a million, from a hostile or broken host) is
 * cut here, and the report says so. 25,000: a report of this size (held as objects, as text and
 * parsed again when shown) keeps the scan's peak RSS under 300 MB (273 MB measured); at 100,000 it was 458 MB.
 */
export const MAX_CHANGES = 25_000;
/** One change entry's JSON text longer than this is not a change entry. */
const MAX_ITEM_CHARS = 64 * 1024;

/**
 * GET /containers/{id}/changes: what the storage driver says differs from the image, read as a
 * stream and parsed entry by entry, so memory stays bounded whatever the engine sends. Returns
 * at most `limit` changes (default MAX_CHANGES); `truncated` is true when the engine listed more
 * and the rest was not read. Entries that are not {Path: absolute string, Kind: 0|1|2} are
 * skipped. Throws the client's error (a DrydockFailure or an engine error with statusCode) or an
 * Error when the answer is not a JSON list.
 */
export async function readChangeList(
  container: Dockerode.Container,
  signal?: AbortSignal,
  limit = MAX_CHANGES,
): Promise<{ changes: EngineChange[]; truncated: boolean }> {
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
    container.modem.dial(
      {
        path: `/containers/${container.id}/changes`,
        method: 'GET',
        isStream: true,
        ...(signal ? { abortSignal: signal } : {}),
        statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
      },
      (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream)),
    );
  });
  // Decoded here, so a UTF-8 sequence split across chunks is joined (invalid bytes become U+FFFD, as before).
  stream.setEncoding('utf8');
  const scanner = new ChangeListScanner(limit);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      if (scanner.push(chunk.toString())) break;
    }
  } finally {
    (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  }
  return scanner.finish();
}

/** GET /containers/{id}/changes, at most MAX_CHANGES of them (see readChangeList). */
export async function readChanges(container: Dockerode.Container, signal?: AbortSignal): Promise<EngineChange[]> {
  return (await readChangeList(container, signal)).changes;
}

/**
 * The engine's change list, `[{"Path":…,"Kind":…},…]` or `null`, split into its top-level items
 * as text arrives (a chunk may end anywhere, even inside a string).
 */
class ChangeListScanner {
  readonly changes: EngineChange[] = [];
  private started = false;
  private ended = false;
  private item = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private head = '';
  truncated = false;

  constructor(private readonly limit: number) {}

  /** True when reading may stop (the list ended or the limit was passed). */
  push(text: string): boolean {
    for (const ch of text) {
      if (this.ended) return true;
      if (!this.started) {
        this.head += ch;
        if (ch === '[') this.started = true;
        else if (!/^\s*n?u?l?l?\s*$/.test(this.head) || this.head.length > 16)
          throw new Error('the engine answered the change list with something that is not a list');
        continue;
      }
      if (this.depth === 0) {
        if (ch === ']') this.ended = true;
        else if (ch === '{') {
          this.depth = 1;
          this.item = ch;
        } else if (!/[\s,]/.test(ch)) throw new Error("the engine's change list holds something that is not an object");
        continue;
      }
      this.item += ch;
      if (this.item.length > MAX_ITEM_CHARS) throw new Error(`an entry of the engine's change list is over ${MAX_ITEM_CHARS} characters`);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
      } else if (ch === '"') this.inString = true;
      else if (ch === '{' || ch === '[') this.depth++;
      else if (ch === '}' || ch === ']') {
        this.depth--;
        if (this.depth === 0) {
          this.take(this.item);
          this.item = '';
          if (this.truncated) return true;
        }
      }
    }
    return this.ended;
  }

  finish(): { changes: EngineChange[]; truncated: boolean } {
    if (!this.ended && !this.truncated) {
      if (!this.started && /^\s*null\s*$/.test(this.head)) return { changes: [], truncated: false };
      throw new Error("the engine's change list ended before its closing bracket (a truncated answer)");
    }
    return { changes: this.changes, truncated: this.truncated };
  }

  private take(text: string): void {
    let item: { Path?: unknown; Kind?: unknown };
    try {
      item = JSON.parse(text) as typeof item;
    } catch {
      // Skipped like any entry that is not {Path, Kind} (readChangeList says so); the list's own shape is checked by finish().
      return;
    }
    const kind = KINDS[Number(item?.Kind)];
    if (typeof item?.Path !== 'string' || !item.Path.startsWith('/') || !kind) return;
    if (this.changes.length >= this.limit) {
      this.truncated = true;
      return;
    }
    this.changes.push({ path: item.Path, kind });
  }
}

function bit(mode: number, n: number): boolean {
  return Math.floor(mode / 2 ** n) % 2 === 1;
}

/** Go's os.FileMode (what the engine's path stat carries) as a type and Unix permission bits. */
export function goFileMode(mode: number): { type: DriftFileType; mode: number } {
  let type: DriftFileType = 'file';
  if (bit(mode, 31)) type = 'directory';
  else if (bit(mode, 27)) type = 'symlink';
  else if (bit(mode, 26)) type = bit(mode, 21) ? 'char-device' : 'block-device';
  else if (bit(mode, 25)) type = 'fifo';
  else if (bit(mode, 24) || bit(mode, 19)) type = 'other';
  const perm = (mode % 0o1000) + (bit(mode, 23) ? 0o4000 : 0) + (bit(mode, 22) ? 0o2000 : 0) + (bit(mode, 20) ? 0o1000 : 0);
  return { type, mode: perm };
}

/**
 * HEAD /containers/{id}/archive: a path's type, mode, size and time without reading it (the
 * engine's stat has no owner). Null when the path is gone.
 */
export async function statPath(container: Dockerode.Container, path: string, signal?: AbortSignal): Promise<DriftFileMeta | null> {
  let response: { headers?: Record<string, string | string[] | undefined>; resume?: () => void };
  try {
    response = (await container.infoArchive({ path, ...(signal ? { abortSignal: signal } : {}) })) as typeof response;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
  response.resume?.();
  const header = response.headers?.['x-docker-container-path-stat'];
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const stat = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as {
    size?: number;
    mode?: number;
    mtime?: string;
    linkTarget?: string;
  };
  const { type, mode } = goFileMode(Number(stat.mode ?? 0));
  return {
    type,
    mode,
    size: type === 'file' ? Number(stat.size ?? 0) : 0,
    ...(stat.mtime ? { mtime: new Date(stat.mtime).toISOString() } : {}),
    ...(type === 'symlink' && stat.linkTarget ? { linkTarget: stat.linkTarget } : {}),
  };
}
