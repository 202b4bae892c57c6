import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { BundleSignatureCheck, CaseSignature, ExaminerKeyInfo, ExportResult, TrustedKey } from '../../../shared/contract/evidence';
import { DrydockFailure } from '../errors';
import type { Db } from '../store/database';
import { checkSignature, signManifest } from './bundle-signature';
import { wellFormed } from './canonical-json';
import { ExaminerKeyStore, parsePublicKeyFile, publicKeyFileText } from './examiner-key';
import { writeNewFile } from './new-file';
import { TrustedKeys } from './trusted-keys';

const MAX_PUBLIC_KEY_FILE = 64 * 1024;

export interface SigningDeps {
  db: Db;
  storeDir: string;
  /** The acting examiner: the default name on a new key. */
  examiner(): string;
  now(): string;
  /** Appends to the audit log (the store's own chain for key actions). */
  audit(action: string, details: Record<string, unknown>): void;
}

/**
 * Examiner keys and trust for signed bundles: the store's own key (examiner-key.ts), the keys its
 * reviewer trusts, and the signature recorded for each imported case. Every key action is audited.
 */
export class BundleSigning {
  private readonly keyStore: ExaminerKeyStore;
  private readonly trusted: TrustedKeys;

  constructor(private readonly deps: SigningDeps) {
    this.keyStore = new ExaminerKeyStore(deps.storeDir);
    this.trusted = new TrustedKeys(deps.db);
  }

  /** Creates the store's key pair ('conflict' if it has one, 'invalid-input' for a short passphrase). */
  createKey(passphrase: string, examiner?: string): ExaminerKeyInfo {
    const name = wellFormed(examiner?.trim() ? examiner.trim() : this.deps.examiner());
    const info = this.keyStore.create(name, passphrase, this.deps.now());
    this.deps.audit('key.created', {
      fingerprint: info.fingerprint,
      examiner: info.examiner,
      algorithm: info.algorithm,
      file: this.keyStore.file,
    });
    return info;
  }

  /** The store's key; 'not-found' when there is none. */
  showKey(): ExaminerKeyInfo {
    const info = this.keyStore.info();
    if (!info) throw new DrydockFailure('not-found', 'This evidence store has no examiner key: create one (drydock key create)');
    return info;
  }

  /** Writes the public key file reviewers trust (a new file, never overwriting). */
  async exportPublicKey(target: string): Promise<ExportResult> {
    const info = this.showKey();
    const written = await writeNewFile(target, Readable.from([Buffer.from(publicKeyFileText(info), 'utf8')]));
    this.deps.audit('key.exported', { fingerprint: info.fingerprint, path: target, sha256: written.sha256 });
    return { path: target, bytes: written.bytes, sha256: written.sha256 };
  }

  /**
   * Trusts the Ed25519 public key in a file, named `name` or else by the file's "Examiner:" line.
   * Throws 'invalid-input' for a file that holds no Ed25519 public key or is over 64 KiB, and
   * 'conflict' when the key is already trusted.
   */
  async trust(file: string, name?: string): Promise<TrustedKey> {
    if (!path.isAbsolute(file)) throw new DrydockFailure('invalid-input', `The key file path must be absolute: ${file}`);
    // Absent or unreadable: said as not-found below.
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new DrydockFailure('not-found', `No public key file at ${file}`);
    if (info.size > MAX_PUBLIC_KEY_FILE)
      throw new DrydockFailure('invalid-input', `${file} is ${info.size} bytes; a public key file is at most ${MAX_PUBLIC_KEY_FILE}`);
    const parsed = parsePublicKeyFile((await readFile(file)).toString('utf8'), file);
    const existing = this.trusted.get(parsed.fingerprint);
    if (existing)
      throw new DrydockFailure(
        'conflict',
        `Key ${parsed.fingerprint} is already trusted (as ${JSON.stringify(existing.name)}, since ${existing.trustedAt})`,
      );
    const key: TrustedKey = {
      fingerprint: parsed.fingerprint,
      publicKey: parsed.raw.toString('base64'),
      name: wellFormed(name?.trim() || parsed.examiner?.trim() || 'unnamed'),
      trustedAt: this.deps.now(),
    };
    this.trusted.add(key);
    this.deps.audit('key.trusted', { fingerprint: key.fingerprint, name: key.name, file });
    return key;
  }

  listTrusted(): TrustedKey[] {
    return this.trusted.list();
  }

  /**
   * Unlocks the store's key for one export: 'not-found' without a key, 'invalid-input' without a
   * passphrase, 'invalid-input' for a wrong one. Returns the signer for exportBundle.
   */
  signer(passphrase: string | undefined): { fingerprint: string; sign(manifestBytes: Buffer): Buffer } {
    if (!this.keyStore.info())
      throw new DrydockFailure(
        'not-found',
        'This evidence store has no examiner key to sign with: create one first (drydock key create); no bundle was written',
      );
    if (passphrase === undefined || passphrase === '')
      throw new DrydockFailure('invalid-input', "Signing needs the examiner key's passphrase; no bundle was written");
    const { key, info } = this.keyStore.unlock(passphrase);
    return { fingerprint: info.fingerprint, sign: (manifestBytes) => signManifest(manifestBytes, key, info, this.deps.now()) };
  }

  /** The signature judge for readBundle. */
  checker(
    requireSignature: boolean,
    refuse: (message: string) => DrydockFailure,
  ): (manifestBytes: Buffer, entry: Buffer | undefined) => BundleSignatureCheck {
    return (manifestBytes, entry) =>
      checkSignature(manifestBytes, entry, { trusted: (fp) => this.trusted.get(fp), requireSignature, refuse });
  }

  /** Called inside the import transaction. */
  recordSignature(caseId: string, check: BundleSignatureCheck): void {
    this.trusted.recordSignature(caseId, check, this.deps.now());
  }

  /** 'not-found' for a case that was not imported. */
  caseSignature(caseId: string, label: string): CaseSignature {
    const signature = this.trusted.signature(caseId);
    if (!signature) throw new DrydockFailure('not-found', `${label} was not imported from a bundle, so it has no bundle signature`);
    return signature;
  }
}
