import type { DriftScanInfo, NoiseRule } from '../../../shared/domain/drift';
import type { Db } from '../store/database';
import { DEFAULT_NOISE_RULES } from './noise-rules';

interface ScanRow {
  info: string;
  owner_pid: number;
}

/** Scans (so they can be listed and resumed after a restart) and the user's noise rules. */
export class ScanStore {
  constructor(private readonly db: Db) {}

  save(info: DriftScanInfo): void {
    this.db
      .prepare(
        `INSERT INTO drift_scans (id, host, case_id, state, started_at, owner_pid, info) VALUES (@id, @host, @caseId, @state, @startedAt, @pid, @info)
         ON CONFLICT(id) DO UPDATE SET state = excluded.state, owner_pid = excluded.owner_pid, info = excluded.info`,
      )
      .run({
        id: info.id,
        host: info.host,
        caseId: info.caseId,
        state: info.state,
        startedAt: info.startedAt,
        pid: process.pid,
        info: JSON.stringify(info),
      });
  }

  get(id: string): DriftScanInfo | undefined {
    const row = this.db.prepare<[string], ScanRow>('SELECT info, owner_pid FROM drift_scans WHERE id = ?').get(id);
    return row ? this.settle(row) : undefined;
  }

  /** IDs of stored scans that start with `prefix`, at most `limit`, in ID order (a range on the primary key: '~' sorts after every ID character). */
  idsStartingWith(prefix: string, limit: number): string[] {
    return this.db
      .prepare<[string, string, number], { id: string }>('SELECT id FROM drift_scans WHERE id >= ? AND id < ? ORDER BY id LIMIT ?')
      .all(prefix, `${prefix}~`, limit)
      .map((r) => r.id);
  }

  list(filter: { host?: string; caseId?: string; limit: number }): DriftScanInfo[] {
    const rows = this.db
      .prepare<[{ host: string | null; caseId: string | null; limit: number }], ScanRow>(
        'SELECT info, owner_pid FROM drift_scans WHERE (@host IS NULL OR host = @host) AND (@caseId IS NULL OR case_id = @caseId) ORDER BY started_at DESC LIMIT @limit',
      )
      .all({ host: filter.host ?? null, caseId: filter.caseId ?? null, limit: filter.limit });
    return rows.map((r) => this.settle(r));
  }

  /** A scan left 'running' by a process that is gone was interrupted: say so. */
  private settle(row: ScanRow): DriftScanInfo {
    const info = JSON.parse(row.info) as DriftScanInfo;
    if (info.state === 'running' && row.owner_pid !== process.pid && !alive(row.owner_pid)) {
      return {
        ...info,
        state: 'incomplete',
        stateReason: 'Drydock stopped while the scan ran; resume it to scan the containers it did not finish',
        containers: info.containers.map((c) =>
          c.state === 'scanning' || c.state === 'queued' ? { ...c, state: 'cancelled', error: 'interrupted' } : c,
        ),
      };
    }
    return info;
  }

  rules(): NoiseRule[] {
    const row = this.db.prepare<[], { value: string }>("SELECT value FROM drift_settings WHERE key = 'noise-rules'").get();
    return row ? (JSON.parse(row.value) as NoiseRule[]) : DEFAULT_NOISE_RULES.map((r) => ({ ...r }));
  }

  setRules(rules: NoiseRule[]): void {
    this.db
      .prepare("INSERT INTO drift_settings (key, value) VALUES ('noise-rules', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(JSON.stringify(rules));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
