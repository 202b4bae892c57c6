import type Dockerode from 'dockerode';
import { engineCall } from '../hosts/engine-call';
import { isoToNano } from '../time-nano';
import type { NewJournalEntry } from './journal-store';

/** The attribute that marks an entry reconstructed from inspect rather than sent as an event. */
export const RECONSTRUCTED = 'drydock.reconstructed';

/** Containers inspected at most per rebuild (a host with more is rebuilt for these, and says so). */
const MAX_INSPECT = 5000;

/**
 * After an event gap, what the engine still knows about the stretch: every container that exists
 * now is inspected, and each of its lifecycle times that falls inside the gap — Created,
 * State.StartedAt, State.FinishedAt (with the exit code, OOM-killed flag) — becomes a journal
 * entry marked `drydock.reconstructed`, with the limits said in its note. What the engine no longer
 * holds (containers created and removed inside the gap, earlier starts overwritten by a restart,
 * execs) cannot be rebuilt: the gap entry stands for it.
 * @returns the entries to append, and how many containers were inspected.
 * @throws DrydockFailure naming the host when the engine cannot list its containers.
 */
export async function rebuildAfterGap(
  docker: Dockerode,
  host: string,
  from: bigint,
  to: bigint,
  receivedAt: string,
  signal: AbortSignal,
): Promise<{ entries: NewJournalEntry[]; inspected: number; skipped: number }> {
  const list = await engineCall({ host, action: 'listing containers to rebuild the journal after a gap' }, () =>
    docker.listContainers({ all: true, abortSignal: signal }),
  );
  const entries: NewJournalEntry[] = [];
  let inspected = 0;
  for (const summary of list.slice(0, MAX_INSPECT)) {
    if (signal.aborted) break;
    let info: Awaited<ReturnType<Dockerode.Container['inspect']>>;
    try {
      info = await docker.getContainer(summary.Id).inspect({ abortSignal: signal });
    } catch {
      continue; // Removed since the list: nothing the engine still knows.
    }
    inspected++;
    const name = info.Name.replace(/^\//, '');
    const base = { name, image: info.Config.Image, [RECONSTRUCTED]: 'inspect after an event gap' };
    const note =
      "Reconstructed from the container's inspect after an event gap, not sent by the engine as an event: inspect keeps only the latest create, start and finish times (a restart overwrites them)";
    const at = (time: string | undefined): bigint | undefined => {
      if (!time || time.startsWith('0001-01-01')) return undefined;
      const nano = isoToNano(time);
      return nano !== undefined && nano > from && nano <= to ? nano : undefined;
    };
    const created = at(info.Created);
    const started = at(info.State.StartedAt);
    const finished = at(info.State.FinishedAt);
    const entry = (timeNano: bigint, action: string, extra: Partial<NewJournalEntry> = {}): NewJournalEntry => ({
      host,
      kind: 'event',
      timeNano,
      receivedAt,
      type: 'container',
      action,
      actorId: info.Id,
      name,
      attributes: base,
      note,
      ...extra,
    });
    if (created !== undefined) entries.push(entry(created, 'create'));
    if (started !== undefined) entries.push(entry(started, 'start'));
    if (finished !== undefined && !info.State.Running)
      entries.push(
        entry(finished, info.State.OOMKilled ? 'oom' : 'die', {
          exitCode: info.State.ExitCode,
          attributes: { ...base, exitCode: String(info.State.ExitCode) },
        }),
      );
  }
  return { entries, inspected, skipped: Math.max(0, list.length - MAX_INSPECT) };
}
