import type { z } from 'zod';
import { benchmarkChannels, benchmarkEvents } from './benchmark';
import { sbomChannels, sbomEvents } from './sbom';
import { vulnsChannels, vulnsEvents } from './vulns';
import { captureChannels, captureEvents } from './capture';
import { clusterChannels, clusterEvents } from './cluster';
import { collectChannels, collectEvents } from './collect';
import { dataRootChannels, dataRootEvents } from './dataroot';
import type { ChannelSpec, EventSpec } from './define';
import { driftChannels, driftEvents } from './drift';
import { evidenceChannels, evidenceEvents } from './evidence';
import { fleetChannels, fleetEvents } from './fleet';
import { hostChannels, hostEvents } from './hosts';
import { inventoryChannels, inventoryEvents } from './inventory';
import { journalChannels, journalEvents } from './journal';
import { logsChannels, logsEvents } from './logs';
import { memoryChannels, memoryEvents } from './memory';
import { networkChannels, networkEvents } from './network';
import { processesChannels, processesEvents } from './processes';
import { quarantineChannels, quarantineEvents } from './quarantine';
import { timelineChannels, timelineEvents } from './timeline';
import { yaraChannels, yaraEvents } from './yara';

// The one contract: Electron IPC, the loopback bridge and the CLI all dispatch through it.
export const channels = {
  ...benchmarkChannels,
  ...sbomChannels,
  ...vulnsChannels,
  ...hostChannels,
  ...inventoryChannels,
  ...evidenceChannels,
  ...driftChannels,
  ...processesChannels,
  ...captureChannels,
  ...networkChannels,
  ...quarantineChannels,
  ...timelineChannels,
  ...logsChannels,
  ...journalChannels,
  ...dataRootChannels,
  ...memoryChannels,
  ...yaraChannels,
  ...collectChannels,
  ...clusterChannels,
  ...fleetChannels,
} as const;

export const events = {
  ...benchmarkEvents,
  ...sbomEvents,
  ...vulnsEvents,
  ...hostEvents,
  ...inventoryEvents,
  ...evidenceEvents,
  ...driftEvents,
  ...processesEvents,
  ...captureEvents,
  ...networkEvents,
  ...quarantineEvents,
  ...timelineEvents,
  ...logsEvents,
  ...journalEvents,
  ...dataRootEvents,
  ...memoryEvents,
  ...yaraEvents,
  ...collectEvents,
  ...clusterEvents,
  ...fleetEvents,
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type EventName = keyof typeof events;

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

type SpecOf<C extends ChannelName> = Channels[C] extends ChannelSpec<infer Req, infer Res> ? { req: Req; res: Res } : never;

/** What a caller passes (defaults may be omitted). */
export type RequestOf<C extends ChannelName> = z.input<SpecOf<C>['req']>;
/** What a handler receives after validation (defaults filled in). */
export type ParsedRequestOf<C extends ChannelName> = z.output<SpecOf<C>['req']>;
export type ResponseOf<C extends ChannelName> = SpecOf<C>['res'];
export type EventPayloadOf<E extends EventName> = (typeof events)[E] extends EventSpec<infer P> ? P : never;

export function isChannelName(value: unknown): value is ChannelName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(channels, value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(events, value);
}
