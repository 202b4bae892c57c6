// A fleet triage's collector runs on each node with the node's Docker socket mounted, so the
// node's inventory (taken by the collector, merged into the case) scores the collector's own
// container critical. The timeline must show its creation as Drydock's own activity (info), as the
// report does, when the case's audit names its ID for that run and it carries the run's label; a
// look-alike (label only, another run, an inventory not merged from the run) keeps its severity.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { FLEET_RUN_LABEL, fleetCollectorIds } from '../../../main/core/evidence/fleet-collectors';
import { openDatabase, type Db } from '../../../main/core/store/database';
import { inventoryRows } from '../../../main/core/timeline/artifact-rows';
import { timelineSchema } from '../../../main/core/timeline/schema';
import { TimelineService } from '../../../main/core/timeline/timeline-service';
import type { ArtifactInfo, AuditEntry, CaseInfo } from '../../../shared/domain/evidence';
import type { TimelineRow } from '../../../shared/domain/timeline';

const RUN = 'fr-abc-123456';
const ID = 'a'.repeat(64);
const CREATED = '2026-12-01T04:00:05Z';

const entry = (seq: number, action: string, details: Record<string, unknown>): AuditEntry => ({
  seq,
  caseId: 'case-1',
  at: '2026-12-01T04:00:00Z',
  examiner: 'ex',
  action,
  details,
  prevHash: '',
  hash: '',
});

const container = (id: string, labels: Record<string, string>) => ({
  id,
  name: `drydock-fleet-${RUN}.n1.t1`,
  image: 'drydock-collector:latest',
  state: 'running',
  createdAt: CREATED,
  labels,
  risks: [{ id: 'docker-socket', severity: 'critical', reason: 'Docker socket mounted' }],
  topSeverity: 'critical',
});

const artifact = (id: string, attributes: Record<string, unknown>): ArtifactInfo => ({
  id,
  caseId: 'case-1',
  kind: 'inventory-snapshot',
  status: 'complete',
  source: { host: 'dd2' },
  method: 'test',
  mediaType: 'application/json',
  drydockVersion: 'test',
  acquiredAt: '2026-12-01T04:00:10Z',
  size: 0,
  sha256: '',
  attributes,
});
const merged = artifact('art-1', { fleet: { runId: RUN, nodeId: 'n1', hostname: 'dd2', acquiredAt: '2026-12-01T04:00:09Z' } });

const audit = [
  entry(1, 'fleet.service-created', { runId: RUN, host: 'dd1', serviceId: 's1' }),
  entry(2, 'fleet.bundle-fetched', { runId: RUN, nodeId: 'n1', host: 'dd2', containerId: ID }),
];

const created = (rows: TimelineRow[]) => rows.find((r) => r.source === 'lifecycle' && r.timestampDesc === 'Creation Time');

describe("the timeline shows a fleet run's collector container as Drydock's own, not as critical", () => {
  const collectors = fleetCollectorIds(audit);

  it("rates the collector's creation info and says it is Drydock's", () => {
    const row = created(inventoryRows(merged, { host: 'dd2', containers: [container(ID, { [FLEET_RUN_LABEL]: RUN })] }, { collectors }));
    assert.equal(row?.severity, 'info');
    assert.match(row?.message ?? '', /^\[Drydock's fleet collector, run fr-abc-123456\] container /);
    assert.match(row?.detail ?? '', /collector container of fleet run fr-abc-123456/);
  });

  it('keeps look-alikes critical: the label without a recorded ID, another run, an inventory not merged from the run', () => {
    for (const [c, a] of [
      [container('d'.repeat(64), { [FLEET_RUN_LABEL]: RUN }), merged],
      [container(ID, {}), merged],
      [container(ID, { [FLEET_RUN_LABEL]: 'fr-other' }), merged],
      [container(ID, { [FLEET_RUN_LABEL]: RUN }), artifact('art-2', {})],
    ] as const) {
      const row = created(inventoryRows(a, { host: 'dd2', containers: [c] }, { collectors }));
      assert.equal(row?.severity, 'critical');
      assert.doesNotMatch(row?.message ?? '', /Drydock/);
    }
  });

  describe('built from the case (the audit names the collector, the merged inventory lists it)', () => {
    let dir: string;
    let db: Db;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'drydock-timeline-'));
      db = openDatabase(dir, [timelineSchema]);
    });
    after(() => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("has no critical row for the collector's creation", async () => {
      const kase: CaseInfo = {
        id: 'case-1',
        name: 'fleet',
        examiner: 'ex',
        organisation: '',
        timeZone: 'UTC',
        description: '',
        status: 'closed',
        readOnly: false,
        createdAt: '2026-12-01T03:59:00Z',
        closedAt: '2026-12-01T04:10:00Z',
      };
      const snapshot = Buffer.from(JSON.stringify({ host: 'dd2', containers: [container(ID, { [FLEET_RUN_LABEL]: RUN })] }));
      const service = new TimelineService({
        db,
        evidence: {
          resolveCase: () => Promise.resolve(kase),
          listArtifacts: () => Promise.resolve([{ ...merged, size: snapshot.length }]),
          openArtifact: () => Promise.resolve(Readable.from([snapshot])),
          auditEntries: ({ afterSeq = 0 }) => Promise.resolve(audit.filter((e) => e.seq > afterSeq)),
          auditHead: () => Promise.resolve({ seq: audit.length, hash: '' }),
        },
        journal: { entriesBetween: () => [], entriesAddedAfter: () => [], revision: () => 0 },
        clock: { now: () => new Date('2026-12-01T05:00:00Z') },
        audit: () => undefined,
      });
      const page = await service.page({ caseRef: kase.id, limit: 1000 });
      const row = created(page.rows);
      assert.equal(row?.containerId, ID);
      assert.equal(row?.severity, 'info');
      assert.deepEqual(
        page.rows.filter((r) => r.severity === 'critical').map((r) => r.message),
        [],
      );
    });
  });
});
