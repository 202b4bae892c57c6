import { z } from 'zod';
import type {
  GraphPositionsLoaded,
  GraphPositionsSaved,
  NetworkChangedEvent,
  NetworkSnapshotResult,
  NetworkWatchEndedEvent,
  NetworkWatchInfo,
} from '../domain/network';
import { channel, event } from './define';
import { caseRef, empty, hostName } from './schemas';

export const networkWatchId = z.string().regex(/^nw-[a-z0-9-]{6,64}$/, 'a network watch ID');

/**
 * One host, several, or neither (= every connected host); or cluster: a Swarm manager, whose nodes'
 * hosts (the saved profiles that answer as them) are read and drawn as groups, overlays as edges.
 */
const hostSelection = {
  host: hostName.optional(),
  hosts: z.array(hostName).min(1).max(64).optional(),
  cluster: hostName.optional(),
};

/** Positions one save may carry: a graph of this many nodes is far past what the view draws smoothly. */
export const GRAPH_POSITIONS_MAX = 20_000;

/** A graph node's place: its ID is whatever the graph named it (from hosts under investigation: any text, never interpreted). */
const graphPosition = z
  .object({
    id: z.string().min(1).max(1024),
    x: z.number().finite().min(-1e7).max(1e7),
    y: z.number().finite().min(-1e7).max(1e7),
  })
  .strict();

const oneSelection = (value: { host?: string | undefined; hosts?: string[] | undefined; cluster?: string | undefined }) =>
  [value.host, value.hosts, value.cluster].filter((v) => v !== undefined).length <= 1;
const selectionMessage = { message: 'give one of host, hosts or cluster' };

export const networkChannels = {
  /**
   * The connection graph of one host, several, or every connected host: each running container's
   * socket tables read by a helper sharing its network namespace, endpoints resolved, edges enriched
   * from the case's stored flow summaries. Stored as a 'connection-snapshot' artifact when record is true.
   * With cluster (a Swarm manager): every node's host read, and `snapshot.swarm` gives each node as a
   * group (what the manager knows of a node that could not be read, its tasks included) and each
   * overlay network as an edge between the nodes with tasks on it.
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
  /**
   * Stores where the Connections view laid out the given nodes, for the case (the current one by
   * default): the next opening of the view starts warm from there. Nothing is stored with no case selected.
   */
  'network.graph-positions.save': channel<GraphPositionsSaved>()(
    z.object({ caseRef: caseRef.optional(), positions: z.array(graphPosition).max(GRAPH_POSITIONS_MAX) }).strict(),
  ),
  /** The layout positions stored for the case (the current one by default), most recently saved first. */
  'network.graph-positions.load': channel<GraphPositionsLoaded>()(z.object({ caseRef: caseRef.optional() }).strict()),
} as const;

export const networkEvents = {
  /** A watch began (from any client): the header shows what runs on which host until 'network.watch-ended'. */
  'network.watch-started': event<NetworkWatchInfo>(),
  /** Each refresh of a watch: the whole snapshot and what changed since the previous one. */
  'network.changed': event<NetworkChangedEvent>(),
  'network.watch-ended': event<NetworkWatchEndedEvent>(),
} as const;
