import type { ContainerInspectInfo } from 'dockerode';
import type { NetworkBefore, RestoredNetwork } from '../../../shared/domain/quarantine';
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

/**
 * Reconnects every recorded network with its aliases, static addresses, links and driver options,
 * then detaches the quarantine network. The quarantine network stays attached until every
 * original network is back, so a failed restore never leaves the container on both worlds
 * half-way without its cell.
 */
export async function restoreNetworks(ctx: StepContext): Promise<StepOutcome> {
  const inspect = await ctx.inspect();
  const current = endpoints(inspect);
  const notes: string[] = [];
  const problems: string[] = [];
  for (const net of ctx.record.before.networks) {
    const attached = Object.entries(current).some(([name, ep]) => name === net.networkName || (net.networkId !== '' && ep.NetworkID === net.networkId));
    if (attached) continue;
    const outcome = await reconnect(ctx, inspect, net);
    if (outcome.problem) problems.push(outcome.problem);
    if (outcome.note) notes.push(outcome.note);
    await ctx.checkpoint('release', `reconnected ${net.networkName}`);
  }
  if (problems.length) {
    throw ctx.failure('conflict', `Release could not restore every network (the container stays on the quarantine network): ${problems.join('; ')}. Fix that and run release again.`);
  }
  for (const [name, ep] of Object.entries(current)) {
    if (!isQuarantineEndpoint(ctx, name, ep.NetworkID)) continue;
    try {
      // Force: a stopped container's endpoint on a network removed meanwhile is only configuration.
      await ctx.docker.getNetwork(ep.NetworkID || name).disconnect({ Container: inspect.Id, Force: true });
    } catch (err) {
      if (!isNotConnected(err) && statusOf(err) !== 404) await ctx.engine(`detaching it from ${name}`, () => Promise.reject(err));
    }
    await ctx.checkpoint('release', 'detached from quarantine network');
  }
  const names = ctx.record.before.networks.map((n) => n.networkName);
  return { state: 'done', detail: [`${names.length ? `Reconnected to ${names.join(', ')}` : 'It had no network to restore'}; detached from ${ctx.networkName}`, ...notes].join('. ') };
}

async function reconnect(ctx: StepContext, inspect: ContainerInspectInfo, net: NetworkBefore): Promise<{ problem?: string; note?: string }> {
  const config = { Container: inspect.Id, EndpointConfig: endpointConfig(net) };
  for (const target of [net.networkId, net.networkName].filter(Boolean)) {
    try {
      await ctx.docker.getNetwork(target).connect(config);
      return target === net.networkId ? {} : { note: `Network ${net.networkName} was recreated since quarantine (new ID); reconnected to it by name` };
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
  const inspect = await ctx.inspect();
  if (!inspect.State.Paused) return { state: 'skipped', detail: 'Not paused' };
  if (ctx.record.before.paused) return { state: 'skipped', detail: 'Was paused before quarantine: left paused' };
  await ctx.engine('unpausing it', () => ctx.docker.getContainer(inspect.Id).unpause());
  await ctx.checkpoint('release', 'unpaused');
  return { state: 'done', detail: 'Unpaused' };
}

/** Starts it again only when it was running before and quarantine's stop step stopped it. */
export async function restartIfQuarantineStopped(ctx: StepContext): Promise<StepOutcome> {
  const stopStep = ctx.record.steps.find((s) => s.mode === 'stop');
  const stoppedByUs = stopStep !== undefined && (stopStep.state === 'done' || stopStep.state === 'running' || stopStep.state === 'failed');
  if (!stoppedByUs || !ctx.record.before.running) return { state: 'skipped', detail: 'Quarantine did not stop it' };
  const inspect = await ctx.inspect();
  if (inspect.State.Running) return { state: 'skipped', detail: 'Already running' };
  await ctx.engine('starting it again', async () => {
    try {
      await ctx.docker.getContainer(inspect.Id).start();
    } catch (err) {
      if (statusOf(err) !== 304) throw err;
    }
  });
  await ctx.checkpoint('release', 'started');
  return { state: 'done', detail: 'Started again (it was running before quarantine stopped it)' };
}

export async function removeNetworkIfUnused(ctx: StepContext): Promise<StepOutcome> {
  const { result, users } = await ctx.hostLock.run(ctx.host, () => removeQuarantineNetworkIfUnused(ctx));
  if (result === 'removed') return { state: 'done', detail: `Removed ${ctx.networkName}: no container uses it any more` };
  if (result === 'absent') return { state: 'skipped', detail: `${ctx.networkName} is already gone` };
  return { state: 'skipped', detail: `${ctx.networkName} kept: ${users} other container${users === 1 ? '' : 's'} still on it` };
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
