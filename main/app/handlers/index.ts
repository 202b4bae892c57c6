import type { Core } from '../core';
import type { Handlers } from '../dispatch';
import { hostHandlers } from './hosts';
import { inventoryHandlers } from './inventory';

/** Every channel of the contract maps to exactly one handler; the compiler checks none is missing. */
export function createHandlers(core: Core): Handlers {
  return {
    ...hostHandlers(core),
    ...inventoryHandlers(core),
  };
}
