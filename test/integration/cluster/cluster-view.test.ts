// A real three-node Swarm on this machine (test/helpers/swarm.ts: three dockerds, each in its own
// network and UTS namespace), seen by Drydock through its manager only, compared field by field
// with what the docker CLI says from the same manager's socket.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ClusterChange, ClusterNodeList, ClusterPort, ClusterServiceList, ClusterTaskList } from '../../../shared/domain/cluster';
import { drydock, drydockSpawn } from '../../helpers/cli';
import { BUSYBOX, docker, startTestCore, type TestCore } from '../../helpers/docker';
import { startSwarm, type Swarm } from '../../helpers/swarm';
import { recordEvents, waitFor, type EventRecorder } from '../../helpers/wait';

const SECRET_VALUE = 'dd-cluster-secret-value-7c1e';
const CONFIG_VALUE = 'dd-cluster-config-value-52aa';

/** `docker … --format '{{json .}}'`, one object per line. */
function jsonLines(args: string[], host: string): Record<string, unknown>[] {
  return docker([...args, '--format', '{{json .}}'], { host })
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function title(value: string): string {
  return value ? value.charAt(0).toUpperCase() + value.slice(1) : '';
}

/** As `docker service ps` prints a task's ports. */
function portsText(ports: ClusterPort[]): string {
  return ports.map((p) => `*:${p.publishedPort ?? ''}->${p.targetPort}/${p.protocol}`).join(',');
}

describe('a three-node Swarm seen from its manager', () => {
  let swarm: Swarm;
  let store = '';
  let manager = '';
  /** A core connected to the manager, hearing its event stream from the live test on. */
  let t: TestCore | undefined;
  let changes: EventRecorder<'cluster.changed'> | undefined;

  /** `drydock ARGS --json` against the store; the parsed output and the exit status. */
  function cli<T>(args: string[]): { code: number | null; value: T; err: string } {
    const run = drydock(store, [...args, '--json']);
    return { code: run.code, value: (run.out.trim() ? JSON.parse(run.out) : undefined) as T, err: run.err };
  }

  before(async () => {
    store = mkdtempSync(path.join(tmpdir(), 'drydock-cluster-'));
    swarm = await startSwarm({ nodes: 3, images: [BUSYBOX] });
    manager = swarm.manager.host;
    docker(['network', 'create', '--driver', 'overlay', 'dd-cluster-net'], { host: manager });
    execFileSync('docker', ['-H', manager, 'secret', 'create', 'dd-cluster-secret', '-'], {
      input: SECRET_VALUE,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    execFileSync('docker', ['-H', manager, 'config', 'create', 'dd-cluster-config', '-'], {
      input: CONFIG_VALUE,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    docker(['node', 'update', '--label-add', 'zone=b', '--label-add', 'disk=ssd', swarm.nodes[1]!.nodeId], { host: manager });
    // Three replicas, at most one per node: one on each node. No registry: --no-resolve-image.
    docker(
      [
        'service',
        'create',
        '-d',
        '--name',
        'dd-rep',
        '--replicas',
        '3',
        '--replicas-max-per-node',
        '1',
        '--network',
        'dd-cluster-net',
        // DNS round robin: the kernel here has no IPVS for the virtual IP a service gets by default.
        '--endpoint-mode',
        'dnsrr',
        '--publish',
        'mode=host,target=80,published=8080',
        '--secret',
        'dd-cluster-secret',
        '--config',
        'dd-cluster-config',
        '--stop-grace-period',
        '1s',
        '--no-resolve-image',
        BUSYBOX,
        'sleep',
        '3600',
      ],
      { host: manager },
    );
    docker(
      [
        'service',
        'create',
        '-d',
        '--name',
        'dd-glob',
        '--mode',
        'global',
        '--stop-grace-period',
        '1s',
        '--no-resolve-image',
        BUSYBOX,
        'sleep',
        '3600',
      ],
      { host: manager },
    );
    await waitFor(
      () => {
        const rows = jsonLines(['service', 'ls'], manager);
        return rows.length === 2 && rows.every((r) => String(r.Replicas).startsWith('3/3'));
      },
      { what: 'both services at 3/3 in docker service ls', timeoutMs: 120_000, intervalMs: 250 },
    );
  });

  after(async () => {
    changes?.stop();
    await t?.close();
    await swarm?.teardown();
    if (store) rmSync(store, { recursive: true, force: true });
  });

  it('lists the nodes as docker node ls does, with labels, addresses and the leader', () => {
    const { code, value, err } = cli<ClusterNodeList>(['cluster', 'nodes', '--host', manager]);
    assert.equal(code, 0, err);
    const expected = jsonLines(['node', 'ls'], manager);
    assert.equal(value.nodes.length, 3);
    assert.equal(expected.length, 3);
    for (const row of expected) {
      const node = value.nodes.find((n) => n.id === row.ID);
      assert.ok(node, `node ${String(row.ID)} is listed`);
      assert.equal(node.hostname, row.Hostname);
      assert.equal(title(node.state), row.Status);
      assert.equal(title(node.availability), row.Availability);
      assert.equal(node.manager ? (node.manager.leader ? 'Leader' : title(node.manager.reachability)) : '', row.ManagerStatus);
      assert.equal(node.engineVersion, row.EngineVersion);
      assert.equal(node.self, row.Self);
      assert.equal(node.reachable, true);
      const inspect = JSON.parse(docker(['node', 'inspect', node.id], { host: manager }))[0] as {
        Spec: { Role: string; Labels: Record<string, string> };
        Status: { Addr: string };
      };
      assert.equal(node.role, inspect.Spec.Role);
      assert.deepEqual(node.labels, inspect.Spec.Labels);
      assert.equal(node.address, inspect.Status.Addr);
    }
    assert.deepEqual(value.nodes.find((n) => n.id === swarm.nodes[1]!.nodeId)?.labels, { zone: 'b', disk: 'ssd' });
    assert.deepEqual(
      value.nodes.filter((n) => n.manager?.leader).map((n) => n.id),
      [swarm.manager.nodeId],
    );
    assert.equal(value.managerNodeId, swarm.manager.nodeId);
  });

  it('lists the services as docker service ls does, with networks, secrets and configs by name and never their values', () => {
    const run = drydock(store, ['cluster', 'services', '--host', manager, '--json']);
    assert.equal(run.code, 0, run.err);
    assert.ok(!run.out.includes(SECRET_VALUE) && !run.out.includes(CONFIG_VALUE), 'no secret or config value');
    const value = JSON.parse(run.out) as ClusterServiceList;
    const expected = jsonLines(['service', 'ls'], manager);
    assert.equal(value.services.length, expected.length);
    for (const row of expected) {
      const service = value.services.find((s) => s.id.startsWith(String(row.ID)));
      assert.ok(service, `service ${String(row.Name)} is listed`);
      assert.equal(service.name, row.Name);
      assert.equal(service.mode, row.Mode);
      const maxText = service.replicas.maxPerNode ? ` (max ${service.replicas.maxPerNode} per node)` : '';
      assert.equal(`${service.replicas.running}/${service.replicas.desired}${maxText}`, row.Replicas);
      assert.equal(service.image.reference, row.Image);
    }
    const rep = value.services.find((s) => s.name === 'dd-rep');
    assert.ok(rep);
    const netId = docker(['network', 'inspect', '--format', '{{.ID}}', 'dd-cluster-net'], { host: manager });
    assert.deepEqual(rep.networks, [{ id: netId, name: 'dd-cluster-net' }]);
    const secretId = docker(['secret', 'inspect', '--format', '{{.ID}}', 'dd-cluster-secret'], { host: manager });
    const configId = docker(['config', 'inspect', '--format', '{{.ID}}', 'dd-cluster-config'], { host: manager });
    assert.deepEqual(rep.secrets, [{ id: secretId, name: 'dd-cluster-secret', target: 'dd-cluster-secret' }]);
    assert.deepEqual(rep.configs, [{ id: configId, name: 'dd-cluster-config', target: 'dd-cluster-config' }]);
    assert.deepEqual(rep.ports, [{ protocol: 'tcp', targetPort: 80, publishedPort: 8080, publishMode: 'host' }]);
    assert.equal(rep.replicas.desired, 3);
    assert.equal(value.services.find((s) => s.name === 'dd-glob')?.replicas.desired, 3);
  });

  it('lists the tasks as docker service ps does, spread over the three nodes', () => {
    const { code, value, err } = cli<ClusterTaskList>(['cluster', 'tasks', 'dd-rep', 'dd-glob', '--host', manager]);
    assert.equal(code, 0, err);
    const expected = jsonLines(['service', 'ps', '--no-trunc', 'dd-rep', 'dd-glob'], manager);
    assert.equal(value.tasks.length, expected.length);
    for (const row of expected) {
      const task = value.tasks.find((t) => t.id === row.ID);
      assert.ok(task, `task ${String(row.Name)} is listed`);
      assert.equal(task.name, row.Name);
      assert.equal(task.image.reference, row.Image);
      assert.equal(task.nodeHostname, row.Node);
      assert.equal(title(task.desiredState), row.DesiredState);
      assert.ok(String(row.CurrentState).startsWith(`${title(task.state)} `), `${String(row.CurrentState)} is ${task.state}`);
      assert.equal(task.error ?? '', row.Error);
      assert.equal(portsText(task.ports), row.Ports);
    }
    const running = value.tasks.filter((t) => t.desiredState === 'running' && t.state === 'running');
    const allNodes = swarm.nodes.map((n) => n.nodeId).sort();
    for (const name of ['dd-rep', 'dd-glob']) {
      const mine = running.filter((t) => t.serviceName === name);
      assert.deepEqual(mine.map((t) => t.nodeId).sort(), allNodes, `${name} runs one task on each node`);
      for (const t of mine) {
        // The container the task names is on that task's node, and only there.
        const node = swarm.nodes.find((n) => n.nodeId === t.nodeId)!;
        assert.ok(t.containerId);
        assert.equal(
          docker(['inspect', '--format', '{{index .Config.Labels "com.docker.swarm.task.id"}}', t.containerId], { host: node.host }),
          t.id,
        );
      }
    }
    assert.deepEqual(
      running
        .filter((t) => t.serviceName === 'dd-rep')
        .map((t) => t.slot)
        .sort(),
      [1, 2, 3],
    );
  });

  it('says plainly that a worker, or an engine in no swarm, is not a manager', () => {
    const worker = cli<{ ok: false; error: { kind: string; message: string } }>(['cluster', 'tasks', '--host', swarm.nodes[2]!.host]);
    assert.notEqual(worker.code, 0);
    assert.equal(worker.value.error.kind, 'unsupported');
    assert.match(worker.value.error.message, /is not a swarm manager: it is a swarm worker/);
    assert.match(worker.err, /connect Drydock to a manager/);
    // The machine's own engine is in no swarm (only its /info is read).
    const single = cli<{ ok: false; error: { kind: string; message: string } }>([
      'cluster',
      'nodes',
      '--host',
      'unix:///var/run/docker.sock',
    ]);
    assert.equal(single.value.error.kind, 'unsupported');
    assert.match(single.value.error.message, /is not a swarm manager: it is not in a swarm \(Swarm\.LocalNodeState inactive\)/);
    // The host is under investigation: never advise turning it into a swarm, name the way to a manager instead.
    assert.match(single.value.error.message, /give Drydock a manager of the swarm under investigation as its host/);
    assert.doesNotMatch(single.value.error.message, /in the app|--host/);
    assert.doesNotMatch(single.value.error.message, /swarm init|join it/);
    const unknown = cli<{ ok: false; error: { kind: string } }>(['cluster', 'tasks', 'dd-nosuch', '--host', manager]);
    assert.equal(unknown.code, 3);
    assert.equal(unknown.value.error.kind, 'not-found');
  });

  it("hears the cluster change live from the manager's event stream", async () => {
    t = startTestCore('drydock-cluster-live');
    await t.call('hosts.add', { name: 'manager', url: manager });
    // The first call connects, and the connection follows the manager's event stream.
    assert.equal((await t.call('cluster.services', { host: 'manager' })).services.find((s) => s.name === 'dd-rep')?.replicas.desired, 3);
    changes = recordEvents(t.core, 'cluster.changed');
    // And the CLI's watch, from its own process and store.
    const watch = drydockSpawn(store, ['cluster', 'watch', '--host', manager, '--json']);
    let out = '';
    let err = '';
    watch.stdout.on('data', (c: Buffer) => (out += c.toString()));
    watch.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => watch.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => err.includes('following swarm'), { what: `drydock cluster watch to start (stderr: ${err})`, timeoutMs: 60_000 });
      docker(['service', 'scale', '--detach', 'dd-rep=2'], { host: manager });
      const line = await waitFor(
        () =>
          out
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as ClusterChange)
            .find((c) => c.kind === 'service' && c.name === 'dd-rep' && c.attributes['replicas.new'] === '2'),
        { what: `drydock cluster watch to print dd-rep scaled to 2 (stdout: ${out})`, timeoutMs: 30_000 },
      );
      assert.equal(line.action, 'update');
      watch.kill('SIGINT');
      assert.equal(await exited, 0, err);
    } finally {
      watch.kill('SIGKILL');
    }
    const scaled = await changes.next((c) => c.kind === 'service' && c.name === 'dd-rep' && c.attributes['replicas.new'] === '2', {
      what: 'a cluster.changed event saying dd-rep was scaled to 2',
      timeoutMs: 30_000,
    });
    assert.equal(scaled.host, 'manager');
    assert.equal(scaled.action, 'update');
    assert.equal(scaled.attributes['replicas.old'], '3');
    const serviceId = docker(['service', 'inspect', '--format', '{{.ID}}', 'dd-rep'], { host: manager });
    assert.equal(scaled.id, serviceId);
    const after = await t.call('cluster.services', { host: 'manager' });
    assert.equal(after.services.find((s) => s.id === serviceId)?.replicas.desired, 2);
    execFileSync('docker', ['-H', manager, 'secret', 'create', 'dd-cluster-late', '-'], {
      input: SECRET_VALUE,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const secret = await changes.next((c) => c.kind === 'secret' && c.name === 'dd-cluster-late', {
      what: 'a cluster.changed event naming the new secret',
      timeoutMs: 30_000,
    });
    assert.equal(secret.action, 'create');
    assert.ok(!JSON.stringify(secret).includes(SECRET_VALUE), 'the event carries no secret value');
  });

  it('shows a node the manager lost as down, with what the manager still knows about it', async () => {
    const lost = swarm.nodes[2]!;
    await swarm.killNode(lost.index);
    await waitFor(() => jsonLines(['node', 'ls'], manager).find((r) => r.ID === lost.nodeId)?.Status === 'Down', {
      what: `docker node ls to show node ${lost.hostname} Down`,
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    const { code, value, err } = cli<ClusterNodeList>(['cluster', 'nodes', '--host', manager]);
    assert.equal(code, 0, err);
    const node = value.nodes.find((n) => n.id === lost.nodeId);
    assert.ok(node);
    assert.equal(node.state, 'down');
    assert.equal(node.reachable, false);
    assert.equal(node.hostname, lost.hostname);
    assert.equal(node.engineVersion, value.nodes.find((n) => n.self)?.engineVersion);
    assert.equal(node.address, lost.address);
    const down = await changes!.next((c) => c.kind === 'node' && c.id === lost.nodeId && c.attributes['state.new'] === 'down', {
      what: `a cluster.changed event saying node ${lost.hostname} went down`,
      timeoutMs: 30_000,
    });
    assert.equal(down.name, lost.hostname);
    const text = drydock(store, ['cluster', 'nodes', '--host', manager]);
    assert.match(text.out, new RegExp(`Unreachable: node ${lost.hostname} \\(${lost.nodeId}\\) is down`));
  });
});
