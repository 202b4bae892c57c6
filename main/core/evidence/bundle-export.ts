import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import type { BundleExportResult } from '../../../shared/contract/evidence';
import type { ArtifactInfo, AuditEntry, CaseInfo } from '../../../shared/domain/evidence';
import { DrydockFailure } from '../errors';
import type { ArtifactStore } from './artifact-store';
import { type AuditLog, UnreadableEntry } from './audit-chain';
import type { BlobStore } from './blob-store';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, type BundleManifest, blobEntryName, MANIFEST_NAME } from './bundle-manifest';
import { SIGNATURE_NAME } from './bundle-signature';
import { canonicalJson } from './canonical-json';
import { checkNewFileTarget, writeNewFile } from './new-file';
import { caseLabel, checkCase, describeProblem } from './verify';

export interface BundleExportDeps {
  artifacts: ArtifactStore;
  audit: AuditLog;
  blobs: BlobStore;
  drydockVersion: string;
  examiner: string;
  now(): string;
  /** Runs a function inside one read transaction (a consistent snapshot of the rows). */
  snapshot<T>(read: () => T): T;
  /** Signs the manifest's exact bytes: returns the bytes of manifest.sig.json (see bundle-signature.ts). */
  sign?(manifestBytes: Buffer): Buffer;
}

/**
 * Writes a case as one tar stream: manifest.json, manifest.sig.json when deps.sign is given, then
 * each distinct blob as blobs/<sha256>. The
 * case must verify first (a bundle that cannot verify elsewhere is not produced), and every blob
 * is re-hashed as it streams into the archive.
 */
export async function exportBundle(deps: BundleExportDeps, kase: CaseInfo, target: string): Promise<BundleExportResult> {
  checkNewFileTarget(target);
  const label = caseLabel(kase);
  const { artifacts, entries, head } = deps.snapshot(() => {
    const check = checkCase({
      kase,
      entries: deps.audit.iterate(kase.id),
      head: deps.audit.head(kase.id),
      artifacts: deps.artifacts.rowsOf(kase.id),
    });
    const first = check.problems[0];
    if (first) throw new DrydockFailure('integrity', `${label} does not verify, so no bundle was written: ${describeProblem(first)}`);
    const chain: AuditEntry[] = [];
    for (const entry of deps.audit.iterate(kase.id)) {
      if (entry instanceof UnreadableEntry) throw new DrydockFailure('integrity', `${label}: audit entry ${entry.seq} is unreadable`);
      chain.push(entry);
    }
    return {
      artifacts: check.rows.map((r) => r.info).filter((a): a is ArtifactInfo => a !== undefined),
      entries: chain,
      head: deps.audit.head(kase.id),
    };
  });

  const blobs = new Map<string, number>();
  for (const a of artifacts) {
    if (!deps.blobs.has(a.sha256))
      throw new DrydockFailure(
        'integrity',
        `The stored bytes of artifact ${a.id} of ${label} are missing (sha256 ${a.sha256}); no bundle was written`,
      );
    blobs.set(a.sha256, a.size);
  }
  const exportedAt = deps.now();
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    drydockVersion: deps.drydockVersion,
    exportedAt,
    exportedBy: deps.examiner,
    case: kase,
    artifacts,
    audit: entries,
    chainHead: head ?? null,
    blobs: [...blobs].map(([sha256, size]) => ({ path: blobEntryName(sha256), sha256, size })),
  };
  const manifestBytes = Buffer.from(canonicalJson(manifest), 'utf8');
  const signature = deps.sign?.(manifestBytes);
  const mtime = new Date(exportedAt);

  const pack = tar.pack();
  const producing = (async () => {
    try {
      await addEntry(pack, { name: MANIFEST_NAME, size: manifestBytes.length, mode: 0o444, mtime }, async (sink) => {
        await writeChunk(sink, manifestBytes);
      });
      if (signature) {
        await addEntry(pack, { name: SIGNATURE_NAME, size: signature.length, mode: 0o444, mtime }, async (sink) => {
          await writeChunk(sink, signature);
        });
      }
      for (const { path: name, sha256, size } of manifest.blobs) {
        await addEntry(pack, { name, size, mode: 0o444, mtime }, async (sink) => {
          const hash = createHash('sha256');
          let bytes = 0;
          for await (const chunk of deps.blobs.open(sha256)) {
            hash.update(chunk as Buffer);
            bytes += (chunk as Buffer).length;
            if (bytes > size) break;
            await writeChunk(sink, chunk as Buffer);
          }
          const actual = hash.digest('hex');
          if (bytes !== size || actual !== sha256) {
            throw new DrydockFailure(
              'integrity',
              `The stored bytes of blob ${sha256} of ${label} were altered (they hash to ${actual}, ${bytes} bytes); no bundle was written`,
            );
          }
        });
      }
      pack.finalize();
    } catch (err) {
      pack.destroy(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  })();
  const [produced, written] = await Promise.allSettled([producing, writeNewFile(target, pack)]);
  if (produced.status === 'rejected') throw produced.reason;
  if (written.status === 'rejected') throw written.reason;
  return {
    path: target,
    bytes: written.value.bytes,
    sha256: written.value.sha256,
    caseId: kase.id,
    artifacts: artifacts.length,
    auditEntries: entries.length,
    signed: signature !== undefined,
  };
}

type Sink = ReturnType<tar.Pack['entry']>;

async function addEntry(pack: tar.Pack, header: Parameters<tar.Pack['entry']>[0], fill: (sink: Sink) => Promise<void>): Promise<void> {
  let settle!: (err?: Error | null) => void;
  const done = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
  const sink = pack.entry(header, (err) => settle(err));
  try {
    await fill(sink);
  } catch (err) {
    sink.destroy(err instanceof Error ? err : new Error(String(err)));
    // The sink was destroyed with `err`, which is rethrown below; its own rejection says the same.
    await done.catch(() => undefined);
    throw err;
  }
  sink.end(null);
  await done;
}

function writeChunk(sink: Sink, chunk: Buffer): Promise<void> {
  if (sink.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      sink.off('drain', onDrain);
      sink.off('error', onError);
      sink.off('close', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the bundle stream closed early'));
    };
    sink.on('drain', onDrain);
    sink.on('error', onError);
    sink.on('close', onClose);
  });
}
