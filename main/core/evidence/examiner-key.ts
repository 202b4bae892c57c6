import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  scryptSync,
} from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ExaminerKeyInfo } from '../../../shared/contract/evidence';
import { DrydockFailure } from '../errors';
import { canonicalJson } from './canonical-json';

/**
 * The examiner's signing key: one Ed25519 key pair per evidence store, in
 * `<store>/keys/examiner-key.json` (mode 0600). The private key (PKCS#8 DER) is encrypted with
 * AES-256-GCM under a key derived from the examiner's passphrase with scrypt (RFC 7914); the
 * GCM tag also authenticates the public key, examiner and creation time written beside it, so a
 * wrong passphrase or an edited file is told apart from a good one. Nothing unencrypted is ever
 * written.
 *
 * The desktop app could instead keep the key in the OS keychain through Electron's safeStorage;
 * that needs a running Electron and a desktop session, which the CLI and the tests here do not
 * have, so the passphrase path is the one implemented and tested.
 */

export const KEY_FILE = path.join('keys', 'examiner-key.json');
const KEY_FORMAT = 'drydock-examiner-key';
const MAX_KEY_FILE_BYTES = 64 * 1024;
/** scrypt cost: N = 2^15, r = 8 (32 MiB, about 0.1 s): slows guessing without stalling the CLI. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
/** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4); the raw 32-byte key follows. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
export const PASSPHRASE_MIN = 8;

const b64 = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/);
const keyFileSchema = z
  .object({
    format: z.literal(KEY_FORMAT),
    version: z.literal(1),
    algorithm: z.literal('ed25519'),
    examiner: z.string().max(200),
    createdAt: z.string().max(64),
    publicKey: b64,
    kdf: z
      .object({
        name: z.literal('scrypt'),
        N: z
          .number()
          .int()
          .min(2)
          .max(1 << 20),
        r: z.number().int().min(1).max(32),
        p: z.number().int().min(1).max(16),
        salt: b64,
      })
      .strict(),
    cipher: z.object({ name: z.literal('aes-256-gcm'), iv: b64, tag: b64 }).strict(),
    encryptedPrivateKey: b64,
  })
  .strict();
type KeyFile = z.infer<typeof keyFileSchema>;

/** SHA-256 of the raw 32-byte Ed25519 public key, lowercase hex (64 characters). */
export function fingerprintOf(rawPublicKey: Buffer): string {
  return createHash('sha256').update(rawPublicKey).digest('hex');
}

/** The raw 32-byte Ed25519 public key (RFC 8032 §5.1.5) of a key object. */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ type: 'spki', format: 'der' });
  if (der.length !== ED25519_SPKI_PREFIX.length + 32 || !der.subarray(0, ED25519_SPKI_PREFIX.length).equals(ED25519_SPKI_PREFIX)) {
    throw new DrydockFailure('invalid-input', 'The key is not an Ed25519 public key');
  }
  return der.subarray(ED25519_SPKI_PREFIX.length);
}

/** A public key object from the raw 32 bytes; throws 'invalid-input' on any other length. */
export function publicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new DrydockFailure('invalid-input', `An Ed25519 public key is 32 bytes, not ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/**
 * The public key file handed to reviewers: a few comment lines (examiner, fingerprint), then the
 * key as a PEM SubjectPublicKeyInfo (RFC 7468 §13; text outside the PEM block is ignored).
 */
export function publicKeyFileText(info: ExaminerKeyInfo): string {
  const pem = publicKeyFromRaw(Buffer.from(info.publicKey, 'base64')).export({ type: 'spki', format: 'pem' });
  return [
    'Drydock examiner public key (Ed25519)',
    `Examiner: ${info.examiner}`,
    `Fingerprint (SHA-256 of the raw 32-byte public key): ${info.fingerprint}`,
    String(pem).trimEnd(),
    '',
  ].join('\n');
}

/**
 * Reads a public key file (as written by publicKeyFileText, or any PEM SubjectPublicKeyInfo of
 * an Ed25519 key) of at most 64 KiB. Returns the raw key and the "Examiner:" line if there is one.
 * Throws 'invalid-input' for anything else (an RSA key, a private key, garbage).
 */
export function parsePublicKeyFile(text: string, source: string): { raw: Buffer; fingerprint: string; examiner?: string } {
  const block = /-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]{1,2000})-----END PUBLIC KEY-----/.exec(text);
  if (!block) throw new DrydockFailure('invalid-input', `${source} holds no PEM public key (-----BEGIN PUBLIC KEY-----)`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: block[0], format: 'pem' });
  } catch (err) {
    throw new DrydockFailure('invalid-input', `${source}: the public key cannot be read (${(err as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new DrydockFailure(
      'invalid-input',
      `${source} holds a ${key.asymmetricKeyType ?? 'unknown'} key; Drydock signs with Ed25519 keys only`,
    );
  const raw = rawPublicKey(key);
  const examiner = /^Examiner: ([^\r\n]{1,200})$/m.exec(text.slice(0, block.index))?.[1];
  return { raw, fingerprint: fingerprintOf(raw), ...(examiner !== undefined ? { examiner } : {}) };
}

/** The examiner key file of a store: create it once, read its public half, unlock it to sign. */
export class ExaminerKeyStore {
  readonly file: string;

  constructor(storeDir: string) {
    this.file = path.join(storeDir, KEY_FILE);
  }

  /** The key's public facts, or undefined when the store has no key (a damaged file is 'integrity'). */
  info(): ExaminerKeyInfo | undefined {
    const file = this.read();
    return file ? infoOf(file) : undefined;
  }

  /**
   * Generates the key pair and writes it encrypted. Throws 'conflict' if the store already has a
   * key (it is never replaced silently: bundles signed with it name its fingerprint) and
   * 'invalid-input' for a passphrase shorter than 8 characters.
   */
  create(examiner: string, passphrase: string, createdAt: string): ExaminerKeyInfo {
    if (passphrase.length < PASSPHRASE_MIN)
      throw new DrydockFailure('invalid-input', `The key's passphrase needs at least ${PASSPHRASE_MIN} characters`);
    if (this.read())
      throw new DrydockFailure(
        'conflict',
        `This evidence store already has an examiner key (${this.file}); it is not replaced. Remove that file first to start over.`,
      );
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = rawPublicKey(publicKey);
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const head = { examiner, createdAt, publicKey: raw.toString('base64') };
    const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, salt, SCRYPT), iv);
    cipher.setAAD(Buffer.from(canonicalJson(head), 'utf8'));
    const sealed = Buffer.concat([cipher.update(privateKey.export({ type: 'pkcs8', format: 'der' })), cipher.final()]);
    const file: KeyFile = {
      format: KEY_FORMAT,
      version: 1,
      algorithm: 'ed25519',
      ...head,
      kdf: { name: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt: salt.toString('base64') },
      cipher: { name: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
      encryptedPrivateKey: sealed.toString('base64'),
    };
    mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(this.file, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      throw new DrydockFailure('store', `Could not write the examiner key to ${this.file}: ${(err as Error).message}`);
    }
    return infoOf(file);
  }

  /**
   * Decrypts the private key. Throws 'not-found' when there is no key and 'invalid-input'
   * for a wrong passphrase (or a key file edited since it was written).
   */
  unlock(passphrase: string): { key: KeyObject; info: ExaminerKeyInfo } {
    const file = this.read();
    if (!file)
      throw new DrydockFailure('not-found', 'This evidence store has no examiner key to sign with: create one first (drydock key create)');
    const info = infoOf(file);
    let der: Buffer;
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        deriveKey(passphrase, Buffer.from(file.kdf.salt, 'base64'), file.kdf),
        Buffer.from(file.cipher.iv, 'base64'),
      );
      decipher.setAAD(
        Buffer.from(canonicalJson({ examiner: file.examiner, createdAt: file.createdAt, publicKey: file.publicKey }), 'utf8'),
      );
      decipher.setAuthTag(Buffer.from(file.cipher.tag, 'base64'));
      der = Buffer.concat([decipher.update(Buffer.from(file.encryptedPrivateKey, 'base64')), decipher.final()]);
    } catch {
      throw new DrydockFailure(
        'invalid-input',
        `Wrong passphrase for the examiner key ${info.fingerprint} (or its file ${this.file} was altered); nothing was signed`,
      );
    }
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    if (!rawPublicKey(createPublicKey(key)).equals(Buffer.from(file.publicKey, 'base64'))) {
      throw new DrydockFailure(
        'integrity',
        `The examiner key file ${this.file} is inconsistent: its private key does not match its public key`,
      );
    }
    return { key, info };
  }

  private read(): KeyFile | undefined {
    let text: string;
    try {
      const bytes = readFileSync(this.file);
      if (bytes.length > MAX_KEY_FILE_BYTES)
        throw new DrydockFailure('integrity', `The examiner key file ${this.file} is ${bytes.length} bytes; it is not a Drydock key`);
      text = bytes.toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (err instanceof DrydockFailure) throw err;
      throw new DrydockFailure('store', `Could not read the examiner key ${this.file}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Refused below as damaged, with the file named.
      parsed = undefined;
    }
    const checked = keyFileSchema.safeParse(parsed);
    if (!checked.success || Buffer.from(checked.data.publicKey, 'base64').length !== 32) {
      throw new DrydockFailure('integrity', `The examiner key file ${this.file} is damaged or not a Drydock examiner key`);
    }
    return checked.data;
  }
}

function infoOf(file: KeyFile): ExaminerKeyInfo {
  return {
    algorithm: 'ed25519',
    examiner: file.examiner,
    createdAt: file.createdAt,
    publicKey: file.publicKey,
    fingerprint: fingerprintOf(Buffer.from(file.publicKey, 'base64')),
  };
}

function deriveKey(passphrase: string, salt: Buffer, cost: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, { N: cost.N, r: cost.r, p: cost.p, maxmem: SCRYPT.maxmem });
}
