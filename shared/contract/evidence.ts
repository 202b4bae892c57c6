import { z } from 'zod';
import {
  type ActingExaminer,
  ARTIFACT_KINDS,
  type ArtifactInfo,
  type AuditEntry,
  type CaseInfo,
  type VerifyReport,
} from '../domain/evidence';
import type { FootprintSummary } from '../domain/footprint';
import { channel, event } from './define';
import { artifactId, caseRef, empty, hostName, localPath } from './schemas';

/** Free text typed by the examiner: printable, bounded; newlines and tabs allowed. */
const examinerText = (max: number) =>
  z
    .string()
    .max(max)
    .refine(
      (value) =>
        ![...value].some((ch) => {
          const c = ch.codePointAt(0) ?? 0;
          return (c < 0x20 && ch !== '\n' && ch !== '\t') || c === 0x7f;
        }),
      'no control characters',
    );

export const caseInput = z
  .object({
    name: examinerText(200).pipe(z.string().trim().min(1, 'a case name')),
    examiner: examinerText(200).optional(),
    organisation: examinerText(200).default(''),
    timeZone: z
      .string()
      .max(64)
      .regex(/^[A-Za-z0-9_+\-/]+$/, 'an IANA time zone such as Europe/Berlin or UTC')
      .default('UTC'),
    description: examinerText(10_000).default(''),
  })
  .strict();

export interface CaseList {
  cases: CaseInfo[];
  currentCaseId: string | null;
}

export interface ExportResult {
  path: string;
  bytes: number;
  sha256: string;
}

export interface BundleExportResult extends ExportResult {
  caseId: string;
  artifacts: number;
  auditEntries: number;
  /** The manifest was signed with the store's examiner key (fingerprint given). */
  signed: boolean;
  signedBy?: string;
}

export interface BundleImportResult {
  case: CaseInfo;
  report: VerifyReport;
  /** How the bundle was signed (a bad signature is never imported). */
  signature: BundleSignatureCheck;
}

/** The public half of the store's examiner key. */
export interface ExaminerKeyInfo {
  algorithm: 'ed25519';
  examiner: string;
  createdAt: string;
  /** The raw 32-byte Ed25519 public key (RFC 8032), base64. */
  publicKey: string;
  /** SHA-256 of the raw 32-byte public key, lowercase hex. */
  fingerprint: string;
}

/** A public key the reviewer chose to trust, with the name they gave it. */
export interface TrustedKey {
  fingerprint: string;
  /** The raw 32-byte Ed25519 public key, base64. */
  publicKey: string;
  name: string;
  trustedAt: string;
}

/**
 * A bundle's signature as checked at import: none, by a key this store trusts, or by a key it does
 * not. signer and signedAt are what the signer stated, authenticated by the signature.
 */
export type BundleSignatureCheck =
  | { status: 'unsigned' }
  | { status: 'trusted'; fingerprint: string; signer: string; signedAt: string; trustedAs: string }
  | { status: 'untrusted'; fingerprint: string; signer: string; signedAt: string };

/** The signature recorded when a case was imported (a case created in this store has none). */
export type CaseSignature = BundleSignatureCheck & { caseId: string; checkedAt: string };

/** A key passphrase: never stored, never logged; scrypt stretches it (at least 8 characters). */
const passphrase = z.string().min(1).max(1024);

export const PREVIEW_DEFAULT_BYTES = 64 * 1024;
export const PREVIEW_MAX_BYTES = 1024 * 1024;

export type PreviewKind = 'text' | 'json' | 'binary';

/**
 * The first bytes of an artifact, ready to show. Everything in it is data from a host under
 * investigation: the reader makes control characters visible before displaying any of it.
 */
export interface ArtifactPreview {
  mediaType: string;
  /** The artifact's recorded size in bytes. */
  size: number;
  /** How many bytes the preview covers (at most the requested maxBytes). */
  bytes: number;
  /** The artifact holds more than `bytes`. */
  truncated: boolean;
  kind: PreviewKind;
  /** text and json: UTF-8 decoded, invalid bytes as U+FFFD; JSON re-indented when the whole document fits. */
  text?: string;
  /** binary: one line per 16 bytes, "offset  hex  |ascii|". */
  hex?: string[];
  /** binary: runs of at least 6 printable ASCII characters. */
  strings?: string[];
}

export const evidenceChannels = {
  'evidence.cases': channel<CaseList>()(empty),
  /** Creates a case and makes it the current one. */
  'evidence.case-create': channel<CaseInfo>()(caseInput),
  'evidence.case-use': channel<CaseInfo>()(() => z.object({ caseRef }).strict()),
  'evidence.case-close': channel<CaseInfo>()(() => z.object({ caseRef: caseRef.optional() }).strict()),
  'evidence.artifacts': channel<ArtifactInfo[]>()(() =>
    z
      .object({
        caseRef: caseRef.optional(),
        kind: z.enum(ARTIFACT_KINDS).optional(),
        limit: z.number().int().min(1).max(100_000).default(1000),
      })
      .strict(),
  ),
  'evidence.artifact': channel<ArtifactInfo>()(() => z.object({ artifactId }).strict()),
  /** The first maxBytes of an artifact, read as a stream (never the whole blob), as text, JSON or hex + strings. */
  'evidence.preview': channel<ArtifactPreview>()(() =>
    z.object({ artifactId, maxBytes: z.number().int().min(1).max(PREVIEW_MAX_BYTES).default(PREVIEW_DEFAULT_BYTES) }).strict(),
  ),
  'evidence.audit': channel<AuditEntry[]>()(() =>
    z
      .object({
        caseRef: caseRef.optional(),
        afterSeq: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(100_000).default(1000),
      })
      .strict(),
  ),
  'evidence.note': channel<AuditEntry>()(() =>
    z.object({ caseRef: caseRef.optional(), text: examinerText(10_000).pipe(z.string().trim().min(1, 'a note')) }).strict(),
  ),
  'evidence.verify': channel<VerifyReport>()(() => z.object({ caseRef: caseRef.optional() }).strict()),
  /** Copies one artifact's bytes out of the store, re-hashing them on the way. */
  'evidence.export-artifact': channel<ExportResult>()(() => z.object({ artifactId, path: localPath }).strict()),
  /** Writes a case bundle (tar: manifest, database rows, audit chain, blobs) that verifies on another machine. */
  'evidence.export-bundle': channel<BundleExportResult>()(() =>
    z
      .object({ caseRef: caseRef.optional(), path: localPath, sign: z.boolean().default(false), passphrase: passphrase.optional() })
      .strict(),
  ),
  /**
   * Verifies a bundle, then imports it as a read-only case; a bundle that fails verification or
   * carries a bad signature is refused, and with requireSignature so is one not signed by a trusted key.
   */
  'evidence.import-bundle': channel<BundleImportResult>()(() =>
    z.object({ path: localPath, requireSignature: z.boolean().default(false) }).strict(),
  ),
  /** Creates the store's examiner key pair (Ed25519), the private key encrypted with the passphrase. */
  'evidence.key-create': channel<ExaminerKeyInfo>()(() => z.object({ examiner: examinerText(200).optional(), passphrase }).strict()),
  /** The store's examiner key (public half and fingerprint); 'not-found' when there is none. */
  'evidence.key-show': channel<ExaminerKeyInfo>()(empty),
  /** Writes the examiner's public key file, for reviewers to trust. */
  'evidence.key-export': channel<ExportResult>()(() => z.object({ path: localPath }).strict()),
  /** Trusts the Ed25519 public key in a file (PEM), under the given name or the file's "Examiner:" line. */
  'evidence.key-trust': channel<TrustedKey>()(() => z.object({ path: localPath, name: examinerText(200).optional() }).strict()),
  'evidence.keys-trusted': channel<TrustedKey[]>()(empty),
  /** How an imported case's bundle was signed (404 for a case created here). */
  /** Who is acting now (for the header) and by which rule. */
  'evidence.examiner': channel<ActingExaminer>()(empty),
  /** The examiner's explicit choice (empty clears it); the change is audited. */
  'evidence.examiner-set': channel<ActingExaminer>()(() => z.object({ name: examinerText(200) }).strict()),
  'evidence.case-signature': channel<CaseSignature>()(() => z.object({ caseRef: caseRef.optional() }).strict()),
  /**
   * Per host, every action Drydock performed on it (time, action, object ID, examiner), from the
   * audit log: of one case's chain, or of the whole store without caseRef; one host with host.
   */
  'footprint.summary': channel<FootprintSummary>()(() => z.object({ host: hostName.optional(), caseRef: caseRef.optional() }).strict()),
} as const;

export const evidenceEvents = {
  'evidence.case-changed': event<{ current: CaseInfo | null }>(),
  'evidence.artifact-added': event<ArtifactInfo>(),
  'evidence.audit-appended': event<AuditEntry>(),
  /** No case was open (or only yesterday's ad-hoc one) when an acquisition began: Drydock opened one. */
  'evidence.adhoc-case-opened': event<{ case: CaseInfo; host: string; reason: string }>(),
  'evidence.examiner-changed': event<ActingExaminer>(),
} as const;
