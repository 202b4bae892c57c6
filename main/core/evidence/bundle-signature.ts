import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import type { BundleSignatureCheck, ExaminerKeyInfo, TrustedKey } from '../../../shared/contract/evidence';
import type { DrydockFailure } from '../errors';
import { canonicalJson } from './canonical-json';
import { fingerprintOf, publicKeyFromRaw } from './examiner-key';

/**
 * A signed bundle carries `manifest.sig.json` as its second tar entry, right after manifest.json.
 * It holds a statement — the SHA-256 of the manifest's exact bytes, who signed, when, and the
 * signing key's fingerprint — and an Ed25519 signature (RFC 8032, Node's crypto.sign with a null
 * digest) over `drydock-bundle-signature/1\n` followed by the statement's canonical JSON. The
 * manifest lists the SHA-256 and size of every blob, so the one signature covers the whole bundle.
 *
 * Example entry:
 *   {"format":"drydock-bundle-signature","version":1,
 *    "statement":{"fingerprint":"<64 hex>","manifestSha256":"<64 hex>","signedAt":"2025-…Z","signer":"alice"},
 *    "publicKey":"<base64 of the raw 32-byte key>","signature":"<base64 of 64 bytes>"}
 */

export const SIGNATURE_NAME = 'manifest.sig.json';
export const MAX_SIGNATURE_BYTES = 16 * 1024;
const SIGNATURE_FORMAT = 'drydock-bundle-signature';
const DOMAIN = Buffer.from(`${SIGNATURE_FORMAT}/1\n`, 'utf8');

const hex64 = z.string().regex(/^[a-f0-9]{64}$/);
const b64 = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/);
const statementSchema = z
  .object({ manifestSha256: hex64, signedAt: z.string().max(64), signer: z.string().max(200), fingerprint: hex64 })
  .strict();
const entrySchema = z
  .object({
    format: z.literal(SIGNATURE_FORMAT),
    version: z.literal(1),
    statement: statementSchema,
    publicKey: b64(64),
    signature: b64(128),
  })
  .strict();
type Statement = z.infer<typeof statementSchema>;

function signedBytes(statement: Statement): Buffer {
  return Buffer.concat([DOMAIN, Buffer.from(canonicalJson(statement), 'utf8')]);
}

/** The bytes of manifest.sig.json for a manifest's exact bytes, signed with the examiner's unlocked key. */
export function signManifest(manifestBytes: Buffer, key: KeyObject, info: ExaminerKeyInfo, signedAt: string): Buffer {
  const statement: Statement = {
    manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
    signedAt,
    signer: info.examiner,
    fingerprint: info.fingerprint,
  };
  const signature = sign(null, signedBytes(statement), key);
  return Buffer.from(
    canonicalJson({ format: SIGNATURE_FORMAT, version: 1, statement, publicKey: info.publicKey, signature: signature.toString('base64') }),
    'utf8',
  );
}

export interface SignatureCheckOptions {
  /** The reviewer's trusted keys by fingerprint. */
  trusted(fingerprint: string): TrustedKey | undefined;
  /** Refuse a bundle that is not signed by a trusted key (instead of marking it). */
  requireSignature: boolean;
  /** Builds the refusal (the caller names the bundle file). */
  refuse(message: string): DrydockFailure;
}

/**
 * Checks a bundle's signature entry (undefined: the bundle has none) against the manifest's exact
 * bytes. A malformed entry, a signature that does not verify, or one over another manifest is
 * always refused; an unsigned bundle or an untrusted signer is refused only with
 * requireSignature, and otherwise reported as such.
 */
export function checkSignature(manifestBytes: Buffer, entry: Buffer | undefined, options: SignatureCheckOptions): BundleSignatureCheck {
  if (entry === undefined) {
    if (options.requireSignature) throw options.refuse(`it is not signed, and a signature by a trusted key was required`);
    return { status: 'unsigned' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(entry.toString('utf8'));
  } catch {
    throw options.refuse(`${SIGNATURE_NAME} is not valid JSON`);
  }
  const parsed = entrySchema.safeParse(raw);
  if (!parsed.success) throw options.refuse(`${SIGNATURE_NAME} is malformed`);
  const { statement, publicKey, signature } = parsed.data;
  const keyBytes = Buffer.from(publicKey, 'base64');
  const sigBytes = Buffer.from(signature, 'base64');
  if (keyBytes.length !== 32 || sigBytes.length !== 64)
    throw options.refuse(`${SIGNATURE_NAME} is malformed (an Ed25519 key is 32 bytes and a signature 64)`);
  const fingerprint = fingerprintOf(keyBytes);
  if (fingerprint !== statement.fingerprint)
    throw options.refuse(`${SIGNATURE_NAME} names key ${statement.fingerprint} but carries key ${fingerprint}`);
  if (!verify(null, signedBytes(statement), publicKeyFromRaw(keyBytes), sigBytes)) {
    throw options.refuse(`its signature does not verify (key ${fingerprint}): the signature or what it signs was altered`);
  }
  const manifestSha256 = createHash('sha256').update(manifestBytes).digest('hex');
  if (manifestSha256 !== statement.manifestSha256) {
    throw options.refuse(`its signature (key ${fingerprint}) covers another manifest: manifest.json was altered after it was signed`);
  }
  const trusted = options.trusted(fingerprint);
  const signed = { fingerprint, signer: statement.signer, signedAt: statement.signedAt };
  if (!trusted) {
    if (options.requireSignature)
      throw options.refuse(
        `it is signed by key ${fingerprint} (claiming to be ${JSON.stringify(statement.signer).slice(0, 120)}), which this store does not trust (drydock key trust FILE)`,
      );
    return { status: 'untrusted', ...signed };
  }
  return { status: 'trusted', ...signed, trustedAs: trusted.name };
}
