import type { ComponentType } from 'react';
import { DriftView } from './drift/DriftView';
import { EvidenceView } from './evidence/EvidenceView';
import { GraphView } from './graph/GraphView';
import { HostsView } from './hosts/HostsView';
import { InventoryView } from './inventory/InventoryView';
import { CaptureMount, ProcessesMount } from './mounts';
import { QuarantineMount } from './quarantine/QuarantineView';
import { TimelineView } from './timeline/TimelineView';
import { AuditView } from './audit/AuditView';
import { ClusterView } from './cluster/ClusterView';
import { VIEW_NAV, type ViewId, type ViewNavEntry, type ViewProps } from './view-types';

// Only App.tsx imports this file: it pulls in every view. Types and the navigation list live in
// view-types.ts so the shell and the views can share them without an import circle.

export interface ViewDefinition extends ViewNavEntry {
  component: ComponentType<ViewProps>;
}

const COMPONENTS: Record<ViewId, ComponentType<ViewProps>> = {
  hosts: HostsView,
  inventory: InventoryView,
  processes: ProcessesMount,
  capture: CaptureMount,
  evidence: EvidenceView,
  graph: GraphView,
  quarantine: QuarantineMount,
  drift: DriftView,
  timeline: TimelineView,
  audit: AuditView,
  cluster: ClusterView,
};

/** The views in navigation order, each with its component. */
export const VIEWS: readonly ViewDefinition[] = VIEW_NAV.map((entry) => ({ ...entry, component: COMPONENTS[entry.id] }));
