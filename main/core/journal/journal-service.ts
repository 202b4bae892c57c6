import type Dockerode from 'dockerode';
import type { JournalEntry, JournalStatus } from '../../../shared/domain/journal';
import type { HostStatus } from '../../../shared/domain/hosts';
import type { AuditFn } from '../audit-fn';
import type { Clock } from '../clock';
import { toDrydockError } from '../errors';
import type { EventHub } from '../event-hub';
import { engineCall, type DockerSource } from '../hosts/engine-call';
import type { EngineEvent } from '../hosts/engine-events';
import type { Db } from '../store/database';
import { JournalStore, nanoToIso, type NewJournalEntry } from './journal-store';
import { rebuildAfterGap } from './gap-rebuild';
import { engineNow, readReplay, replayGap } from './replay';

/** The slice of the host service the journal needs: the clients, the live events, connecting. */
export interface JournalHosts extends DockerSource {
  onEngineEvent(listener: (host: string, event: EngineEvent) => void): () => void;
  connect(host: string): Promise<unknown>;
  isConnected(host: string): boolean;
}

export interface JournalServiceDeps {
  db: Db;
  hosts: JournalHosts;
  events: EventHub;
  clock: Clock;
  audit: AuditFn;
}

/** One connection period of a host: from (re)connecting until the engine's replay has been read. */
interface Period {
  /** While pending, live events wait in `buffer` so the replay check sees the journal as it was. */
  pending: boolean;
  anchor: bigint | undefined;
  buffer: { event: EngineEvent; receivedAt: string }[];
  caughtUp: Promise<void>;
  done: () => void;
}

/**
 * The per-host event journal. While a host is connected every engine event is appended (engine
 * timeNano and the time received; exit codes, exec IDs and command lines picked out), each
 * exec_create is inspected at once for its user and exact argv, and on every (re)connect the
 * engine's replay since the journal's last event is read: when it does not reach back to that
 * event (the engine keeps only the last 256; moby/moby#30502) a 'gap' entry states the stretch
 * the journal cannot vouch for.
 */
export class JournalService {
  private readonly store: JournalStore;
  private readonly periods = new Map<string, Period>();
  private readonly queue: NewJournalEntry[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private readonly unsubscribe: (() => void)[] = [];
  private closed = false;

  constructor(private readonly deps: JournalServiceDeps) {
    this.store = new JournalStore(deps.db);
    this.unsubscribe.push(
      deps.hosts.onEngineEvent((host, event) => this.received(host, event)),
      deps.events.subscribe((name, payload) => {
        if (name === 'host.status') this.onStatus(payload as HostStatus);
      }),
    );
  }

  /**
   * Connects `host` if it is not, and resolves once its replay has been read (and any gap
   * recorded), so every later event is journaled live.
   * @throws DrydockFailure from connecting (not-found, unreachable, tls...).
   */
  async watch(host: string): Promise<JournalStatus> {
    await this.deps.hosts.connect(host);
    await this.periods.get(host)?.caughtUp;
    return this.status(host);
  }

  /** How much of `host` is journaled, and whether it is being journaled now. */
  status(host: string): JournalStatus {
    this.commit();
    const counts = this.store.counts(host);
    const last = this.store.lastEvent(host);
    return {
      host,
      journaling: this.deps.hosts.isConnected(host),
      ...counts,
      ...(last !== undefined ? { lastEventTime: nanoToIso(last) } : {}),
    };
  }

  /** The host's journal in engine-time order (ties in arrival order), at most `limit` rows after `afterSeq`. */
  entries(host: string, afterSeq: number | undefined, limit: number): JournalEntry[] {
    this.commit();
    return this.store.list(host, afterSeq, limit);
  }

  /**
   * A page of the host's journal within [fromNano, toNano] engine time (nanoseconds), in engine-time
   * order after the entry `after` names: the timeline reads a case's window of each host with it.
   */
  entriesBetween(
    host: string,
    fromNano: bigint,
    toNano: bigint,
    after: { timeNano: bigint; seq: number } | undefined,
    limit: number,
  ): JournalEntry[] {
    this.commit();
    return this.store.between(host, fromNano, toNano, after, limit);
  }

  /** The host's entries added after row `afterSeq` (insertion order): what the timeline adds to a built case. */
  entriesAddedAfter(host: string, afterSeq: number, limit: number): JournalEntry[] {
    this.commit();
    return this.store.addedAfter(host, afterSeq, limit);
  }

  /** Changes whenever any host's journal grows (the timeline's staleness check). */
  revision(): number {
    this.commit();
    return this.store.maxSeq();
  }

  async close(): Promise<void> {
    this.commit();
    this.closed = true;
    this.abort.abort();
    for (const off of this.unsubscribe) off();
    for (const period of this.periods.values()) period.done();
    await Promise.allSettled([...this.pending]);
  }

  private onStatus(status: HostStatus): void {
    if (this.closed) return;
    const host = status.name;
    if (status.state === 'connecting' || status.state === 'reconnecting') this.beginPeriod(host);
    else if (status.state === 'connected') {
      const period = this.periods.get(host) ?? this.beginPeriod(host);
      if (period.pending) this.track(this.catchUp(host, period));
    } else this.endPeriod(host);
  }

  private beginPeriod(host: string): Period {
    this.endPeriod(host);
    let done: () => void = () => undefined;
    const caughtUp = new Promise<void>((resolve) => (done = resolve));
    this.commit();
    const period: Period = { pending: true, anchor: this.store.lastEvent(host), buffer: [], caughtUp, done };
    this.periods.set(host, period);
    return period;
  }

  /** Journals what a period held back and forgets it. */
  private endPeriod(host: string): void {
    const period = this.periods.get(host);
    if (!period) return;
    this.periods.delete(host);
    this.flush(host, period);
    period.done();
  }

  private flush(host: string, period: Period): void {
    period.pending = false;
    for (const { event, receivedAt } of period.buffer.splice(0)) this.record(host, event, receivedAt);
  }

  private received(host: string, event: EngineEvent): void {
    if (this.closed) return;
    const receivedAt = this.deps.clock.now().toISOString();
    const period = this.periods.get(host);
    if (period?.pending) period.buffer.push({ event, receivedAt });
    else this.record(host, event, receivedAt);
  }

  /**
   * Reads the engine's replay from the journal's last event to now, journals it, and records a
   * gap when it does not reach back to that event; then lets the held-back live events through.
   */
  private async catchUp(host: string, period: Period): Promise<void> {
    let untilNano = BigInt(this.deps.clock.now().getTime()) * 1_000_000n;
    try {
      const docker = await this.deps.hosts.docker(host);
      untilNano = (await engineNow(docker, this.abort.signal)) ?? untilNano;
      const replay = await readReplay(docker, host, period.anchor, untilNano, this.abort.signal);
      if (this.closed || this.periods.get(host) !== period) return;
      const receivedAt = this.deps.clock.now().toISOString();
      for (const event of replay.events) this.record(host, event, receivedAt);
      const gap = replayGap(period.anchor, replay, untilNano);
      if (gap) {
        this.appendGap(host, gap.from, gap.to, gap.note);
        await this.rebuild(host, docker, gap.from, gap.to);
      }
    } catch (err) {
      if (this.closed || this.periods.get(host) !== period) return;
      if (period.anchor !== undefined) {
        this.appendGap(
          host,
          period.anchor,
          untilNano,
          `Drydock could not read the engine's replay of host ${host} since the journal's last event (${toDrydockError(err).message}): events between may be missing`,
        );
      }
    } finally {
      if (this.periods.get(host) === period) this.flush(host, period);
      period.done();
    }
  }

  /** After a gap: what the engine still knows of the stretch, from list and inspect (see gap-rebuild.ts); audited. */
  private async rebuild(host: string, docker: Dockerode, from: bigint, to: bigint): Promise<void> {
    try {
      const rebuilt = await rebuildAfterGap(docker, host, from, to, this.deps.clock.now().toISOString(), this.abort.signal);
      let added = 0;
      for (const entry of rebuilt.entries) {
        this.commit();
        const stored = this.store.append(entry);
        if (!stored) continue;
        added++;
        this.deps.events.emit('journal.entry', stored);
      }
      this.deps.audit('journal.rebuilt', {
        host,
        from: nanoToIso(from),
        to: nanoToIso(to),
        inspected: rebuilt.inspected,
        reconstructed: added,
        ...(rebuilt.skipped ? { notInspected: rebuilt.skipped } : {}),
      });
    } catch (err) {
      this.deps.audit('journal.rebuild-failed', { host, from: nanoToIso(from), to: nanoToIso(to), message: toDrydockError(err).message });
    }
  }

  private appendGap(host: string, from: bigint, to: bigint, note: string): void {
    this.commit();
    const stored = this.store.append({
      host,
      kind: 'gap',
      timeNano: from,
      receivedAt: this.deps.clock.now().toISOString(),
      type: 'gap',
      action: 'gap',
      actorId: '',
      attributes: {},
      gapUntilNano: to,
      note,
    });
    if (!stored) return;
    this.deps.audit('journal.gap', { host, from: nanoToIso(from), to: nanoToIso(to), note });
    this.deps.events.emit('journal.entry', stored);
  }

  /**
   * Queues an event for the next group commit: every event that arrives in the same turn of the
   * event loop is written in one transaction (one fsync for a burst instead of one per event), so
   * the journal keeps up with an engine's burst; reads commit the queue first.
   */
  private record(host: string, event: EngineEvent, receivedAt: string): void {
    if (this.closed) return;
    this.queue.push(toNewEntry(host, event, receivedAt));
    if (this.queue.length === 1) setImmediate(() => this.commit());
  }

  /** Writes the queued events (one transaction) and announces them; an exec_create is inspected first. */
  private commit(): void {
    if (!this.queue.length) return;
    const batch = this.queue.splice(0);
    for (const stored of this.store.appendMany(batch)) {
      if (!stored) continue;
      if (stored.action === 'exec_create' && stored.execId) this.track(this.inspectExec(stored.host, stored, stored.execId));
      else this.deps.events.emit('journal.entry', stored);
    }
  }

  /** The exec_create event names neither the user nor the exact argv: inspect the exec while it exists. */
  private async inspectExec(host: string, entry: JournalEntry, execId: string): Promise<void> {
    let exec: NonNullable<JournalEntry['exec']>;
    try {
      const docker: Dockerode = await this.deps.hosts.docker(host);
      const info = await engineCall({ host, container: entry.name ?? entry.actorId, action: `inspecting exec ${execId}` }, () =>
        docker.getExec(execId).inspect({ abortSignal: this.abort.signal }),
      );
      const config = info.ProcessConfig;
      exec = { user: config.user, argv: [config.entrypoint, ...(config.arguments ?? [])], privileged: config.privileged, tty: config.tty };
    } catch (err) {
      exec = { error: toDrydockError(err).message };
    }
    if (this.closed) return;
    this.store.setExec(entry.seq, exec);
    this.deps.events.emit('journal.entry', { ...entry, exec });
  }

  private track(work: Promise<unknown>): void {
    // Kept only so close() can wait for it: the work records its own failures (a gap, the exec's error).
    const tracked = work.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

/** An engine event as a journal row: the action split from its argument, names and codes picked out. */
function toNewEntry(host: string, event: EngineEvent, receivedAt: string): NewJournalEntry {
  const colon = event.action.indexOf(':');
  const action = colon >= 0 ? event.action.slice(0, colon) : event.action;
  const detail = colon >= 0 ? event.action.slice(colon + 1).trim() : undefined;
  const attrs = event.attributes;
  const exitCode = attrs.exitCode !== undefined && /^-?\d{1,10}$/.test(attrs.exitCode) ? Number(attrs.exitCode) : undefined;
  return {
    host,
    kind: 'event',
    timeNano: event.timeNano,
    receivedAt,
    type: event.type,
    action,
    ...(detail !== undefined ? { actionDetail: detail } : {}),
    actorId: event.id,
    ...(attrs.name !== undefined ? { name: attrs.name } : {}),
    ...(exitCode !== undefined ? { exitCode } : {}),
    ...(attrs.execID !== undefined ? { execId: attrs.execID } : {}),
    attributes: attrs,
  };
}
