// A fleet triage's collector container mounts the node's Docker socket, so the node's merged
// inventory scores it critical. It is Drydock's own: the case report shows it as "Drydock's
// collector" (info), not as a risk of the host, when the case's audit names its ID for that run and
// it carries the run's label; a look-alike (label only, or another run) stays a risk.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLEET_RUN_LABEL, fleetCollectorIds } from '../../../main/core/evidence/fleet-collectors';
import { FLEET_RUN_LABEL as RUN_LABEL_OF_FLEET } from '../../../main/core/fleet/fleet-run';
import { inventoryFindings, type InventoryRow } from '../../../main/core/report/report-service';
import type { AuditEntry } from '../../../shared/domain/evidence';

const RUN = 'fr-abc-123456';
const ID = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

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

const socketRisk = { severity: 'critical', reason: 'Docker socket mounted' };
const row = (id: string, labels: Record<string, string>): InventoryRow => ({
  id,
  name: `drydock-fleet-${RUN}.n1.t1`,
  labels,
  risks: [socketRisk],
  topSeverity: 'critical',
});
const merged = { id: 'art-1', attributes: { fleet: { runId: RUN, nodeId: 'n1', hostname: 'dd2' } } };

describe("the report shows a fleet run's collector as Drydock's, not as a risk of the node", () => {
  it('uses the label fleet-run.ts sets', () => assert.equal(FLEET_RUN_LABEL, RUN_LABEL_OF_FLEET));

  const ids = fleetCollectorIds([
    entry(1, 'fleet.bundle-fetched', { runId: RUN, nodeId: 'n1', host: 'dd2', containerId: ID }),
    entry(2, 'fleet.collector-containers-removed', { runId: RUN, nodeId: 'n2', host: 'dd3', containers: [OTHER] }),
    entry(3, 'helper.created', { runId: RUN, containerId: 'c'.repeat(64) }),
  ]);

  it('reads the collector IDs the audit names, per run', () => {
    assert.deepEqual([...ids].sort(), [`${RUN} ${ID}`, `${RUN} ${OTHER}`]);
  });

  it("says Drydock's collector (info) for the run's own container", () => {
    const [finding, ...rest] = inventoryFindings(row(ID, { [FLEET_RUN_LABEL]: RUN }), 'dd2', merged, ids);
    assert.equal(rest.length, 0);
    assert.equal(finding?.severity, 'info');
    assert.equal(finding?.title, "Drydock's collector");
    assert.equal(finding?.category, 'drydock');
    assert.match(finding?.detail ?? '', /fleet run fr-abc-123456/);
  });

  it('keeps look-alikes as risks: the label without a recorded ID, another run, an inventory not merged from the run', () => {
    for (const [c, artifact] of [
      [row('d'.repeat(64), { [FLEET_RUN_LABEL]: RUN }), merged],
      [row(ID, {}), merged],
      [row(ID, { [FLEET_RUN_LABEL]: 'fr-other' }), merged],
      [row(ID, { [FLEET_RUN_LABEL]: RUN }), { id: 'art-2', attributes: {} }],
    ] as const) {
      const [finding] = inventoryFindings(c, 'dd2', artifact, ids);
      assert.equal(finding?.severity, 'critical');
      assert.equal(finding?.category, 'risk');
    }
  });

  it("leaves Drydock's helpers and unflagged containers out", () => {
    assert.deepEqual(inventoryFindings({ name: 'h', helper: true, risks: [socketRisk] }, 'dd2', merged, ids), []);
    assert.deepEqual(inventoryFindings({ name: 'web', risks: [] }, 'dd2', merged, ids), []);
  });
});
