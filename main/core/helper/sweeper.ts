import type Dockerode from 'dockerode';
import { HELPER_LABEL } from './container';
import type { HelperLedger } from './ledger';
import { judgeOwner, thisProcessOwner, type HelperOwner } from './owner';

export interface SweepOptions {
  /** Helper container IDs this process is using right now besides the ledger's live ones (never swept). */
  active?: ReadonlySet<string>;
  self?: HelperOwner;
  now?: Date;
}

export interface SweepDecision {
  containerId: string;
  name: string;
  helperId: string;
  purpose: string;
  reason: string;
  /** A scratch volume (containerId and name are then its name), removed after the containers. */
  volume?: true;
}

/** A container that claims to be a Drydock helper but is not one Drydock recorded: kept, reported. */
export interface Impersonator {
  containerId: string;
  name: string;
  reason: string;
}

export interface SweepPlan {
  abandoned: SweepDecision[];
  kept: number;
  impersonators: Impersonator[];
}

/**
 * Which of Drydock's recorded helpers (containers and scratch volumes) on a host are abandoned: their owner on this machine is gone
 * (crash, kill -9, a dropped connection that never came back), or this process owns them but no
 * longer uses them, or — whoever owns them — their recorded deadline has passed. Only containers
 * whose IDs the ledger recorded, with the image and owner still matching, are ever chosen;
 * containers that merely carry Drydock's labels or names are listed as impersonators and left alone.
 */
export async function findAbandonedHelpers(
  docker: Dockerode,
  host: string,
  ledger: HelperLedger,
  options: SweepOptions = {},
): Promise<SweepPlan> {
  const self = options.self ?? thisProcessOwner;
  const now = options.now ?? new Date();
  const containers = await docker.listContainers({ all: true });
  const abandoned: SweepDecision[] = [];
  const impersonators: Impersonator[] = [];
  const present = new Set<string>();
  let kept = 0;
  for (const summary of containers) {
    present.add(summary.Id);
    const name = (summary.Names?.[0] ?? '').replace(/^\//, '');
    const verdict = ledger.judge({ id: summary.Id, imageId: summary.ImageID, name, labels: summary.Labels });
    if (verdict.kind === 'impersonator') impersonators.push({ containerId: summary.Id, name, reason: verdict.reason });
    if (verdict.kind !== 'helper') continue;
    const { record } = verdict;
    const decision = (reason: string) =>
      abandoned.push({ containerId: summary.Id, name, helperId: record.helperId, purpose: record.purpose, reason });
    const owner = judgeOwner(record.owner, self);
    if (owner === 'this-process') {
      if (ledger.isLive(summary.Id) || options.active?.has(summary.Id)) kept++;
      else decision('left over by this Drydock process');
    } else if (owner === 'gone') {
      decision(`owner process ${record.owner.pid} on ${record.owner.machine} is gone`);
    } else if (Date.parse(record.deadline) < now.getTime()) {
      decision(`past its deadline ${record.deadline}`);
    } else {
      kept++;
    }
  }
  // Recorded helpers the engine no longer lists went away on their own (AutoRemove, a host reset).
  for (const record of ledger.open(host))
    if (!present.has(record.containerId)) ledger.removed(host, record.containerId, 'no longer on the host');
  // Scratch volumes, judged alike: recorded by name on this host, owner labels matching.
  const open = ledger.openVolumes(host);
  if (open.length > 0) {
    const listed = (await docker.listVolumes({ filters: JSON.stringify({ label: [HELPER_LABEL] }) })) as {
      Volumes?: { Name?: unknown; Labels?: Record<string, string> | null }[] | null;
    };
    const volumes = new Set<string>();
    for (const volume of listed.Volumes ?? []) {
      if (typeof volume.Name !== 'string') continue;
      volumes.add(volume.Name);
      const record = ledger.judgeVolume(host, volume.Name, volume.Labels ?? undefined);
      if (!record) continue;
      const decision = (reason: string) =>
        abandoned.push({
          containerId: volume.Name as string,
          name: volume.Name as string,
          helperId: record.helperId,
          purpose: record.purpose,
          reason,
          volume: true,
        });
      const owner = judgeOwner(record.owner, self);
      if (owner === 'this-process') {
        if (ledger.isLiveVolume(volume.Name)) kept++;
        else decision('scratch volume left over by this Drydock process');
      } else if (owner === 'gone')
        decision(`scratch volume of owner process ${record.owner.pid} on ${record.owner.machine}, which is gone`);
      else if (Date.parse(record.deadline) < now.getTime()) decision(`scratch volume past its deadline ${record.deadline}`);
      else kept++;
    }
    for (const record of open) if (!volumes.has(record.name)) ledger.volumeRemoved(host, record.name, 'no longer on the host');
  }
  // Containers first: a volume still mounted by one cannot be removed.
  abandoned.sort((a, b) => Number(a.volume === true) - Number(b.volume === true));
  return { abandoned, kept, impersonators };
}

/** Removes what findAbandonedHelpers chose (each removal recorded and audited); a helper already gone counts as removed. */
export async function sweepHelpers(
  docker: Dockerode,
  host: string,
  ledger: HelperLedger,
  options: SweepOptions = {},
): Promise<{
  removed: SweepDecision[];
  kept: number;
  impersonators: Impersonator[];
  failed: { decision: SweepDecision; error: string }[];
}> {
  const { abandoned, kept, impersonators } = await findAbandonedHelpers(docker, host, ledger, options);
  const removed: SweepDecision[] = [];
  const failed: { decision: SweepDecision; error: string }[] = [];
  for (const decision of abandoned) {
    try {
      if (decision.volume) await ledger.removeVolume(docker, host, decision.containerId, `swept: ${decision.reason}`);
      else await ledger.remove(docker, host, decision.containerId, `swept: ${decision.reason}`);
      removed.push(decision);
    } catch (err) {
      failed.push({ decision, error: (err as Error).message });
    }
  }
  return { removed, kept, impersonators, failed };
}
