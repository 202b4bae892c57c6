import { z } from 'zod';
import type {
  CompareDiskResult,
  DataRootSourceEntry,
  DataRootDriftResult,
  DataRootImages,
  DataRootInventory,
  DataRootLogsResult,
  DataRootProcessConfig,
  DataRootTimelineAcquisition,
  LayerOwnerResult,
} from '../domain/dataroot';
import { channel } from './define';
import { caseRef, containerRef, empty, hostName, localPath } from './schemas';

const MIB = 1024 * 1024;

/** A Docker data root: a directory (a mounted disk image, a copied tree) or a tar archive of one, read-only. */
const dataRoot = localPath;

/** A layer, mount or overlay2 ID (full, a prefix, an overlay2/l link name) or a path holding overlay2/<id>. */
const layerRef = z
  .string()
  .min(4)
  .max(512)
  .regex(/^[A-Za-z0-9:/._-]+$/, 'a layer, mount or overlay2 ID, or a path holding overlay2/<id>');

export const dataRootChannels = {
  /** Opens a data root (directory or tarball) as a read-only source of the host list; nothing is stored. */
  'dataroot.open': channel<DataRootSourceEntry>()(() => z.object({ dataRoot }).strict()),
  /** The data roots opened this session. */
  'dataroot.list': channel<DataRootSourceEntry[]>()(empty),
  /** Every container recorded in the data root with the live inventory's risk flags; stored in the case unless record is false. */
  'dataroot.inventory': channel<DataRootInventory>()(() =>
    z.object({ dataRoot, caseRef: caseRef.optional(), record: z.boolean().default(true) }).strict(),
  ),
  /** Every image of the data root (tags, history, layers with their overlay2 directories). */
  'dataroot.images': channel<DataRootImages>()(() =>
    z.object({ dataRoot, caseRef: caseRef.optional(), record: z.boolean().default(true) }).strict(),
  ),
  /** Which container or image an overlay2 directory, layer or mount ID belongs to. */
  'dataroot.layerOwner': channel<LayerOwnerResult>()(() =>
    z.object({ dataRoot, id: layerRef, caseRef: caseRef.optional(), record: z.boolean().default(true) }).strict(),
  ),
  /** Drift read from the containers' overlay2 upper directories; reports stored in the case. */
  'dataroot.drift': channel<DataRootDriftResult>()(() =>
    z
      .object({
        dataRoot,
        containers: z.union([z.array(containerRef).min(1).max(10_000), z.literal('all')]),
        caseRef: caseRef.optional(),
        contentCapBytes: z
          .number()
          .int()
          .min(0)
          .max(1024 * MIB)
          .default(MIB),
        keyEvidenceCapBytes: z
          .number()
          .int()
          .min(0)
          .max(4096 * MIB)
          .default(256 * MIB),
      })
      .strict(),
  ),
  /** A container's logs from the engine's json-file or local files, stored as one 'logs' artifact. */
  'dataroot.logs': channel<DataRootLogsResult>()(() =>
    z.object({ dataRoot, container: containerRef, caseRef: caseRef.optional() }).strict(),
  ),
  /**
   * Reads into the case what the timeline of a data root needs (containers' records, images, every
   * json-file or local log, the writable layers' entries with their mtimes); the case's timeline,
   * filtered on the returned host, is then the dead-box timeline.
   */
  'dataroot.timeline': channel<DataRootTimelineAcquisition>()(() => z.object({ dataRoot, caseRef: caseRef.optional() }).strict()),
  /** A container's processes as last recorded (command, user, environment, last state): a dead box has no process list. */
  'dataroot.processes': channel<DataRootProcessConfig>()(() =>
    z.object({ dataRoot, container: containerRef, caseRef: caseRef.optional(), record: z.boolean().default(true) }).strict(),
  ),
  /** A live engine against its data root: containers hidden from the API, layers not matching their diff IDs, writable layers the change list misreports. */
  'dataroot.compareDisk': channel<CompareDiskResult>()(() =>
    z.object({ host: hostName, dataRoot, caseRef: caseRef.optional(), record: z.boolean().default(true) }).strict(),
  ),
} as const;

export const dataRootEvents = {} as const;
