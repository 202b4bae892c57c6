import type { SimulationLinkDatum, SimulationNodeDatum } from 'd3';

// What the graph canvas draws, shared by the layout, the hit-testing and the painting.

export type RingKind = 'risk' | 'quarantined' | 'drifted';

export interface CanvasNode {
  id: string;
  /** Already made visible (control and bidi characters escaped) and cut to length. */
  label: string;
  color: string;
  radius: number;
  group: string;
  rings: RingKind[];
  /** Drawn faded (a container that is not running). */
  faded: boolean;
  /** Label always drawn (hosts, flagged nodes). */
  prominent: boolean;
}

export type EdgeDash = 'solid' | 'dashed' | 'dotted';

export interface CanvasEdge {
  id: string;
  source: string;
  target: string;
  color: string;
  width: number;
  dash: EdgeDash;
  alpha: number;
}

export type Selection = { kind: 'node'; id: string } | { kind: 'edge'; id: string } | null;

/** Screen = world × k + (x, y), as d3-zoom's transform. */
export interface ViewTransform {
  x: number;
  y: number;
  k: number;
}

export interface SimNode extends SimulationNodeDatum {
  id: string;
  data: CanvasNode;
}

export interface SimEdge extends SimulationLinkDatum<SimNode> {
  source: SimNode;
  target: SimNode;
  data: CanvasEdge;
}

/**
 * Group keys of nodes drawn inside a region (a Swarm node of a cluster graph): the layout keeps
 * such groups further apart, room for the outline, its name and the links between regions.
 */
export const REGION_GROUP_PREFIX = 'swarm-node:';

/**
 * A region drawn under the graph around its member nodes: a Swarm node of a cluster graph. Label
 * and detail already made visible and cut.
 */
export interface CanvasRegion {
  id: string;
  label: string;
  /** A second line: role, state, how it was read. */
  detail: string;
  /** Its node could not be read: drawn dashed, in the alert colour. */
  unreachable: boolean;
  members: string[];
}

/** A line between regions (an overlay network between Swarm nodes), labelled; not a connection. */
export interface CanvasRegionLink {
  id: string;
  label: string;
  /** Region IDs it joins, two or more. */
  regions: string[];
  color: string;
}
