// What the shell needs to know about views, without importing them: the shell (context, nav) and
// every view import this file; only App.tsx imports the registry, which imports every view.

export type ViewId =
  'hosts' | 'inventory' | 'processes' | 'capture' | 'evidence' | 'graph' | 'quarantine' | 'drift' | 'timeline' | 'audit' | 'cluster';

/** What one view can be opened with (from another view's button). */
export interface ViewParams {
  host?: string;
  container?: string;
  /** A control to focus on arrival, e.g. 'create-case'. */
  focus?: string;
  /** Start the view's main action on arrival (e.g. take the process snapshot). */
  run?: boolean;
  /** An artifact to open on arrival (the Evidence view selects it in the current case). */
  artifact?: string;
  /** The Connections view: draw the Swarm cluster `host` manages (nodes as groups, overlays as edges). */
  cluster?: boolean;
}

export interface ViewProps {
  params: ViewParams;
  /** Changes each time the view is navigated to with new params. */
  visit: number;
}

export interface ViewNavEntry {
  id: ViewId;
  label: string;
  glyph: string;
}

/** The left navigation, in order; Alt+<position> jumps to a view. */
export const VIEW_NAV: readonly ViewNavEntry[] = [
  { id: 'hosts', label: 'Hosts', glyph: '⌂' },
  { id: 'inventory', label: 'Inventory', glyph: '☰' },
  { id: 'processes', label: 'Processes', glyph: '⚙' },
  { id: 'capture', label: 'Capture', glyph: '◉' },
  { id: 'evidence', label: 'Evidence', glyph: '⛁' },
  { id: 'graph', label: 'Connections', glyph: '⋈' },
  { id: 'quarantine', label: 'Quarantine', glyph: '⊘' },
  { id: 'drift', label: 'Drift', glyph: 'Δ' },
  { id: 'timeline', label: 'Timeline', glyph: '⇶' },
  { id: 'audit', label: 'Audit', glyph: '✓' },
  { id: 'cluster', label: 'Cluster', glyph: '⁂' },
];
