import type Dockerode from 'dockerode';
import type { AuditEntry } from '../../../shared/domain/evidence';
import type { AuditFn } from '../audit-fn';
import type { HelperLedger } from './ledger';
import { judgeOwner, thisProcessOwner, type HelperOwner } from './owner';

/**
 * The audit actions a pause sweep reads: the memory helper's creation (its ledger row names the
 * owning process), the pause, and what closes a pause (the unpause, a failed unpause, or a pause
 * this sweep found ended outside Drydock).
 */
export const PAUSE_SWEEP_ACTIONS = [
  'helper.created',
  'memory.container-paused',
  'memory.container-unpaused',
  'memory.unpause-failed',
  'memory.pause-settled',
] as const;

/** A container a memory acquisition paused (memory.container-paused) that nothing recorded as unpaused since. */
export interface OpenPause {
  containerId: string;
  containerName: string;
  acquisitionId: string;
  /** The pause entry's time (ISO 8601) and case (null: the store's own chain). */
  pausedAt: string;
  caseId: string | null;
  /** The owner of the acquisition's memory helper, from the helper ledger (the pause itself names none). */
  owner: HelperOwner;
  /** After this ISO time the helper (and so the read it froze the container for) is past its deadline. */
  deadline: string;
  /** False for a pause inferred from a --pause acquisition whose process died (see PauseIntent): the pause itself was not recorded. */
  recorded: boolean;
}

/**
 * A --pause memory acquisition whose Drydock process died mid-read (its image still pending, or
 * recovered as incomplete at a later start): the process may have paused the container and died
 * before recording it (the pause is audited after the engine's answer), so it is a pause to check.
 */
export interface PauseIntent {
  acquisitionId: string;
  containerId: string;
  containerName: string;
  caseId: string;
  /** When its image was opened (ISO 8601): before its helper was created, and before any pause. */
  at: string;
}

export interface PauseSweepResult {
  /** Containers unpaused because the Drydock process that paused them is gone; `reason` says whose pause it was. */
  unpaused: { containerId: string; containerName: string; acquisitionId: string; pausedAt: string; reason: string }[];
  /** Pauses of a gone process this sweep could not undo (the engine refused the unpause): tried again next sweep. */
  failed: { containerId: string; containerName: string; acquisitionId: string; error: string }[];
  /** Pauses found already ended (container unpaused outside Drydock, restarted or removed): recorded, left alone. */
  settled: { containerId: string; containerName: string; acquisitionId: string; reason: string }[];
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The pauses on `host` that no later entry closes, each with the owner of the memory helper its
 * acquisition created for that container just before (the last 'helper.created' of purpose 'memory'
 * for the same target in the same chain, whose ledger row is this store's own on that host).
 * A pause with no such row (an imported case, a hand-edited log) is not Drydock's to undo here: left out.
 * `entries`: the PAUSE_SWEEP_ACTIONS entries of every chain.
 */
export function openPauses(
  entries: Iterable<AuditEntry>,
  host: string,
  ledger: HelperLedger,
  intents: readonly PauseIntent[] = [],
): OpenPause[] {
  const sorted = [...entries].sort((a, b) => (a.caseId ?? '').localeCompare(b.caseId ?? '') || a.seq - b.seq);
  /** `${chain} ${target}` → the last memory helper created for that target in that chain. */
  const lastHelper = new Map<string, string>();
  /** `${chain} ${target}` → every memory helper created for that target in that chain, in order. */
  const helpers = new Map<string, { containerId: string; at: string }[]>();
  /** Acquisitions the audit log tells about: their own entries decide. */
  const audited = new Set<string>();
  const open = new Map<string, OpenPause>();
  for (const entry of sorted) {
    const d = entry.details;
    if (text(d.host) !== host) continue;
    const chain = entry.caseId ?? '';
    if (entry.action === 'helper.created') {
      if (d.purpose !== 'memory') continue;
      const key = `${chain} ${text(d.target)}`;
      lastHelper.set(key, text(d.containerId));
      helpers.set(key, [...(helpers.get(key) ?? []), { containerId: text(d.containerId), at: entry.at }]);
      continue;
    }
    const acquisitionId = text(d.acquisitionId);
    if (!acquisitionId) continue;
    audited.add(acquisitionId);
    if (entry.action !== 'memory.container-paused') {
      open.delete(acquisitionId);
      continue;
    }
    const containerId = text(d.containerId);
    const record = ledger.get(lastHelper.get(`${chain} ${containerId}`) ?? '');
    if (!record || record.host !== host || record.target !== containerId) continue;
    open.set(acquisitionId, {
      containerId,
      containerName: text(d.containerName),
      acquisitionId,
      pausedAt: entry.at,
      caseId: entry.caseId,
      owner: record.owner,
      deadline: record.deadline,
      recorded: true,
    });
  }
  for (const intent of intents) {
    if (audited.has(intent.acquisitionId) || open.has(intent.acquisitionId)) continue;
    // Its helper: the first memory helper for that container in its case created after its image was opened.
    const helper = (helpers.get(`${intent.caseId} ${intent.containerId}`) ?? []).find((h) => h.at >= intent.at);
    const record = ledger.get(helper?.containerId ?? '');
    if (!record || record.host !== host || record.target !== intent.containerId) continue;
    open.set(intent.acquisitionId, {
      containerId: intent.containerId,
      containerName: intent.containerName,
      acquisitionId: intent.acquisitionId,
      pausedAt: intent.at,
      caseId: intent.caseId,
      owner: record.owner,
      deadline: record.deadline,
      recorded: false,
    });
  }
  return [...open.values()];
}

/**
 * Unpauses the containers a Drydock process paused for a memory read and died before thawing
 * (kill -9, power loss): of the open pauses on `host` (recorded, or inferred from a dead --pause
 * read), those whose owner on this machine is gone (pid and process start time, as for helpers) or,
 * for an owner on another machine, whose helper's deadline has passed. Each is inspected first: one no longer paused, or started after the pause (its pause is
 * not Drydock's), is recorded as settled ('memory.pause-settled') and left alone; one still paused is
 * unpaused and audited ('memory.container-unpaused', `by: 'helper-sweep'`) in the pause's case.
 * Engine errors of one container are returned in `failed`, never thrown.
 */
export async function unpauseAbandoned(
  docker: Dockerode,
  host: string,
  pauses: OpenPause[],
  audit: AuditFn,
  options: { self?: HelperOwner; now?: Date } = {},
): Promise<PauseSweepResult> {
  const self = options.self ?? thisProcessOwner;
  const now = options.now ?? new Date();
  const result: PauseSweepResult = { unpaused: [], failed: [], settled: [] };
  for (const pause of pauses) {
    const verdict = judgeOwner(pause.owner, self);
    const paused = pause.recorded
      ? `paused it for memory acquisition ${pause.acquisitionId} at ${pause.pausedAt}`
      : `was reading it with --pause (memory acquisition ${pause.acquisitionId}, begun at ${pause.pausedAt}; the pause itself was not recorded)`;
    const why =
      verdict === 'gone'
        ? `Drydock process ${pause.owner.pid} on ${pause.owner.machine}, which ${paused}, is gone`
        : verdict === 'unknown' && Date.parse(pause.deadline) < now.getTime()
          ? `Drydock process ${pause.owner.pid} on ${pause.owner.machine}, which ${paused}, is past its deadline ${pause.deadline}`
          : undefined;
    if (why === undefined) continue;
    const details = { host, containerId: pause.containerId, containerName: pause.containerName, acquisitionId: pause.acquisitionId };
    const caseId = pause.caseId ?? undefined;
    const settle = (reason: string) => {
      audit('memory.pause-settled', { ...details, by: 'helper-sweep', reason }, caseId);
      result.settled.push({ ...details, reason });
    };
    let state: { Paused?: boolean; StartedAt?: string };
    try {
      state = (await docker.getContainer(pause.containerId).inspect()).State;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) settle(`${why}; the container is gone`);
      else result.failed.push({ ...details, error: (err as Error).message });
      continue;
    }
    if (!state.Paused) {
      settle(`${why}; the container was found not paused${pause.recorded ? ' (unpaused outside Drydock)' : ''}: left alone`);
      continue;
    }
    if (state.StartedAt && Date.parse(state.StartedAt) > Date.parse(pause.pausedAt)) {
      settle(
        `${why}; the container started again at ${state.StartedAt}, after that pause: its pause now is not Drydock's and is left alone`,
      );
      continue;
    }
    try {
      await docker.getContainer(pause.containerId).unpause();
    } catch (err) {
      result.failed.push({ ...details, error: (err as Error).message });
      continue;
    }
    const reason = `${why}: unpaused by the helper sweep`;
    audit('memory.container-unpaused', { ...details, by: 'helper-sweep', reason }, caseId);
    result.unpaused.push({ ...details, pausedAt: pause.pausedAt, reason });
  }
  return result;
}
