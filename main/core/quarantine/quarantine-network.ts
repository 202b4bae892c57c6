import type Dockerode from 'dockerode';
import { QUARANTINE_NETWORK_LABEL } from '../../../shared/domain/quarantine';
import type { StepContext } from './step-context';

export const DEFAULT_QUARANTINE_NETWORK = 'drydock-quarantine';

/**
 * Internal (no route off the bridge, so no egress and no inbound from outside), without
 * inter-container traffic (two quarantined containers cannot reach each other) and without an
 * address on the host's side of the bridge: an internal network still lets its containers reach
 * every host service through the gateway address otherwise. Packet capture still works: the
 * helper shares the container's namespace, it does not route.
 */
const OPTIONS = {
  'com.docker.network.bridge.enable_icc': 'false',
  'com.docker.network.bridge.enable_ip_masquerade': 'false',
  'com.docker.network.bridge.inhibit_ipv4': 'true',
};

export interface QuarantineNetwork {
  id: string;
  name: string;
}

/** The network to use, and whether this call made it (an action on the host, to be audited). */
export interface EnsuredNetwork extends QuarantineNetwork {
  /** This call created it (the engine answered the create with its ID). */
  created: boolean;
  /** The ID of a weaker, empty quarantine network this call removed before creating it. */
  replaced?: string;
}

async function find(ctx: Pick<StepContext, 'docker' | 'engine'>, name: string): Promise<Dockerode.NetworkInspectInfo | undefined> {
  // The engine's name filter matches substrings: the exact name is checked here.
  const list = await ctx.engine(`listing networks named ${name}`, () => ctx.docker.listNetworks({ filters: { name: [name] } }));
  return list.find((n) => n.Name === name);
}

function isStatus(err: unknown, status: number): boolean {
  return (err as { statusCode?: number }).statusCode === status;
}

/**
 * The host's quarantine network, created on first use; a same-named network Drydock did not make
 * is refused (DrydockFailure 'conflict'). Call under the host lock.
 */
export async function ensureQuarantineNetwork(
  ctx: Pick<StepContext, 'docker' | 'engine' | 'failure' | 'networkName'>,
): Promise<EnsuredNetwork> {
  const name = ctx.networkName;
  let replaced: string | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await find(ctx, name);
    if (existing) {
      if (existing.Labels?.[QUARANTINE_NETWORK_LABEL] === undefined || !existing.Internal) {
        throw ctx.failure(
          'conflict',
          `A network named ${name} exists on this host but is not a Drydock quarantine network (internal, labelled ${QUARANTINE_NETWORK_LABEL}); remove or rename it before isolating`,
        );
      }
      const weaker = Object.entries(OPTIONS).some(([key, value]) => existing.Options?.[key] !== value);
      // Made by an older Drydock with fewer restrictions: replace it while nothing is on it.
      if (!weaker) return { id: existing.Id, name, created: false };
      if (!(await removeIfEmpty(ctx, existing.Id))) return { id: existing.Id, name, created: false };
      replaced = existing.Id;
      continue;
    }
    try {
      const created = await ctx.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        Internal: true,
        CheckDuplicate: true,
        Attachable: false,
        EnableIPv6: false,
        Options: OPTIONS,
        Labels: { [QUARANTINE_NETWORK_LABEL]: 'network', 'drydock.managed': '1' },
      });
      return { id: created.id, name, created: true, ...(replaced ? { replaced } : {}) };
    } catch (err) {
      // Another Drydock process created it meanwhile: use that one.
      if (isStatus(err, 409)) continue;
      return ctx.engine(`creating the quarantine network ${name}`, () => Promise.reject(err));
    }
  }
  throw ctx.failure('conflict', `The quarantine network ${name} kept changing while it was being created; try again`);
}

async function removeIfEmpty(ctx: Pick<StepContext, 'docker' | 'engine'>, id: string): Promise<boolean> {
  const users = await ctx.engine('listing containers on the quarantine network', () =>
    ctx.docker.listContainers({ all: true, filters: { network: [id] } }),
  );
  if (users.length) return false;
  return ctx.docker
    .getNetwork(id)
    .remove()
    .then(
      () => true,
      () => false,
    );
}

export type NetworkRemoval = 'removed' | 'absent' | 'in-use';

/**
 * Removes the quarantine network once no container refers to it. The engine's network filter
 * also matches stopped containers, whose endpoint exists only as configuration: those count as
 * users too, else their next start would fail. Call under the host lock.
 */
export async function removeQuarantineNetworkIfUnused(
  ctx: Pick<StepContext, 'docker' | 'engine' | 'networkName'>,
): Promise<{ result: NetworkRemoval; users: number; networkId?: string }> {
  const network = await find(ctx, ctx.networkName);
  if (!network || network.Labels?.[QUARANTINE_NETWORK_LABEL] === undefined) return { result: 'absent', users: 0 };
  const users = await ctx.engine(`listing containers on ${ctx.networkName}`, () =>
    ctx.docker.listContainers({ all: true, filters: { network: [network.Id] } }),
  );
  if (users.length) return { result: 'in-use', users: users.length };
  try {
    await ctx.docker.getNetwork(network.Id).remove();
    return { result: 'removed', users: 0, networkId: network.Id };
  } catch (err) {
    if (isStatus(err, 404)) return { result: 'absent', users: 0 };
    // Another process attached a container between the check and the removal.
    if (isStatus(err, 409) || /active endpoints/i.test(String((err as Error).message))) return { result: 'in-use', users: 1 };
    return ctx.engine(`removing the quarantine network ${ctx.networkName}`, () => Promise.reject(err));
  }
}
