import type { Readable } from 'node:stream';
import type { Flow, FlowSummary } from '../../../shared/domain/capture';
import type { ArtifactInfo } from '../../../shared/domain/evidence';
import type { FlowEnrichmentReport } from '../../../shared/domain/network';
import { containerNodeId } from './endpoint-resolver';
import type { GraphAccumulator } from './graph-builder';
import { canonicalIp } from './ip-address';

export interface FlowEvidence {
  listArtifacts(request: { caseRef?: string; kind?: 'flow-summary'; limit?: number }): Promise<ArtifactInfo[]>;
  openArtifact(id: string): Promise<Readable> | Readable;
}

export interface StoredFlows {
  artifactId: string;
  host: string;
  containerId: string;
  flows: Flow[];
}

/** The most recent summaries of the case are consulted; older captures are history, not the live picture. */
const MAX_SUMMARIES = 50;
const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;
/** Edges that only a capture saw (the connection has since closed): bounded so a scan-heavy capture cannot flood the graph. */
const MAX_CAPTURE_ONLY_EDGES = 2000;

/**
 * Stored flow summaries are immutable (their artifact ID names their bytes), so each is read and
 * parsed once per process and kept, bounded, for every later refresh.
 */
export class FlowSummaryCache {
  private readonly cache = new Map<string, StoredFlows | null>();

  constructor(private readonly maxEntries = 200) {}

  async load(evidence: FlowEvidence, hosts: ReadonlySet<string>, caseRef?: string): Promise<StoredFlows[]> {
    let listed: ArtifactInfo[];
    try {
      listed = await evidence.listArtifacts({ ...(caseRef !== undefined ? { caseRef } : {}), kind: 'flow-summary', limit: 100_000 });
    } catch {
      // Enrichment is optional: with no readable flow summaries the graph is drawn without flows, as for a host never captured.
      return [];
    }
    const recent = listed
      .filter((a) => a.source.host !== undefined && hosts.has(a.source.host) && a.source.containerId)
      .slice(-MAX_SUMMARIES);
    const out: StoredFlows[] = [];
    for (const artifact of recent) {
      const cached = this.cache.get(artifact.id);
      if (cached !== undefined) {
        if (cached) out.push(cached);
        continue;
      }
      // An unreadable summary (remembered as such) is left out; the others still enrich the graph.
      const parsed = await readSummary(evidence, artifact).catch(() => null);
      this.remember(artifact.id, parsed);
      if (parsed) out.push(parsed);
    }
    return out;
  }

  private remember(id: string, value: StoredFlows | null): void {
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(id, value);
  }
}

async function readSummary(evidence: FlowEvidence, artifact: ArtifactInfo): Promise<StoredFlows | null> {
  if (artifact.size > MAX_SUMMARY_BYTES) return null;
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of (await evidence.openArtifact(artifact.id)) as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_SUMMARY_BYTES) return null;
    parts.push(buf);
  }
  const summary = JSON.parse(Buffer.concat(parts).toString('utf8')) as Partial<FlowSummary>;
  if (!Array.isArray(summary.flows)) return null;
  return {
    artifactId: artifact.id,
    host: artifact.source.host ?? '',
    containerId: artifact.source.containerId ?? '',
    flows: summary.flows,
  };
}

interface Totals {
  bytesToServer: number;
  bytesToClient: number;
  packetsToServer: number;
  packetsToClient: number;
  lastSeen: string | null;
  artifactIds: Set<string>;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

/**
 * Adds the bytes and packets of captured flows to the edges they belong to. Each flow is resolved
 * from the captured container's point of view (its own address is itself). A connection captured
 * at both ends is counted once (the larger view), successive captures of one container add up.
 * Flows between known nodes with no live socket become 'seen-in-capture' edges.
 */
export function enrichWithFlows(graph: GraphAccumulator, stored: readonly StoredFlows[]): FlowEnrichmentReport {
  const report: FlowEnrichmentReport = { summaries: stored.length, matched: 0, unmatched: 0 };
  // edge id → flow key → capturing container → totals
  const perEdge = new Map<string, Map<string, Map<string, Totals>>>();
  let captureOnly = 0;
  for (const summary of stored) {
    const from = graph.resolver.container(containerNodeId(summary.host, summary.containerId));
    if (!from) {
      report.unmatched += summary.flows.length;
      continue;
    }
    for (const flow of summary.flows) {
      if (
        (flow.protocol !== 'tcp' && flow.protocol !== 'udp') ||
        typeof flow.client?.port !== 'number' ||
        typeof flow.server?.port !== 'number'
      ) {
        report.unmatched++;
        continue;
      }
      const clientIp = canonicalIp(flow.client.ip);
      const serverIp = canonicalIp(flow.server.ip);
      if (!clientIp || !serverIp) {
        report.unmatched++;
        continue;
      }
      const clientAt = graph.resolver.resolveForFlow(clientIp, flow.client.port, flow.protocol, from);
      const serverAt = graph.resolver.resolveForFlow(serverIp, flow.server.port, flow.protocol, from);
      const clientId = 'nodeId' in clientAt ? clientAt.nodeId : undefined;
      const serverId = 'nodeId' in serverAt ? serverAt.nodeId : undefined;
      if (!clientId || !serverId || clientId === serverId) {
        report.unmatched++;
        continue;
      }
      const id = `${clientId}|${serverId}|${flow.protocol}|${flow.server.port}`;
      const existing = graph.edge(id);
      if (!existing && captureOnly >= MAX_CAPTURE_ONLY_EDGES) {
        report.unmatched++;
        continue;
      }
      // Only now may an external endpoint become a node: a flow that is dropped leaves no trace in the graph.
      const client = existing ? clientId : graph.nodeFor(clientAt);
      const server = existing ? serverId : graph.nodeFor(serverAt);
      if (!client || !server || client === server) {
        report.unmatched++;
        continue;
      }
      if (!existing) {
        captureOnly++;
        graph.edgeBetween(client, server, flow.protocol, flow.server.port, 'capture', undefined, 'seen-in-capture');
      }
      report.matched++;
      const flowKey = `${flow.protocol}|${clientIp}|${flow.client.port}|${serverIp}|${flow.server.port}`;
      const flows = perEdge.get(id) ?? new Map<string, Map<string, Totals>>();
      perEdge.set(id, flows);
      const byCapturer = flows.get(flowKey) ?? new Map<string, Totals>();
      flows.set(flowKey, byCapturer);
      const totals = byCapturer.get(from.nodeId) ?? {
        bytesToServer: 0,
        bytesToClient: 0,
        packetsToServer: 0,
        packetsToClient: 0,
        lastSeen: null,
        artifactIds: new Set<string>(),
      };
      byCapturer.set(from.nodeId, totals);
      totals.bytesToServer += count(flow.bytesToServer);
      totals.bytesToClient += count(flow.bytesToClient);
      totals.packetsToServer += count(flow.packetsToServer);
      totals.packetsToClient += count(flow.packetsToClient);
      if (typeof flow.lastSeen === 'string' && (!totals.lastSeen || flow.lastSeen > totals.lastSeen)) totals.lastSeen = flow.lastSeen;
      totals.artifactIds.add(summary.artifactId);
    }
  }
  for (const [edgeId, flows] of perEdge) {
    const edge = graph.edge(edgeId);
    if (!edge) continue;
    const traffic = {
      bytesToServer: 0,
      bytesToClient: 0,
      packetsToServer: 0,
      packetsToClient: 0,
      flows: 0,
      lastSeen: null as string | null,
      artifactIds: new Set<string>(),
    };
    for (const byCapturer of flows.values()) {
      const views = [...byCapturer.values()];
      const best = views.reduce((a, b) => (b.bytesToServer + b.bytesToClient > a.bytesToServer + a.bytesToClient ? b : a));
      traffic.bytesToServer += best.bytesToServer;
      traffic.bytesToClient += best.bytesToClient;
      traffic.packetsToServer += best.packetsToServer;
      traffic.packetsToClient += best.packetsToClient;
      traffic.flows++;
      for (const view of views) {
        if (view.lastSeen && (!traffic.lastSeen || view.lastSeen > traffic.lastSeen)) traffic.lastSeen = view.lastSeen;
        view.artifactIds.forEach((a) => traffic.artifactIds.add(a));
      }
    }
    edge.traffic = { ...traffic, artifactIds: [...traffic.artifactIds].sort() };
  }
  return report;
}
