import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { DrydockError } from '../../../shared/result';
import type { HostStatus } from '../../../shared/domain/hosts';
import type { InventoryChange } from '../../../shared/domain/inventory';
import { BUSYBOX, removeContainers, runContainer, startTestCore, type TestCore } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';
import { startSecondEngine, type SecondEngine } from '../../helpers/second-engine';
import { startSshd, type TestSshd } from '../../helpers/sshd';

async function failure(t: TestCore, channel: string, request: unknown): Promise<DrydockError> {
  const result = await t.dispatch(channel, request);
  assert.equal(result.ok, false, `${channel} should fail`);
  return (result as { ok: false; error: DrydockError }).error;
}

/** An HTTP server that is not a Docker engine, or one that claims an ancient API. */
async function fakeEndpoint(kind: 'not-docker' | 'old-api'): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (kind === 'not-docker') {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<html>nginx</html>');
      return;
    }
    res.writeHead(200, { 'Content-Type': req.url?.includes('_ping') ? 'text/plain' : 'application/json', 'Api-Version': '1.24' });
    res.end(
      req.url?.includes('_ping')
        ? 'OK'
        : JSON.stringify({
            Version: '1.12.6',
            ApiVersion: '1.24',
            Os: 'linux',
            Arch: 'amd64',
            OperatingSystem: 'old',
            OSType: 'linux',
            Architecture: 'x86_64',
          }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('host connections', () => {
  let t: TestCore;
  let engine: SecondEngine;
  let sshd: TestSshd;
  const statuses: HostStatus[] = [];

  before(async () => {
    t = startTestCore('drydock-hosts');
    t.core.events.subscribe((event, payload) => {
      if (event === 'host.status') statuses.push(payload as HostStatus);
    });
    [engine, sshd] = await Promise.all([startSecondEngine('ddh', [BUSYBOX]), startSshd()]);
  });

  after(async () => {
    await t.close();
    await Promise.all([engine?.stop(), sshd?.stop()]);
  });

  it('tests the local socket and reports what the engine is', async () => {
    const facts = await t.call('hosts.test', { name: 'local', url: '/var/run/docker.sock' });
    assert.match(facts.apiVersion, /^1\.\d+$/);
    assert.equal(facts.osType, 'linux');
    assert.ok(facts.arch.length > 0);
    assert.ok(['none', 'manager', 'worker'].includes(facts.swarmRole));
    assert.ok(facts.containers >= 0 && facts.images > 0);
  });

  it('explains a wrong socket path, a non-Docker endpoint and an engine too old', async () => {
    const missing = await failure(t, 'hosts.test', { name: 'nosock', url: 'unix:///tmp/no-such-docker.sock' });
    assert.equal(missing.kind, 'unreachable');
    assert.match(missing.message, /host nosock.*no Docker socket/);
    const refused = await failure(t, 'hosts.test', { name: 'closed', url: 'tcp://127.0.0.1:1' });
    assert.equal(refused.kind, 'unreachable');
    const bad = await failure(t, 'hosts.add', { name: 'bad', url: 'http://example.com' });
    assert.equal(bad.kind, 'invalid-input');
    const web = await fakeEndpoint('not-docker');
    const old = await fakeEndpoint('old-api');
    try {
      assert.equal((await failure(t, 'hosts.test', { name: 'web', url: web.url })).kind, 'not-docker');
      const tooOld = await failure(t, 'hosts.test', { name: 'old', url: old.url });
      assert.equal(tooOld.kind, 'api-too-old');
      assert.match(tooOld.message, /API 1\.24.*needs 1\.40/);
    } finally {
      web.server.close();
      old.server.close();
    }
  });

  it('connects over TCP with TLS, verifying the engine against the CA', async () => {
    const facts = await t.call('hosts.test', { name: 'tls', url: engine.tcpUrl, tls: engine.tls });
    assert.equal(facts.tlsVerify, true);
    assert.ok(facts.images >= 1);
  });

  it('refuses an unknown CA, a missing client certificate and plain HTTP, with TLS errors', async () => {
    const other = await startSecondEngine('ddo', []);
    try {
      const unknownCa = await failure(t, 'hosts.test', {
        name: 'tls',
        url: engine.tcpUrl,
        tls: { ...engine.tls, caFile: other.tls.caFile },
      });
      assert.equal(unknownCa.kind, 'tls');
      assert.match(unknownCa.message, /unknown CA/);
      const noClientCert = await failure(t, 'hosts.test', {
        name: 'tls',
        url: engine.tcpUrl,
        tls: { caFile: engine.tls.caFile, verify: true },
      });
      assert.equal(noClientCert.kind, 'tls');
      const plain = await failure(t, 'hosts.test', { name: 'tls', url: engine.tcpUrl });
      assert.equal(plain.kind, 'tls');
      // Verification off, explicitly: the wrong CA no longer matters, and the facts say so.
      const unverified = await t.call('hosts.test', {
        name: 'tls',
        url: engine.tcpUrl,
        tls: { ...engine.tls, caFile: other.tls.caFile, verify: false },
      });
      assert.equal(unverified.tlsVerify, false);
    } finally {
      await other.stop();
    }
  });

  it('connects over SSH with a key file and rejects a key the server does not know', async () => {
    const facts = await t.call('hosts.test', { name: 'ssh', url: sshd.url, ssh: { keyFile: sshd.keyFile } });
    assert.match(facts.engineVersion, /\d+\.\d+/);
    const wrong = await failure(t, 'hosts.test', { name: 'ssh', url: sshd.url, ssh: { keyFile: sshd.wrongKeyFile } });
    assert.equal(wrong.kind, 'ssh-auth');
    assert.match(wrong.message, /host ssh/);
  });

  it('shows a dying daemon as reconnecting, keeps going, and catches up when it returns', async () => {
    await t.call('hosts.add', { name: 'second', url: engine.tcpUrl, tls: engine.tls });
    await t.call('hosts.connect', { name: 'second' });
    const id = runContainer(['--name', 'dd-survivor', BUSYBOX, 'sleep', '600'], { host: `unix://${engine.socket}` });
    const before = await t.call('inventory.list', { host: 'second' });
    assert.ok(before.containers.some((c) => c.id === id));
    const changes: InventoryChange[] = [];
    t.core.events.subscribe((event, payload) => {
      if (event === 'inventory.changed') changes.push(payload as InventoryChange);
    });
    statuses.length = 0;
    await engine.kill();
    await waitFor(() => statuses.find((s) => s.name === 'second' && s.state === 'reconnecting'), { what: 'reconnecting' });
    const during = await failure(t, 'inventory.list', { host: 'second' });
    assert.equal(during.kind, 'disconnected');
    await engine.restart();
    await waitFor(() => statuses.find((s) => s.name === 'second' && s.state === 'connected'), {
      what: 'connected again',
      timeoutMs: 60000,
    });
    // The container died with the daemon (SIGKILL): the resync reports it as no longer running.
    const caughtUp = await waitFor(() => changes.find((c) => c.containerId === id && c.action === 'resync'), {
      what: 'a resync change for the survivor',
      timeoutMs: 30000,
    });
    assert.notEqual(caughtUp.container?.state, undefined);
    const again = await t.call('inventory.list', { host: 'second' });
    assert.ok(again.containers.some((c) => c.id === id));
    removeContainers([id], { host: `unix://${engine.socket}` });
    const audit = await t.call('evidence.audit', {});
    for (const action of ['host.connected', 'host.connection-lost', 'host.reconnected'])
      assert.ok(
        audit.some((e) => e.action === action),
        `audit has ${action}`,
      );
  });
});
