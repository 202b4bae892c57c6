import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import type { VulnDbImport } from '../../../shared/domain/vulns';
import { DrydockFailure } from '../errors';
import { osvRecordOf } from './osv-record';
import type { VulnDbStore } from './vulndb-store';

// Importing an OSV export: the all.zip the OSV project publishes per ecosystem
// (https://osv-vulnerabilities.storage.googleapis.com/<ecosystem>/all.zip), one JSON record per
// entry. The file is hashed as it is read; each entry is bounded, inflated as a stream and checked
// against its CRC-32 and size (yauzl checks sizes, the CRC is checked here); a record that is not
// OSV is counted and skipped. Nothing is extracted to disk.

/** One record's JSON is refused past this size (the largest OSV records are a few hundred KiB). */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export interface ImportOutcome {
  import: VulnDbImport;
  rejected: number;
  rejectedExamples: string[];
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  );
}

function entryBytes(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const parts: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RECORD_BYTES) stream.destroy(new Error(`inflates past the ${MAX_RECORD_BYTES}-byte limit for one record`));
        else parts.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(parts)));
    }),
  );
}

/**
 * Imports one OSV zip export into the store.
 * @param file a path on this machine
 * @param expectedSha256 the digest the user has from the source (checked before anything is read)
 * @throws DrydockFailure 'not-found' (no such file), 'integrity' (SHA-256 or an entry's CRC-32 or size
 *   does not match: nothing imported), 'invalid-input' (not a zip, no OSV record in it).
 */
export async function importOsvZip(store: VulnDbStore, file: string, at: string, expectedSha256?: string): Promise<ImportOutcome> {
  const name = path.basename(file);
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new DrydockFailure(
      err.code === 'ENOENT' ? 'not-found' : 'invalid-input',
      `Cannot read vulnerability database ${file}: ${err.message}`,
    );
  });
  if (!info.isFile()) throw new DrydockFailure('invalid-input', `${file} is not a file`);
  const sha256 = await sha256Of(file);
  if (expectedSha256 && expectedSha256.toLowerCase() !== sha256)
    throw new DrydockFailure('integrity', `${name} has SHA-256 ${sha256}, not the expected ${expectedSha256.toLowerCase()}: not imported`);
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch (err) {
    throw new DrydockFailure('invalid-input', `${name} is not a readable zip archive: ${(err as Error).message}`);
  }
  const writer = store.begin(name, sha256, info.size, at);
  let rejected = 0;
  const rejectedExamples: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          if (entry.fileName.endsWith('/')) return;
          if (!entry.fileName.endsWith('.json')) {
            rejected++;
            if (rejectedExamples.length < 5) rejectedExamples.push(`${entry.fileName.slice(0, 120)}: not a .json entry`);
            return;
          }
          if (entry.uncompressedSize > MAX_RECORD_BYTES)
            throw new Error(`entry ${entry.fileName} declares ${entry.uncompressedSize} bytes, over the ${MAX_RECORD_BYTES}-byte limit`);
          const bytes = await entryBytes(zip, entry);
          if (crc32(bytes) >>> 0 !== entry.crc32 >>> 0)
            throw new DrydockFailure(
              'integrity',
              `${name}: entry ${entry.fileName} does not match its CRC-32: the archive is damaged; nothing imported`,
            );
          try {
            writer.add(osvRecordOf(JSON.parse(bytes.toString('utf8'))));
          } catch (err) {
            rejected++;
            if (rejectedExamples.length < 5)
              rejectedExamples.push(`${entry.fileName.slice(0, 120)}: ${(err as Error).message.slice(0, 200)}`);
          }
        })().then(
          () => zip.readEntry(),
          (err: unknown) => {
            zip.close();
            reject(err);
          },
        );
      });
      zip.readEntry();
    });
    if (writer.records === 0)
      throw new DrydockFailure(
        'invalid-input',
        `${name} holds no OSV record${rejectedExamples.length ? ` (${rejectedExamples.join('; ')})` : ''}: nothing imported`,
      );
    writer.complete();
  } catch (err) {
    store.discard(writer.id);
    if (err instanceof DrydockFailure) throw err;
    throw new DrydockFailure('invalid-input', `${name} could not be imported: ${(err as Error).message}`, { cause: err });
  }
  const done = store.imports().find((i) => i.id === writer.id);
  if (!done) throw new Error(`import ${writer.id} vanished after completing`);
  return { import: done, rejected, rejectedExamples };
}
