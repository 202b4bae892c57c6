import type Dockerode from 'dockerode';
import type { ClusterNode } from '../../../shared/domain/cluster';
import type { HostProfile } from '../../../shared/domain/hosts';
import type { NodeEngine } from '../../../shared/domain/replicas';
import { toDrydockError } from '../errors';

// A worker's tasks run on the worker's engine, which the manager cannot reach for us: Drydock talks
// to each node through a host profile the examiner saved (a unix socket, TCP+TLS or SSH). Which
// profile is which node is not guessed from addresses (NAT, several addresses, a hostname reused):
// each candidate engine is asked for its own Swarm node ID (/info Swarm.NodeID), and only an exact
// match maps a profile to a node. A node with no matching profile gets a suggested URL from the
// address the manager knows it by.

export interface NodeEngineDeps {
  profiles: () => HostProfile[];
  docker: (host: string) => Promise<Dockerode>;
}

/** One profile's answer is waited for at most this long (milliseconds): a dead host must not hold the triage. */
const PROBE_TIMEOUT_MS = 8_000;

async function nodeIdOf(deps: NodeEngineDeps, host: string): Promise<{ host: string; nodeId?: string; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const info = (await Promise.race([
      deps.docker(host).then((d) => d.info() as Promise<{ Swarm?: { NodeID?: unknown } }>),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`)), PROBE_TIMEOUT_MS);
      }),
    ])) as { Swarm?: { NodeID?: unknown } };
    const id = info.Swarm?.NodeID;
    return typeof id === 'string' && /^[a-z0-9]{1,64}$/.test(id) ? { host, nodeId: id } : { host };
  } catch (err) {
    return { host, error: toDrydockError(err).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Maps each node to the saved profile whose engine reports that node's ID; `manager` (the profile
 * the listing came from) is asked first. Every saved profile is asked once, in parallel, each within
 * PROBE_TIMEOUT_MS. Returns one NodeEngine per node, in the nodes' order, and, when some node is left
 * without an engine, the profiles that could not be asked (name and why: one may be that node's). Never throws.
 */
export async function mapNodeEngines(
  deps: NodeEngineDeps,
  nodes: readonly ClusterNode[],
): Promise<{ engines: NodeEngine[]; unanswered: { host: string; error: string }[] }> {
  const answers = await Promise.all(deps.profiles().map((p) => nodeIdOf(deps, p.name)));
  const byNode = new Map<string, string>();
  for (const a of answers) if (a.nodeId && !byNode.has(a.nodeId)) byNode.set(a.nodeId, a.host);
  const engines = nodes.map((n): NodeEngine => {
    const host = byNode.get(n.id);
    const base = { nodeId: n.id, hostname: n.hostname, address: n.address };
    if (host) return { ...base, host, state: 'mapped' };
    const suggestion = /^[0-9a-fA-F.:]+$/.test(n.address)
      ? `tcp://${n.address.includes(':') ? `[${n.address}]` : n.address}:2376`
      : undefined;
    return { ...base, state: n.reachable ? 'no-profile' : 'node-down', ...(suggestion ? { suggestion } : {}) };
  });
  // A profile that did not answer matters only while some node has no engine: it may have been that
  // node's. With every node mapped, an unrelated dead profile is no gap in what was read.
  const complete = engines.every((e) => e.state === 'mapped');
  return { engines, unanswered: complete ? [] : answers.filter((a) => a.error).map((a) => ({ host: a.host, error: a.error as string })) };
}
