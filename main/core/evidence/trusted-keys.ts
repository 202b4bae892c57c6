import type { BundleSignatureCheck, CaseSignature, TrustedKey } from '../../../shared/contract/evidence';
import type { Db } from '../store/database';

interface KeyRow {
  fingerprint: string;
  public_key: string;
  name: string;
  trusted_at: string;
}

interface SignatureRow {
  case_id: string;
  status: BundleSignatureCheck['status'];
  fingerprint: string | null;
  signer: string | null;
  signed_at: string | null;
  trusted_as: string | null;
  checked_at: string;
}

/** The reviewer's trusted examiner keys, and the signature found on each imported case's bundle. */
export class TrustedKeys {
  private readonly byFingerprint;
  private readonly all;
  private readonly insertKey;
  private readonly signatureOf;
  private readonly insertSignature;

  constructor(db: Db) {
    this.byFingerprint = db.prepare<[string], KeyRow>('SELECT * FROM trusted_keys WHERE fingerprint = ?');
    this.all = db.prepare<[], KeyRow>('SELECT * FROM trusted_keys ORDER BY trusted_at, fingerprint');
    this.insertKey = db.prepare('INSERT INTO trusted_keys (fingerprint, public_key, name, trusted_at) VALUES (?, ?, ?, ?)');
    this.signatureOf = db.prepare<[string], SignatureRow>('SELECT * FROM case_signatures WHERE case_id = ?');
    this.insertSignature = db.prepare(
      'INSERT INTO case_signatures (case_id, status, fingerprint, signer, signed_at, trusted_as, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  get(fingerprint: string): TrustedKey | undefined {
    const row = this.byFingerprint.get(fingerprint);
    return row ? toKey(row) : undefined;
  }

  list(): TrustedKey[] {
    return this.all.all().map(toKey);
  }

  add(key: TrustedKey): void {
    this.insertKey.run(key.fingerprint, key.publicKey, key.name, key.trustedAt);
  }

  /** Records how an imported case's bundle was signed (inside the import's transaction). */
  recordSignature(caseId: string, check: BundleSignatureCheck, checkedAt: string): void {
    const signed = check.status === 'unsigned' ? undefined : check;
    this.insertSignature.run(
      caseId,
      check.status,
      signed?.fingerprint ?? null,
      signed?.signer ?? null,
      signed?.signedAt ?? null,
      signed?.status === 'trusted' ? signed.trustedAs : null,
      checkedAt,
    );
  }

  /** The signature recorded at import; undefined for a case created in this store. */
  signature(caseId: string): CaseSignature | undefined {
    const row = this.signatureOf.get(caseId);
    if (!row) return undefined;
    const base = { caseId: row.case_id, checkedAt: row.checked_at };
    if (row.status === 'unsigned' || row.fingerprint === null) return { ...base, status: 'unsigned' };
    const signed = { fingerprint: row.fingerprint, signer: row.signer ?? '', signedAt: row.signed_at ?? '' };
    return row.status === 'trusted'
      ? { ...base, status: 'trusted', ...signed, trustedAs: row.trusted_as ?? '' }
      : { ...base, status: 'untrusted', ...signed };
  }
}

function toKey(row: KeyRow): TrustedKey {
  return { fingerprint: row.fingerprint, publicKey: row.public_key, name: row.name, trustedAt: row.trusted_at };
}
