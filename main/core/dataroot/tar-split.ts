import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DrydockFailure } from '../errors';
import type { DataRootSource } from './source';

// A layer's diff ID re-computed from disk. The engine keeps, beside each layer, the tar archive's
// headers and padding without the file contents (layerdb/sha256/<chain-id>/tar-split.json.gz, the
// vbatts/tar-split format: gzip of JSON lines, {"type":2,"payload":base64} for raw segments and
// {"type":1,"name":…,"name_raw":base64?,"size":N} for a file's contents, read from the unpacked
// layer). Putting the segments and the files of overlay2/<cache-id>/diff back together gives the
// layer's uncompressed tar byte for byte; its SHA-256 is the diff ID the image records (OCI image
// spec, config.md "DiffID"). A file changed on disk after the layer was unpacked changes it.

/** One JSON line of tar-split longer than this is not tar-split's (segments are at most a few KiB). */
const MAX_LINE = 4 * 1024 * 1024;

export interface LayerCheck {
  /** sha256:… of the re-assembled tar. */
  computed: string;
  /** The files whose size on disk differs from the archive's (the first few). */
  sizeMismatches: string[];
  /** Files the archive lists that are gone from the layer directory (the first few). */
  missing: string[];
}

/**
 * Re-assembles one layer's tar from tar-split and the layer directory, hashing it as it flows.
 * @throws DrydockFailure('not-found') when the layer has no tar-split file; ('integrity') when it is not tar-split JSON.
 */
export async function recomputeDiffId(src: DataRootSource, chainHex: string, cacheId: string): Promise<LayerCheck> {
  const splitFile = `image/overlay2/layerdb/sha256/${chainHex}/tar-split.json.gz`;
  const body = await src.stream(splitFile);
  if (!body) throw new DrydockFailure('not-found', `${splitFile} is missing: the layer's diff ID cannot be re-computed`);
  const hash = createHash('sha256');
  const sizeMismatches: string[] = [];
  const missing: string[] = [];
  let pending = '';
  const handle = async (line: string) => {
    if (line === '') return;
    let entry: { type?: unknown; payload?: unknown; name?: unknown; name_raw?: unknown; size?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      throw new DrydockFailure('integrity', `${splitFile} holds a line that is not JSON: not tar-split`);
    }
    if (entry.type === 2) {
      if (typeof entry.payload === 'string') hash.update(Buffer.from(entry.payload, 'base64'));
      return;
    }
    if (entry.type !== 1) throw new DrydockFailure('integrity', `${splitFile} holds an entry of unknown type ${String(entry.type)}`);
    const size = typeof entry.size === 'number' ? entry.size : 0;
    if (size === 0) return;
    const name = typeof entry.name_raw === 'string' ? Buffer.from(entry.name_raw, 'base64').toString('utf8') : String(entry.name ?? '');
    const rel = name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
    let file: AsyncIterable<Buffer> | undefined;
    try {
      file = await src.stream(`overlay2/${cacheId}/diff/${rel}`);
    } catch {
      file = undefined;
    }
    if (!file) {
      if (missing.length < 20) missing.push(`/${rel}`);
      hash.update(Buffer.alloc(size));
      return;
    }
    let got = 0;
    for await (const chunk of file) {
      const take = chunk.subarray(0, Math.max(0, size - got));
      hash.update(take);
      got += chunk.length;
    }
    if (got !== size) {
      if (sizeMismatches.length < 20) sizeMismatches.push(`/${rel}`);
      if (got < size) hash.update(Buffer.alloc(size - got));
    }
  };
  for await (const chunk of Readable.from(body).pipe(createGunzip()) as AsyncIterable<Buffer>) {
    pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      await handle(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
    if (pending.length > MAX_LINE) throw new DrydockFailure('integrity', `${splitFile} holds a line over ${MAX_LINE} bytes: not tar-split`);
  }
  await handle(pending);
  return { computed: `sha256:${hash.digest('hex')}`, sizeMismatches, missing };
}
