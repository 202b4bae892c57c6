import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ContainerSummary, InventoryChange, InventorySnapshot } from '../../../shared/domain/inventory';
import { BUSYBOX, docker, removeContainers, runContainer, startTestCore, type TestCore } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';
import { startScenario, type Scenario } from '../../helpers/scenario';

describe('inventory on the local engine', () => {
  let t: TestCore;
  const ids: Record<string, string> = {};
  const changes: InventoryChange[] = [];

  before(async () => {
    t = startTestCore('drydock-inventory');
    t.core.events.subscribe((event, payload) => {
      if (event === 'inventory.changed') changes.push(payload as InventoryChange);
    });
    ids.risky = runContainer([
      '--name',
      `dd-risky-${process.pid}`,
      '--privileged',
      '--pid=host',
      '-v',
      '/var/run/docker.sock:/var/run/docker.sock',
      '-v',
      '/etc:/host-etc',
      '--label',
      'note=\u001b[31mred\u001b[0m',
      BUSYBOX,
      'sleep',
      '600',
    ]);
    ids.caps = runContainer([
      '--name',
      `dd-caps-${process.pid}`,
      '--cap-add',
      'SYS_ADMIN',
      '--cap-add',
      'CHOWN',
      '--network',
      'host',
      '--security-opt',
      'seccomp=unconfined',
      '-v',
      '/root:/r:ro',
      BUSYBOX,
      'sleep',
      '600',
    ]);
    ids.tight = runContainer([
      '--name',
      `dd-tight-${process.pid}`,
      '--read-only',
      '--user',
      '65534:65534',
      '--security-opt',
      'no-new-privileges',
      '--cap-drop',
      'ALL',
      BUSYBOX,
      'sleep',
      '600',
    ]);
    ids.stopped = runContainer(['--name', `dd-stopped-${process.pid}`, BUSYBOX, 'true']);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
  });

  after(async () => {
    removeContainers(Object.values(ids));
    await t.close();
  });

  const find = (snapshot: InventorySnapshot, id: string): ContainerSummary => {
    const c = snapshot.containers.find((x) => x.id === id);
    assert.ok(c, `container ${id.slice(0, 12)} is in the inventory (has ${snapshot.containers.map((x) => x.name).join(', ')})`);
    return c;
  };
  const flagIds = (c: ContainerSummary) => new Set(c.risks.map((r) => r.id));

  it('lists running and stopped containers with the flags a responder checks first', async () => {
    const snapshot = await t.call('inventory.list', { host: 'local' });
    const risky = find(snapshot, ids.risky!);
    assert.equal(risky.topSeverity, 'critical');
    for (const id of ['privileged', 'host-pid', 'docker-socket', 'sensitive-mount', 'root-user', 'writable-rootfs', 'mutable-tag'] as const)
      assert.ok(flagIds(risky).has(id), `risky has ${id}`);
    const socket = risky.risks.find((r) => r.id === 'docker-socket');
    assert.deepEqual(socket?.evidence, ['/var/run/docker.sock -> /var/run/docker.sock (rw)']);
    const etc = risky.risks.find((r) => r.id === 'sensitive-mount');
    assert.equal(etc?.severity, 'high', '/etc mounted read-write is high');
    assert.match(etc?.reason ?? '', /read-write: \/etc/);
    assert.equal(risky.labels.note, '\u001b[31mred\u001b[0m', 'labels come through byte-exact (rendering makes them safe)');

    const caps = find(snapshot, ids.caps!);
    const capFlags = caps.risks.filter((r) => r.id === 'cap-added');
    assert.deepEqual(
      capFlags.map((r) => [r.severity, r.evidence]),
      [
        ['high', ['SYS_ADMIN']],
        ['medium', ['CHOWN']],
      ],
    );
    assert.ok(flagIds(caps).has('host-network'));
    assert.ok(flagIds(caps).has('seccomp-unconfined'));
    assert.equal(caps.risks.find((r) => r.id === 'sensitive-mount')?.severity, 'medium', '/root read-only is medium');

    const tight = find(snapshot, ids.tight!);
    assert.deepEqual([...flagIds(tight)], ['mutable-tag'], 'a locked-down container only carries the tag note');
    assert.equal(tight.user, '65534:65534');

    const stopped = find(snapshot, ids.stopped!);
    assert.equal(stopped.state, 'exited');
    assert.match(stopped.status, /exit 0/);
    assert.ok(stopped.finishedAt);
    assert.deepEqual(
      find(snapshot, ids.tight!).networks.map((n) => n.network),
      ['bridge'],
    );
    assert.match(find(snapshot, ids.tight!).networks[0]?.ipv4 ?? '', /^\d+\.\d+\.\d+\.\d+$/);
  });

  it('follows the engine event stream: start, stop and removal arrive as changes', async () => {
    changes.length = 0;
    const id = runContainer(['--name', `dd-live-${process.pid}`, BUSYBOX, 'sleep', '600']);
    ids.live = id;
    const started = await waitFor(() => changes.find((c) => c.containerId === id && c.container?.state === 'running'), {
      what: 'a change for the new container',
    });
    assert.equal(started.host, 'local');
    removeContainers([id]);
    const removed = await waitFor(() => changes.find((c) => c.containerId === id && c.container === undefined), {
      what: 'a removal change',
    });
    assert.equal(removed.action, 'destroy');
  });

  it('records a snapshot only when asked, into the current case, or an ad-hoc case when none is open', async () => {
    await t.call('inventory.list', { host: 'local', record: false });
    assert.deepEqual((await t.call('evidence.cases', {})).cases, [], 'looking opens no case');
    const adHoc = await t.call('inventory.list', { host: 'local', record: true });
    const { cases, currentCaseId } = await t.call('evidence.cases', {});
    assert.equal(cases.length, 1);
    assert.match(cases[0]?.name ?? '', /^local \d{4}-\d{2}-\d{2}$/);
    assert.equal(adHoc.stored?.caseId, currentCaseId);
    const created = await t.call('evidence.case-create', { name: 'Inventory case' });
    const snapshot = await t.call('inventory.list', { host: 'local', record: true });
    assert.equal(snapshot.stored?.caseId, created.id);
    const artifacts = await t.call('evidence.artifacts', { caseRef: created.id });
    const inv = artifacts.filter((a) => a.kind === 'inventory-snapshot');
    assert.equal(inv.length, 1);
    assert.equal(inv[0]?.attributes.containers, snapshot.containers.length);
    const audit = await t.call('evidence.audit', { caseRef: created.id });
    assert.ok(audit.some((e) => e.action === 'inventory.taken'));
  });
});

describe('inventory of the incident scene', () => {
  let t: TestCore;
  let scene: Scenario;

  before(async () => {
    scene = startScenario({ suffix: `inv${process.pid}` });
    t = startTestCore('drydock-scene');
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
  });

  after(async () => {
    scene.teardown();
    await t.close();
  });

  it('lists exactly what docker ps -a lists', async () => {
    // Read docker ps -a before and after: on a shared engine containers may come and go meanwhile,
    // so what existed throughout must be listed, and nothing may be listed that existed at neither time.
    const psA = () => new Set(docker(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}}']).split('\n').filter(Boolean));
    const before = psA();
    const snapshot = await t.call('inventory.list', { host: 'local' });
    const after = psA();
    const listed = new Set(snapshot.containers.map((c) => `${c.id} ${c.name}`));
    for (const line of before) if (after.has(line)) assert.ok(listed.has(line), `inventory lists ${line}`);
    for (const line of listed) assert.ok(before.has(line) || after.has(line), `${line} exists according to docker ps -a`);
    for (const id of Object.values(scene.ids)) assert.ok(snapshot.containers.some((c) => c.id === id));
  });

  it('shows networks with addresses, published ports, compose labels and the right flags', async () => {
    const snapshot = await t.call('inventory.list', { host: 'local' });
    const byName = new Map(snapshot.containers.map((c) => [c.name, c]));
    const web = byName.get(scene.names.web)!;
    assert.deepEqual(web.compose, { project: 'shop', service: 'web' });
    assert.equal(web.user, 'www-data');
    assert.ok(!web.risks.some((r) => r.id === 'root-user'), 'www-data is not root');
    assert.equal(web.ports[0]?.containerPort, 8080);
    assert.equal(web.ports[0]?.hostIp, '127.0.0.1');
    assert.ok((web.ports[0]?.hostPort ?? 0) > 0);
    const app = byName.get(scene.names.app)!;
    assert.deepEqual(app.networks.map((n) => n.network).sort(), [scene.networks.back, scene.networks.front].sort());
    for (const n of app.networks) assert.match(n.ipv4 ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    const backdoor = byName.get(scene.names.backdoor)!;
    assert.equal(backdoor.topSeverity, 'critical');
    assert.deepEqual(
      backdoor.risks.filter((r) => r.severity === 'critical').map((r) => r.id),
      ['privileged', 'docker-socket'],
    );
    const db = byName.get(scene.names.db)!;
    assert.equal(db.topSeverity, 'medium', 'the database only runs as root from a mutable tag');
  });
});
