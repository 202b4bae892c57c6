import type { Core } from '../core';
import type { Handlers } from '../dispatch';

type MemoryHandlers = Pick<Handlers, 'memory.detail' | 'memory.acquire' | 'memory.cancel' | 'memory.strings' | 'memory.checkpoint'>;

export function memoryHandlers(core: Core): MemoryHandlers {
  return {
    'memory.detail': (req) =>
      core.memory.detail({
        host: req.host,
        container: req.container,
        store: req.store,
        ...(req.pids !== undefined ? { pids: req.pids } : {}),
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
      }),
    'memory.acquire': (req) =>
      core.memory.acquire({
        host: req.host,
        container: req.container,
        all: req.all,
        pause: req.pause,
        ...(req.pid !== undefined ? { pid: req.pid } : {}),
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
        ...(req.acquisitionId !== undefined ? { acquisitionId: req.acquisitionId } : {}),
      }),
    'memory.cancel': (req) => core.memory.cancel(req.acquisitionId),
    'memory.checkpoint': (req) =>
      core.memory.checkpoint({
        host: req.host,
        container: req.container,
        ...(req.caseRef !== undefined ? { caseRef: req.caseRef } : {}),
        ...(req.name !== undefined ? { name: req.name } : {}),
      }),
    'memory.strings': (req) =>
      core.memory.strings({
        artifactId: req.artifactId,
        from: req.from,
        limit: req.limit,
        minLength: req.minLength,
        ...(req.search !== undefined ? { search: req.search } : {}),
      }),
  };
}
