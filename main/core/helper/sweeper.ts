import type Dockerode from 'dockerode';
import { HELPER_LABEL, LABELS, ownerFromLabels } from './container';
import { judgeOwner, thisProcessOwner, type HelperOwner } from './owner';

export interface SweepOptions {
  /** Helper IDs this process is using right now (never swept). */
  active: ReadonlySet<string>;
  self?: HelperOwner;
  now?: Date;
}

export interface SweepDecision {
  containerId: string;
  name: string;
  helperId: string;
  purpose: string;
  reason: string;
}

/**
 * Which labelled helpers on a host are abandoned: their owner on this machine is gone (crash,
 * kill -9, a dropped connection that never came back), or this process owns them but no longer
 * uses them, or — whoever owns them, even another examiner's laptop — their deadline has passed.
 * A helper owned by a live process elsewhere is left alone until its deadline.
 */
export async function findAbandonedHelpers(docker: Dockerode, options: SweepOptions): Promise<{ abandoned: SweepDecision[]; kept: number }> {
  const self = options.self ?? thisProcessOwner;
  const now = options.now ?? new Date();
  const containers = await docker.listContainers({ all: true, filters: { label: [HELPER_LABEL] } });
  const abandoned: SweepDecision[] = [];
  let kept = 0;
  for (const summary of containers) {
    const labels = summary.Labels ?? {};
    const helperId = labels[LABELS.id] ?? '';
    const decision = (reason: string) => abandoned.push({ containerId: summary.Id, name: (summary.Names?.[0] ?? '').replace(/^\//, ''), helperId, purpose: labels[HELPER_LABEL] ?? '', reason });
    const deadline = Date.parse(labels[LABELS.deadline] ?? '');
    const owner = ownerFromLabels(labels);
    if (!owner) {
      decision('no owner labels');
      continue;
    }
    const verdict = judgeOwner(owner, self);
    if (verdict === 'this-process') {
      if (options.active.has(helperId)) kept++;
      else decision('left over by this Drydock process');
    } else if (verdict === 'gone') {
      decision(`owner process ${owner.pid} on ${owner.machine} is gone`);
    } else if (Number.isFinite(deadline) && deadline < now.getTime()) {
      decision(`past its deadline ${new Date(deadline).toISOString()}`);
    } else {
      kept++;
    }
  }
  return { abandoned, kept };
}

/** Removes what findAbandonedHelpers chose; a helper already gone counts as removed. */
export async function sweepHelpers(docker: Dockerode, options: SweepOptions): Promise<{ removed: SweepDecision[]; kept: number; failed: { decision: SweepDecision; error: string }[] }> {
  const { abandoned, kept } = await findAbandonedHelpers(docker, options);
  const removed: SweepDecision[] = [];
  const failed: { decision: SweepDecision; error: string }[] = [];
  for (const decision of abandoned) {
    try {
      await docker.getContainer(decision.containerId).remove({ force: true });
      removed.push(decision);
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status === 404 || status === 409) removed.push(decision);
      else failed.push({ decision, error: (err as Error).message });
    }
  }
  return { removed, kept, failed };
}
