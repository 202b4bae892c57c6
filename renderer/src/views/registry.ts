import type { ComponentType } from 'react';
import { DriftView } from './drift/DriftView';
import { EvidenceView } from './evidence/EvidenceView';
import { GraphView } from './graph/GraphView';
import { HostsView } from './hosts/HostsView';
import { InventoryView } from './inventory/InventoryView';
import { CaptureMount, ProcessesMount } from './mounts';
import { QuarantineMount } from './quarantine/QuarantineView';

export type ViewId = 'hosts' | 'inventory' | 'processes' | 'capture' | 'evidence' | 'graph' | 'quarantine' | 'drift';

/** What one view can be opened with (from another view's button). */
export interface ViewParams {
  host?: string;
  container?: string;
  /** A control to focus on arrival, e.g. 'create-case'. */
  focus?: string;
}

export interface ViewProps {
  params: ViewParams;
  /** Changes each time the view is navigated to with new params. */
  visit: number;
}

export interface ViewDefinition {
  id: ViewId;
  label: string;
  glyph: string;
  component: ComponentType<ViewProps>;
}

/** The left navigation, in order; Alt+<position> jumps to a view. */
export const VIEWS: readonly ViewDefinition[] = [
  { id: 'hosts', label: 'Hosts', glyph: '⌂', component: HostsView },
  { id: 'inventory', label: 'Inventory', glyph: '☰', component: InventoryView },
  { id: 'processes', label: 'Processes', glyph: '⚙', component: ProcessesMount },
  { id: 'capture', label: 'Capture', glyph: '◉', component: CaptureMount },
  { id: 'evidence', label: 'Evidence', glyph: '⛁', component: EvidenceView },
  { id: 'graph', label: 'Connections', glyph: '⋈', component: GraphView },
  { id: 'quarantine', label: 'Quarantine', glyph: '⊘', component: QuarantineMount },
  { id: 'drift', label: 'Drift', glyph: 'Δ', component: DriftView },
];

export function viewById(id: ViewId): ViewDefinition {
  const view = VIEWS.find((v) => v.id === id);
  if (!view) throw new Error(`Unknown view ${id}`);
  return view;
}
