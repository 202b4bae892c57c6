import type { Core } from '../core';
import type { Handlers } from '../dispatch';
import { benchmarkHandlers } from './benchmark';
import { sbomHandlers } from './sbom';
import { vulnsHandlers } from './vulns';
import { captureHandlers } from './capture';
import { clusterHandlers } from './cluster';
import { collectHandlers } from './collect';
import { dataRootHandlers } from './dataroot';
import { driftHandlers } from './drift';
import { evidenceHandlers } from './evidence';
import { hostHandlers } from './hosts';
import { inventoryHandlers } from './inventory';
import { journalHandlers } from './journal';
import { logsHandlers } from './logs';
import { memoryHandlers } from './memory';
import { networkHandlers } from './network';
import { processesHandlers } from './processes';
import { quarantineHandlers } from './quarantine';
import { timelineHandlers } from './timeline';
import { yaraHandlers } from './yara';

/** Every channel of the contract maps to exactly one handler; the compiler checks none is missing. */
export function createHandlers(core: Core): Handlers {
  return {
    ...benchmarkHandlers(core),
    ...sbomHandlers(core),
    ...vulnsHandlers(core),
    ...hostHandlers(core),
    ...inventoryHandlers(core),
    ...evidenceHandlers(core),
    ...processesHandlers(core),
    ...captureHandlers(core),
    ...networkHandlers(core),
    ...quarantineHandlers(core),
    ...timelineHandlers(core),
    ...driftHandlers(core),
    ...logsHandlers(core),
    ...journalHandlers(core),
    ...dataRootHandlers(core),
    ...memoryHandlers(core),
    ...yaraHandlers(core),
    ...collectHandlers(core),
    ...clusterHandlers(core),
  };
}
