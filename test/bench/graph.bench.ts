// The connection graph at scale, 2,000 nodes and 5,000 edges, in headless Chromium on the
// benchmark page (renderer/bench, built by Vite), which draws with the Connections view's own
// GraphCanvas. Each goal of issue #18 against a baseline measured in the same run:
// - layout: a default d3-force simulation of the same graph cooled to rest without drawing, and
//   Drydock's layout (in a worker, drawn meanwhile) to rest, cold and warm (from the positions the
//   cold run left, as a case stores them); goal at most 0.2 × the baseline's time;
// - pan/zoom: frames per second against an empty canvas panned and zoomed by the same loop (before
//   and after, so a drifting machine shows as two baselines); goal at least 0.9 × the empty canvas;
// - full-detail redraws with the view still (hover, selection) and while the layout runs (cold
//   start, a node dragged): goal at least 30 fps.
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { loadavg as osLoad, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** What the benchmark page (renderer/bench/graph-bench.ts) answers, as far as this script reads it. */
interface PanZoom {
  fps: number;
  frames: number;
  drawMeanMs: number;
  drawP95Ms: number;
  scenes: number;
  parts: { edgesMs: number; nodesMs: number; labelsMs: number; transformMs: number };
}
interface Layout {
  start: string;
  ms: number;
  ticks: number;
  runsOn: string;
  fps: number;
  frames: number;
  rafFps: number;
}
interface Redraw {
  what: string;
  fps: number;
  frames: number;
  draws: number;
  stepMeanMs: number;
}
interface Bench {
  panZoom(mode: 'empty' | 'graph', seconds: number): PanZoom;
  baseline(): { ms: number; ticks: number };
  layout(start: 'cold' | 'warm'): Layout;
  redraw(what: 'hover' | 'selection' | 'drag', seconds: number): Redraw;
  setSize(nodes: number, edges: number): void;
}

const NODES = Number(process.env.DRYDOCK_BENCH_NODES ?? 2000);
const EDGES = Number(process.env.DRYDOCK_BENCH_EDGES ?? 5000);
const SECONDS = Number(process.env.DRYDOCK_BENCH_SECONDS ?? 5);
/** Below this a redraw is visibly choppy. */
const MIN_FPS = 30;
/** The layout's time to rest, at most this share of the default d3-force simulation's. */
const MAX_LAYOUT_RATIO = 0.2;
/** Pan/zoom frame rate, at least this share of the empty canvas's. */
const MIN_PAN_RATIO = 0.9;
const root = path.resolve(__dirname, '../..');

async function build(outDir: string): Promise<void> {
  // Vite is ESM-only and this tsconfig resolves CommonJS-style: load it by name, typed here.
  const viteModule: string = 'vite';
  const { build: viteBuild } = (await import(viteModule)) as { build(config: Record<string, unknown>): Promise<unknown> };
  const benchRoot = path.join(root, 'renderer/bench');
  // The page is plain TypeScript: no config file, no plugin; relative base so it loads from any path.
  await viteBuild({
    configFile: false,
    root: benchRoot,
    base: './',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, target: 'es2022', rollupOptions: { input: path.join(benchRoot, 'graph-bench.html') } },
  });
}

function serve(dir: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const rel = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/').replace(/^\/+/, '') || 'graph-bench.html';
    const file = path.resolve(dir, rel);
    if (!file.startsWith(dir + path.sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/graph-bench.html` }),
    ),
  );
}

function loadavg(): string {
  return osLoad()
    .map((l) => l.toFixed(2))
    .join(' ');
}

function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}

async function main(): Promise<void> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'drydock-graph-bench-'));
  await build(outDir);
  const { server, url } = await serve(outDir);
  const browser = await chromium.launch({
    executablePath: process.env.DRYDOCK_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  let failed = false;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench !== undefined, undefined, { timeout: 20000 });
    const bench = async <K extends keyof Bench>(name: K, ...args: Parameters<Bench[K]>): Promise<Awaited<ReturnType<Bench[K]>>> =>
      (await page.evaluate(
        ([n, a]) =>
          (window as unknown as { __bench: Record<string, (...x: unknown[]) => unknown> }).__bench[n as string]?.(...(a as unknown[])),
        [name, args] as const,
      )) as Awaited<ReturnType<Bench[K]>>;
    await bench('setSize', NODES, EDGES);
    const results: string[] = [];
    const report = (text: string, pass: boolean) => {
      const row = `${verdict(pass)} ${text}`;
      results.push(row);
      console.log(row);
      if (!pass) failed = true;
    };
    console.log(`load before: ${loadavg()}`);
    const empty1 = await bench('panZoom', 'empty', SECONDS);
    const baseline = await bench('baseline');
    console.log(
      `baseline: a default d3-force simulation of ${NODES} nodes / ${EDGES} edges cooled to rest without drawing: ${(baseline.ms / 1000).toFixed(2)} s (${baseline.ticks} ticks)`,
    );
    const cold = await bench('layout', 'cold');
    const warm = await bench('layout', 'warm');
    for (const run of [cold, warm]) {
      report(
        `layout ${run.start}: at rest (no node moving > 0.5 px a tick) in ${(run.ms / 1000).toFixed(2)} s = ${(run.ms / baseline.ms).toFixed(3)} × the baseline (goal <= ${MAX_LAYOUT_RATIO}); ${run.ticks} ticks in the ${run.runsOn}, ${run.frames} frames drawn meanwhile`,
        run.ms <= baseline.ms * MAX_LAYOUT_RATIO,
      );
    }
    const full = await bench('panZoom', 'graph', SECONDS);
    await page.screenshot({ path: path.join(outDir, 'graph-bench.png') });
    const hover = await bench('redraw', 'hover', 3);
    const selection = await bench('redraw', 'selection', 3);
    const drag = await bench('redraw', 'drag', 3);
    const empty2 = await bench('panZoom', 'empty', SECONDS);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    const emptyFps = (empty1.fps + empty2.fps) / 2;
    console.log(
      `empty canvas pan/zoom: ${empty1.fps.toFixed(1)} fps before, ${empty2.fps.toFixed(1)} fps after (baseline ${emptyFps.toFixed(1)} fps)`,
    );
    report(
      `pan/zoom: ${full.fps.toFixed(1)} fps = ${(full.fps / emptyFps).toFixed(2)} × the empty canvas (goal >= ${MIN_PAN_RATIO}); ${full.scenes} of ${full.frames} frames redrawn from the graph, draw mean ${full.drawMeanMs.toFixed(2)} ms p95 ${full.drawP95Ms.toFixed(2)} ms [per frame: edges ${full.parts.edgesMs.toFixed(2)} ms, nodes ${full.parts.nodesMs.toFixed(2)} ms, labels ${full.parts.labelsMs.toFixed(2)} ms, zoom ${full.parts.transformMs.toFixed(2)} ms]`,
      full.fps >= emptyFps * MIN_PAN_RATIO,
    );
    for (const r of [hover, selection]) {
      report(
        `${r.what}: ${r.fps.toFixed(1)} fps = ${(r.fps / emptyFps).toFixed(2)} × the empty canvas (goal >= ${MIN_FPS} fps); ${r.stepMeanMs.toFixed(2)} ms of script a frame, ${r.draws} graph frames`,
        r.fps >= MIN_FPS,
      );
    }
    report(
      `layout running (cold start): ${cold.fps.toFixed(1)} frames drawn per second (goal >= ${MIN_FPS}), the page at ${cold.rafFps.toFixed(1)} animation frames per second`,
      cold.fps >= MIN_FPS,
    );
    report(
      `layout running (a node dragged): ${drag.fps.toFixed(1)} frames drawn per second = ${(drag.fps / emptyFps).toFixed(2)} × the empty canvas (goal >= ${MIN_FPS}); ${drag.frames} animation frames`,
      drag.fps >= MIN_FPS,
    );
    console.log(`load after: ${loadavg()}`);
    console.log(`screenshot of the benchmark graph: ${path.join(outDir, 'graph-bench.png')}`);
  } finally {
    await browser.close();
    server.close();
    if (!process.env.DRYDOCK_BENCH_KEEP) rmSync(outDir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
