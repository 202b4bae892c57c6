import type { ContainerInspectInfo } from 'dockerode';
import {
  PACKET_FILTER_TABLE,
  type NetworkBefore,
  type NetworkNamespacePeer,
  type PlanNotice,
  type PlannedStep,
  type QuarantineMode,
  type QuarantinePlan,
  type QuarantineRecord,
} from '../../../shared/domain/quarantine';
import { assessRisks } from '../inventory/risk-flags';
import { containerName, hostConfig, stateBefore, swarmTask } from './container-state';
import { isolateBlocked } from './isolate';
import { describePeers } from './shared-namespace';
import { forensicImageRef } from './snapshot';

export interface PlanInput {
  host: string;
  inspect: ContainerInspectInfo;
  modes: QuarantineMode[];
  existing?: QuarantineRecord;
  /** The case the snapshot and audit entries go to; undefined when none resolves. */
  kase?: { id: string; name: string };
  /** Why no case resolved, for the snapshot step. */
  caseProblem?: string;
  networkName: string;
  now: string;
  /** The other containers in its network namespace (see networkNamespacePeers). */
  peers: NetworkNamespacePeer[];
}

/** The inventory's risk flags that mean the container controls the engine or the host. */
const ENGINE_CONTROL: ReadonlySet<string> = new Set(['docker-socket', 'privileged', 'host-pid']);

/**
 * Why cutting its network does not contain it, one reason per line (the inventory's own risk
 * reasons, with their evidence); empty when isolation does. Pure: reads the inspect document only.
 */
export function isolationEscapes(inspect: ContainerInspectInfo): string[] {
  // Image facts do not bear on these three flags.
  return assessRisks(inspect, { missing: false, dangling: false })
    .filter((f) => ENGINE_CONTROL.has(f.id))
    .map((f) => `${f.reason}${f.evidence?.length ? ` (${f.evidence.join('; ')})` : ''}`);
}

function containmentNotices(escapes: string[], modes: QuarantineMode[]): PlanNotice[] {
  if (!escapes.length || !modes.includes('isolate')) return [];
  const why = escapes.join('. ');
  if (modes.includes('pause') || modes.includes('stop')) {
    return [
      {
        severity: 'warning',
        text: `Network isolation alone would not contain it: ${why}. The ${modes.includes('pause') ? 'pause' : 'stop'} you chose does: a frozen or stopped process cannot use what it controls.`,
      },
    ];
  }
  return [
    {
      severity: 'danger',
      text: `Network isolation does not contain it: ${why}. Without any network it can still drive the engine or the host (start a new container on the host's network, signal or enter host processes). Add pause (keeps its memory) or, as a last resort, stop.`,
    },
  ];
}

function peerNotices(peers: NetworkNamespacePeer[], modes: QuarantineMode[]): PlanNotice[] {
  if (!peers.length) return [];
  const joinedIt = peers.filter((p) => p.relation === 'joined-target');
  const notices: PlanNotice[] = [];
  if (joinedIt.length && (modes.includes('isolate') || modes.includes('stop'))) {
    notices.push({
      severity: 'danger',
      text: `Its network namespace is shared with ${describePeers(joinedIt)} (started with --network container:…): ${modes.includes('isolate') ? 'isolating it cuts them off too, and release reconnects them with it' : 'stopping it tears down the interfaces they use too'}.`,
    });
  }
  const owners = peers.filter((p) => p.relation !== 'joined-target');
  if (owners.length)
    notices.push({
      severity: 'warning',
      text: `It runs in another container's network namespace, shared with ${describePeers(owners)}: its network cannot be cut without cutting theirs.`,
    });
  return notices;
}

function describeNetwork(n: NetworkBefore): string {
  const address = n.staticIpv4 ?? n.ipv4;
  const extras = [
    address ? `${address}${n.staticIpv4 ? ' static' : ''}` : '',
    n.staticIpv6 ?? n.ipv6 ?? '',
    n.aliases.length ? `aliases ${n.aliases.join(', ')}` : '',
  ].filter(Boolean);
  return `${n.networkName}${extras.length ? ` (${extras.join('; ')})` : ''}`;
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Container-wide notices: things the orchestrator or the engine may do behind quarantine's back. */
export function containerNotices(inspect: ContainerInspectInfo, modes: QuarantineMode[]): PlanNotice[] {
  const notices: PlanNotice[] = [];
  const swarm = swarmTask(inspect);
  if (swarm) {
    // Only the modes chosen: a task isolated by its packet filter is never disconnected from anything.
    const fates = [
      modes.includes('isolate')
        ? 'isolated, it keeps running and stays attached to its networks, but a health check that needs the network fails and the orchestrator then replaces it'
        : '',
      modes.includes('pause') ? 'paused, it can be marked failed and replaced' : '',
      modes.includes('stop') ? 'stopped, it counts as exited and may be replaced' : '',
    ].filter(Boolean);
    notices.push({
      severity: 'warning',
      text: `This is a task of Swarm service ${swarm.service} (${swarm.task}): the orchestrator may replace it.${fates.length ? ` ${capitalised(fates.join('; '))}. A replacement is a new, unquarantined copy, possibly on another node; the quarantined container itself is kept.` : ''}`,
    });
  }
  const hc = hostConfig(inspect);
  const policy = hc.RestartPolicy?.Name ?? '';
  if (modes.includes('stop') && policy === 'always')
    notices.push({
      severity: 'warning',
      text: 'Restart policy "always": the engine starts it again when the Docker daemon restarts, even after a stop.',
    });
  if (hc.AutoRemove)
    notices.push({
      severity: 'danger',
      text: 'Started with --rm: if it stops (or is stopped) the engine deletes it with its filesystem. Snapshot before anything else.',
    });
  return notices;
}

export function buildPlan(input: PlanInput): QuarantinePlan {
  const { inspect, modes, existing } = input;
  const name = containerName(inspect);
  // An existing quarantine keeps the state recorded before it: that is what release restores.
  const before = existing?.before ?? stateBefore(inspect, input.now, input.networkName);
  const done = (mode: QuarantineMode) =>
    existing?.steps.some((s) => s.mode === mode && (s.state === 'done' || s.state === 'skipped')) ?? false;
  const running = inspect.State.Running;
  const escapes = isolationEscapes(inspect);
  const steps: PlannedStep[] = modes.map((mode) => {
    const notices: PlanNotice[] = [];
    switch (mode) {
      case 'isolate': {
        const owner = input.peers.find((p) => p.relation === 'target-joined');
        const blocked = isolateBlocked(before.networkMode, owner?.containerName);
        const ports = Object.values((inspect.NetworkSettings?.Ports ?? {}) as Record<string, { HostPort?: string }[] | null>).flatMap(
          (b) => b ?? [],
        );
        if (ports.length)
          notices.push({
            severity: 'info',
            text: `Its published ports (${ports
              .map((p) => p.HostPort)
              .filter(Boolean)
              .join(', ')}) stop answering.`,
          });
        notices.push({ severity: 'info', text: 'Packet capture still works on it: the capture helper shares its network namespace.' });
        const nets = before.networks.map(describeNetwork);
        if (swarmTask(inspect) && !blocked) {
          notices.push({
            severity: 'info',
            text: 'The engine refuses to disconnect a Swarm task from a swarm-scoped network (moby/moby#24988): the cut is made inside its network namespace instead.',
          });
          return {
            mode,
            action: `In its network namespace, a helper (NET_ADMIN only, not privileged, removed after) records the ruleset (nft -s list ruleset, hashed) and adds the nftables table inet ${PACKET_FILTER_TABLE}, dropping every packet in, out and forwarded but loopback's. Its networks stay attached: ${nets.length ? nets.join(', ') : 'none'}. Release deletes that table only and checks the ruleset is byte for byte the one recorded.`,
            alreadyDone: done(mode),
            notices,
          };
        }
        const action =
          before.networkMode === 'none' && !nets.length
            ? 'Nothing to cut: network mode none.'
            : `Disconnect it from ${nets.length ? nets.join(', ') : 'its networks'} and attach it to ${input.networkName}, an internal network with no egress and no traffic between containers. Release reconnects each network with the same aliases and static addresses.`;
        return { mode, action, alreadyDone: done(mode), ...(blocked ? { blocked } : {}), notices };
      }
      case 'pause':
        if (!running) notices.push({ severity: 'info', text: `It is not running (${inspect.State.Status}): there is nothing to freeze.` });
        else if (before.paused)
          notices.push({ severity: 'info', text: 'It was already paused before quarantine: release leaves it paused.' });
        notices.push({ severity: 'info', text: 'Peers see its connections stall; their timers keep running and may close them.' });
        return {
          mode,
          action: 'Freeze every process with the cgroup freezer. Memory, open files and sockets are kept as they are; release unpauses it.',
          alreadyDone: done(mode),
          notices,
        };
      case 'snapshot': {
        const mounts = (inspect.Mounts ?? []).map((m) => m.Destination);
        if (mounts.length)
          notices.push({
            severity: 'warning',
            text: `Volumes and bind mounts are not part of a commit: ${mounts.join(', ')}. Collect them separately.`,
          });
        const ref = forensicImageRef(name, existing?.id ?? 'q-<id>');
        const blocked = input.kase
          ? undefined
          : (input.caseProblem ?? 'No open case to store the filesystem export in: create or open one.');
        return {
          mode,
          action: `Commit its filesystem to the image ${ref} labelled drydock.forensic (without pausing it), then stream that filesystem as a tar into case ${input.kase?.name ?? '(none)'} as a filesystem-export artifact. The image is kept after release.`,
          alreadyDone: done(mode),
          ...(blocked ? { blocked } : {}),
          notices,
        };
      }
      case 'stop': {
        notices.push({
          severity: 'danger',
          text: 'Memory is lost: running processes, decrypted payloads, keys and live connections cannot be examined afterwards. Take a process snapshot, a capture and a snapshot first.',
        });
        const autoRemoveBlocked =
          before.autoRemove && !modes.includes('snapshot') && !done('snapshot')
            ? 'Started with --rm: stopping deletes it. Add the snapshot mode (it runs before stop) or do not stop it.'
            : undefined;
        return {
          mode,
          action: running
            ? 'Stop it (SIGTERM, then SIGKILL after 10 seconds). Release starts it again.'
            : `Nothing to stop: it is ${inspect.State.Status}.`,
          alreadyDone: done(mode),
          ...(autoRemoveBlocked ? { blocked: autoRemoveBlocked } : {}),
          notices,
        };
      }
    }
  });
  return {
    host: input.host,
    containerId: inspect.Id,
    containerName: name,
    status: inspect.State.Paused ? 'paused' : inspect.State.Status,
    ...(existing
      ? { existing: { recordId: existing.id, state: existing.state, modes: existing.modes, createdAt: existing.createdAt } }
      : {}),
    steps,
    notices: [...containmentNotices(escapes, modes), ...peerNotices(input.peers, modes), ...containerNotices(inspect, modes)],
    networks: before.networks,
    sharedNetworkNamespace: input.peers,
    isolationEscapes: escapes,
    ...(input.kase ? { caseName: input.kase.name } : {}),
  };
}
