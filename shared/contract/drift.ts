import { z } from 'zod';
import type { DriftProgressEvent, DriftReport, DriftScanInfo, FilePreview, MountInventoryResult, NoiseRule } from '../domain/drift';
import type { ArtifactInfo } from '../domain/evidence';
import { channel, event } from './define';
import { artifactId, caseRef, containerRef, hostName } from './schemas';

/** A drift scan ID, or a prefix of one in either case: the core resolves it (DriftService.resolveScanId) and says why a prefix is too short. */
export const scanId = z.string().regex(/^ds-[a-z0-9-]{0,64}$/i, 'a drift scan ID (ds-…)');

export const driftSeverity = z.enum(['critical', 'high', 'medium', 'low', 'info']);

/** Container-side paths are hostile text: any bytes but NUL, bounded. */
const containerPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.includes('\0'), 'an absolute path without NUL bytes');

const MIB = 1024 * 1024;

export const noiseRule = z
  .object({
    id: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, dot, dash and underscore'),
    pattern: z
      .string()
      .min(1)
      .max(1024)
      .refine((p) => p.startsWith('/') || p.startsWith('**'), 'an absolute glob (starting with / or **)')
      .refine((p) => ![...p].some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f'), 'no control characters'),
    demoteTo: driftSeverity,
    description: z.string().max(500).default(''),
    enabled: z.boolean().default(true),
    includeExecutables: z.boolean().default(false),
  })
  .strict();

export const scanRequest = z
  .object({
    host: hostName,
    containers: z.union([z.array(containerRef).min(1).max(10_000), z.literal('all')]),
    caseRef: caseRef.optional(),
    /** Files up to this size are stored as artifacts; larger ones are hashed only. 0 stores none. */
    contentCapBytes: z
      .number()
      .int()
      .min(0)
      .max(1024 * MIB)
      .default(MIB),
    /**
     * New or changed executables, scripts and credential files are stored up to this size
     * whatever contentCapBytes says (the key evidence); 0 applies contentCapBytes to them too.
     */
    keyEvidenceCapBytes: z
      .number()
      .int()
      .min(0)
      .max(4096 * MIB)
      .default(256 * MIB),
    concurrency: z.number().int().min(1).max(32).default(4),
    /** Where changes are read (DriftReadVia): the engine's API (the default until the upper-dir reports check package integrity too), overlay2 upper directories through a helper, or the second where it can. */
    via: z.enum(['auto', 'upper-dir', 'engine-api']).default('engine-api'),
  })
  .strict();

export const driftChannels = {
  /** Starts a scan in the background and returns at once; 'drift.progress' follows it. */
  'drift.scan': channel<DriftScanInfo>()(scanRequest),
  /** Continues a scan that was cancelled or cut short: containers without a complete report are scanned again. */
  'drift.resume': channel<DriftScanInfo>()(() => z.object({ scanId, concurrency: z.number().int().min(1).max(32).optional() }).strict()),
  'drift.cancel': channel<{ cancelled: boolean; scan?: DriftScanInfo }>()(() => z.object({ scanId }).strict()),
  /** One scan with its containers ranked by drift score (the host summary). */
  'drift.result': channel<DriftScanInfo>()(() => z.object({ scanId }).strict()),
  /** Resolves when the scan has ended (complete, incomplete, failed or cancelled). */
  'drift.wait': channel<DriftScanInfo>()(() => z.object({ scanId }).strict()),
  'drift.list': channel<DriftScanInfo[]>()(() =>
    z.object({ host: hostName.optional(), caseRef: caseRef.optional(), limit: z.number().int().min(1).max(1000).default(100) }).strict(),
  ),
  /** A stored container report ('drift-report' artifact). */
  'drift.report': channel<DriftReport>()(() => z.object({ artifactId }).strict()),
  'drift.rules': channel<NoiseRule[]>()(() => z.object({}).strict()),
  /** Replaces the noise rules; applies to scans started afterwards. */
  'drift.rules-set': channel<NoiseRule[]>()(() => z.object({ rules: z.array(noiseRule).max(500) }).strict()),
  /**
   * A preview of stored bytes: a 'container-file' artifact, or the image's version of a path
   * (from the image index, for the left side of a text diff).
   */
  'drift.file': channel<FilePreview>()(() =>
    z
      .object({
        source: z.union([
          z.object({ artifactId }).strict(),
          z
            .object({
              imageId: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'an image ID'),
              path: containerPath,
              pathBase64: z.string().max(8192).optional(),
            })
            .strict(),
        ]),
        view: z.enum(['text', 'hex', 'strings']),
        offset: z.number().int().min(0).default(0),
        length: z
          .number()
          .int()
          .min(1)
          .max(4 * MIB)
          .default(256 * 1024),
      })
      .strict(),
  ),
  /** Acquires one file of a running container (one a scan left hashed only) into the case as a 'container-file' artifact. */
  'drift.acquire': channel<ArtifactInfo>()(() =>
    z
      .object({
        host: hostName,
        container: containerRef,
        path: containerPath,
        pathBase64: z.string().max(8192).optional(),
        caseRef: caseRef.optional(),
      })
      .strict(),
  ),
  /** Hashes every file under one mount of a container (outside the engine's diff) into a 'mount-inventory' artifact. */
  'drift.mount-inventory': channel<MountInventoryResult>()(() =>
    z.object({ host: hostName, container: containerRef, destination: containerPath, caseRef: caseRef.optional() }).strict(),
  ),
} as const;

export const driftEvents = {
  'drift.progress': event<DriftProgressEvent>(),
  'drift.scan-ended': event<DriftScanInfo>(),
} as const;
