// Starts the layout worker (graph-layout-worker.ts). Alone in its file: the URL is resolved by Vite
// from import.meta, which only the renderer's build and the benchmark page understand, so the
// layout itself (graph-layout.ts) stays loadable by the unit tests in Node.

/** A new layout worker; throws where workers cannot start (the caller runs the layout on the page). */
export function startLayoutWorker(): Worker {
  return new Worker(new URL('./graph-layout-worker.ts', import.meta.url), { type: 'module', name: 'graph-layout' });
}
