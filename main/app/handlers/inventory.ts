import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type InventoryHandlers = Pick<Handlers, 'inventory.list' | 'inventory.get'>;

export function inventoryHandlers(core: Core): InventoryHandlers {
  return {
    'inventory.list': (req) =>
      core.inventory.list(req.host, {
        record: req.record,
        includeHelpers: req.includeHelpers,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
    'inventory.get': (req) => core.inventory.get(req.host, req.container),
  };
}
