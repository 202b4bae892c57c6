import type { CaptureInfo } from '../../../shared/domain/capture';
import type { Db } from '../store/database';
import { judgeOwner, thisProcessOwner } from '../helper/owner';

interface Row {
  info: string;
  owner_machine: string;
  owner_pid: number;
  owner_started: number;
  state: string;
}

/** The captures table: one row per capture, its latest CaptureInfo as JSON plus indexed columns. */
export class CaptureRecords {
  constructor(private readonly db: Db) {}

  save(info: CaptureInfo): void {
    this.db
      .prepare(
        `INSERT INTO captures (id, case_id, host, container_id, container_name, state, started_at, ended_at, owner_machine, owner_pid, owner_started, pcap_artifact_id, summary_artifact_id, info)
         VALUES (@id, @caseId, @host, @containerId, @containerName, @state, @startedAt, @endedAt, @machine, @pid, @started, @pcap, @summary, @info)
         ON CONFLICT(id) DO UPDATE SET state = excluded.state, started_at = excluded.started_at, ended_at = excluded.ended_at,
           pcap_artifact_id = excluded.pcap_artifact_id, summary_artifact_id = excluded.summary_artifact_id, info = excluded.info`,
      )
      .run({
        id: info.id,
        caseId: info.caseId,
        host: info.host,
        containerId: info.containerId,
        containerName: info.containerName,
        state: info.state,
        startedAt: info.startedAt,
        endedAt: info.endedAt ?? null,
        machine: thisProcessOwner.machine,
        pid: thisProcessOwner.pid,
        started: thisProcessOwner.startedAtMs,
        pcap: info.pcap?.artifactId ?? null,
        summary: info.flowSummaryArtifactId ?? null,
        info: JSON.stringify(info),
      });
  }

  get(id: string): CaptureInfo | undefined {
    const row = this.db
      .prepare<[string], Row>('SELECT info, owner_machine, owner_pid, owner_started, state FROM captures WHERE id = ?')
      .get(id);
    return row ? (JSON.parse(row.info) as CaptureInfo) : undefined;
  }

  recent(limit: number): CaptureInfo[] {
    return this.db
      .prepare<[number], Row>('SELECT info, owner_machine, owner_pid, owner_started, state FROM captures ORDER BY started_at DESC LIMIT ?')
      .all(limit)
      .map((row) => JSON.parse(row.info) as CaptureInfo);
  }

  summaryFor(pcapArtifactId: string): string | undefined {
    return (
      this.db
        .prepare<[string], { summary_artifact_id: string | null }>(
          'SELECT summary_artifact_id FROM captures WHERE pcap_artifact_id = ? AND summary_artifact_id IS NOT NULL',
        )
        .get(pcapArtifactId)?.summary_artifact_id ?? undefined
    );
  }

  setSummary(pcapArtifactId: string, summaryArtifactId: string): void {
    const rows = this.db.prepare<[string], { info: string }>('SELECT info FROM captures WHERE pcap_artifact_id = ?').all(pcapArtifactId);
    for (const row of rows) {
      const info = JSON.parse(row.info) as CaptureInfo;
      info.flowSummaryArtifactId = summaryArtifactId;
      this.save(info);
    }
  }

  /**
   * Captures a crashed Drydock left 'running': their owner is gone, so they ended when it died.
   * The pcap bytes themselves are the evidence store's to recover (marked incomplete there).
   */
  closeOrphaned(now: string): CaptureInfo[] {
    const rows = this.db
      .prepare<[], Row>(
        "SELECT info, owner_machine, owner_pid, owner_started, state FROM captures WHERE state IN ('starting', 'running', 'stopping')",
      )
      .all();
    const closed: CaptureInfo[] = [];
    for (const row of rows) {
      const verdict = judgeOwner({ machine: row.owner_machine, pid: row.owner_pid, startedAtMs: row.owner_started });
      if (verdict !== 'gone') continue;
      const info = JSON.parse(row.info) as CaptureInfo;
      info.state = 'failed';
      info.endedAt = now;
      info.stopReason = 'shutdown';
      info.error = {
        kind: 'cancelled',
        message: `the Drydock process that ran this capture (pid ${row.owner_pid}) ended without finishing it`,
      };
      this.save(info);
      closed.push(info);
    }
    return closed;
  }

  getSetting(key: string): string | null {
    return this.db.prepare<[string], { value: string }>('SELECT value FROM capture_settings WHERE key = ?').get(key)?.value ?? null;
  }

  setSetting(key: string, value: string | null): void {
    if (value === null) this.db.prepare('DELETE FROM capture_settings WHERE key = ?').run(key);
    else
      this.db
        .prepare('INSERT INTO capture_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
        .run(key, value);
  }
}
