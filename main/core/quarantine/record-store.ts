import type { Statement } from 'better-sqlite3';
import type { RiskFlag } from '../../../shared/domain/inventory';
import type { QuarantineRecord } from '../../../shared/domain/quarantine';
import { storeIoFailure } from '../store/io-failure';
import type { Db } from '../store/database';

interface Row {
  record: string;
}

/**
 * Quarantine records in the store. Every progress mark is written through at once (the database
 * runs with synchronous=FULL), so after a crash the next apply or release knows exactly what the
 * container looked like before and which steps had run.
 */
export class QuarantineRecordStore {
  private activeQuery: Statement<[string, string], Row> | undefined;

  constructor(private readonly db: Db) {}

  insert(record: QuarantineRecord): void {
    this.write(() =>
      this.db
        .prepare(
          'INSERT INTO quarantine_records (id, host, container_id, container_name, state, case_id, created_at, updated_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          record.id,
          record.host,
          record.containerId,
          record.containerName,
          record.state,
          record.caseId,
          record.createdAt,
          record.updatedAt,
          JSON.stringify(record),
        ),
    );
  }

  save(record: QuarantineRecord): void {
    this.write(() =>
      this.db
        .prepare('UPDATE quarantine_records SET state = ?, case_id = ?, container_name = ?, updated_at = ?, record = ? WHERE id = ?')
        .run(record.state, record.caseId, record.containerName, record.updatedAt, JSON.stringify(record), record.id),
    );
  }

  /** The quarantine in force (or half applied, or half released) for a container. */
  active(host: string, containerId: string): QuarantineRecord | undefined {
    // Prepared once: the inventory asks this for every container of a host.
    this.activeQuery ??= this.db.prepare<[string, string], Row>(
      "SELECT record FROM quarantine_records WHERE host = ? AND container_id = ? AND state != 'released' ORDER BY created_at DESC LIMIT 1",
    );
    const row = this.activeQuery.get(host, containerId);
    return row ? parse(row) : undefined;
  }

  /** A host's records, newest first: the active ones, or all of them (bounded). */
  list(host: string, includeReleased: boolean, limit = 500): QuarantineRecord[] {
    const sql = includeReleased
      ? 'SELECT record FROM quarantine_records WHERE host = ? ORDER BY created_at DESC, id DESC LIMIT ?'
      : "SELECT record FROM quarantine_records WHERE host = ? AND state != 'released' ORDER BY created_at DESC, id DESC LIMIT ?";
    return this.db.prepare<[string, number], Row>(sql).all(host, limit).map(parse);
  }

  /**
   * Every record of one container, newest first, found the way the engine resolves a reference:
   * an exact name first, then an ID prefix (only for something that looks like one).
   */
  forContainer(host: string, ref: string): QuarantineRecord[] {
    const bare = ref.replace(/^\//, '');
    const byName = this.db
      .prepare<[string, string], Row>(
        'SELECT record FROM quarantine_records WHERE host = ? AND container_name = ? ORDER BY created_at DESC, id DESC',
      )
      .all(host, bare);
    if (byName.length || !/^[0-9a-f]{1,64}$/.test(bare)) return byName.map(parse);
    const rows = this.db
      .prepare<[string, string, string], Row>(
        'SELECT record FROM quarantine_records WHERE host = ? AND substr(container_id, 1, length(?)) = ? ORDER BY created_at DESC, id DESC',
      )
      .all(host, bare, bare);
    const records = rows.map(parse);
    // An ambiguous prefix names no container.
    return new Set(records.map((r) => r.containerId)).size > 1 ? [] : records;
  }

  /**
   * The active quarantine of a Swarm task named through the manager `manager`: by task ID, SERVICE.SLOT,
   * or a task ID prefix that only one such quarantine's task starts with.
   */
  activeForTask(manager: string, ref: string): QuarantineRecord | undefined {
    return this.forTask(manager, ref).find((r) => r.state !== 'released');
  }

  /**
   * Every quarantine record of a Swarm task named through the manager `manager`, newest first: by task
   * ID or SERVICE.SLOT, else by a task ID prefix (an ambiguous one, started by several tasks, names none).
   */
  forTask(manager: string, ref: string): QuarantineRecord[] {
    const exact = this.db
      .prepare<[string, string, string], Row>(
        `SELECT record FROM quarantine_records WHERE json_extract(record, '$.swarm.manager') = ?
           AND (json_extract(record, '$.swarm.taskId') = ? OR json_extract(record, '$.swarm.taskName') = ?) ORDER BY created_at DESC, id DESC`,
      )
      .all(manager, ref, ref)
      .map(parse);
    if (exact.length || !/^[a-z0-9]{1,24}$/.test(ref)) return exact;
    const prefixed = this.db
      .prepare<[string, string, string], Row>(
        `SELECT record FROM quarantine_records WHERE json_extract(record, '$.swarm.manager') = ?
           AND substr(json_extract(record, '$.swarm.taskId'), 1, length(?)) = ? ORDER BY created_at DESC, id DESC`,
      )
      .all(manager, ref, ref)
      .map(parse);
    return new Set(prefixed.map((r) => r.swarm?.taskId)).size > 1 ? [] : prefixed;
  }

  get(id: string): QuarantineRecord | undefined {
    const row = this.db.prepare<[string], Row>('SELECT record FROM quarantine_records WHERE id = ?').get(id);
    return row ? parse(row) : undefined;
  }

  /** The inventory's hook: a 'quarantined' flag for a container under an active quarantine. */
  readonly marksFor = (host: string, containerId: string): RiskFlag[] => {
    const record = this.active(host, containerId);
    if (!record) return [];
    const what =
      record.state === 'quarantined'
        ? `Quarantined by Drydock since ${record.createdAt}`
        : `Quarantine ${record.state === 'applying' ? 'being applied' : 'being released'} by Drydock (since ${record.createdAt})`;
    return [{ id: 'quarantined', severity: 'info', reason: `${what}: ${record.modes.join(', ')}`, evidence: [record.id] }];
  };

  private write(run: () => unknown): void {
    try {
      run();
    } catch (err) {
      throw storeIoFailure(err, 'record the quarantine in the store');
    }
  }
}

function parse(row: Row): QuarantineRecord {
  return JSON.parse(row.record) as QuarantineRecord;
}
