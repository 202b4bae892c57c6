import { z } from 'zod';
import type { SbomResult } from '../domain/sbom';
import { channel } from './define';
import { caseRef, hostName } from './schemas';

/** A container (ID or name) or an image (ID or reference): printable, no control characters. */
export const sbomTarget = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:/@+-]*$/, 'a container ID or name, or an image ID or reference');

export const sbomChannels = {
  /**
   * The SBOM of a container (with its image's SBOM and the runtime package drift) or of an image,
   * read through the engine; CycloneDX 1.5 and SPDX 2.3 documents stored as 'sbom' artifacts in the
   * case (an ad-hoc one when none is open) unless `record` is false.
   */
  'sbom.build': channel<SbomResult>()(() =>
    z.object({ host: hostName, target: sbomTarget, record: z.boolean().default(true), caseRef: caseRef.optional() }).strict(),
  ),
} as const;

export const sbomEvents = {} as const;
