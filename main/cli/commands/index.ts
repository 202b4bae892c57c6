import type { CliCommand } from '../command';
import { hostCommands } from './hosts';
import { inventoryCommands } from './inventory';
import { serveCommands } from './serve';

export const COMMANDS: readonly CliCommand[] = [...hostCommands, ...inventoryCommands, ...serveCommands];
