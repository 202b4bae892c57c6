// Starts the layout worker (graph-layout-worker.ts). Alone in its file: the URL is resolved by Vite
// from import.meta, which only the renderer's build and the benchmark page understand, so the
// layout itself (graph-layout.ts) stays loadable by the unit tests in Node.
//
// One idle worker is kept between graphs: loading and compiling the worker's module takes a few
// hundred milliseconds on a busy two-core machine, which a view opened again (or a graph replaced)
// should not pay before its layout can start.

let idle: Worker | null = null;

/** A new layout worker; throws where workers cannot start (the caller runs the layout on the page). */
export function startLayoutWorker(): Worker {
  return new Worker(new URL('./graph-layout-worker.ts', import.meta.url), { type: 'module', name: 'graph-layout' });
}

/** Workers for graph layouts: the idle one when there is one, else a new one (startLayoutWorker). */
export const layoutWorkers = {
  acquire(): Worker {
    const worker = idle ?? startLayoutWorker();
    idle = null;
    return worker;
  },
  /** A worker its graph no longer needs (told to stop, its listeners removed): kept for the next graph, or ended. */
  release(worker: Worker): void {
    if (idle === null) idle = worker;
    else worker.terminate();
  },
};
