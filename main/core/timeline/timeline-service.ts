import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { ArtifactInfo, ArtifactKind, AuditEntry, CaseInfo } from '../../../shared/domain/evidence';
import type { JournalEntry } from '../../../shared/domain/journal';
import {
  TIMELINE_SEVERITIES,
  type TimelineExportResult,
  type TimelineFilter,
  type TimelineFormat,
  type TimelineHistogram,
  type TimelineInfo,
  type TimelinePage,
  type TimelineRow,
  type TimelineSource,
} from '../../../shared/domain/timeline';
import { isTimeZone, L2TCSV_HEADER, l2tcsvLine, timesketchLine } from '../../../shared/timeline-formats';
import type { AuditFn } from '../audit-fn';
import type { Clock } from '../clock';
import { DrydockFailure } from '../errors';
import { FLEET_COLLECTOR_ACTIONS, fleetCollectorIds } from '../evidence/fleet-collectors';
import type { Db } from '../store/database';
import { storeIoFailure } from '../store/io-failure';
import { counted } from '../../../shared/counted';
import { driftRows, flowRows, inventoryRows, processRows, yaraRows, type ArtifactRowContext } from './artifact-rows';
import { auditRow, journalRow, logRecordRow } from './record-rows';
import { isoToNano } from '../time-nano';

/** The slice of the evidence service the timeline reads. */
export interface TimelineEvidence {
  resolveCase(ref?: string): Promise<CaseInfo>;
  listArtifacts(request: { caseRef?: string; kind?: ArtifactKind; limit?: number }): Promise<ArtifactInfo[]>;
  openArtifact(id: string): Promise<Readable>;
  auditEntries(request: { caseRef?: string; afterSeq?: number; limit?: number }): Promise<AuditEntry[]>;
  auditHead(caseRef?: string): Promise<{ seq: number; hash: string } | undefined>;
}

/** The slice of the journal the timeline reads: a window of one host's journal, and its revision. */
export interface TimelineJournal {
  entriesBetween(
    host: string,
    fromNano: bigint,
    toNano: bigint,
    after: { timeNano: bigint; seq: number } | undefined,
    limit: number,
  ): JournalEntry[];
  entriesAddedAfter(host: string, afterSeq: number, limit: number): JournalEntry[];
  revision(): number;
}

export interface TimelineServiceDeps {
  /** What a container was for when it is one of this store's helpers (by recorded ID). */
  helperPurpose?: (containerId: string) => string | undefined;
  db: Db;
  evidence: TimelineEvidence;
  journal: TimelineJournal;
  clock: Clock;
  audit: AuditFn;
}

/** Log lines a timeline takes from one logs artifact when no filter is given: an even sample. */
export const LOG_SAMPLE_PER_ARTIFACT = 500;
/** At most this many matching lines per logs artifact with a filter. */
export const LOG_FILTER_CAP = 100_000;

export interface TimelineOptions {
  /** Only log lines containing this text (case-insensitive) go in; without it an even sample does. */
  logFilter?: string;
}

/** What a build computes once about its rows. */
type Summary = Pick<TimelineInfo, 'total' | 'first' | 'last' | 'perSource' | 'lanes'>;
/** The summary as stored with a build: also the hosts whose journals it read, and its gaps. */
type StoredSummary = Summary & { hosts: string[]; gaps: number };

interface Build {
  fingerprint: string;
  builtAt: string;
  limitations: string[];
  summary?: StoredSummary;
}

/** A row's columns in timeline_rows: the search text holds what a user looks for (not the long detail of engine rows). */
function insertValues(
  caseId: string,
  row: TimelineRow,
): [string, string, bigint, string, number, string | null, string | null, string, string] {
  const search = [
    row.message,
    row.source === 'journal' ? undefined : row.detail,
    row.container,
    row.containerId,
    row.host,
    row.path,
    row.user,
  ]
    .filter((x) => x !== undefined)
    .join('\u0000')
    .toLowerCase();
  return [
    caseId,
    row.key,
    BigInt(row.timeNano),
    row.source,
    SEVERITY_RANK.get(row.severity) ?? 0,
    row.host ?? null,
    row.container ?? null,
    search,
    JSON.stringify(row),
  ];
}

const SEVERITY_RANK = new Map(TIMELINE_SEVERITIES.map((s, i) => [s, i]));

/**
 * One timeline per case: the journal entries of the hosts the case touched within its time
 * window (created to closed, or now), containers' lifecycle times from inventory snapshots, log
 * lines (sampled, or filtered by the user), drift entries by their mtime, process start times,
 * capture windows and flows, and every audit entry. Built into the store (timeline_rows) and
 * rebuilt when the case's audit chain, the journals or the log filter changed; pages, filters and
 * histograms are SQL over it, so a million rows never sit in memory.
 */
export class TimelineService {
  private readonly building = new Map<string, Promise<void>>();

  constructor(private readonly deps: TimelineServiceDeps) {}

  /**
   * A page of the case's timeline in time order (ties by key), after the filter.
   * @throws DrydockFailure('not-found'|'conflict') for the case ref; ('store') when it cannot be built.
   */
  async page(request: {
    caseRef?: string;
    filter?: TimelineFilter;
    offset?: number;
    limit?: number;
    logFilter?: string;
  }): Promise<TimelinePage> {
    const { kase, info } = await this.ensure(
      request.caseRef,
      { ...(request.logFilter !== undefined ? { logFilter: request.logFilter } : {}) },
      request.filter,
    );
    const where = whereClause(kase.id, request.filter);
    const offset = request.offset ?? 0;
    const limit = request.limit ?? 200;
    const rows = this.deps.db
      .prepare(`SELECT row_json FROM timeline_rows WHERE ${where.sql} ORDER BY time_nano, key LIMIT ? OFFSET ?`)
      .all(...where.params, limit, offset) as { row_json: string }[];
    return { ...info, offset, rows: rows.map((r) => JSON.parse(r.row_json) as TimelineRow) };
  }

  /**
   * The row index (after the filter) of the first row at or after `time`: where a table scrolls
   * to when the user clicks the d3 timeline.
   */
  async indexAt(request: { caseRef?: string; filter?: TimelineFilter; time: string }): Promise<number> {
    const kase = await this.deps.evidence.resolveCase(request.caseRef);
    const nano = isoToNano(request.time);
    if (nano === undefined) throw new DrydockFailure('invalid-input', `${request.time} is not an RFC 3339 time`);
    const where = whereClause(kase.id, request.filter);
    const row = this.deps.db
      .prepare(`SELECT COUNT(*) AS n FROM timeline_rows WHERE ${where.sql} AND time_nano < ?`)
      .get(...where.params, nano) as { n: number };
    return row.n;
  }

  /**
   * Row counts in `bins` equal bins between `from` and `to` (default: the whole filtered
   * timeline), with each bin's worst severity: the density strip above the d3 timeline.
   */
  async histogram(request: {
    caseRef?: string;
    filter?: TimelineFilter;
    bins: number;
    from?: string;
    to?: string;
  }): Promise<TimelineHistogram> {
    const { kase } = await this.ensure(request.caseRef, {}, request.filter);
    const where = whereClause(kase.id, request.filter);
    const span = this.deps.db
      .prepare(`SELECT MIN(time_nano) AS lo, MAX(time_nano) AS hi FROM timeline_rows WHERE ${where.sql}`)
      .safeIntegers(true)
      .get(...where.params) as { lo: bigint | null; hi: bigint | null };
    const lo = (request.from !== undefined ? isoToNano(request.from) : undefined) ?? span.lo ?? 0n;
    const hi = (request.to !== undefined ? isoToNano(request.to) : undefined) ?? span.hi ?? lo;
    const binNanos = (hi - lo) / BigInt(request.bins) + 1n;
    const counts = new Array<number>(request.bins).fill(0);
    const worst = new Array<number>(request.bins).fill(-1);
    const rows = this.deps.db
      .prepare(
        `SELECT (time_nano - ?) / ? AS b, COUNT(*) AS n, MAX(severity) AS w FROM timeline_rows WHERE ${where.sql} AND time_nano BETWEEN ? AND ? GROUP BY b`,
      )
      .safeIntegers(true)
      .all(lo, binNanos, ...where.params, lo, hi) as { b: bigint; n: bigint; w: bigint }[];
    for (const r of rows) {
      const i = Number(r.b);
      if (i < 0 || i >= request.bins) continue;
      counts[i] = Number(r.n);
      worst[i] = Number(r.w);
    }
    return { startNano: lo.toString(), binNanos: binNanos.toString(), bins: counts, worst };
  }

  /**
   * Writes the case's timeline (after the filter) to `target` as Timesketch JSON Lines or plaso
   * l2tcsv (see shared/timeline-formats.ts), times in `timeZone` (default UTC), streamed row by
   * row; audited in the case.
   * @throws DrydockFailure('invalid-input') for an unknown time zone; ('store') when the file cannot be written.
   */
  async export(request: {
    caseRef?: string;
    filter?: TimelineFilter;
    format: TimelineFormat;
    target: string;
    timeZone?: string;
    logFilter?: string;
  }): Promise<TimelineExportResult> {
    const zone = request.timeZone ?? 'UTC';
    if (!isTimeZone(zone))
      throw new DrydockFailure('invalid-input', `${zone} is not a time zone this machine knows (IANA names such as UTC or Europe/Berlin)`);
    const { kase } = await this.ensure(
      request.caseRef,
      { ...(request.logFilter !== undefined ? { logFilter: request.logFilter } : {}) },
      request.filter,
    );
    if (existsSync(request.target))
      throw new DrydockFailure('conflict', `${request.target} already exists: Drydock never overwrites a file; choose another --out`);
    const hash = createHash('sha256');
    let bytes = 0;
    let rows = 0;
    const out = createWriteStream(request.target, { flags: 'wx' });
    const opened = once(out, 'open').catch((err: unknown) => {
      throw storeIoFailure(err, `write the timeline to ${request.target}`);
    });
    await opened;
    const write = async (text: string) => {
      const chunk = Buffer.from(text, 'utf8');
      hash.update(chunk);
      bytes += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    };
    try {
      if (request.format === 'l2tcsv') await write(`${L2TCSV_HEADER}\n`);
      for (const row of this.iterate(kase.id, request.filter)) {
        await write(`${request.format === 'l2tcsv' ? l2tcsvLine(row, zone) : timesketchLine(row, zone)}\n`);
        rows++;
      }
      out.end();
      await once(out, 'finish');
    } catch (err) {
      out.destroy();
      throw err instanceof DrydockFailure ? err : storeIoFailure(err, `write the timeline to ${request.target}`);
    }
    const sha256 = hash.digest('hex');
    this.deps.audit('timeline.exported', { format: request.format, path: request.target, rows, bytes, sha256, timeZone: zone }, kase.id);
    return { caseId: kase.id, caseName: kase.name, format: request.format, path: request.target, rows, bytes, sha256, timeZone: zone };
  }

  /** Every row of a built timeline in order, read in pages (bounded memory). */
  *iterate(caseId: string, filter?: TimelineFilter): Generator<TimelineRow> {
    const where = whereClause(caseId, filter);
    const stmt = this.deps.db.prepare(
      `SELECT row_json, time_nano, key FROM timeline_rows WHERE ${where.sql} AND (time_nano, key) > (?, ?) ORDER BY time_nano, key LIMIT 5000`,
    );
    stmt.safeIntegers(true);
    let lastTime = -1n;
    let lastKey = '';
    for (;;) {
      const page = stmt.all(...where.params, lastTime, lastKey) as { row_json: string; time_nano: bigint; key: string }[];
      if (!page.length) return;
      for (const r of page) yield JSON.parse(r.row_json) as TimelineRow;
      const tail = page[page.length - 1]!;
      lastTime = tail.time_nano;
      lastKey = tail.key;
    }
  }

  /**
   * Builds the case's timeline if anything it reads changed since the last build (one build per
   * case at a time: concurrent callers wait for it).
   * @returns the case and the timeline's summary (`matching` counted under `filter`).
   */
  async ensure(
    caseRef: string | undefined,
    options: TimelineOptions = {},
    filter?: TimelineFilter,
  ): Promise<{ kase: CaseInfo; info: TimelineInfo }> {
    const kase = await this.deps.evidence.resolveCase(caseRef);
    for (;;) {
      const running = this.building.get(kase.id);
      if (!running) break;
      await running.catch(() => undefined);
    }
    const head = await this.deps.evidence.auditHead(kase.id);
    const fingerprint = JSON.stringify([head?.seq ?? 0, this.deps.journal.revision(), kase.status, options.logFilter ?? null]);
    let built = this.readBuild(kase.id);
    if (built && built.fingerprint !== fingerprint && (await this.extend(kase, built, fingerprint))) built = this.readBuild(kase.id);
    if (built?.fingerprint !== fingerprint) {
      const work = this.build(kase, options, fingerprint);
      this.building.set(kase.id, work);
      try {
        await work;
      } finally {
        this.building.delete(kase.id);
      }
      built = this.readBuild(kase.id);
    }
    const { hosts: _hosts, gaps: _gaps, ...summary } = built?.summary ?? { ...this.summarise(kase.id), hosts: [], gaps: 0 };
    const where = whereClause(kase.id, filter);
    const matching =
      filter && Object.keys(filter).length
        ? (this.deps.db.prepare(`SELECT COUNT(*) AS n FROM timeline_rows WHERE ${where.sql}`).get(...where.params) as { n: number }).n
        : summary.total;
    return {
      kase,
      info: {
        caseId: kase.id,
        caseName: kase.name,
        timeZone: kase.timeZone,
        ...summary,
        matching,
        limitations: built?.limitations ?? [],
        builtAt: built?.builtAt ?? this.deps.clock.now().toISOString(),
      },
    };
  }

  private readBuild(caseId: string): Build | undefined {
    const row = this.deps.db
      .prepare('SELECT fingerprint, built_at, limitations_json, summary_json FROM timeline_builds WHERE case_id = ?')
      .get(caseId) as { fingerprint: string; built_at: string; limitations_json: string; summary_json: string | null } | undefined;
    if (!row) return undefined;
    return {
      fingerprint: row.fingerprint,
      builtAt: row.built_at,
      limitations: JSON.parse(row.limitations_json) as string[],
      ...(row.summary_json ? { summary: JSON.parse(row.summary_json) as StoredSummary } : {}),
    };
  }

  /** Rebuilds the case's rows, streamed into the store in batches (memory stays flat for a million rows). */
  private async build(kase: CaseInfo, options: TimelineOptions, fingerprint: string): Promise<void> {
    const db = this.deps.db;
    const insert = db.prepare(
      'INSERT OR IGNORE INTO timeline_rows (case_id, key, time_nano, source, severity, host, container, search, row_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const batch: TimelineRow[] = [];
    const flush = () => {
      if (!batch.length) return;
      const rows = batch.splice(0);
      try {
        db.transaction(() => {
          for (const row of rows) insert.run(...insertValues(kase.id, row));
        }).immediate();
      } catch (err) {
        throw storeIoFailure(err, 'store the case timeline');
      }
    };
    try {
      db.transaction(() => {
        db.prepare('DELETE FROM timeline_rows WHERE case_id = ?').run(kase.id);
        db.prepare('DELETE FROM timeline_builds WHERE case_id = ?').run(kase.id);
      }).immediate();
    } catch (err) {
      throw storeIoFailure(err, 'store the case timeline');
    }
    const { limitations, hosts, gaps } = await this.collect(kase, options, (row) => {
      batch.push(row);
      if (batch.length >= 5000) flush();
    });
    flush();
    const summary: StoredSummary = { ...this.summarise(kase.id), hosts, gaps };
    try {
      db.prepare(
        'INSERT INTO timeline_builds (case_id, fingerprint, built_at, limitations_json, summary_json) VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET fingerprint = excluded.fingerprint, built_at = excluded.built_at, limitations_json = excluded.limitations_json, summary_json = excluded.summary_json',
      ).run(kase.id, fingerprint, this.deps.clock.now().toISOString(), JSON.stringify(limitations), JSON.stringify(summary));
    } catch (err) {
      throw storeIoFailure(err, 'store the case timeline');
    }
  }

  /**
   * Brings a built timeline up to date without rebuilding it when only audit entries and journal
   * events were added (the common case while a responder works: every action audits, every engine
   * event journals): their rows are appended and the summary updated. Returns false — a full
   * build is needed — when an artifact was added, a new host entered the case, a gap was
   * journaled, or the case's status or log filter changed.
   */
  private async extend(kase: CaseInfo, built: Build, fingerprint: string): Promise<boolean> {
    const [a0, j0, s0, l0] = JSON.parse(built.fingerprint) as [number, number, string, string | null];
    const [a1, j1, s1, l1] = JSON.parse(fingerprint) as [number, number, string, string | null];
    const summary = built.summary;
    if (!summary || s0 !== s1 || l0 !== l1 || a1 < a0 || j1 < j0) return false;
    const hosts = new Set(summary.hosts);
    const rows: TimelineRow[] = [];
    for (let after = a0; ;) {
      const page = await this.deps.evidence.auditEntries({ caseRef: kase.id, afterSeq: after, limit: 5000 });
      if (!page.length) break;
      for (const entry of page) {
        // A new artifact, a new host, or a fleet collector newly named (it changes merged inventories' rows): rebuilt.
        if (
          entry.action === 'artifact.added' ||
          FLEET_COLLECTOR_ACTIONS.includes(entry.action) ||
          (typeof entry.details.host === 'string' && !hosts.has(entry.details.host))
        )
          return false;
        const row = auditRow(entry, kase.id);
        if (row) rows.push(row);
      }
      after = page[page.length - 1]!.seq;
    }
    const fromNano = isoToNano(kase.createdAt) ?? 0n;
    const toNano = (kase.closedAt ? isoToNano(kase.closedAt) : undefined) ?? BigInt(this.deps.clock.now().getTime()) * 1_000_000n;
    const names = new Map<string, string>();
    for (const host of hosts) {
      for (let after = j0; ;) {
        const page = this.deps.journal.entriesAddedAfter(host, after, 5000);
        if (!page.length) break;
        for (const entry of page) {
          if (entry.kind === 'gap') return false;
          const t = BigInt(entry.timeNano);
          if (entry.type === 'container' && entry.name) names.set(entry.actorId, entry.name);
          if (t >= fromNano && t <= toNano) rows.push(journalRow(entry, this.helperOf(entry), (id) => names.get(id)));
        }
        after = page[page.length - 1]!.seq;
      }
    }
    const db = this.deps.db;
    const insert = db.prepare(
      'INSERT OR IGNORE INTO timeline_rows (case_id, key, time_nano, source, severity, host, container, search, row_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const next: StoredSummary = { ...summary, perSource: { ...summary.perSource }, lanes: summary.lanes.map((l) => ({ ...l })) };
    try {
      db.transaction(() => {
        for (const row of rows) {
          if (insert.run(...insertValues(kase.id, row)).changes === 0) continue;
          next.total++;
          next.perSource[row.source] = (next.perSource[row.source] ?? 0) + 1;
          if (!next.first || BigInt(row.timeNano) < (isoToNano(next.first) ?? 0n)) next.first = row.time;
          if (!next.last || BigInt(row.timeNano) > (isoToNano(next.last) ?? 0n)) next.last = row.time;
          if (row.host) {
            const lane = next.lanes.find((l) => l.host === row.host && l.container === row.container);
            if (lane) lane.rows++;
            else next.lanes.push({ host: row.host, ...(row.container !== undefined ? { container: row.container } : {}), rows: 1 });
          }
        }
        db.prepare('UPDATE timeline_builds SET fingerprint = ?, built_at = ?, summary_json = ? WHERE case_id = ?').run(
          fingerprint,
          this.deps.clock.now().toISOString(),
          JSON.stringify(next),
          kase.id,
        );
      }).immediate();
    } catch (err) {
      throw storeIoFailure(err, 'update the case timeline');
    }
    return true;
  }

  /** Counts per source, lanes, first and last time of a built timeline (full scans: once per build). */
  private summarise(caseId: string): Summary {
    const db = this.deps.db;
    const total = (db.prepare('SELECT COUNT(*) AS n FROM timeline_rows WHERE case_id = ?').get(caseId) as { n: number }).n;
    const span = db
      .prepare(
        `SELECT (SELECT row_json FROM timeline_rows WHERE case_id = ? ORDER BY time_nano, key LIMIT 1) AS first, (SELECT row_json FROM timeline_rows WHERE case_id = ? ORDER BY time_nano DESC, key DESC LIMIT 1) AS last`,
      )
      .get(caseId, caseId) as { first: string | null; last: string | null };
    const perSource: Partial<Record<TimelineSource, number>> = {};
    for (const r of db.prepare('SELECT source, COUNT(*) AS n FROM timeline_rows WHERE case_id = ? GROUP BY source').all(caseId) as {
      source: TimelineSource;
      n: number;
    }[])
      perSource[r.source] = r.n;
    const lanes = (
      db
        .prepare(
          'SELECT host, container, COUNT(*) AS n FROM timeline_rows WHERE case_id = ? AND host IS NOT NULL GROUP BY host, container ORDER BY host, container LIMIT 10000',
        )
        .all(caseId) as { host: string; container: string | null; n: number }[]
    ).map((r) => ({ host: r.host, ...(r.container !== null ? { container: r.container } : {}), rows: r.n }));
    return {
      total,
      ...(span.first ? { first: (JSON.parse(span.first) as TimelineRow).time } : {}),
      ...(span.last ? { last: (JSON.parse(span.last) as TimelineRow).time } : {}),
      perSource,
      lanes,
    };
  }

  /** Reads every source of the case; returns what the timeline cannot show. */
  private async collect(
    kase: CaseInfo,
    options: TimelineOptions,
    emit: (row: TimelineRow) => void,
  ): Promise<{ limitations: string[]; hosts: string[]; gaps: number }> {
    const limitations: string[] = [];
    const hosts = new Set<string>();
    const collectors = new Set<string>();
    // The audit chain, page by page.
    let after = 0;
    for (;;) {
      const page = await this.deps.evidence.auditEntries({ caseRef: kase.id, afterSeq: after, limit: 5000 });
      if (!page.length) break;
      // The fleet collectors the examiner's Drydock ran: their containers in merged inventories are its own.
      for (const id of fleetCollectorIds(page)) collectors.add(id);
      for (const entry of page) {
        const row = auditRow(entry, kase.id);
        if (row) emit(row);
        if (typeof entry.details.host === 'string') hosts.add(entry.details.host);
      }
      after = page[page.length - 1]!.seq;
    }
    // The artifacts.
    const artifacts = await this.deps.evidence.listArtifacts({ caseRef: kase.id, limit: 1_000_000 });
    let driftRowsSeen = 0;
    let fileRowsSeen = 0;
    let logsSampled = 0;
    for (const artifact of artifacts) {
      if (artifact.source.host) hosts.add(artifact.source.host);
      const reader = JSON_READERS[artifact.kind];
      if (reader) {
        const value = await this.readJson(artifact, limitations);
        if (value === undefined) continue;
        for (const row of reader(artifact, value, { collectors })) {
          if (row.source === 'drift') driftRowsSeen++;
          if (row.source === 'file') fileRowsSeen++;
          emit(row);
        }
      } else if (artifact.kind === 'logs') {
        if (await this.readLogs(artifact, options, emit)) logsSampled++;
      }
    }
    if (driftRowsSeen)
      limitations.push(
        "Drift rows are dated by each file's mtime (from the engine's tar header, or the upper directory's own metadata for reports read from layers): an intruder can set mtimes to anything (timestomping, e.g. touch -r), and no ctime is used",
      );
    if (fileRowsSeen)
      limitations.push(
        "File rows (from a data root's writable layers) are dated by each entry's mtime on disk: it can be forged (touch -r), and ctime and atime are not used (in a copied tree or a tarball they are the copy's)",
      );
    if (logsSampled)
      limitations.push(
        `${counted(logsSampled, 'logs artifact')} ${logsSampled === 1 ? 'holds' : 'hold'} more lines than the timeline shows: an even sample of at most ${LOG_SAMPLE_PER_ARTIFACT} lines each (filter the logs to see every matching line)`,
      );
    // The journals of the hosts the case touched, within the case's window.
    const fromNano = isoToNano(kase.createdAt) ?? 0n;
    const toNano = (kase.closedAt ? isoToNano(kase.closedAt) : undefined) ?? BigInt(this.deps.clock.now().getTime()) * 1_000_000n;
    let gaps = 0;
    for (const host of [...hosts].sort()) {
      const names = new Map<string, string>();
      const nameOf = (id: string) => names.get(id);
      let after: { timeNano: bigint; seq: number } | undefined;
      for (;;) {
        const page = this.deps.journal.entriesBetween(host, fromNano, toNano, after, 5000);
        if (!page.length) break;
        for (const entry of page) {
          if (entry.kind === 'gap') gaps++;
          if (entry.type === 'container' && entry.name) names.set(entry.actorId, entry.name);
          emit(journalRow(entry, this.helperOf(entry), nameOf));
        }
        const last = page[page.length - 1]!;
        after = { timeNano: BigInt(last.timeNano), seq: last.seq };
      }
    }
    if (gaps) limitations.push(`${counted(gaps, 'gap')} in the engine event journal: events in those stretches may be missing`);
    if (hosts.size === 0) limitations.push('The case touched no host yet: no engine journal is part of its timeline');
    return { limitations, hosts: [...hosts].sort(), gaps };
  }

  private helperOf(entry: JournalEntry): string | undefined {
    const id = entry.type === 'container' ? entry.actorId : entry.attributes.container;
    return id !== undefined ? this.deps.helperPurpose?.(id) : undefined;
  }

  private async readJson(artifact: ArtifactInfo, limitations: string[]): Promise<unknown> {
    if (artifact.size > 512 * 1024 * 1024) {
      limitations.push(`Artifact ${artifact.id} (${artifact.kind}, ${artifact.size} bytes) is too large to read into the timeline`);
      return undefined;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await this.deps.evidence.openArtifact(artifact.id)) chunks.push(chunk as Buffer);
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    } catch {
      limitations.push(`Artifact ${artifact.id} (${artifact.kind}) is not whole JSON (${artifact.status}); its rows are missing`);
      return undefined;
    }
  }

  /** Emits a logs artifact's lines (filtered, else sampled); returns whether it was sampled. */
  private async readLogs(artifact: ArtifactInfo, options: TimelineOptions, emit: (row: TimelineRow) => void): Promise<boolean> {
    const total = typeof artifact.attributes.lines === 'number' ? artifact.attributes.lines : 0;
    const filter = options.logFilter?.toLowerCase();
    const step = filter === undefined && total > LOG_SAMPLE_PER_ARTIFACT ? Math.ceil(total / LOG_SAMPLE_PER_ARTIFACT) : 1;
    const where = {
      artifactId: artifact.id,
      ...(artifact.source.host !== undefined ? { host: artifact.source.host } : {}),
      ...(artifact.source.containerName !== undefined ? { container: artifact.source.containerName } : {}),
      ...(artifact.source.containerId !== undefined ? { containerId: artifact.source.containerId } : {}),
      receivedTimes: artifact.attributes.timestamps === 'received',
    };
    let index = 0;
    let kept = 0;
    let rest = '';
    const take = (line: string) => {
      const i = index++;
      if (kept >= LOG_FILTER_CAP) return;
      if (filter !== undefined ? !line.toLowerCase().includes(filter) : i % step !== 0) return;
      const row = logRecordRow(line, i, where);
      if (row) {
        emit(row);
        kept++;
      }
    };
    for await (const chunk of await this.deps.evidence.openArtifact(artifact.id)) {
      const text = rest + (chunk as Buffer).toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) take(line);
    }
    if (rest) take(rest);
    return step > 1;
  }
}

type JsonReader = (artifact: ArtifactInfo, value: unknown, context: ArtifactRowContext) => TimelineRow[];

const JSON_READERS: Partial<Record<ArtifactKind, JsonReader>> = {
  'drift-report': driftRows,
  'process-snapshot': processRows,
  'inventory-snapshot': inventoryRows,
  'flow-summary': flowRows,
  'yara-report': yaraRows,
};

function whereClause(caseId: string, filter: TimelineFilter | undefined): { sql: string; params: unknown[] } {
  const parts = ['case_id = ?'];
  const params: unknown[] = [caseId];
  if (filter?.sources?.length) {
    parts.push(`source IN (${filter.sources.map(() => '?').join(', ')})`);
    params.push(...filter.sources);
  }
  if (filter?.minSeverity) {
    parts.push('severity >= ?');
    params.push(SEVERITY_RANK.get(filter.minSeverity) ?? 0);
  }
  if (filter?.text) {
    parts.push('instr(search, ?) > 0');
    params.push(filter.text.toLowerCase());
  }
  if (filter?.host) {
    parts.push('host = ?');
    params.push(filter.host);
  }
  if (filter?.container) {
    // A container by name, or by its ID or an ID prefix.
    parts.push("(container = ? OR (length(?) >= 4 AND json_extract(row_json, '$.containerId') LIKE ? || '%'))");
    params.push(filter.container, filter.container, filter.container.replace(/[%_]/g, ''));
  }
  const from = filter?.from !== undefined ? isoToNano(filter.from) : undefined;
  const to = filter?.to !== undefined ? isoToNano(filter.to) : undefined;
  if (from !== undefined) {
    parts.push('time_nano >= ?');
    params.push(from);
  }
  if (to !== undefined) {
    parts.push('time_nano <= ?');
    params.push(to);
  }
  return { sql: parts.join(' AND '), params };
}
