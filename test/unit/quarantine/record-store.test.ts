import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { QuarantineRecordStore } from '../../../main/core/quarantine/record-store';
import { quarantineSchema } from '../../../main/core/quarantine/schema';
import { openDatabase, type Db } from '../../../main/core/store/database';
import type { QuarantineRecord } from '../../../shared/domain/quarantine';

function record(
  id: string,
  containerId: string,
  containerName: string,
  state: QuarantineRecord['state'],
  createdAt: string,
): QuarantineRecord {
  return {
    id,
    host: 'lab',
    containerId,
    containerName,
    caseId: null,
    state,
    modes: ['isolate'],
    before: {
      status: 'running',
      running: true,
      paused: false,
      networkMode: 'default',
      networks: [],
      hostLinks: [],
      restartPolicy: 'no',
      autoRemove: false,
      inspectedAt: createdAt,
    },
    steps: [{ mode: 'isolate', state: 'done' }],
    warnings: [],
    createdAt,
    updatedAt: createdAt,
  };
}

describe('quarantine record store', () => {
  let dir: string;
  let db: Db;
  let store: QuarantineRecordStore;
  const idA = `abc${'1'.repeat(61)}`;
  const idB = `abd${'2'.repeat(61)}`;
  const idC = `${'f'.repeat(64)}`;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'drydock-qstore-'));
    db = openDatabase(dir, [quarantineSchema]);
    store = new QuarantineRecordStore(db);
    store.insert(record('q-1', idA, 'web', 'released', '2026-01-01T00:00:00.000Z'));
    store.insert(record('q-2', idA, 'web', 'quarantined', '2026-01-02T00:00:00.000Z'));
    store.insert(record('q-3', idB, 'db', 'applying', '2026-01-03T00:00:00.000Z'));
    // A container literally named like another one's ID prefix.
    store.insert(record('q-4', idC, 'abc', 'quarantined', '2026-01-04T00:00:00.000Z'));
  });

  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the active record of a container, and only that', () => {
    assert.equal(store.active('lab', idA)?.id, 'q-2');
    assert.equal(store.active('other', idA), undefined);
  });

  it('resolves a reference like the engine: exact name first, then an unambiguous ID prefix', () => {
    assert.deepEqual(
      store.forContainer('lab', 'web').map((r) => r.id),
      ['q-2', 'q-1'],
    );
    assert.deepEqual(
      store.forContainer('lab', '/web').map((r) => r.id),
      ['q-2', 'q-1'],
    );
    assert.deepEqual(
      store.forContainer('lab', 'abc').map((r) => r.id),
      ['q-4'],
      'the name wins over the ID prefix',
    );
    assert.deepEqual(
      store.forContainer('lab', 'abc1').map((r) => r.id),
      ['q-2', 'q-1'],
    );
    assert.deepEqual(store.forContainer('lab', 'ab'), [], 'an ambiguous prefix names nothing');
    assert.deepEqual(store.forContainer('lab', 'we'), [], 'a name is never matched by prefix');
    assert.deepEqual(store.forContainer('lab', 'abc%'), []);
  });

  it('lists a host newest first, with or without released ones', () => {
    assert.deepEqual(
      store.list('lab', false).map((r) => r.id),
      ['q-4', 'q-3', 'q-2'],
    );
    assert.deepEqual(
      store.list('lab', true).map((r) => r.id),
      ['q-4', 'q-3', 'q-2', 'q-1'],
    );
  });

  it("gives the inventory a 'quarantined' flag for active quarantines only", () => {
    const [flag] = store.marksFor('lab', idA);
    assert.equal(flag?.id, 'quarantined');
    assert.equal(flag?.severity, 'info');
    assert.match(flag?.reason ?? '', /Quarantined by Drydock since 2026-01-02.*isolate/);
    assert.match(store.marksFor('lab', idB)[0]?.reason ?? '', /being applied/);
    assert.deepEqual(store.marksFor('lab', 'nope'), []);
  });

  it('saves progress in place', () => {
    const r = store.get('q-3')!;
    r.state = 'quarantined';
    r.steps[0]!.detail = 'Disconnected from front';
    store.save(r);
    assert.equal(store.get('q-3')?.steps[0]?.detail, 'Disconnected from front');
    assert.equal(store.active('lab', idB)?.state, 'quarantined');
  });

  it("finds a Swarm task's records by ID, SERVICE.SLOT or a unique task ID prefix, released ones too", () => {
    const task = (id: string, taskId: string, taskName: string, state: QuarantineRecord['state'], at: string) => ({
      ...record(id, `${taskId.slice(0, 8)}${'0'.repeat(56)}`, `${taskName}.${taskId}`, state, at),
      swarm: {
        manager: 'mgr',
        taskId,
        taskName,
        serviceId: 'svc',
        serviceName: 'sl',
        nodeId: 'n1',
        nodeHostname: 'node-1',
        actions: [],
      },
    });
    store.insert(task('q-t1', 'xr1boon5bx57aaaaaaaaaaaaa', 'sl.1', 'released', '2026-02-01T00:00:00.000Z'));
    store.insert(task('q-t2', 'xr1boon5bx58bbbbbbbbbbbbb', 'sl.2', 'quarantined', '2026-02-02T00:00:00.000Z'));
    assert.deepEqual(
      store.forTask('mgr', 'xr1boon5bx57').map((r) => r.id),
      ['q-t1'],
      'the 12 characters docker service ps prints',
    );
    assert.equal(store.activeForTask('mgr', 'xr1boon5bx57'), undefined, 'released: no active quarantine');
    assert.equal(store.activeForTask('mgr', 'xr1boon5bx58')?.id, 'q-t2');
    assert.equal(store.activeForTask('mgr', 'sl.2')?.id, 'q-t2');
    assert.deepEqual(store.forTask('mgr', 'xr1boon5bx5'), [], 'an ambiguous prefix names no task');
    assert.deepEqual(store.forTask('other-manager', 'sl.2'), []);
  });
});
