import type { JournalEntry } from '../../../shared/domain/journal';
import type { LogsAcquisition, LogsFollowSetting } from '../../../shared/domain/logs';
import type { AuditFn } from '../audit-fn';
import { toDrydockError } from '../errors';
import type { Db } from '../store/database';

/** The slice of the evidence service the follower needs: which case is open. */
export interface FollowerCases {
  currentCase(): Promise<{ id: string; name: string; status: string; readOnly: boolean; createdAt: string } | null>;
  resolveCase(ref?: string): Promise<{ id: string; name: string }>;
}

export interface LogFollowerDeps {
  db: Db;
  cases: FollowerCases;
  /** LogsService.acquire. */
  acquire(request: {
    host: string;
    container: string;
    caseRef: string;
    since?: string;
    follow: true;
    signal: AbortSignal;
    trigger: string;
    onStreaming: () => void;
  }): Promise<LogsAcquisition>;
  /** Off in one-shot commands: only the app, `drydock serve` and `drydock watch` follow logs. */
  enabled: boolean;
  /** Whether a container is one of this store's own helpers (by recorded ID): their logs are not followed. */
  isHelper?: (containerId: string) => boolean;
  audit: AuditFn;
}

/** More followed streams than this at once (a burst of starts) are recorded as not followed, not queued without bound. */
export const MAX_FOLLOWED = 256;

/**
 * Follows, from its `start` event, the logs of every container that starts on a journaled host,
 * into the open case (unless the case turned it off), through the engine's logs endpoint with
 * follow=true: the log driver's file is read, the container itself is not touched (Drydock does
 * not attach to it: an attached reader sits in the container's output path, and Docker 20.10 was
 * seen hanging in its exit handling with an attach in flight). The read starts at the container's
 * create (or its previous run's die) in engine time, so lines written before the stream opened
 * are kept; the engine ends the stream when the container stops. A container removed before its
 * stream opened (`docker run --rm` of a one-second dropper) leaves no logs to read: that is
 * recorded in the case ('logs.follow-failed'), and its journal entries stand. Starts from before
 * the case was created (the engine's replay on connecting) and Drydock's own helpers are not
 * followed. With no open case nothing is followed (the journal still records the events): there
 * is no case to put the logs in, and Drydock does not open one unasked.
 */
export class LogFollower {
  private readonly active = new Map<string, Promise<void>>();
  private readonly open = new Set<string>();
  /** Per container, the engine time its next run's output can begin at: its create, or its last die. */
  private readonly boundary = new Map<string, string>();
  private readonly abort = new AbortController();
  private closed = false;

  constructor(private readonly deps: LogFollowerDeps) {}

  /** The case's setting (its current value; on unless turned off). @throws DrydockFailure('not-found') for an unknown case. */
  async setting(caseRef?: string, followOnStart?: boolean): Promise<LogsFollowSetting> {
    const kase = await this.deps.cases.resolveCase(caseRef);
    if (followOnStart !== undefined) {
      this.deps.db
        .prepare(
          'INSERT INTO logs_case_settings (case_id, follow_on_start) VALUES (?, ?) ON CONFLICT (case_id) DO UPDATE SET follow_on_start = excluded.follow_on_start',
        )
        .run(kase.id, followOnStart ? 1 : 0);
      this.deps.audit('logs.follow-setting', { followOnStart }, kase.id);
    }
    return { caseId: kase.id, caseName: kase.name, followOnStart: this.followsFor(kase.id) };
  }

  /** Hands a journal entry to the follower: a container's `start` opens a followed read. */
  onJournalEntry(entry: JournalEntry): void {
    if (!this.deps.enabled || this.closed || entry.kind !== 'event' || entry.type !== 'container') return;
    const key = `${entry.host}\u0000${entry.actorId}`;
    if (entry.action === 'create' || entry.action === 'die') {
      this.boundary.set(key, entry.timeNano);
      return;
    }
    if (entry.action === 'destroy') {
      this.boundary.delete(key);
      return;
    }
    if (entry.action !== 'start' || this.active.has(key) || this.deps.isHelper?.(entry.actorId)) return;
    const work = this.follow(key, entry).finally(() => {
      this.active.delete(key);
      this.open.delete(key);
    });
    this.active.set(key, work);
  }

  /** How many containers' logs are being followed now (from their start event on). */
  get following(): number {
    return this.active.size;
  }

  /** How many followed containers' logs streams are open now (their lines are being read). */
  get streaming(): number {
    return this.open.size;
  }

  /** Stops every followed read (each keeps its lines as an incomplete artifact) and waits for them. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    await Promise.allSettled([...this.active.values()]);
  }

  private followsFor(caseId: string): boolean {
    const row = this.deps.db.prepare('SELECT follow_on_start FROM logs_case_settings WHERE case_id = ?').get(caseId) as
      { follow_on_start: number } | undefined;
    return row ? row.follow_on_start === 1 : true;
  }

  /** The open case that follows this event's container, or null. */
  private async followingCase(entry: JournalEntry): Promise<{ id: string; name: string } | null> {
    const kase = await this.deps.cases.currentCase().catch(() => null);
    if (!kase || kase.status !== 'open' || kase.readOnly || !this.followsFor(kase.id)) return null;
    // An event the engine replayed from before the case was opened is not the case's to follow.
    if (Date.parse(entry.time.replace(/\.(\d{3})\d*Z$/, '.$1Z')) < Date.parse(kase.createdAt)) return null;
    return kase;
  }

  private async follow(key: string, entry: JournalEntry): Promise<void> {
    const kase = await this.followingCase(entry);
    if (!kase) return;
    const container = entry.name ?? entry.actorId;
    if (this.active.size > MAX_FOLLOWED) {
      this.deps.audit(
        'logs.follow-skipped',
        {
          host: entry.host,
          containerId: entry.actorId,
          containerName: container,
          reason: `more than ${MAX_FOLLOWED} containers followed at once`,
        },
        kase.id,
      );
      return;
    }
    // A process writes before the engine emits its start event: read from the container's create
    // (or its previous run's die), else everything the engine kept.
    const from = this.boundary.get(key);
    try {
      await this.deps.acquire({
        host: entry.host,
        container: entry.actorId,
        caseRef: kase.id,
        ...(from !== undefined ? { since: nanoToEngineSeconds(from) } : {}),
        follow: true,
        signal: this.abort.signal,
        trigger: `journal: container start at ${entry.time}`,
        onStreaming: () => this.open.add(key),
      });
    } catch (err) {
      // A container removed before its stream opened, a driver that cannot be read: a fact of the case.
      const error = toDrydockError(err);
      this.deps.audit(
        'logs.follow-failed',
        {
          host: entry.host,
          containerId: entry.actorId,
          containerName: container,
          startedAt: entry.time,
          kind: error.kind,
          message: error.message,
        },
        kase.id,
      );
    }
  }
}

/** Engine nanoseconds (decimal string) as the logs endpoint's since: "seconds.nanoseconds". */
export function nanoToEngineSeconds(timeNano: string): string {
  const padded = timeNano.padStart(10, '0');
  return `${padded.slice(0, -9)}.${padded.slice(-9)}`;
}
