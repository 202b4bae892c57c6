import type Dockerode from 'dockerode';
import type { ContainerInspectInfo } from 'dockerode';
import type { NetworkNamespacePeer } from '../../../shared/domain/quarantine';
import { containerName, hostConfig } from './container-state';

const CONTAINER_MODE = 'container:';

/** The container a `container:REF` network mode names (the engine stores the full ID), else undefined. */
function joined(networkMode: string | undefined): string | undefined {
  return networkMode?.startsWith(CONTAINER_MODE) ? networkMode.slice(CONTAINER_MODE.length) : undefined;
}

function refersTo(ref: string, c: { Id: string; Names?: string[] }): boolean {
  return ref === c.Id || (ref.length >= 12 && c.Id.startsWith(ref)) || (c.Names ?? []).some((n) => n.replace(/^\//, '') === ref);
}

/**
 * Every other container in the target's network namespace, in either direction: those started
 * with `--network container:TARGET`, and, when the target itself joined another container's
 * namespace, that container and everything else that joined it. Reads the engine's container
 * list once (all states: a stopped joiner rejoins when started). Names and IDs come from the host
 * under investigation: text only. Engine errors propagate from `list` (the caller wraps them).
 */
export async function networkNamespacePeers(
  list: () => Promise<Dockerode.ContainerInfo[]>,
  target: ContainerInspectInfo,
): Promise<NetworkNamespacePeer[]> {
  const containers = await list();
  const ownerRef = joined(hostConfig(target).NetworkMode);
  const owner = ownerRef === undefined ? undefined : containers.find((c) => refersTo(ownerRef, c));
  const ownerId = owner?.Id ?? ownerRef;
  const peers: NetworkNamespacePeer[] = [];
  const peer = (c: Dockerode.ContainerInfo, relation: NetworkNamespacePeer['relation']) =>
    peers.push({
      containerId: c.Id,
      containerName: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
      status: c.State ?? c.Status ?? 'unknown',
      relation,
    });
  if (owner) peer(owner, 'target-joined');
  else if (ownerRef !== undefined)
    peers.push({ containerId: ownerRef, containerName: ownerRef.slice(0, 12), status: 'not found', relation: 'target-joined' });
  for (const c of containers) {
    if (c.Id === target.Id || c.Id === ownerId) continue;
    const ref = joined(c.HostConfig?.NetworkMode);
    if (ref === undefined) continue;
    if (refersTo(ref, { Id: target.Id, Names: [containerName(target)] })) peer(c, 'joined-target');
    else if (owner && refersTo(ref, owner)) peer(c, 'joined-same');
    else if (!owner && ownerRef !== undefined && ref === ownerRef) peer(c, 'joined-same');
  }
  return peers.sort((a, b) => a.containerName.localeCompare(b.containerName));
}

/** "b (3f2a1c…, running), c (…, exited)" for plans, prompts and audit text. */
export function describePeers(peers: NetworkNamespacePeer[]): string {
  return peers.map((p) => `${p.containerName} (${p.containerId.slice(0, 12)}, ${p.status})`).join(', ');
}
