// The benchmark's graph: 2,000 containers in compose projects (one per 50), a few external
// addresses, 5,000 connections mostly inside a project. Deterministic, and free of the DOM so the
// page and a Node script draw the same graph.
import type { GraphEdge, GraphNode } from '../../shared/domain/network';

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
