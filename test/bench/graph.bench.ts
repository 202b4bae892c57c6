// Frames per second of the connection graph at scale: 2,000 nodes and 5,000 edges drawn by the
// Connections view's own GraphCanvas on the benchmark page (renderer/bench, built by Vite), in
// headless Chromium, during a simulated pan and zoom; against an empty canvas measured in the same
// run with the same loop, so the ratio says what the graph itself costs on this machine.
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

interface BenchResult {
  mode: 'empty' | 'graph';
  nodes: number;
  edges: number;
  fps: number;
  frames: number;
  seconds: number;
  drawMeanMs: number;
  drawP95Ms: number;
  layoutMs: number;
  parts: { edgesMs: number; nodesMs: number; labelsMs: number; transformMs: number };
  /** Frames drawn from the graph itself (the rest re-used the picture of the gesture, moved and scaled). */
  scenes: number;
  still: { fps: number; drawMeanMs: number };
}

const NODES = Number(process.env.DRYDOCK_BENCH_NODES ?? 2000);
const EDGES = Number(process.env.DRYDOCK_BENCH_EDGES ?? 5000);
const SECONDS = Number(process.env.DRYDOCK_BENCH_SECONDS ?? 5);
/** Below this the pan/zoom is visibly choppy; the benchmark fails. */
const MIN_FPS = 30;
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

function line(r: BenchResult): string {
  return `${r.mode.padEnd(5)} ${String(r.nodes).padStart(5)} nodes ${String(r.edges).padStart(5)} edges: ${r.fps.toFixed(1).padStart(6)} fps (${r.frames} frames in ${r.seconds.toFixed(1)} s${r.nodes ? `, ${r.scenes} of them redrawn from the graph` : ''}), draw mean ${r.drawMeanMs.toFixed(2)} ms p95 ${r.drawP95Ms.toFixed(2)} ms${r.layoutMs ? `, layout to rest ${r.layoutMs.toFixed(0)} ms` : ''}${r.nodes ? ` [per frame: edges ${r.parts.edgesMs.toFixed(2)} ms, nodes ${r.parts.nodesMs.toFixed(2)} ms, labels ${r.parts.labelsMs.toFixed(2)} ms, zoom ${r.parts.transformMs.toFixed(2)} ms]` : ''}`;
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
    const run = (mode: 'empty' | 'graph') =>
      page.evaluate(
        ([m, n, e, s]) =>
          (
            window as unknown as { __bench: { run(mode: string, nodes: number, edges: number, seconds: number): Promise<BenchResult> } }
          ).__bench.run(m as string, n as number, e as number, s as number),
        [mode, NODES, EDGES, SECONDS] as const,
      );
    // Baseline, graph, and the baseline again: a drifting machine shows up as two different baselines.
    const empty1 = await run('empty');
    const full = await run('graph');
    await page.screenshot({ path: path.join(outDir, 'graph-bench.png') });
    const empty2 = await run('empty');
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    const baseline = (empty1.fps + empty2.fps) / 2;
    console.log(line(empty1));
    console.log(line(full));
    console.log(line(empty2));
    console.log(
      `graph ${full.nodes} nodes / ${full.edges} edges during pan/zoom: ${full.fps.toFixed(1)} fps = ${(full.fps / baseline).toFixed(2)} × the empty-canvas baseline (${baseline.toFixed(1)} fps); ${full.scenes} of its ${full.frames} frames redrawn from the graph at half resolution, the others the gesture's picture moved and scaled`,
    );
    console.log(
      `full-detail redraws with the view still (hover, selection, layout running): ${full.still.fps.toFixed(1)} fps = ${(full.still.fps / baseline).toFixed(2)} × baseline, ${full.still.drawMeanMs.toFixed(1)} ms of drawing each`,
    );
    console.log(`screenshot of the benchmark graph: ${path.join(outDir, 'graph-bench.png')}`);
    if (full.fps < MIN_FPS) {
      console.error(`FAIL: ${full.fps.toFixed(1)} fps is below ${MIN_FPS} fps`);
      failed = true;
    }
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
