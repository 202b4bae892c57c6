import type { CliCommand } from '../command';
import { artifactAcquireCommands } from './artifact-acquire';
import { auditCommands } from './audit';
import { sbomCommands } from './sbom';
import { vulnsCommands } from './vulns';
import { captureCommands } from './capture';
import { collectCommands } from './collect';
import { clusterCommands } from './cluster';
import { clusterTriageCommands } from './cluster-triage';
import { checkpointCommands } from './checkpoint';
import { dataRootCommands } from './dataroot';
import { caseCommands } from './case';
import { driftCommands } from './drift';
import { fleetCommands } from './fleet';
import { footprintCommands } from './footprint';
import { hostCommands } from './hosts';
import { inventoryCommands } from './inventory';
import { journalCommands } from './journal';
import { keyCommands } from './key';
import { logsCommands } from './logs';
import { memoryCommands } from './memory';
import { networkCommands } from './network';
import { processesCommands } from './processes';
import { quarantineCommands } from './quarantine';
import { serveCommands } from './serve';
import { timelineCommands } from './timeline';
import { yaraCommands } from './yara';

export const COMMANDS: readonly CliCommand[] = [
  ...hostCommands,
  ...inventoryCommands,
  ...clusterCommands,
  ...clusterTriageCommands,
  ...fleetCommands,
  ...auditCommands,
  ...sbomCommands,
  ...vulnsCommands,
  ...caseCommands,
  ...keyCommands,
  ...processesCommands,
  ...logsCommands,
  ...memoryCommands,
  ...yaraCommands,
  ...collectCommands,
  ...checkpointCommands,
  ...journalCommands,
  ...captureCommands,
  ...driftCommands,
  ...dataRootCommands,
  ...artifactAcquireCommands,
  ...networkCommands,
  ...quarantineCommands,
  ...footprintCommands,
  ...timelineCommands,
  ...serveCommands,
];
