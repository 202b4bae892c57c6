import type Dockerode from 'dockerode';
import type { DriftFileMeta, DriftFileType, EngineChangeKind } from '../../../shared/domain/drift';

export interface EngineChange {
  /** As the engine's JSON gives it: invalid UTF-8 already replaced by U+FFFD. */
  path: string;
  kind: EngineChangeKind;
}

const KINDS: Record<number, EngineChangeKind> = { 0: 'modified', 1: 'added', 2: 'deleted' };

/** GET /containers/{id}/changes: what the storage driver says differs from the image. */
export async function readChanges(container: Dockerode.Container, signal?: AbortSignal): Promise<EngineChange[]> {
  let raw = (await container.changes(signal ? { abortSignal: signal } : {})) as unknown;
  // An empty list comes back as the JSON text "null", which the client hands over unparsed.
  if (Buffer.isBuffer(raw) || typeof raw === 'string') raw = JSON.parse(raw.toString()) as unknown;
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) throw new Error('the engine answered the change list with something that is not a list');
  const out: EngineChange[] = [];
  for (const item of raw as { Path?: unknown; Kind?: unknown }[]) {
    const kind = KINDS[Number(item?.Kind)];
    if (typeof item?.Path !== 'string' || !item.Path.startsWith('/') || !kind) continue;
    out.push({ path: item.Path, kind });
  }
  return out;
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
  const stat = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as { size?: number; mode?: number; mtime?: string; linkTarget?: string };
  const { type, mode } = goFileMode(Number(stat.mode ?? 0));
  return {
    type,
    mode,
    size: type === 'file' ? Number(stat.size ?? 0) : 0,
    ...(stat.mtime ? { mtime: new Date(stat.mtime).toISOString() } : {}),
    ...(type === 'symlink' && stat.linkTarget ? { linkTarget: stat.linkTarget } : {}),
  };
}
