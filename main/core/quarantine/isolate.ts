import { endpoints, hostConfig } from './container-state';
import { isAlreadyConnected, isNotConnected, statusOf } from './engine-text';
import { ensureQuarantineNetwork } from './quarantine-network';
import type { StepContext, StepOutcome } from './step-context';

/** Why isolation cannot be done on a container with this network mode, or undefined when it can. */
export function isolateBlocked(networkMode: string): string | undefined {
  if (networkMode === 'host') return "It shares the host's network namespace: it cannot be disconnected from it. Pause or stop it instead, or isolate the host.";
  if (networkMode.startsWith('container:')) return `It shares the network namespace of ${networkMode.slice('container:'.length)}: isolate that container instead.`;
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
  const isQuarantine = (name: string, networkId?: string) => name === ctx.networkName || (record.quarantineNetwork !== undefined && networkId === record.quarantineNetwork.id);
  const current = Object.entries(endpoints(inspect));
  const attached = current.some(([name, ep]) => isQuarantine(name, ep.NetworkID));
  if (mode === 'none' && !attached && current.length === 0) return { state: 'skipped', detail: 'Network mode none: it has no network to cut' };

  for (const [name, ep] of current) {
    if (isQuarantine(name, ep.NetworkID)) continue;
    try {
      await docker.getNetwork(ep.NetworkID || name).disconnect({ Container: inspect.Id, Force: false });
    } catch (err) {
      if (!isNotConnected(err) && statusOf(err) !== 404) await ctx.engine(`disconnecting it from network ${name}`, () => Promise.reject(err));
    }
    await ctx.checkpoint('isolate', `disconnected ${name}`);
  }

  if (!attached) {
    await ctx.hostLock.run(ctx.host, async () => {
      for (let attempt = 0; ; attempt++) {
        const network = await ensureQuarantineNetwork(ctx);
        record.quarantineNetwork = network;
        ctx.save();
        try {
          await docker.getNetwork(network.id).connect({ Container: inspect.Id });
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
  const was = record.before.networks.map((n) => n.networkName);
  return {
    state: 'done',
    detail: `${was.length ? `Disconnected from ${was.join(', ')}` : 'Had no network'}; attached to ${ctx.networkName} (internal: no egress, no traffic with other containers)`,
  };
}
