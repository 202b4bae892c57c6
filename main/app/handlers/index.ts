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
import { fleetHandlers } from './fleet';
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

/** Request fields that name one stored artifact or drift scan (every channel's, whatever the front end), and how each is made whole. */
const ID_FIELDS: Record<string, (core: Core, ref: string) => string> = {
  artifactId: (core, ref) => core.evidence.resolveArtifactId(ref),
  pcapArtifactId: (core, ref) => core.evidence.resolveArtifactId(ref),
  scanId: (core, ref) => core.drift.resolveScanId(ref),
};

/**
 * Every handler, with an artifact or drift scan named by a unique prefix of its ID (`drydock strings
 * 3f2a9c1d`, `--scan ds-mx3w9l7i`) replaced by the whole ID before the handler runs, so each
 * capability sees whole IDs only; an unknown or ambiguous prefix fails there
 * (EvidenceService.resolveArtifactId, DriftService.resolveScanId).
 */
function withWholeIds(core: Core, handlers: Handlers): Handlers {
  const out: Record<string, (req: unknown) => unknown> = {};
  for (const [name, handler] of Object.entries(handlers) as [string, (req: unknown) => unknown][]) {
    out[name] = (req) => {
      if (typeof req !== 'object' || req === null || !Object.keys(ID_FIELDS).some((f) => f in req)) return handler(req);
      const whole: Record<string, unknown> = { ...req };
      for (const [field, resolve] of Object.entries(ID_FIELDS)) {
        const ref = whole[field];
        if (typeof ref === 'string') whole[field] = resolve(core, ref);
      }
      return handler(whole);
    };
  }
  return out as unknown as Handlers;
}

/** Every channel of the contract maps to exactly one handler; the compiler checks none is missing. */
export function createHandlers(core: Core): Handlers {
  return withWholeIds(core, {
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
    ...fleetHandlers(core),
  });
}
