import { z } from 'zod';
import type { ContainerSummary, InventoryChange, InventorySnapshot } from '../domain/inventory';
import { channel, event } from './define';
import { caseRef, containerRef, hostName } from './schemas';

export const inventoryChannels = {
  /**
   * Lists every container (running and stopped) with risk flags; records an inventory snapshot in the current case when one is open.
   * Drydock's own helper containers (recognised by recorded ID) are left out unless `includeHelpers`; then they carry `helper: true`.
   */
  'inventory.list': channel<InventorySnapshot>()(() =>
    z
      .object({
        host: hostName,
        record: z.boolean().default(false),
        caseRef: caseRef.optional(),
        includeHelpers: z.boolean().default(false),
      })
      .strict(),
  ),
  /** One container, freshly inspected. */
  'inventory.get': channel<ContainerSummary>()(() => z.object({ host: hostName, container: containerRef }).strict()),
} as const;

export const inventoryEvents = {
  'inventory.changed': event<InventoryChange>(),
} as const;
