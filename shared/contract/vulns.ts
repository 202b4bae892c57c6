import { z } from 'zod';
import type { VulnDbImportResult, VulnDbStatus, VulnReport } from '../domain/vulns';
import { channel } from './define';
import { sbomTarget } from './sbom';
import { caseRef, hostName } from './schemas';

export const vulnsChannels = {
  /**
   * Imports an OSV database file (a per-ecosystem all.zip export) from this machine into the store:
   * every entry's CRC checked, every record parsed, the file's SHA-256 (and the expected one, when
   * given) recorded, the import audited in the current case when one is open.
   */
  'vulndb.import': channel<VulnDbImportResult>()(() =>
    z
      .object({
        file: z.string().min(1).max(4096),
        expectedSha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/i)
          .optional(),
      })
      .strict(),
  ),
  /** The imported databases and, per ecosystem, the one matching uses and its age. */
  'vulndb.status': channel<VulnDbStatus>()(() => z.object({}).strict()),
  /**
   * Matches the SBOM of a container or image against the imported databases: findings with the
   * image-or-runtime origin, ecosystems without a database "not scanned", databases older than
   * maxAgeDays a warning on every finding. Stored as a 'vulnerability-report' artifact unless `record` is false.
   */
  'vulns.scan': channel<VulnReport>()(() =>
    z
      .object({
        host: hostName,
        target: sbomTarget,
        maxAgeDays: z.number().int().min(0).max(36500).default(30),
        record: z.boolean().default(true),
        caseRef: caseRef.optional(),
      })
      .strict(),
  ),
} as const;

export const vulnsEvents = {} as const;
