import { endpoints, hostConfig } from './container-state';
import { isAlreadyConnected, isNotConnected, statusOf } from './engine-text';
import { ensureQuarantineNetwork } from './quarantine-network';
import { describePeers } from './shared-namespace';
import type { StepContext, StepOutcome } from './step-context';

/** Why isolation cannot be done on a container with this network mode (ownerName: the container a container: mode names), or undefined when it can. */
export function isolateBlocked(networkMode: string, ownerName?: string): string | undefined {
  if (networkMode === 'host')
    return "It shares the host's network namespace: it cannot be disconnected from it. Pause or stop it instead, or isolate the host.";
  if (networkMode.startsWith('container:')) {
    const id = networkMode.slice('container:'.length);
    return `It shares the network namespace of ${ownerName ? `${ownerName} (${id.slice(0, 12)})` : id}: isolate that container instead (every container in that namespace is cut off with it).`;
  }
  return undefined;
}

/**
 * Disconnects the container from every network and attaches it to the host's quarantine network.
 * Reads the engine's current state each time, so a re-run after a crash finishes what is left.
 */
export async function isolate(ctx: StepContext): Promise<StepOutcome> {
  const { docker, record } = ctx;
  const inspect = await ctx.inspect();
  const mode = hostConfig(inspect).NetworkMode ?? 'default';
  const blocked = isolateBlocked(mode);
  if (blocked) throw ctx.failure('unsupported', `Cannot isolate: ${blocked}`);
  const isQuarantine = (name: string, networkId?: string) =>
    name === ctx.networkName || (record.quarantineNetwork !== undefined && networkId === record.quarantineNetwork.id);
  const current = Object.entries(endpoints(inspect));
  const attached = current.some(([name, ep]) => isQuarantine(name, ep.NetworkID));
  if (mode === 'none' && !attached && current.length === 0)
    return { state: 'skipped', detail: 'Network mode none: it has no network to cut' };

  // What this run did, from the engine's answers: the record says that, never the plan.
  const disconnected: string[] = [];
  const alreadyGone: string[] = [];
  for (const [name, ep] of current) {
    if (isQuarantine(name, ep.NetworkID)) continue;
    try {
      await docker.getNetwork(ep.NetworkID || name).disconnect({ Container: inspect.Id, Force: false });
      disconnected.push(name);
    } catch (err) {
      if (!isNotConnected(err) && statusOf(err) !== 404)
        await ctx.engine(`disconnecting it from network ${name}`, () => Promise.reject(err));
      alreadyGone.push(name);
    }
    await ctx.checkpoint('isolate', `disconnected ${name}`);
  }

  let attachedNow = false;
  if (!attached) {
    await ctx.hostLock.run(ctx.host, async () => {
      for (let attempt = 0; ; attempt++) {
        const network = await ensureQuarantineNetwork(ctx);
        record.quarantineNetwork = { id: network.id, name: network.name };
        ctx.save();
        if (network.created)
          ctx.audit('quarantine.network-created', {
            network: network.name,
            networkId: network.id,
            ...(network.replaced ? { replacedNetworkId: network.replaced } : {}),
          });
        try {
          await docker.getNetwork(network.id).connect({ Container: inspect.Id });
          attachedNow = true;
          return;
        } catch (err) {
          if (isAlreadyConnected(err)) return;
          // Removed by another Drydock process between the lookup and the connect: make it again.
          if (statusOf(err) === 404 && attempt < 2) continue;
          await ctx.engine(`attaching it to the quarantine network ${network.name}`, () => Promise.reject(err));
        }
      }
    });
    await ctx.checkpoint('isolate', 'attached to quarantine network');
  }
  return { state: 'done', detail: isolateDetail(ctx, disconnected, alreadyGone, attachedNow) };
}

function isolateDetail(ctx: StepContext, disconnected: string[], alreadyGone: string[], attachedNow: boolean): string {
  const recorded = ctx.record.before.networks.map((n) => n.networkName);
  const earlier = recorded.filter((n) => !disconnected.includes(n) && !alreadyGone.includes(n));
  const parts = [
    disconnected.length
      ? `Disconnected from ${disconnected.join(', ')}`
      : recorded.length
        ? 'Disconnected from no network this time'
        : 'Had no network to disconnect',
    ...(alreadyGone.length ? [`${alreadyGone.join(', ')} had already let it go when asked`] : []),
    ...(earlier.length
      ? [`${earlier.join(', ')} no longer attached when this run started (an interrupted earlier run or someone else detached it)`]
      : []),
    attachedNow
      ? `attached to ${ctx.networkName} (internal: no egress, no traffic with other containers)`
      : `already on ${ctx.networkName} (internal: no egress, no traffic with other containers)`,
  ];
  const sharing = (ctx.record.sharedNetworkNamespace ?? []).filter((p) => p.relation === 'joined-target');
  if (sharing.length) parts.push(`the same cut applies to ${describePeers(sharing)}: they share its network namespace`);
  return parts.join('; ');
}
