import type { GraphDiff, GraphEdge, GraphNode, NetworkGraphSnapshot } from '../../../shared/domain/network';

function nodeFingerprint(n: GraphNode): string {
  return JSON.stringify([
    n.state,
    n.riskFlags,
    n.quarantined,
    n.drifted,
    n.listening,
    n.scan.status,
    n.addresses,
    n.networks,
    n.loopbackConnections,
  ]);
}

function edgeFingerprint(e: GraphEdge): string {
  return JSON.stringify([
    e.state,
    e.connections,
    e.states,
    e.directionBasis,
    e.seenBy,
    e.traffic?.bytesToServer,
    e.traffic?.bytesToClient,
    e.traffic?.flows,
  ]);
}

/** What a refresh changed: ids only, the snapshot itself travels alongside. */
export function diffGraphs(before: NetworkGraphSnapshot | undefined, after: NetworkGraphSnapshot): GraphDiff {
  const diff: GraphDiff = { nodesAdded: [], nodesRemoved: [], edgesAdded: [], edgesRemoved: [], changed: [] };
  const oldNodes = new Map((before?.nodes ?? []).map((n) => [n.id, n]));
  const oldEdges = new Map((before?.edges ?? []).map((e) => [e.id, e]));
  for (const n of after.nodes) {
    const old = oldNodes.get(n.id);
    if (!old) diff.nodesAdded.push(n.id);
    else if (nodeFingerprint(old) !== nodeFingerprint(n)) diff.changed.push(n.id);
    oldNodes.delete(n.id);
  }
  for (const e of after.edges) {
    const old = oldEdges.get(e.id);
    if (!old) diff.edgesAdded.push(e.id);
    else if (edgeFingerprint(old) !== edgeFingerprint(e)) diff.changed.push(e.id);
    oldEdges.delete(e.id);
  }
  diff.nodesRemoved = [...oldNodes.keys()];
  diff.edgesRemoved = [...oldEdges.keys()];
  return diff;
}

export function isEmptyDiff(diff: GraphDiff): boolean {
  return (
    !diff.nodesAdded.length && !diff.nodesRemoved.length && !diff.edgesAdded.length && !diff.edgesRemoved.length && !diff.changed.length
  );
}
