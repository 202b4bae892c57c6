// The graph benchmark page: a generated graph (bench-graph.ts) drawn by the same GraphCanvas the
// Connections view uses, through the same model (colours, rings, widths). test/bench/graph.bench.ts
// loads it in headless Chromium and calls each step in turn: a default d3-force simulation of the
// same graph cooled to rest (the baseline of the layout), Drydock's layout cold and warm, a pan
// and zoom against an empty canvas, and redraws while hovering, selecting and dragging.
import { forceCenter, forceLink, forceManyBody, forceSimulation, type SimulationNodeDatum } from 'd3';
import { GraphCanvas } from '../src/views/graph/graph-canvas';
import { toCanvasData } from '../src/views/graph/graph-model';
import { generateGraph } from './bench-graph';

/** A pan and zoom over the graph (or the empty canvas), frame by frame. */
export interface PanZoomResult {
  mode: 'empty' | 'graph';
  nodes: number;
  edges: number;
  /** Frames per second achieved during the pan/zoom. */
  fps: number;
  frames: number;
  seconds: number;
  /** Time spent drawing one frame, ms. */
  drawMeanMs: number;
  drawP95Ms: number;
  /** JavaScript time per frame in each part of the scene (re-rendered frames only), and in the zoom transform. */
  parts: { edgesMs: number; nodesMs: number; labelsMs: number; transformMs: number };
  /** Frames drawn from the graph itself (the rest re-used the picture of the gesture, moved and scaled). */
  scenes: number;
}

/** A default d3-force simulation (link, many-body, centre; d3's own cooling) ticked to rest without drawing. */
export interface BaselineResult {
  ms: number;
  ticks: number;
}

/** Drydock's layout from new data to rest (no node moving more than 0.5 px in a tick), drawn as the view draws it. */
export interface LayoutResult {
  start: 'cold' | 'warm';
  ms: number;
  ticks: number;
  runsOn: string;
  /** Frames the page drew while the layout ran, per second. */
  fps: number;
  frames: number;
  /** Animation frames the page got per second meanwhile (its responsiveness). */
  rafFps: number;
}

/** Redraws with the view still, every animation frame something changes. */
export interface RedrawResult {
  what: 'hover' | 'selection' | 'drag';
  fps: number;
  frames: number;
  /** Graph frames drawn (the drag: each with the layout running). */
  draws: number;
  /** JavaScript time per frame spent in the step itself (event, select, draw), ms. */
  stepMeanMs: number;
}

declare global {
  interface Window {
    __bench?: {
      panZoom(mode: 'empty' | 'graph', seconds: number): Promise<PanZoomResult>;
      baseline(): BaselineResult;
      layout(start: 'cold' | 'warm'): Promise<LayoutResult>;
      redraw(what: 'hover' | 'selection' | 'drag', seconds: number): Promise<RedrawResult>;
      setSize(nodes: number, edges: number): void;
    };
  }
}

const canvas = document.getElementById('graph') as HTMLCanvasElement;
const out = document.getElementById('out') as HTMLDivElement;
let settled: (() => void) | null = null;
const makeGraph = () => new GraphCanvas(canvas, { onSettled: () => settled?.() });
let graph = makeGraph();
let size = { nodes: 2000, edges: 5000 };
let stored: Map<string, { x: number; y: number }> = new Map();

function data(mode: 'empty' | 'graph') {
  const generated = mode === 'graph' ? generateGraph(size.nodes, size.edges) : { nodes: [], edges: [] };
  return toCanvasData(generated.nodes, generated.edges);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

/** Calls step every animation frame for `seconds`; returns the frames and the time they took. */
function frames(seconds: number, step: (t: number) => void): Promise<{ frames: number; elapsed: number }> {
  return new Promise((resolve) => {
    let count = 0;
    const started = performance.now();
    const tick = (now: number) => {
      const t = (now - started) / 1000;
      if (t >= seconds) {
        resolve({ frames: count, elapsed: (performance.now() - started) / 1000 });
        return;
      }
      step(t);
      count++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

function baseline(): BaselineResult {
  const { nodes, edges } = data('graph');
  const simNodes: (SimulationNodeDatum & { id: string })[] = nodes.map((n) => ({ id: n.id }));
  const links = edges.map((e) => ({ source: e.source, target: e.target }));
  const started = performance.now();
  const simulation = forceSimulation(simNodes)
    .force(
      'link',
      forceLink<SimulationNodeDatum & { id: string }, { source: string; target: string }>(links).id((d) => d.id),
    )
    .force('charge', forceManyBody())
    .force('center', forceCenter(0, 0))
    .stop();
  let ticks = 0;
  while (simulation.alpha() >= simulation.alphaMin()) {
    simulation.tick();
    ticks++;
  }
  return { ms: performance.now() - started, ticks };
}

async function layout(start: 'cold' | 'warm'): Promise<LayoutResult> {
  // A fresh canvas each time: nothing kept from before but what the case stored (warm).
  graph.destroy();
  graph = makeGraph();
  if (start === 'warm') graph.setStoredPositions(stored);
  const { nodes, edges } = data('graph');
  const frames0 = graph.stats.frames;
  let raf = 0;
  let counting = true;
  const count = () => {
    if (!counting) return;
    raf++;
    requestAnimationFrame(count);
  };
  requestAnimationFrame(count);
  const done = new Promise<void>((resolve) => (settled = resolve));
  const started = performance.now();
  graph.setData(nodes, edges);
  if (graph.layoutRunning()) await done;
  const ms = performance.now() - started;
  counting = false;
  settled = null;
  const drawn = graph.stats.frames - frames0;
  stored = graph.positions();
  graph.fit();
  const stats = graph.layoutStats();
  return { start, ms, ticks: stats.ticks, runsOn: stats.runsOn, frames: drawn, fps: drawn / (ms / 1000), rafFps: raf / (ms / 1000) };
}

async function panZoom(mode: 'empty' | 'graph', seconds: number): Promise<PanZoomResult> {
  const { nodes, edges } = data(mode);
  if (mode === 'empty') {
    graph.destroy();
    graph = makeGraph();
    graph.setData(nodes, edges);
  } else if (graph.positions().size !== nodes.length) {
    graph.setData(nodes, edges);
    graph.settle();
  }
  graph.fit();
  const base = graph.currentTransform();
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  const times: number[] = [];
  const stats0 = { ...graph.stats };
  let transformMs = 0;
  const run = await frames(seconds, (t) => {
    // A pan around the middle while zooming in to 3× and back out: what an examiner does.
    const k = base.k * (1 + 1.5 * (0.5 - 0.5 * Math.cos(t * 1.3)));
    const cx = width / 2 + Math.sin(t * 0.9) * width * 0.25;
    const cy = height / 2 + Math.cos(t * 0.7) * height * 0.25;
    const worldX = (width / 2 - base.x) / base.k;
    const worldY = (height / 2 - base.y) / base.k;
    const t0 = performance.now();
    graph.transformTo({ x: cx - worldX * k, y: cy - worldY * k, k });
    const before = performance.now();
    transformMs += before - t0;
    graph.drawNow();
    times.push(performance.now() - before);
  });
  const moving = { ...graph.stats };
  graph.fit();
  const result: PanZoomResult = {
    mode,
    nodes: nodes.length,
    edges: edges.length,
    fps: run.frames / run.elapsed,
    frames: run.frames,
    seconds: run.elapsed,
    drawMeanMs: mean(times),
    drawP95Ms: percentile(times, 0.95),
    scenes: moving.scenes - stats0.scenes,
    parts: {
      edgesMs: (moving.edgesMs - stats0.edgesMs) / Math.max(1, run.frames),
      nodesMs: (moving.nodesMs - stats0.nodesMs) / Math.max(1, run.frames),
      labelsMs: (moving.labelsMs - stats0.labelsMs) / Math.max(1, run.frames),
      transformMs: transformMs / Math.max(1, run.frames),
    },
  };
  out.textContent = JSON.stringify(result, null, 1);
  return result;
}

/** Nodes on screen, in a fixed order: what the pointer moves over. */
function onScreen(): { id: string; x: number; y: number }[] {
  const list: { id: string; x: number; y: number }[] = [];
  for (const id of graph.positions().keys()) {
    const p = graph.screenPositionOf(id);
    if (p && p.x > 10 && p.y > 10 && p.x < canvas.clientWidth - 10 && p.y < canvas.clientHeight - 10) list.push({ id, ...p });
  }
  return list;
}

function mouse(type: string, target: EventTarget, x: number, y: number, buttons = 0): void {
  const box = canvas.getBoundingClientRect();
  target.dispatchEvent(
    new MouseEvent(type, {
      clientX: box.left + x,
      clientY: box.top + y,
      button: 0,
      buttons,
      bubbles: true,
      cancelable: true,
      view: window,
    }),
  );
}

async function redraw(what: 'hover' | 'selection' | 'drag', seconds: number): Promise<RedrawResult> {
  const targets = onScreen();
  if (!targets.length) throw new Error('no node on screen');
  const times: number[] = [];
  const draws0 = graph.stats.frames;
  let i = 0;
  if (what === 'drag') {
    // Take hold of a node in the middle and circle it round: the layout runs the whole time.
    const held = targets[Math.floor(targets.length / 2)] ?? targets[0];
    if (!held) throw new Error('no node on screen');
    mouse('mousedown', canvas, held.x, held.y, 1);
    const run = await frames(seconds, (t) => {
      const before = performance.now();
      mouse('mousemove', window, held.x + Math.cos(t * 3) * 60, held.y + Math.sin(t * 3) * 60, 1);
      times.push(performance.now() - before);
    });
    mouse('mouseup', window, held.x, held.y);
    const draws = graph.stats.frames - draws0;
    // Let it come to rest again before whatever is measured next.
    if (graph.layoutRunning()) await new Promise<void>((resolve) => (settled = resolve));
    settled = null;
    return { what, fps: draws / run.elapsed, frames: run.frames, draws, stepMeanMs: mean(times) };
  }
  const run = await frames(seconds, () => {
    const target = targets[i++ % targets.length];
    if (!target) return;
    const before = performance.now();
    if (what === 'hover') mouse('mousemove', canvas, target.x, target.y);
    else {
      graph.select({ kind: 'node', id: target.id });
      graph.drawNow();
    }
    times.push(performance.now() - before);
  });
  if (what === 'selection') graph.select(null);
  else mouse('mouseleave', canvas, 0, 0);
  return { what, fps: run.frames / run.elapsed, frames: run.frames, draws: graph.stats.frames - draws0, stepMeanMs: mean(times) };
}

window.__bench = {
  panZoom,
  baseline,
  layout,
  redraw,
  setSize: (nodes, edges) => {
    size = { nodes, edges };
  },
};
