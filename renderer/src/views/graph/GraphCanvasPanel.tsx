import { useEffect, useRef } from 'react';
import { GraphCanvas, type CanvasEdge, type CanvasNode, type CanvasRegion, type CanvasRegionLink, type Selection } from './graph-canvas';

interface Props {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  /** A cluster graph's Swarm nodes drawn as regions round their members, and its overlay networks between them; null for none. */
  regions?: { regions: CanvasRegion[]; links: CanvasRegionLink[] } | null;
  highlighted: ReadonlySet<string>;
  selection: Selection;
  /** Changes to ask for a centring on this node (search, arriving from another view). */
  focus: { id: string; seq: number } | null;
  /** Positions stored for the case, by node id (a warm start); null while they are being read (the graph waits for them). */
  stored: ReadonlyMap<string, { x: number; y: number }> | null;
  onSelect: (selection: Selection) => void;
  /** The layout came to rest (after new data or a drag): where every node is now, for the case to store. */
  onRest?: (positions: Map<string, { x: number; y: number }>) => void;
}

declare global {
  interface Window {
    /** For the UI tests: where a node is drawn, so a test can click it. */
    __drydockGraph?: {
      screenPositionOf(id: string): { x: number; y: number } | undefined;
      nodeIds(): string[];
      /** Where a node is in the layout (world units). */
      positionOf(id: string): { x: number; y: number } | undefined;
      /** Where the last layout started a node from the positions stored for the case. */
      storedStartOf(id: string): { x: number; y: number } | undefined;
      /** Where a region (a Swarm node of a cluster graph) is outlined on screen, CSS pixels relative to the canvas. */
      regionBoxOf(id: string): { left: number; top: number; right: number; bottom: number } | undefined;
    };
  }
}

/** The canvas and its GraphCanvas, created once; data, highlights and selection are pushed in. */
export function GraphCanvasPanel({ nodes, edges, regions = null, highlighted, selection, focus, stored, onSelect, onRest }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const graphRef = useRef<GraphCanvas | null>(null);
  const onSelectRef = useRef(onSelect);
  const onRestRef = useRef(onRest);
  const idsRef = useRef<string[]>([]);

  useEffect(() => {
    onSelectRef.current = onSelect;
    onRestRef.current = onRest;
  }, [onSelect, onRest]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const graph: GraphCanvas = new GraphCanvas(canvas, {
      onSelect: (s) => onSelectRef.current(s),
      onSettled: () => {
        if (idsRef.current.length) onRestRef.current?.(graph.positions());
      },
    });
    graphRef.current = graph;
    window.__drydockGraph = {
      screenPositionOf: (id) => graph.screenPositionOf(id),
      nodeIds: () => idsRef.current,
      positionOf: (id) => graph.positionOf(id),
      storedStartOf: (id) => graph.storedStartOf(id),
      regionBoxOf: (id) => graph.regionBoxOf(id),
    };
    return () => {
      graph.destroy();
      graphRef.current = null;
      delete window.__drydockGraph;
    };
  }, []);

  useEffect(() => {
    const graph = graphRef.current;
    // The case's stored positions first: a graph laid out before they arrive would start cold.
    if (!graph || !stored) return;
    graph.setStoredPositions(stored);
    idsRef.current = nodes.map((n) => n.id);
    // Regions first: a layout already at rest fits the view at once, and a fit makes room for their outlines.
    graph.setRegions(regions?.regions ?? null, regions?.links ?? []);
    graph.setData(nodes, edges);
    if (nodes.length) {
      // The first layout gets a moment to spread before the view fits it.
      const timer = setTimeout(() => graph.fitOnce(), 700);
      return () => clearTimeout(timer);
    }
    return undefined;
  }, [nodes, edges, regions, stored]);

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
