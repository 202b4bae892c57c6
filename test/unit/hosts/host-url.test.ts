import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHostUrl } from '../../../main/core/hosts/host-url';
import { EngineEventParser, parseEvent, sinceParameter, type EngineEvent } from '../../../main/core/hosts/engine-events';
import { engineFailure } from '../../../main/core/hosts/engine-errors';
import { compareApiVersions } from '../../../main/core/hosts/engine-probe';

describe('host addresses', () => {
  it('reads the forms the docker CLI accepts', () => {
    assert.deepEqual(parseHostUrl('/var/run/docker.sock'), {
      kind: 'socket',
      normalized: 'unix:///var/run/docker.sock',
      socketPath: '/var/run/docker.sock',
    });
    assert.equal(parseHostUrl('tcp://10.0.0.5').port, 2376);
    assert.equal(parseHostUrl('tcp://10.0.0.5:2375').normalized, 'tcp://10.0.0.5:2375');
    const ssh = parseHostUrl('ssh://ops@bastion:2222');
    assert.deepEqual([ssh.kind, ssh.username, ssh.hostname, ssh.port], ['ssh', 'ops', 'bastion', 2222]);
    assert.equal(parseHostUrl('tcp://[::1]:2376').hostname, '::1');
  });

  it('refuses what is not a Docker address, and never stores a password', () => {
    for (const bad of ['http://x', 'unix://relative.sock', 'tcp://', 'tcp://h:1/path', 'garbage']) {
      assert.throws(() => parseHostUrl(bad), /Not a Docker host address/, bad);
    }
    assert.throws(() => parseHostUrl('ssh://root:hunter2@h'), /passwords are never put in a host URL/);
  });
});

describe('engine event stream', () => {
  it('reassembles lines split anywhere, even inside UTF-8, and skips garbage', () => {
    const parser = new EngineEventParser();
    const seen: EngineEvent[] = [];
    const lines = `${JSON.stringify({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'wéb', n: 5 } }, timeNano: 1700000000123456 })}\nnot json\n${JSON.stringify({ status: 'die', id: 'def', time: 1700000001 })}\n`;
    const bytes = Buffer.from(lines);
    for (let i = 0; i < bytes.length; i += 7) parser.push(bytes.subarray(i, i + 7), (e) => seen.push(e));
    assert.deepEqual(
      seen.map((e) => [e.type, e.action, e.id]),
      [
        ['container', 'start', 'abc'],
        ['container', 'die', 'def'],
      ],
    );
    assert.deepEqual(seen[0]?.attributes, { name: 'wéb' });
    assert.equal(seen[1]?.timeNano, 1700000001000000000n);
  });

  it('drops an endless line instead of growing without bound', () => {
    const parser = new EngineEventParser();
    const seen: EngineEvent[] = [];
    parser.push(Buffer.alloc(2 << 20, 0x61), (e) => seen.push(e));
    parser.push(Buffer.from(`tail\n${JSON.stringify({ Type: 'network', Action: 'connect', Actor: { ID: 'n1' } })}\n`), (e) => seen.push(e));
    assert.deepEqual(
      seen.map((e) => e.action),
      ['connect'],
    );
    assert.equal(parseEvent('{"Type":"container"}'), undefined);
  });

  it('formats since with nanosecond precision', () => {
    assert.equal(sinceParameter(1700000000000000005n), '1700000000.000000005');
  });
});

describe('engine errors', () => {
  it('names host, container and action, and classifies the cause', () => {
    const f = engineFailure(Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' }), {
      host: 'prod',
      action: 'listing containers',
    });
    assert.equal(f.kind, 'permission-denied');
    assert.match(f.message, /^Listing containers failed on host prod: permission denied/);
    const nf = engineFailure(Object.assign(new Error('HTTP 404'), { statusCode: 404, json: { message: 'No such container: x' } }), {
      host: 'h',
      container: 'x',
      action: 'inspecting',
    });
    assert.equal(nf.kind, 'not-found');
    assert.equal(nf.container, 'x');
    assert.equal(nf.message, 'No container x on host h', 'the wording every command uses for a container the engine does not know');
    assert.match(nf.detail ?? '', /^inspecting: No such container: x/);
    const image = engineFailure(Object.assign(new Error('HTTP 404'), { statusCode: 404, json: { message: 'No such image: busybox:9' } }), {
      host: 'h',
      container: 'x',
      action: "inspecting the container's image",
    });
    assert.match(image.message, /host h, container x: not found: No such image: busybox:9/, 'another 404 keeps what was missing');
    assert.equal(
      engineFailure(Object.assign(new Error('self signed'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), { host: 'h', action: 'connecting' })
        .kind,
      'tls',
    );
    assert.equal(
      engineFailure(Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' }), {
        host: 'h',
        action: 'connecting',
      }).kind,
      'ssh-auth',
    );
  });

  it('compares API versions numerically', () => {
    assert.ok(compareApiVersions('1.9', '1.40') < 0);
    assert.ok(compareApiVersions('1.41', '1.40') > 0);
    assert.equal(compareApiVersions('1.40', '1.40'), 0);
  });
});
