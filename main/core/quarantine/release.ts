import type { ContainerInspectInfo } from 'dockerode';
import type { NetworkBefore, QuarantineMode, RestoredNetwork } from '../../../shared/domain/quarantine';
import { endpoints, userAliases } from './container-state';
import { isAddressInUse, isAlreadyConnected, isNotConnected, statusOf } from './engine-text';
import { removeQuarantineNetworkIfUnused } from './quarantine-network';
import type { StepContext, StepOutcome } from './step-context';

function endpointConfig(net: NetworkBefore): Record<string, unknown> {
  const ipam = {
    ...(net.staticIpv4 ? { IPv4Address: net.staticIpv4 } : {}),
    ...(net.staticIpv6 ? { IPv6Address: net.staticIpv6 } : {}),
    ...(net.linkLocalIps?.length ? { LinkLocalIPs: net.linkLocalIps } : {}),
  };
  return {
    // The default bridge refuses aliases; it never had any.
    ...(net.aliases.length ? { Aliases: net.aliases } : {}),
    ...(net.links.length ? { Links: net.links } : {}),
    ...(Object.keys(ipam).length ? { IPAMConfig: ipam } : {}),
    ...(net.driverOpts ? { DriverOpts: net.driverOpts } : {}),
  };
}

function isQuarantineEndpoint(ctx: StepContext, name: string, networkId: string | undefined): boolean {
  return name === ctx.networkName || (ctx.record.quarantineNetwork !== undefined && networkId === ctx.record.quarantineNetwork.id);
}

/** Whether a step of this quarantine started acting (it may have changed something even if it failed). */
function stepStarted(ctx: StepContext, mode: QuarantineMode): boolean {
  const step = ctx.record.steps.find((s) => s.mode === mode);
  return step !== undefined && (step.state === 'done' || step.state === 'running' || step.state === 'failed');
}

/**
 * Reconnects every recorded network with its aliases, static addresses, links and driver options,
 * then detaches the quarantine network. The quarantine network stays attached until every
 * original network is back, so a failed restore never leaves the container on both worlds
 * half-way without its cell. Skipped, touching nothing, when the quarantine never isolated it.
 * The detail names only what the engine confirmed.
 */
export async function restoreNetworks(ctx: StepContext): Promise<StepOutcome> {
  if (!stepStarted(ctx, 'isolate')) return { state: 'skipped', detail: 'skipped: the quarantine did not change networks' };
  if (ctx.record.packetFilter)
    return {
      state: 'skipped',
      detail: 'skipped: its networks were never touched (a Swarm task is isolated by a packet filter in its network namespace)',
    };
  const inspect = await ctx.inspect();
  const current = endpoints(inspect);
  const reconnected: string[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  for (const net of ctx.record.before.networks) {
    const attached = Object.entries(current).some(
      ([name, ep]) => name === net.networkName || (net.networkId !== '' && ep.NetworkID === net.networkId),
    );
    if (attached) continue;
    const outcome = await reconnect(ctx, inspect, net);
    if (outcome.problem) problems.push(outcome.problem);
    if (outcome.note) notes.push(outcome.note);
    if (outcome.connected) reconnected.push(net.networkName);
    await ctx.checkpoint('release', `reconnected ${net.networkName}`);
  }
  if (problems.length) {
    throw ctx.failure(
      'conflict',
      `Release could not restore every network (the container stays on the quarantine network): ${problems.join('; ')}. Fix that and run release again.`,
    );
  }
  const detached: string[] = [];
  for (const [name, ep] of Object.entries(current)) {
    if (!isQuarantineEndpoint(ctx, name, ep.NetworkID)) continue;
    try {
      // Force: a stopped container's endpoint on a network removed meanwhile is only configuration.
      await ctx.docker.getNetwork(ep.NetworkID || name).disconnect({ Container: inspect.Id, Force: true });
      detached.push(name);
    } catch (err) {
      if (!isNotConnected(err) && statusOf(err) !== 404) await ctx.engine(`detaching it from ${name}`, () => Promise.reject(err));
    }
    await ctx.checkpoint('release', 'detached from quarantine network');
  }
  if (!reconnected.length && !detached.length) {
    return {
      state: 'skipped',
      detail: ['skipped: its recorded networks were already attached and it was not on the quarantine network', ...notes].join('. '),
    };
  }
  const unchanged = ctx.record.before.networks.map((n) => n.networkName).filter((n) => !reconnected.includes(n));
  const parts = [
    reconnected.length ? `Reconnected to ${reconnected.join(', ')}` : 'Reconnected to no network (none to restore)',
    ...(unchanged.length ? [`${unchanged.join(', ')} already attached or not restorable`] : []),
    detached.length ? `detached from ${detached.join(', ')}` : 'was not on the quarantine network',
  ];
  return { state: 'done', detail: [parts.join('; '), ...notes].join('. ') };
}

async function reconnect(
  ctx: StepContext,
  inspect: ContainerInspectInfo,
  net: NetworkBefore,
): Promise<{ connected?: boolean; problem?: string; note?: string }> {
  const config = { Container: inspect.Id, EndpointConfig: endpointConfig(net) };
  for (const target of [net.networkId, net.networkName].filter(Boolean)) {
    try {
      await ctx.docker.getNetwork(target).connect(config);
      return target === net.networkId
        ? { connected: true }
        : { connected: true, note: `Network ${net.networkName} was recreated since quarantine (new ID); reconnected to it by name` };
    } catch (err) {
      if (isAlreadyConnected(err)) return {};
      if (statusOf(err) === 404) continue;
      if (isAddressInUse(err)) {
        const address = [net.staticIpv4, net.staticIpv6].filter(Boolean).join(', ');
        return { problem: `its static address ${address || '(dynamic)'} on network ${net.networkName} is now used by another container` };
      }
      await ctx.engine(`reconnecting it to network ${net.networkName}`, () => Promise.reject(err));
    }
  }
  return { note: `Network ${net.networkName} no longer exists on the host: not restored` };
}

/** Unpauses only what quarantine paused; a container paused before quarantine stays paused. */
export async function unpauseIfQuarantined(ctx: StepContext): Promise<StepOutcome> {
  if (!stepStarted(ctx, 'pause')) return { state: 'skipped', detail: 'skipped: the quarantine did not pause it' };
  const inspect = await ctx.inspect();
  if (!inspect.State.Paused) return { state: 'skipped', detail: 'skipped: it is not paused (someone or something unpaused it since)' };
  if (ctx.record.before.paused) return { state: 'skipped', detail: 'skipped: it was paused before quarantine, so it is left paused' };
  await ctx.engine('unpausing it', () => ctx.docker.getContainer(inspect.Id).unpause());
  await ctx.checkpoint('release', 'unpaused');
  return { state: 'done', detail: 'Unpaused' };
}

/** Starts it again only when it was running before and quarantine's stop step stopped it. */
export async function restartIfQuarantineStopped(ctx: StepContext): Promise<StepOutcome> {
  if (!stepStarted(ctx, 'stop') || !ctx.record.before.running)
    return { state: 'skipped', detail: 'skipped: the quarantine did not stop it' };
  const inspect = await ctx.inspect();
  if (inspect.State.Running) return { state: 'skipped', detail: 'skipped: it is already running' };
  const started = await ctx.engine('starting it again', async () => {
    try {
      await ctx.docker.getContainer(inspect.Id).start();
      return true;
    } catch (err) {
      // 304: it was started by someone else between the inspect and the request.
      if (statusOf(err) !== 304) throw err;
      return false;
    }
  });
  await ctx.checkpoint('release', 'started');
  if (!started) return { state: 'skipped', detail: 'skipped: the engine answered that it was already started (by someone else meanwhile)' };
  return { state: 'done', detail: 'Started again (it was running before quarantine stopped it)' };
}

/** Removes the quarantine network when this quarantine used it and nothing else does any more. */
export async function removeNetworkIfUnused(ctx: StepContext): Promise<StepOutcome> {
  if (!ctx.record.quarantineNetwork) return { state: 'skipped', detail: `skipped: the quarantine did not use ${ctx.networkName}` };
  const { result, users, networkId } = await ctx.hostLock.run(ctx.host, () => removeQuarantineNetworkIfUnused(ctx));
  if (result === 'removed') {
    ctx.audit('quarantine.network-removed', { network: ctx.networkName, networkId: networkId ?? '' });
    return { state: 'done', detail: `Removed ${ctx.networkName}: no container uses it any more` };
  }
  if (result === 'absent') return { state: 'skipped', detail: `skipped: ${ctx.networkName} is already gone` };
  return { state: 'skipped', detail: `skipped: ${ctx.networkName} kept, ${users} other container${users === 1 ? '' : 's'} still on it` };
}

/** How each recorded network came back, for the record and the responder. */
export function restoredNetworks(inspect: ContainerInspectInfo, before: NetworkBefore[]): RestoredNetwork[] {
  const current = endpoints(inspect);
  const running = inspect.State.Running;
  return before.map((net) => {
    const entry = Object.entries(current).find(([name, ep]) => name === net.networkName || ep.NetworkID === net.networkId);
    const ep = entry?.[1];
    const ipv4 = ep?.IPAddress || undefined;
    const ipv6 = ep?.GlobalIPv6Address || undefined;
    // A stopped container's endpoint has no address until it starts.
    const addressChanged = running && ep !== undefined && ((net.ipv4 ?? undefined) !== ipv4 || (net.ipv6 ?? undefined) !== ipv6);
    return {
      networkName: net.networkName,
      ...(ipv4 ? { ipv4 } : {}),
      ...(ipv6 ? { ipv6 } : {}),
      aliases: ep ? userAliases(inspect, ep.Aliases) : [],
      addressChanged: ep === undefined ? true : addressChanged,
    };
  });
}
