import { useEffect, useRef } from 'react';
import { GraphCanvas, type CanvasEdge, type CanvasNode, type Selection } from './graph-canvas';

interface Props {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  highlighted: ReadonlySet<string>;
  selection: Selection;
  /** Changes to ask for a centring on this node (search, arriving from another view). */
  focus: { id: string; seq: number } | null;
  onSelect: (selection: Selection) => void;
}

declare global {
  interface Window {
    /** For the UI tests: where a node is drawn, so a test can click it. */
    __drydockGraph?: { screenPositionOf(id: string): { x: number; y: number } | undefined; nodeIds(): string[] };
  }
}

/** The canvas and its GraphCanvas, created once; data, highlights and selection are pushed in. */
export function GraphCanvasPanel({ nodes, edges, highlighted, selection, focus, onSelect }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const graphRef = useRef<GraphCanvas | null>(null);
  const onSelectRef = useRef(onSelect);
  const idsRef = useRef<string[]>([]);

  useEffect(() => {
    onSelectRef.current = onSelect;
  }, [onSelect]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const graph = new GraphCanvas(canvas, { onSelect: (s) => onSelectRef.current(s) });
    graphRef.current = graph;
    window.__drydockGraph = { screenPositionOf: (id) => graph.screenPositionOf(id), nodeIds: () => idsRef.current };
    return () => {
      graph.destroy();
      graphRef.current = null;
      delete window.__drydockGraph;
    };
  }, []);

  useEffect(() => {
    const graph = graphRef.current;
    if (!graph) return;
    idsRef.current = nodes.map((n) => n.id);
    graph.setData(nodes, edges);
    if (nodes.length) {
      // The first layout gets a moment to spread before the view fits it.
      const timer = setTimeout(() => graph.fitOnce(), 700);
      return () => clearTimeout(timer);
    }
    return undefined;
  }, [nodes, edges]);

  useEffect(() => {
    graphRef.current?.setHighlighted(highlighted);
  }, [highlighted]);

  useEffect(() => {
    graphRef.current?.select(selection, false);
  }, [selection]);

  useEffect(() => {
    if (focus) graphRef.current?.focus(focus.id);
  }, [focus]);

  return (
    <div className="dd-graph-stage">
      <canvas
        ref={canvasRef}
        className="dd-graph-canvas"
        data-testid="graph-canvas"
        aria-label="Connection graph: drag to pan, wheel to zoom, click a node or an edge for its detail"
      />
      <div className="dd-graph-stage-tools">
        <button type="button" className="dd-small" onClick={() => graphRef.current?.fit()} title="Fit the whole graph into view">
          Fit
        </button>
      </div>
    </div>
  );
}
