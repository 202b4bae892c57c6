import { z } from 'zod';
import { ARTIFACT_KINDS, type ArtifactInfo, type AuditEntry, type CaseInfo } from '../../../shared/domain/evidence';

/**
 * A case bundle is a tar stream: manifest.json first, then blobs/<sha256> for every distinct
 * blob of the case. The manifest carries the case, its artifact rows and its whole audit chain;
 * its SHA-256 list names every other file of the bundle.
 */

export const BUNDLE_FORMAT = 'drydock-case-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';
/** The manifest is read whole (it is JSON); beyond this it is refused rather than buffered. */
export const MAX_MANIFEST_BYTES = 128 * 1024 * 1024;

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an ID of letters, digits, - and _');
const sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'a lowercase SHA-256');
const timestamp = z.string().max(64);
const text = (max: number) => z.string().max(max);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const caseSchema = z
  .object({
    id,
    name: text(1000),
    examiner: text(1000),
    organisation: text(1000),
    timeZone: text(64),
    description: text(100_000),
    status: z.enum(['open', 'closed']),
    readOnly: z.boolean(),
    createdAt: timestamp,
    closedAt: timestamp.optional(),
  })
  .strict();

const artifactSchema = z
  .object({
    id,
    caseId: id,
    kind: z.enum(ARTIFACT_KINDS),
    status: z.enum(['complete', 'incomplete']),
    statusReason: text(100_000).optional(),
    source: z
      .object({
        host: z.string().optional(),
        containerId: z.string().optional(),
        containerName: z.string().optional(),
        path: z.string().optional(),
      })
      .strict(),
    method: text(100_000),
    mediaType: text(1000),
    drydockVersion: text(64),
    acquiredAt: timestamp,
    size: count,
    sha256,
    attributes: z.record(z.string(), z.unknown()),
  })
  .strict();

const entrySchema = z
  .object({
    seq: z.number().int().min(1),
    caseId: id.nullable(),
    at: timestamp,
    examiner: text(1000),
    action: text(1000),
    details: z.record(z.string(), z.unknown()),
    prevHash: sha256,
    hash: sha256,
  })
  .strict();

export const manifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
    drydockVersion: text(64),
    exportedAt: timestamp,
    exportedBy: text(1000),
    case: caseSchema,
    artifacts: z.array(artifactSchema),
    audit: z.array(entrySchema),
    chainHead: z
      .object({ seq: z.number().int().min(1), hash: sha256 })
      .strict()
      .nullable(),
    blobs: z.array(z.object({ path: z.string(), sha256, size: count }).strict()),
  })
  .strict();

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: typeof BUNDLE_FORMAT_VERSION;
  drydockVersion: string;
  exportedAt: string;
  exportedBy: string;
  case: CaseInfo;
  artifacts: ArtifactInfo[];
  audit: AuditEntry[];
  chainHead: { seq: number; hash: string } | null;
  /** Every file of the bundle besides the manifest: blobs/<sha256>, with its hash and size. */
  blobs: { path: string; sha256: string; size: number }[];
}

export function blobEntryName(sha: string): string {
  return `blobs/${sha}`;
}
