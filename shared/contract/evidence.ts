import { z } from 'zod';
import { ARTIFACT_KINDS, type ArtifactInfo, type AuditEntry, type CaseInfo, type VerifyReport } from '../domain/evidence';
import { channel, event } from './define';
import { artifactId, caseRef, empty, localPath } from './schemas';

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
}

export interface BundleImportResult {
  case: CaseInfo;
  report: VerifyReport;
}

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
  'evidence.case-use': channel<CaseInfo>()(z.object({ caseRef }).strict()),
  'evidence.case-close': channel<CaseInfo>()(z.object({ caseRef: caseRef.optional() }).strict()),
  'evidence.artifacts': channel<ArtifactInfo[]>()(
    z
      .object({
        caseRef: caseRef.optional(),
        kind: z.enum(ARTIFACT_KINDS).optional(),
        limit: z.number().int().min(1).max(100_000).default(1000),
      })
      .strict(),
  ),
  'evidence.artifact': channel<ArtifactInfo>()(z.object({ artifactId }).strict()),
  /** The first maxBytes of an artifact, read as a stream (never the whole blob), as text, JSON or hex + strings. */
  'evidence.preview': channel<ArtifactPreview>()(
    z.object({ artifactId, maxBytes: z.number().int().min(1).max(PREVIEW_MAX_BYTES).default(PREVIEW_DEFAULT_BYTES) }).strict(),
  ),
  'evidence.audit': channel<AuditEntry[]>()(
    z
      .object({
        caseRef: caseRef.optional(),
        afterSeq: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(100_000).default(1000),
      })
      .strict(),
  ),
  'evidence.note': channel<AuditEntry>()(
    z.object({ caseRef: caseRef.optional(), text: examinerText(10_000).pipe(z.string().trim().min(1, 'a note')) }).strict(),
  ),
  'evidence.verify': channel<VerifyReport>()(z.object({ caseRef: caseRef.optional() }).strict()),
  /** Copies one artifact's bytes out of the store, re-hashing them on the way. */
  'evidence.export-artifact': channel<ExportResult>()(z.object({ artifactId, path: localPath }).strict()),
  /** Writes a case bundle (tar: manifest, database rows, audit chain, blobs) that verifies on another machine. */
  'evidence.export-bundle': channel<BundleExportResult>()(z.object({ caseRef: caseRef.optional(), path: localPath }).strict()),
  /** Verifies a bundle, then imports it as a read-only case; a bundle that fails verification is refused. */
  'evidence.import-bundle': channel<BundleImportResult>()(z.object({ path: localPath }).strict()),
} as const;

export const evidenceEvents = {
  'evidence.case-changed': event<{ current: CaseInfo | null }>(),
  'evidence.artifact-added': event<ArtifactInfo>(),
  'evidence.audit-appended': event<AuditEntry>(),
} as const;
