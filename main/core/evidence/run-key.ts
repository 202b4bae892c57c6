import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { ExaminerKeyInfo } from '../../../shared/contract/evidence';
import { DrydockFailure } from '../errors';
import { signManifest } from './bundle-signature';
import { fingerprintOf, rawPublicKey } from './examiner-key';

// A key pair made for one run of unattended collectors (a fleet triage): never the examiner's own
// key. The examiner's Drydock makes it, records the public half in the case before anything is
// deployed, hands the private half to the collectors (as a Swarm secret) and forgets it afterwards;
// the collectors sign their bundles with it, so each bundle can be traced to this run and nothing else.

/** Longest private key file a collector reads (a PKCS#8 PEM of an Ed25519 key is about 120 bytes). */
const MAX_PRIVATE_PEM = 4096;

export interface RunKey {
  /** The public facts, as the bundle signature and the case record them (`examiner` names the run). */
  info: ExaminerKeyInfo;
  /** The private key as PKCS#8 PEM bytes: the only copy; the caller zeroes it when done (`destroy`). */
  privatePem: Buffer;
  /** Overwrites privatePem with zeroes. */
  destroy(): void;
}

/** Makes a fresh Ed25519 key pair for one run; `signer` is the name its signatures carry (e.g. "fleet run fr-…"). */
export function createRunKey(signer: string, createdAt: string): RunKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  const privatePem = Buffer.from(privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 'utf8');
  return {
    info: { algorithm: 'ed25519', examiner: signer, createdAt, publicKey: raw.toString('base64'), fingerprint: fingerprintOf(raw) },
    privatePem,
    destroy: () => privatePem.fill(0),
  };
}

/**
 * The signer for exportBundle from a run's private key (PKCS#8 PEM bytes, at most 4 KiB), signing
 * as `signer`. Throws DrydockFailure 'invalid-input' for anything but an Ed25519 private key.
 */
export function runKeySigner(
  pem: Buffer,
  signer: string,
  now: () => string,
): { fingerprint: string; publicKey: string; sign(manifestBytes: Buffer): Buffer } {
  if (pem.length > MAX_PRIVATE_PEM)
    throw new DrydockFailure('invalid-input', `The run key is ${pem.length} bytes; at most ${MAX_PRIVATE_PEM}`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new DrydockFailure('invalid-input', `The run key cannot be read (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new DrydockFailure('invalid-input', `The run key is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  const raw = rawPublicKey(createPublicKey(key));
  const info: ExaminerKeyInfo = {
    algorithm: 'ed25519',
    examiner: signer,
    createdAt: now(),
    publicKey: raw.toString('base64'),
    fingerprint: fingerprintOf(raw),
  };
  return {
    fingerprint: info.fingerprint,
    publicKey: info.publicKey,
    sign: (manifestBytes) => signManifest(manifestBytes, key, info, now()),
  };
}
