import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CaptureInfo } from '../../../shared/domain/capture';
import type { DrydockError } from '../../../shared/result';
import { BUSYBOX, docker, removeContainers, required, runContainer, startTestCore, TEST_LABEL, type TestCore } from '../../helpers/docker';
import { sendUdp } from '../../helpers/udp-generator';
import { waitFor } from '../../helpers/wait';
import { startSecondEngine, type SecondEngine } from '../../helpers/second-engine';

const WEB = 'drydock-fixture/web:1';

function helpersOn(host?: string): string[] {
  return docker(
    ['ps', '-aq', '--filter', 'label=drydock.helper', '--filter', `label=drydock.owner.pid=${process.pid}`],
    host ? { host } : {},
  )
    .split('\n')
    .filter(Boolean);
}

/** A client container that fetches the web page every 200 ms, for as long as it runs. */
function client(network: string, target: string, host?: string): string {
  return runContainer(
    ['--network', network, BUSYBOX, 'sh', '-c', `while true; do wget -q -O /dev/null http://${target}:8080/ ; sleep 0.2; done`],
    host ? { host } : {},
  );
}

/**
 * On the second engine the client shares the web container's namespace and talks over loopback:
 * that engine runs with --iptables=false beside the main one, whose FORWARD policy (DROP, with
 * br_netfilter) would otherwise drop traffic between its bridged containers.
 */
function loopbackClient(web: string, host: string): string {
  return runContainer(
    ['--network', `container:${web}`, BUSYBOX, 'sh', '-c', 'while true; do wget -q -O /dev/null http://127.0.0.1:8080/ ; sleep 0.2; done'],
    { host },
  );
}

describe('packet capture in a container namespace', () => {
  let t: TestCore;
  let engine: SecondEngine;
  const ids: string[] = [];
  const remote: string[] = [];
  const net = `dd-cap-${process.pid}`;
  let webIp = '';
  let clientIp = '';
  let out = '';

  before(async () => {
    t = startTestCore('drydock-capture');
    out = mkdtempSync('/tmp/drydock-capture-out-');
    docker(['network', 'create', '--label', TEST_LABEL, net]);
    ids.push(runContainer(['--name', `${net}-web`, '--network', net, WEB]));
    ids.push(client(net, `${net}-web`));
    webIp = docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, ids[0]!]);
    clientIp = docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, ids[1]!]);
    engine = await startSecondEngine('ddc', [BUSYBOX, WEB]);
    await t.call('hosts.add', { name: 'local', url: 'unix:///var/run/docker.sock' });
    await t.call('hosts.add', { name: 'tls', url: engine.tcpUrl, tls: engine.tls });
    await t.call('evidence.case-create', { name: 'Capture case' });
  });

  after(async () => {
    removeContainers(ids);
    try {
      docker(['network', 'rm', net]);
    } catch {
      // Gone already.
    }
    await t.close();
    await engine?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  async function captureFor(host: string, container: string, seconds: number, filter?: string): Promise<CaptureInfo> {
    const started = await t.call('capture.start', {
      host,
      container,
      options: { interface: 'any', durationSeconds: seconds, ...(filter ? { filter } : {}) },
    });
    return await t.call('capture.wait', { captureId: started.id });
  }

  it('captures HTTP between two containers into a pcap that tcpdump reads back and that verifies', async () => {
    const info = await captureFor('local', `${net}-web`, 4, 'tcp port 8080');
    assert.equal(info.state, 'finished');
    assert.equal(info.stopReason, 'duration');
    assert.equal(info.pcap?.status, 'complete');
    assert.ok(info.counters.packets > 10, `packets: ${info.counters.packets}`);
    const file = path.join(out, 'local.pcap');
    const exported = await t.call('capture.export', { artifactId: info.pcap!.artifactId, path: file });
    assert.equal(exported.sha256, info.pcap!.sha256);
    assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), info.pcap!.sha256);
    const read = execFileSync('tcpdump', ['-nn', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n');
    assert.equal(read.length, info.counters.packets, 'tcpdump reads every packet Drydock counted');
    assert.ok(
      read.some((line) => line.includes(`${clientIp}.`) && line.includes(`${webIp}.8080`)),
      'client -> web:8080 is on the wire',
    );
    const { summary } = await t.call('capture.summary', { pcapArtifactId: info.pcap!.artifactId });
    const flow = summary.flows.find((f) => f.server.port === 8080);
    assert.equal(flow?.server.ip, webIp);
    assert.equal(flow?.client.ip, clientIp);
    assert.ok(
      flow?.httpHosts?.some((h) => h.startsWith(`${net}-web`)),
      'the HTTP Host header names the web container',
    );
    assert.equal((await t.call('evidence.verify', {})).ok, true);
    assert.deepEqual(helpersOn(), [], 'the helper is gone');
  });

  it('stores every packet the filter took under a burst, up to a stop by the user', async () => {
    // The bench's load (npm run bench -- capture: 60 s at the generator's full rate) cut down to
    // 3 s at 5k packets/s; the stop comes as soon as the generator is done, with the last packets
    // possibly still in libpcap's open block of the kernel's ring.
    const started = await t.call('capture.start', {
      host: 'local',
      container: `${net}-web`,
      options: { interface: 'eth0', filter: 'udp port 9999' },
    });
    const sent = await sendUdp(net, webIp, 5000, 3);
    const info = await t.call('capture.stop', { captureId: started.id });
    assert.equal(info.stopReason, 'user');
    assert.equal(info.pcap?.status, 'complete');
    const file = path.join(out, 'burst.pcap');
    await t.call('capture.export', { artifactId: info.pcap!.artifactId, path: file });
    const stored = execFileSync('tcpdump', ['-nn', '-r', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 << 20,
    })
      .trim()
      .split('\n').length;
    const received = required(info.tcpdump?.receivedByFilter, "tcpdump's closing counters");
    assert.equal(info.tcpdump?.droppedByKernel, 0, 'the kernel dropped nothing');
    assert.equal(stored, received, `every packet the filter took is stored (sent ${sent})`);
    assert.equal(info.tcpdump?.captured, received);
    assert.equal(info.counters.packets, stored);
    assert.ok(info.attach && info.attach.stdoutBytes === info.counters.bytes, 'the attach stream carried the stored bytes');
    assert.ok(stored >= sent * 0.99, `stored ${stored} of ${sent} sent`);
  });

  it('captures the same way on a remote engine over TLS', async () => {
    const host = `unix://${engine.socket}`;
    docker(['network', 'create', '--label', TEST_LABEL, net], { host });
    remote.push(runContainer(['--name', `${net}-web`, '--network', net, WEB], { host }));
    remote.push(loopbackClient(remote[0]!, host));
    try {
      const info = await captureFor('tls', `${net}-web`, 4);
      assert.equal(info.pcap?.status, 'complete');
      assert.ok(info.counters.packets > 10);
      assert.deepEqual(helpersOn(host), []);
    } finally {
      removeContainers(remote, { host });
      docker(['network', 'rm', net], { host });
    }
  });

  it('refuses a bad BPF filter before anything starts', async () => {
    const result = await t.dispatch('capture.start', {
      host: 'local',
      container: `${net}-web`,
      options: { interface: 'any', filter: 'tcp port eighty', durationSeconds: 5 },
    });
    assert.equal(result.ok, false);
    const error = (result as { error: DrydockError }).error;
    assert.equal(error.kind, 'invalid-input');
    assert.match(error.message, /filter/i);
    assert.deepEqual(helpersOn(), []);
  });

  it('keeps what it had, marked incomplete, when the helper is killed mid-capture', async () => {
    const started = await t.call('capture.start', {
      host: 'local',
      container: `${net}-web`,
      options: { interface: 'any', durationSeconds: 120 },
    });
    await waitFor(async () => (await t.call('capture.get', { captureId: started.id })).counters.packets > 5 || undefined, {
      what: 'packets flowing',
    });
    for (const helper of helpersOn()) docker(['rm', '-f', helper]);
    const info = await t.call('capture.wait', { captureId: started.id });
    assert.equal(info.stopReason, 'helper-exited');
    assert.equal(info.pcap?.status, 'incomplete');
    assert.ok(info.counters.packets > 5);
    assert.equal((await t.call('evidence.verify', {})).ok, true, 'the partial pcap is stored and verifies');
  });

  it('keeps a capture cut by a dying engine, and sweeps its helper when the host comes back', async () => {
    const host = `unix://${engine.socket}`;
    docker(['network', 'create', '--label', TEST_LABEL, net], { host });
    const web = runContainer(['--name', `${net}-web2`, '--network', net, '--restart', 'always', WEB], { host });
    const cli = loopbackClient(web, host);
    try {
      const started = await t.call('capture.start', {
        host: 'tls',
        container: `${net}-web2`,
        options: { interface: 'any', durationSeconds: 120 },
      });
      await waitFor(async () => (await t.call('capture.get', { captureId: started.id })).counters.packets > 5 || undefined, {
        what: 'packets flowing',
      });
      await engine.kill();
      const info = await t.call('capture.wait', { captureId: started.id });
      assert.equal(info.pcap?.status, 'incomplete');
      assert.ok(info.counters.packets > 5);
      await engine.restart();
      await waitFor(() => (helpersOn(host).length === 0 ? true : undefined), {
        what: 'the host reconnected and the orphaned helper was swept',
        timeoutMs: 60000,
      });
    } finally {
      removeContainers([web, cli], { host });
      docker(['network', 'rm', net], { host });
    }
  });
});
