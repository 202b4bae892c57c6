import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DrydockFailure } from '../errors';
import type { EvidencePort } from './evidence-port';

/**
 * Copies an artifact byte for byte to a file the examiner chose (to open a pcap in Wireshark, or
 * hand it on), re-hashing on the way: the copy is proved identical to the stored evidence or
 * deleted. Never overwrites an existing file.
 */
export async function exportArtifact(evidence: EvidencePort, artifactId: string, target: string): Promise<{ path: string; bytes: number; sha256: string; caseId: string }> {
  if (!path.isAbsolute(target)) throw new DrydockFailure('invalid-input', `Export path must be absolute: ${target}`);
  const dir = path.dirname(target);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DrydockFailure('invalid-input', `Export folder ${dir} does not exist`);
  const artifact = await evidence.getArtifact(artifactId);
  if (!artifact) throw new DrydockFailure('not-found', `No artifact ${artifactId} in the evidence store`);
  const hash = createHash('sha256');
  let bytes = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(await evidence.openArtifact(artifactId), hashing, createWriteStream(target, { flags: 'wx', mode: 0o644 }));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new DrydockFailure('conflict', `${target} already exists; choose another name`);
    safeUnlink(target);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new DrydockFailure('permission-denied', `Cannot write ${target}: ${(err as Error).message}`);
    if (code === 'ENOSPC') throw new DrydockFailure('disk-full', `No space left to export to ${target}`);
    throw err;
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== artifact.sha256 || bytes !== artifact.size) {
    safeUnlink(target);
    throw new DrydockFailure('integrity', `Artifact ${artifactId} read back as sha256 ${sha256} (${bytes} bytes) but is recorded as ${artifact.sha256} (${artifact.size} bytes); nothing was exported`);
  }
  return { path: target, bytes, sha256, caseId: artifact.caseId };
}

function safeUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Nothing to remove.
  }
}
