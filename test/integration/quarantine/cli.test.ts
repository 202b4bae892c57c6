import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry } from '../../../shared/domain/evidence';
import type { QuarantineRecord } from '../../../shared/domain/quarantine';
import { drydock as drydockBin } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, runContainer, TEST_LABEL } from '../../helpers/docker';
import { networksOf, QUARANTINE_NET, removeNetworks, WEB } from './fixture';

/** The built bin (npm run build:node first), answering prompts with input. */
const drydock = (store: string, args: string[], input = '') => drydockBin(store, args, { input });

describe('drydock quarantine / release (CLI)', () => {
  let store = '';
  const net = `dd-qcli-${process.pid}`;
  const name = `${net}-suspect`;
  let id = '';
  const extra: string[] = [];
  const images: string[] = [];
  const volume = `${net}-vol`;

  before(() => {
    store = mkdtempSync('/tmp/drydock-quarantine-cli-');
    docker(['network', 'create', '--label', TEST_LABEL, net]);
    id = runContainer(['--name', name, '--network', net, '--network-alias', 'cli-alias', WEB]);
    assert.equal(drydock(store, ['hosts', 'add', 'local', 'unix:///var/run/docker.sock']).code, 0);
    assert.equal(drydock(store, ['case', 'create', '--name', 'CLI quarantine']).code, 0);
  });

  after(() => {
    drydock(store, ['release', name, '--host', 'local']);
    for (const c of extra) drydock(store, ['release', c, '--host', 'local']);
    removeContainers([...extra].reverse());
    removeContainers([id]);
    for (const image of images) {
      try {
        docker(['rmi', '-f', image]);
      } catch {
        // Already gone.
      }
    }
    try {
      docker(['volume', 'rm', volume]);
    } catch {
      // Not created, or gone.
    }
    removeNetworks([net]);
    rmSync(store, { recursive: true, force: true });
  });

  it('shows the plan and changes nothing when the answer is no', () => {
    const refused = drydock(store, ['quarantine', name, '--host', 'local', '--mode', 'isolate,pause'], 'n\n');
    assert.equal(refused.code, 1, refused.err);
    assert.match(refused.out, /1\. isolate \(will run\)/);
    assert.match(refused.out, new RegExp(`Disconnect it from ${net} \\(.*aliases cli-alias\\)`));
    assert.match(refused.out, /2\. pause \(will run\)/);
    assert.match(refused.err, /nothing was changed/);
    assert.deepEqual(Object.keys(networksOf(id)), [net]);
    const rejected = drydock(store, ['quarantine', name, '--host', 'local', '--mode', 'isolate,freeze', '--yes']);
    assert.equal(rejected.code, 2);
    assert.match(rejected.err, /unknown mode freeze/);
  });

  it('applies on yes, reports status, releases', () => {
    const applied = drydock(store, ['quarantine', name, '--host', 'local', '--mode', 'isolate'], 'y\n');
    assert.equal(applied.code, 0, applied.err);
    assert.match(applied.out, /QUARANTINED/);
    assert.deepEqual(Object.keys(networksOf(id)), [QUARANTINE_NET]);
    const status = drydock(store, ['quarantine', 'status', '--host', 'local', '--json']);
    assert.equal(status.code, 0, status.err);
    const active = (JSON.parse(status.out) as QuarantineRecord[]).find((r) => r.containerId === id && r.state === 'quarantined');
    assert.ok(active);
    // Quarantining it again does nothing, audits nothing, and says so (exit 1), with --yes or asked.
    // Every CLI run audits its host connection; the quarantine's own entries are what must not grow.
    const audited = () =>
      drydock(store, ['case', 'audit', '--json'])
        .out.split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditEntry)
        .filter((e) => e.action.startsWith('quarantine.') && e.details.recordId === active.id).length;
    const entries = audited();
    const already = new RegExp(`${name} is already quarantined by Drydock \\(${active.id}, since ${active.createdAt}\\): nothing done`);
    const again = drydock(store, ['quarantine', name, '--host', 'local', '--mode', 'isolate', '--yes']);
    assert.equal(again.code, 1, again.err);
    assert.match(again.err, already);
    assert.doesNotMatch(again.out, /QUARANTINED/);
    const asked = drydock(store, ['quarantine', name, '--host', 'local', '--mode', 'isolate'], 'y\n');
    assert.equal(asked.code, 1, asked.err);
    assert.match(asked.err, already);
    assert.doesNotMatch(asked.err, /Apply this quarantine\?/, 'nothing to confirm');
    assert.equal(audited(), entries, 'nothing audited');
    // `quarantine release` points to the release command.
    const misnamed = drydock(store, ['quarantine', 'release', name, '--host', 'local']);
    assert.equal(misnamed.code, 2);
    assert.match(misnamed.err, /drydock release CONTAINER/);
    // release --dry-run says what release would undo and changes nothing.
    const preview = drydock(store, ['release', name, '--host', 'local', '--dry-run']);
    assert.equal(preview.code, 0, preview.err);
    assert.match(preview.out, new RegExp(`reconnect it to ${net} \\(aliases cli-alias\\) and detach it from the quarantine network`));
    assert.match(preview.out, /Dry run: nothing was changed\./);
    assert.deepEqual(Object.keys(networksOf(id)), [QUARANTINE_NET], 'the dry run changed nothing');
    assert.equal(audited(), entries, 'the dry run audited nothing');
    const released = drydock(store, ['release', name, '--host', 'local', '--json']);
    assert.equal(released.code, 0, released.err);
    assert.equal((JSON.parse(released.out) as QuarantineRecord).state, 'released');
    assert.equal((JSON.parse(released.out) as QuarantineRecord).release?.reason, 'not given', 'a release without --reason says so');
    assert.deepEqual(Object.keys(networksOf(id)), [net]);
    const none = drydock(store, ['quarantine', 'status', '--host', 'local']);
    assert.match(none.out, /No active quarantine on host local/);
    // One container's status is its history: the released quarantine with both its times.
    const history = drydock(store, ['quarantine', 'status', '--host', 'local', name]);
    assert.equal(history.code, 0, history.err);
    assert.match(history.out, new RegExp(`RELEASED — quarantine ${active.id}, quarantined ${active.createdAt}, released \\S+Z`));
    // Releasing it again does nothing and says so.
    const twice = drydock(store, ['release', name, '--host', 'local']);
    assert.equal(twice.code, 1, twice.err);
    assert.match(twice.err, new RegExp(`${active.id} was already released at \\S+Z; nothing done`));
  });

  it('release keeps the reason given with --reason, in the record and the audit log', () => {
    assert.equal(drydock(store, ['quarantine', name, '--host', 'local', '--mode', 'pause', '--yes']).code, 0);
    const released = drydock(store, ['release', name, '--host', 'local', '--reason', 'false positive: \x1b[31mbackup job']);
    assert.equal(released.code, 0, released.err);
    assert.ok(
      released.out.includes('release reason: false positive: \\x1b[31mbackup job'),
      `the escape is shown, not run: ${released.out}`,
    );
    // A pause-only quarantine never touched its networks: release says it unpaused, nothing restored.
    assert.match(released.out, /release unpause\s+done\s+Unpaused/);
    assert.doesNotMatch(released.out, /restored /, released.out);
    assert.doesNotMatch(released.out, /skipped\s+skipped/, released.out);
    assert.match(released.out, /release networks\s+skipped\s+the quarantine did not change networks/);
    const record = (
      JSON.parse(drydock(store, ['quarantine', 'status', '--host', 'local', name, '--all', '--json']).out) as QuarantineRecord[]
    )[0]!;
    assert.equal(record.release?.reason, 'false positive: \x1b[31mbackup job');
    const audit = drydock(store, ['case', 'audit', '--json'])
      .out.split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEntry);
    const started = audit.filter((e) => e.action === 'quarantine.release-started' && e.details.recordId === record.id);
    assert.deepEqual(
      started.map((e) => e.details.reason),
      ['false positive: \x1b[31mbackup job'],
    );
    const empty = drydock(store, ['release', name, '--host', 'local', '--reason', '  ']);
    assert.equal(empty.code, 2);
  });

  it('releasing what Drydock never quarantined says so and exits 3 (not found)', () => {
    for (const ref of [`${net}-never`, 'never-quarantined.7']) {
      const run = drydock(store, ['release', ref, '--host', 'local']);
      assert.equal(run.code, 3, run.err);
      assert.match(run.err, new RegExp(`${ref.replace('.', '\\.')} is not quarantined by Drydock`));
    }
  });

  it('the prompt names the containers that share the network namespace', () => {
    const b = runContainer(['--name', `${net}-joiner`, '--network', `container:${name}`, BUSYBOX, 'sleep', '3600']);
    extra.push(b);
    const refused = drydock(store, ['quarantine', name, '--host', 'local', '--mode', 'isolate'], 'n\n');
    assert.equal(refused.code, 1, refused.err);
    assert.match(
      refused.out,
      new RegExp(`Shares its network namespace with:\\n\\s+${net}-joiner \\(${b.slice(0, 12)}, running\\) runs in its network namespace`),
    );
    assert.match(refused.err, new RegExp(`It also cuts off ${net}-joiner \\(same network namespace\\)`));
    assert.deepEqual(Object.keys(networksOf(id)), [net], 'nothing changed');
  });

  it('a snapshot with --yes says which volumes it left out', () => {
    docker(['volume', 'create', '--label', TEST_LABEL, volume]);
    const c = runContainer(['--name', `${net}-vols`, '-v', `${volume}:/data`, BUSYBOX, 'sleep', '3600']);
    extra.push(c);
    const applied = drydock(store, ['quarantine', c, '--host', 'local', '--mode', 'snapshot', '--yes']);
    assert.equal(applied.code, 0, applied.err);
    assert.match(applied.out, new RegExp(`not in the snapshot: volume ${volume} at /data \\(rw\\): collect it separately`));
    const record = (JSON.parse(drydock(store, ['quarantine', 'status', '--host', 'local', c, '--json']).out) as QuarantineRecord[])[0]!;
    if (record.snapshot?.imageId) images.push(record.snapshot.imageId);
    assert.deepEqual(
      record.snapshot?.excludedMounts?.map((m) => [m.type, m.name, m.destination]),
      [['volume', volume, '/data']],
    );
  });
});
