import { z } from 'zod';
import type { NetworkChangedEvent, NetworkSnapshotResult, NetworkWatchEndedEvent, NetworkWatchInfo } from '../domain/network';
import { channel, event } from './define';
import { caseRef, empty, hostName } from './schemas';

export const networkWatchId = z.string().regex(/^nw-[a-z0-9-]{6,64}$/, 'a network watch ID');

/** One host, several, or neither (= every connected host). */
const hostSelection = {
  host: hostName.optional(),
  hosts: z.array(hostName).min(1).max(64).optional(),
};

const oneSelection = (value: { host?: string | undefined; hosts?: string[] | undefined }) =>
  !(value.host !== undefined && value.hosts !== undefined);
const selectionMessage = { message: 'give host or hosts, not both' };

export const networkChannels = {
  /**
   * The connection graph of one host, several, or every connected host: each running container's
   * socket tables read by a helper sharing its network namespace, endpoints resolved, edges enriched
   * from the case's stored flow summaries. Stored as a 'connection-snapshot' artifact when record is true.
   */
  'network.snapshot': channel<NetworkSnapshotResult>()(
    z
      .object({ ...hostSelection, record: z.boolean().default(false), caseRef: caseRef.optional() })
      .strict()
      .refine(oneSelection, selectionMessage),
  ),
  /**
   * Refreshes every intervalSeconds and emits 'network.changed'. With leaseSeconds the watch ends
   * unless renewed ({ renew: watchId }) in time: a renderer that went away leaves nothing running.
   */
  'network.watch': channel<NetworkWatchInfo>()(
    z.union([
      z
        .object({
          ...hostSelection,
          intervalSeconds: z.number().int().min(2).max(3600).default(5),
          record: z.boolean().default(false),
          caseRef: caseRef.optional(),
          leaseSeconds: z.number().int().min(10).max(86400).optional(),
        })
        .strict()
        .refine(oneSelection, selectionMessage),
      z.object({ renew: networkWatchId }).strict(),
    ]),
  ),
  'network.unwatch': channel<{ stopped: boolean; watch?: NetworkWatchInfo }>()(z.object({ watchId: networkWatchId }).strict()),
  'network.watches': channel<NetworkWatchInfo[]>()(empty),
} as const;

export const networkEvents = {
  /** A watch began (from any client): the header shows what runs on which host until 'network.watch-ended'. */
  'network.watch-started': event<NetworkWatchInfo>(),
  /** Each refresh of a watch: the whole snapshot and what changed since the previous one. */
  'network.changed': event<NetworkChangedEvent>(),
  'network.watch-ended': event<NetworkWatchEndedEvent>(),
} as const;
