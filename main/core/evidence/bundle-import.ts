import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import tar from 'tar-stream';
import type { z } from 'zod';
import type { BundleSignatureCheck } from '../../../shared/contract/evidence';
import type { ArtifactInfo, CaseInfo } from '../../../shared/domain/evidence';
import { DrydockFailure } from '../errors';
import type { BlobStore, BlobWriter } from './blob-store';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  type BundleManifest,
  blobEntryName,
  MANIFEST_NAME,
  MAX_MANIFEST_BYTES,
  manifestSchema,
} from './bundle-manifest';
import { MAX_SIGNATURE_BYTES, SIGNATURE_NAME } from './bundle-signature';
import { isWellFormed } from './canonical-json';
import { caseLabel, checkCase, describeProblem } from './verify';

export interface VerifiedBundle {
  manifest: BundleManifest;
  /** SHA-256 of the bundle file as read. */
  sha256: string;
  bytes: number;
  /** Sealed temporary files in the store, one per blob not already stored. */
  staged: { sha256: string; size: number; tempPath: string }[];
  signature: BundleSignatureCheck;
}

export interface BundleReadOptions {
  maxManifestBytes?: number;
  /** Refuses early (before any blob is read) when the case is already in the store. */
  assertNew(manifest: BundleManifest): void;
  /**
   * Judges the bundle's signature (see bundle-signature.ts): called once, before any blob is read,
   * with the manifest's exact bytes and the signature entry's bytes (undefined: the bundle has
   * none); throws to refuse the bundle.
   */
  checkSignature(manifestBytes: Buffer, signatureBytes: Buffer | undefined): BundleSignatureCheck;
}

/**
 * Reads a bundle end to end and proves it before anything is committed: the manifest (chain,
 * case, rows) is checked first, then every blob entry is hashed as it streams into a staged
 * temporary file. The signature entry, if any, is judged by options.checkSignature before the
 * first blob. Any hostile entry, tampered byte, missing or extra file refuses the whole
 * bundle with a message that names the file; staged files are removed. The caller commits.
 */
export async function readBundle(blobs: BlobStore, file: string, options: BundleReadOptions): Promise<VerifiedBundle> {
  if (!path.isAbsolute(file)) throw new DrydockFailure('invalid-input', `The bundle path must be absolute: ${file}`);
  // Absent or unreadable: said as not-found below.
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new DrydockFailure('not-found', `No bundle at ${file}`);
  if (!info.isFile()) throw new DrydockFailure('invalid-input', `${file} is not a file`);
  const refuse = (message: string, kind: 'integrity' | 'unsupported' = 'integrity') =>
    new DrydockFailure(kind, `Bundle ${file} refused, nothing was imported: ${message}`);
  const maxManifest = options.maxManifestBytes ?? MAX_MANIFEST_BYTES;

  const fileHash = createHash('sha256');
  let fileBytes = 0;
  const input = createReadStream(file, { highWaterMark: 1024 * 1024 });
  const extract = tar.extract();
  input.on('data', (chunk) => {
    fileHash.update(chunk as Buffer);
    fileBytes += (chunk as Buffer).length;
  });
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract);

  const staged: VerifiedBundle['staged'] = [];
  let manifest: BundleManifest | undefined;
  let manifestBytes: Buffer = Buffer.alloc(0);
  let signature: BundleSignatureCheck | undefined;
  const expected = new Map<string, number>();
  const received = new Set<string>();
  let current: BlobWriter | undefined;
  try {
    try {
      for await (const entry of extract) {
        const header = entry.header;
        const name = checkEntry(header, refuse);
        if (!manifest) {
          if (name !== MANIFEST_NAME) throw refuse(`the first entry must be ${MANIFEST_NAME}, found ${quote(name)}`);
          if ((header.size ?? 0) > maxManifest)
            throw refuse(`${MANIFEST_NAME} is ${header.size} bytes, over the ${maxManifest}-byte limit`);
          manifestBytes = await readAll(entry, maxManifest, MANIFEST_NAME);
          manifest = parseManifest(manifestBytes.toString('utf8'), refuse);
          options.assertNew(manifest);
          for (const b of manifest.blobs) expected.set(b.sha256, b.size);
          continue;
        }
        if (!signature) {
          const signed = name === SIGNATURE_NAME;
          if (signed && (header.size ?? 0) > MAX_SIGNATURE_BYTES)
            throw refuse(`${SIGNATURE_NAME} is ${header.size} bytes, over the ${MAX_SIGNATURE_BYTES}-byte limit`);
          signature = options.checkSignature(manifestBytes, signed ? await readAll(entry, MAX_SIGNATURE_BYTES, SIGNATURE_NAME) : undefined);
          if (signed) continue;
        }
        const sha = /^blobs\/([a-f0-9]{64})$/.exec(name)?.[1];
        if (!sha)
          throw refuse(
            `unexpected entry ${quote(name)}: a bundle holds only ${MANIFEST_NAME}, then optionally ${SIGNATURE_NAME}, then blobs/<sha256>`,
          );
        const size = expected.get(sha);
        if (size === undefined) throw refuse(`entry ${quote(name)} is not listed in ${MANIFEST_NAME}`);
        if (received.has(sha)) throw refuse(`entry ${quote(name)} appears twice`);
        if (header.size !== size) throw refuse(`${name} is ${header.size} bytes but ${MANIFEST_NAME} records ${size}`);
        received.add(sha);
        // A blob already in the store is still hashed from the bundle: the bundle itself is on trial.
        const keep = !blobs.has(sha);
        current = keep ? await blobs.createWriter() : undefined;
        const hash = createHash('sha256');
        let bytes = 0;
        for await (const chunk of entry) {
          hash.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
          if (current) await current.write(chunk as Buffer);
        }
        const actual = hash.digest('hex');
        if (actual !== sha || bytes !== size) throw refuse(`${name} was altered: its ${bytes} bytes hash to ${actual}`);
        if (current) {
          const sealed = await current.seal();
          staged.push({ sha256: sha, size: sealed.size, tempPath: current.tempPath });
          current = undefined;
        }
      }
    } catch (err) {
      if (err instanceof DrydockFailure) throw err;
      throw refuse(`${manifest ? 'it is truncated or damaged' : 'it is not a readable tar archive'} (${(err as Error).message})`);
    }
    if (!manifest) throw refuse(`it has no ${MANIFEST_NAME} (empty archive)`);
    signature ??= options.checkSignature(manifestBytes, undefined);
    for (const [sha] of expected) {
      if (!received.has(sha)) {
        const artifact = manifest.artifacts.find((a) => a.sha256 === sha);
        throw refuse(
          `${blobEntryName(sha)}${artifact ? ` (artifact ${artifact.id})` : ''} is missing from the bundle: it is truncated or incomplete`,
        );
      }
    }
    return { manifest, sha256: fileHash.digest('hex'), bytes: fileBytes, staged, signature };
  } catch (err) {
    input.destroy();
    extract.destroy();
    await current?.discard();
    await discardStaged(staged);
    throw err;
  }
}

export async function discardStaged(staged: VerifiedBundle['staged']): Promise<void> {
  // Already gone: staged files are temporary.
  for (const s of staged) await rm(s.tempPath, { force: true }).catch(() => undefined);
}

function quote(name: string): string {
  return JSON.stringify(name).slice(0, 200);
}

/** Hostile archives: absolute paths, '..', links, devices, anything but plain files. */
function checkEntry(header: tar.Header, refuse: (m: string) => DrydockFailure): string {
  const name = header.name;
  const type = header.type ?? 'file';
  if (type !== 'file')
    throw refuse(
      `entry ${quote(name)} is a ${type}${header.linkname ? ` (to ${quote(header.linkname)})` : ''}; a bundle holds only plain files`,
    );
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) throw refuse(`entry ${quote(name)} has an absolute path`);
  const parts = name.split(/[\\/]/);
  if (parts.includes('..')) throw refuse(`entry ${quote(name)} climbs out of the bundle ('..')`);
  if (name.includes('\0') || parts.some((p) => p === '' || p === '.')) throw refuse(`entry ${quote(name)} has a malformed path`);
  return name;
}

async function readAll(entry: AsyncIterable<unknown>, limit: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`${name} exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseManifest(text: string, refuse: (m: string, kind?: 'integrity' | 'unsupported') => DrydockFailure): BundleManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw refuse(`${MANIFEST_NAME} is not valid JSON (${(err as Error).message})`);
  }
  const head = raw as { format?: unknown; formatVersion?: unknown; drydockVersion?: unknown };
  if (head?.format !== BUNDLE_FORMAT) throw refuse(`${MANIFEST_NAME} is not a Drydock case bundle manifest`);
  if (typeof head.formatVersion === 'number' && head.formatVersion > BUNDLE_FORMAT_VERSION) {
    throw refuse(
      `it uses bundle format ${head.formatVersion} (written by Drydock ${String(head.drydockVersion).slice(0, 40)}); this Drydock reads format ${BUNDLE_FORMAT_VERSION}`,
      'unsupported',
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw refuse(`${MANIFEST_NAME} is malformed: ${describe(parsed.error)}`);
  const manifest = parsed.data as BundleManifest;
  const kase: CaseInfo = manifest.case;
  // Drydock writes these columns well-formed; anything else could not be stored exactly as verified.
  const plainText = [
    ...Object.values(kase).filter((v): v is string => typeof v === 'string'),
    ...manifest.artifacts.flatMap((a) => [a.method, a.mediaType, a.statusReason ?? '', a.drydockVersion, a.acquiredAt]),
    ...manifest.audit.flatMap((e) => [e.at, e.examiner, e.action]),
  ];
  if (!plainText.every(isWellFormed)) throw refuse(`${MANIFEST_NAME} holds text that is not valid Unicode outside its JSON fields`);
  const label = caseLabel(kase);

  const check = checkCase({
    kase,
    entries: manifest.audit,
    head: manifest.chainHead ?? undefined,
    artifacts: manifest.artifacts.map((a: ArtifactInfo) => ({ id: a.id, info: a })),
  });
  const first = check.problems[0];
  if (first) throw refuse(`${MANIFEST_NAME}: ${describeProblem(first)}`);
  const ids = new Set<string>();
  const sizes = new Map<string, number>();
  for (const a of manifest.artifacts) {
    if (ids.has(a.id)) throw refuse(`${MANIFEST_NAME}: artifact ${a.id} of ${label} is listed twice`);
    ids.add(a.id);
    const size = sizes.get(a.sha256);
    if (size !== undefined && size !== a.size) throw refuse(`${MANIFEST_NAME}: artifacts with sha256 ${a.sha256} disagree on its size`);
    sizes.set(a.sha256, a.size);
  }
  const listed = new Map<string, number>();
  for (const b of manifest.blobs) {
    if (b.path !== blobEntryName(b.sha256)) throw refuse(`${MANIFEST_NAME}: blob path ${quote(b.path)} does not match its hash`);
    if (listed.has(b.sha256)) throw refuse(`${MANIFEST_NAME}: blob ${b.sha256} is listed twice`);
    listed.set(b.sha256, b.size);
  }
  for (const [sha, size] of sizes) {
    if (listed.get(sha) !== size)
      throw refuse(`${MANIFEST_NAME}: the blob of sha256 ${sha} (${size} bytes) is not listed among the bundle's files`);
  }
  for (const [sha] of listed) {
    if (!sizes.has(sha)) throw refuse(`${MANIFEST_NAME}: blob ${sha} belongs to no artifact`);
  }
  return manifest;
}

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
