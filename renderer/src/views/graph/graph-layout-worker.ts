import { ForceEngine, type ForceInput } from './graph-force';

// The layout worker: runs the graph's force layout (graph-force.ts) off the page's thread, so pan,
// zoom, hover and clicks stay smooth while 2,000 nodes find their places. It ticks for about one
// animation frame at a time, sends the positions back in a transferred Float32Array (x, y per
// node, in the order the page gave), and stops when the layout is at rest. Messages of an older
// generation (data the page has replaced) are ignored on both sides.

export type LayoutRequest =
  | { kind: 'start'; generation: number; input: ForceInput }
  | { kind: 'pin'; generation: number; index: number; x: number; y: number }
  | { kind: 'release'; generation: number; index: number; alpha: number }
  | { kind: 'hold'; generation: number; target: number }
  | { kind: 'stop' };

export interface LayoutFrame {
  generation: number;
  /** x, y per node (world units). */
  positions: Float32Array;
  /** Ticks run since the start. */
  ticks: number;
  /** The largest move of a free node in the last tick (world units). */
  move: number;
  atRest: boolean;
}

/** Ticks between two frames sent to the page: about one animation frame's worth. */
const FRAME_MS = 12;
/** While a node is dragged the layout never rests: a few ticks a frame follow the pointer, and leave the CPU to the page. */
const HELD_MS = 4;
const HELD_INTERVAL_MS = 16;

interface WorkerScope {
  postMessage(message: LayoutFrame, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<LayoutRequest>) => void): void;
}

const scope = self as unknown as WorkerScope;
let engine: ForceEngine | null = null;
let generation = 0;
let scheduled = false;
// A message to ourselves yields to incoming requests (a drag, new data) without setTimeout's clamping.
const wake = new MessageChannel();
wake.port1.onmessage = () => {
  scheduled = false;
  pump();
};

function schedule(): void {
  if (scheduled || !engine) return;
  scheduled = true;
  if (engine.held())
    setTimeout(() => {
      scheduled = false;
      pump();
    }, HELD_INTERVAL_MS);
  else wake.port2.postMessage(null);
}

function pump(): void {
  if (!engine) return;
  engine.run(engine.held() ? HELD_MS : FRAME_MS, () => performance.now());
  const positions = new Float32Array(engine.nodes.length * 2);
  engine.write(positions);
  const atRest = engine.atRest();
  scope.postMessage({ generation, positions, ticks: engine.ticks, move: engine.lastMove, atRest }, [positions.buffer]);
  if (!atRest) schedule();
}

scope.addEventListener('message', (event) => {
  const request = event.data;
  if (request.kind === 'stop') {
    engine = null;
    return;
  }
  if (request.kind === 'start') {
    generation = request.generation;
    engine = new ForceEngine(request.input);
    schedule();
    return;
  }
  if (request.generation !== generation || !engine) return;
  if (request.kind === 'pin') engine.pin(request.index, request.x, request.y);
  else if (request.kind === 'release') {
    engine.release(request.index);
    engine.reheat(request.alpha);
  } else engine.hold(request.target);
  schedule();
});
