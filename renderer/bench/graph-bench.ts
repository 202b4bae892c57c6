// The graph benchmark page: a generated graph drawn by the same GraphCanvas the Connections view
// uses, through the same model (colours, rings, widths), then panned and zoomed frame by frame.
// test/bench/graph.bench.ts loads it in headless Chromium and compares with an empty canvas.
import type { GraphEdge, GraphNode } from '../../shared/domain/network';
import { GraphCanvas } from '../src/views/graph/graph-canvas';
import { toCanvasData } from '../src/views/graph/graph-model';

export interface BenchResult {
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
  /** Synchronous layout to rest (0 for the empty canvas). */
  layoutMs: number;
  /** JavaScript time per frame in each part of the scene (re-rendered frames only), and in the zoom transform. */
  parts: { edgesMs: number; nodesMs: number; labelsMs: number; transformMs: number };
  /** Frames drawn from the graph itself (the rest re-used the picture of the gesture, moved and scaled). */
  scenes: number;
  /** Full-detail redraws with the view still (what hover, selection and a running layout cost). */
  still: { fps: number; drawMeanMs: number };
}

declare global {
  interface Window {
    __bench?: { run(mode: 'empty' | 'graph', nodes: number, edges: number, seconds: number): Promise<BenchResult> };
  }
}

/** Deterministic: every run draws the same graph. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateGraph(nodeCount: number, edgeCount: number): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const random = prng(42);
  const groups = Math.max(1, Math.round(nodeCount / 50));
  const externals = Math.round(nodeCount * 0.05);
  const nodes: GraphNode[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const external = i >= nodeCount - externals;
    const group = i % groups;
    const roll = random();
    nodes.push({
      id: external ? `x:203.0.${i >> 8}.${i & 255}` : `c:bench/${i.toString(16).padStart(12, '0')}`,
      kind: external ? 'external' : i === 0 ? 'host' : 'container',
      host: 'bench',
      label: external ? `203.0.${i >> 8}.${i & 255}` : `svc-${group}-${i}`,
      state: roll < 0.05 ? 'exited' : 'running',
      networks: [{ name: `net-${group}`, ipv4: `10.${group}.${i >> 8}.${i & 255}` }],
      addresses: [],
      group: external ? { kind: 'external', name: 'external' } : { kind: 'compose', name: `project-${group}` },
      riskFlags: [],
      ...(roll > 0.96 ? { risk: 'critical' as const } : {}),
      quarantined: roll > 0.985,
      drifted: roll > 0.97 ? true : null,
      listening: [],
      loopbackConnections: 0,
      scan: { status: 'scanned' },
    });
  }
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  while (edges.length < edgeCount) {
    const a = Math.floor(random() * nodeCount);
    // Mostly within a group, as real services are; some across, some out.
    const sameGroup = random() < 0.75;
    let b = sameGroup
      ? (a % groups) + groups * Math.floor(random() * Math.floor((nodeCount - externals) / groups))
      : Math.floor(random() * nodeCount);
    if (b >= nodeCount) b = nodeCount - 1;
    if (a === b) continue;
    const port = [80, 443, 5432, 6379, 8080, 53][Math.floor(random() * 6)] ?? 80;
    const id = `${nodes[a]?.id}|${nodes[b]?.id}|tcp|${port}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const external = nodes[a]?.kind === 'external' || nodes[b]?.kind === 'external';
    const state = random() < 0.9 ? 'established' : random() < 0.5 ? 'closing' : 'seen-in-capture';
    edges.push({
      id,
      source: nodes[a]?.id ?? '',
      target: nodes[b]?.id ?? '',
      protocol: 'tcp',
      port,
      clientPorts: [40000],
      connections: 1,
      states: { established: 1 },
      state,
      directionBasis: 'listener',
      seenBy: ['source'],
      external,
      ...(random() < 0.2
        ? {
            traffic: {
              bytesToServer: Math.floor(random() * 1e7),
              bytesToClient: Math.floor(random() * 1e7),
              packetsToServer: 10,
              packetsToClient: 10,
              flows: 1,
              lastSeen: null,
              artifactIds: [],
            },
          }
        : {}),
    });
  }
  return { nodes, edges };
}

const canvas = document.getElementById('graph') as HTMLCanvasElement;
const out = document.getElementById('out') as HTMLDivElement;
const graph = new GraphCanvas(canvas);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function run(mode: 'empty' | 'graph', nodeCount: number, edgeCount: number, seconds: number): Promise<BenchResult> {
  const generated = mode === 'graph' ? generateGraph(nodeCount, edgeCount) : { nodes: [], edges: [] };
  const data = toCanvasData(generated.nodes, generated.edges);
  graph.setData(data.nodes, data.edges);
  const layoutStart = performance.now();
  if (mode === 'graph') graph.settle(300);
  const layoutMs = mode === 'graph' ? performance.now() - layoutStart : 0;
  graph.stopLayout();
  graph.fit();
  const base = graph.currentTransform();
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  const times: number[] = [];
  let frames = 0;
  const started = performance.now();
  const stats0 = { ...graph.stats };
  let transformMs = 0;
  await new Promise<void>((resolve) => {
    const step = (now: number) => {
      const t = (now - started) / 1000;
      if (t >= seconds) {
        resolve();
        return;
      }
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
      frames++;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  const elapsed = (performance.now() - started) / 1000;
  const moving = { ...graph.stats };
  // Then the view held still: every frame a full-detail redraw, as when the pointer moves over nodes.
  await new Promise((r) => setTimeout(r, 400));
  const stillTimes: number[] = [];
  const stillStart = performance.now();
  await new Promise<void>((resolve) => {
    const step = (now: number) => {
      if (now - stillStart >= 2000) {
        resolve();
        return;
      }
      const before = performance.now();
      graph.setHighlighted(new Set());
      graph.drawNow();
      stillTimes.push(performance.now() - before);
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  const still = {
    fps: stillTimes.length / ((performance.now() - stillStart) / 1000),
    drawMeanMs: stillTimes.reduce((a, b) => a + b, 0) / Math.max(1, stillTimes.length),
  };
  const result: BenchResult = {
    mode,
    nodes: data.nodes.length,
    edges: data.edges.length,
    fps: frames / elapsed,
    frames,
    seconds: elapsed,
    drawMeanMs: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length),
    drawP95Ms: percentile(times, 0.95),
    layoutMs,
    scenes: moving.scenes - stats0.scenes,
    still,
    parts: {
      edgesMs: (moving.edgesMs - stats0.edgesMs) / Math.max(1, frames),
      nodesMs: (moving.nodesMs - stats0.nodesMs) / Math.max(1, frames),
      labelsMs: (moving.labelsMs - stats0.labelsMs) / Math.max(1, frames),
      transformMs: transformMs / Math.max(1, frames),
    },
  };
  out.textContent = JSON.stringify(result, null, 1);
  return result;
}

window.__bench = { run };
