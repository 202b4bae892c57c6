// The manager's documents as a hostile engine could send them: wrong types, huge strings, escape
// codes, values where only references belong. The parsers must keep to the domain's shapes and caps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_ENTRIES, MAX_TEXT, parseNode, parseService, parseTask, splitImage } from '../../../main/core/cluster/parse';
import { renderNodes, renderServices } from '../../../main/cli/commands/cluster';

const ESC = '\u001b]0;owned\u0007\u001b[2J';

describe('cluster documents from a hostile manager', () => {
  it('splits a pinned image into its reference and digest, and leaves anything else whole', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    assert.deepEqual(splitImage(`nginx:1.25@${digest}`), { reference: 'nginx:1.25', digest });
    assert.deepEqual(splitImage('registry:5000/app:1'), { reference: 'registry:5000/app:1' });
    assert.deepEqual(splitImage('app@notadigest'), { reference: 'app@notadigest' });
    assert.deepEqual(splitImage(42), { reference: '' });
  });

  it('keeps a node to its shape: unknown words become unknown, wrong types are dropped, text is capped', () => {
    const labels = Object.fromEntries(Array.from({ length: MAX_ENTRIES + 50 }, (_, i) => [`k${i}`, 'v']));
    const node = parseNode(
      {
        ID: 'n1',
        Spec: { Role: 'overlord', Availability: ['active'], Labels: { ...labels, bad: { nested: true } } },
        Description: { Hostname: `${ESC}${'x'.repeat(MAX_TEXT * 4)}`, Engine: { EngineVersion: 20, Labels: null } },
        Status: { State: 'down', Addr: '10.0.0.9', Message: 'heartbeat failure' },
        ManagerStatus: { Leader: 'yes', Reachability: 'unreachable', Addr: 7 },
        CreatedAt: '0001-01-01T00:00:00Z',
        UpdatedAt: 'yesterday',
      },
      'n1',
    );
    assert.ok(node);
    assert.equal(node.role, 'unknown');
    assert.equal(node.availability, 'unknown');
    assert.equal(node.state, 'down');
    assert.equal(node.reachable, false);
    assert.equal(node.self, true);
    assert.deepEqual(node.manager, { leader: false, reachability: 'unreachable', address: '' });
    assert.equal(node.engineVersion, '');
    assert.ok(node.hostname.length <= 257);
    assert.equal(Object.keys(node.labels).length, MAX_ENTRIES);
    assert.equal(node.labels.bad, undefined);
    assert.equal(node.createdAt, undefined);
    assert.equal(node.updatedAt, undefined);
    assert.equal(parseNode({ Spec: {} }, 'n1'), undefined, 'a node without an ID is left out');
    assert.equal(parseNode('garbage', 'n1'), undefined);
  });

  it('names secrets and configs by reference only, whatever else the engine puts beside them', () => {
    const service = parseService(
      {
        ID: 's1',
        Spec: {
          Name: 'web',
          Mode: { Replicated: { Replicas: -3 } },
          TaskTemplate: {
            ContainerSpec: {
              Image: 'web:1',
              Secrets: [
                { SecretID: 'sec1', SecretName: 'db-password', File: { Name: 'db' }, Data: 'c3VwZXJzZWNyZXQ=' },
                { SecretName: 'no-id' },
                'junk',
              ],
              Configs: { not: 'a list' },
            },
            Networks: [{ Target: 'net1' }, { Target: 'net1' }, { Target: 5 }],
          },
        },
        ServiceStatus: { RunningTasks: 1e300, DesiredTasks: 2 },
        Endpoint: { Ports: [{ TargetPort: 80, PublishedPort: 30080, Protocol: 'tcp', PublishMode: 'ingress' }, { TargetPort: 'x' }] },
      },
      new Map([['net1', 'front']]),
    );
    assert.ok(service);
    assert.equal(service.mode, 'replicated');
    assert.deepEqual(service.replicas, { desired: 2, running: null });
    assert.deepEqual(service.secrets, [{ id: 'sec1', name: 'db-password', target: 'db' }]);
    assert.ok(!JSON.stringify(service).includes('c3VwZXJzZWNyZXQ='), 'no secret data');
    assert.deepEqual(service.configs, []);
    assert.deepEqual(service.networks, [{ id: 'net1', name: 'front' }]);
    assert.deepEqual(service.ports, [
      { protocol: 'tcp', targetPort: 80, publishedPort: 30080, publishMode: 'ingress' },
      { protocol: 'tcp', targetPort: 0, publishMode: 'ingress' },
    ]);
  });

  it('names tasks as docker service ps does, and keeps unknown nodes and services unnamed', () => {
    const services = new Map([['s1', 'web']]);
    const hostnames = new Map([['n1', 'node-1']]);
    const replicated = parseTask(
      {
        ID: 't1',
        ServiceID: 's1',
        Slot: 2,
        NodeID: 'n1',
        DesiredState: 'running',
        Status: { State: 'failed', Err: 'boom', ContainerStatus: { ContainerID: 'c1', ExitCode: 137 } },
      },
      services,
      hostnames,
    );
    assert.equal(replicated?.name, 'web.2');
    assert.equal(replicated?.nodeHostname, 'node-1');
    assert.equal(replicated?.error, 'boom');
    assert.equal(replicated?.exitCode, 137);
    const global = parseTask({ ID: 't2', ServiceID: 'gone', NodeID: 'n9', Status: {} }, services, hostnames);
    assert.equal(global?.name, 'gone.n9');
    assert.equal(global?.serviceName, '');
    assert.equal(global?.nodeHostname, '');
  });

  it('prints escape codes from the engine as visible text, never raw', () => {
    const node = parseNode({ ID: 'n1', Description: { Hostname: ESC }, Status: { State: 'ready' }, Spec: { Labels: { [ESC]: ESC } } }, 'x');
    const service = parseService({ ID: 's1', Spec: { Name: ESC, TaskTemplate: { ContainerSpec: { Image: ESC } } } }, new Map());
    assert.ok(node && service);
    const source = { host: 'h', takenAt: '2026-01-01T00:00:00Z', clusterId: ESC, managerNodeId: 'x', limitations: [ESC] };
    for (const text of [renderNodes({ ...source, nodes: [node] }), renderServices({ ...source, services: [service] })]) {
      assert.ok(!text.includes('\u001b'), 'no raw ESC');
      assert.ok(!text.includes('\u0007'), 'no raw BEL');
      assert.match(text, /\\x1b/);
    }
  });
});
