import type { PauseIntent } from '../helper/pause-sweep';
import type { Db } from '../store/database';

interface Source {
  host?: unknown;
  containerId?: unknown;
  containerName?: unknown;
}

interface Attributes {
  acquisitionId?: unknown;
  paused?: unknown;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** What a stored JSON column holds, or {} when it does not parse (a hand-edited row is no intent). */
function parsed<T>(json: string): T | Record<string, never> {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' ? (value as T) : {};
  } catch {
    return {};
  }
}

/**
 * The --pause memory acquisitions on `host` whose Drydock process died mid-read, read from the
 * evidence store: images still pending (their writer's process gone or not: the helper's owner is
 * judged later) and images a later start recovered as incomplete ("Drydock stopped (process N
 * ended)…"). Each names its acquisition, container, case and when its image was opened.
 */
export function pauseIntents(db: Db, host: string): PauseIntent[] {
  const intents: PauseIntent[] = [];
  const add = (caseId: string, source: Source, attributes: Attributes, at: string) => {
    if (attributes.paused !== true || text(source.host) !== host || !text(attributes.acquisitionId) || !text(source.containerId)) return;
    intents.push({
      acquisitionId: text(attributes.acquisitionId),
      containerId: text(source.containerId),
      containerName: text(source.containerName),
      caseId,
      at,
    });
  };
  // Pending first: a start recovering one meanwhile moves it into artifacts in one transaction, read next.
  const pending = db
    .prepare<[], { case_id: string; meta_json: string; started_at: string }>('SELECT case_id, meta_json, started_at FROM pending_writes')
    .all();
  for (const row of pending) {
    const meta = parsed<{ kind?: unknown; source?: Source; attributes?: Attributes }>(row.meta_json);
    if (meta.kind === 'memory-image') add(row.case_id, meta.source ?? {}, meta.attributes ?? {}, row.started_at);
  }
  const recovered = db
    .prepare<[], { case_id: string; source_json: string; attributes_json: string; acquired_at: string }>(
      "SELECT case_id, source_json, attributes_json, acquired_at FROM artifacts WHERE kind = 'memory-image' AND status = 'incomplete' AND status_reason LIKE 'Drydock stopped (process %'",
    )
    .all();
  for (const row of recovered) add(row.case_id, parsed<Source>(row.source_json), parsed<Attributes>(row.attributes_json), row.acquired_at);
  return intents;
}
