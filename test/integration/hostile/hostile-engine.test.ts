// Issue 12, "A hostile engine": Drydock's core, through the dispatcher, against a fake Docker
// Engine API that lies, drips, floods and tries path tricks. Every operation completes with what
// the engine's other answers support or fails with a DrydockFailure naming the host, in bounded
// time and memory, and nothing is written outside the store.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Dockerode from 'dockerode';
import { MAX_READ_FILE_BYTES } from '../../../main/core/drift/container-read';
import { MAX_CHANGES, readChangeList } from '../../../main/core/drift/engine-changes';
import type { DriftReport } from '../../../shared/domain/drift';
import { startTestCore, type TestCore } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';
import {
  EVIL_ID,
  EVIL_NAME,
  MEGA,
  startHostileEngine,
  TEN_GIB,
  type HostileEngine,
  type HostileEngineOptions,
} from '../../helpers/hostile-engine';

const RSS_LIMIT_MB = 300;
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/** Every file under dir, relative, for a before/after comparison. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('a hostile Docker engine', () => {
  let t: TestCore;
  const engines: HostileEngine[] = [];
  const outside = mkdtempSync(path.join(tmpdir(), 'drydock-hostile-outside-'));
  const saved = { timeout: process.env.DRYDOCK_ENGINE_TIMEOUT_MS, tmp: process.env.TMPDIR };
  let n = 0;

  async function engine(options: HostileEngineOptions): Promise<{ host: string; engine: HostileEngine }> {
    const e = await startHostileEngine(options);
    engines.push(e);
    const host = `evil-${++n}`;
    await t.call('hosts.add', { name: host, url: e.url });
    return { host, engine: e };
  }

  async function failure(channel: string, request: unknown): Promise<{ kind: string; message: string; host?: string }> {
    const result = await t.dispatch(channel, request);
    assert.equal(result.ok, false, `${channel} should fail`);
    return (result as { ok: false; error: { kind: string; message: string; host?: string } }).error;
  }

  async function scanned(host: string): Promise<DriftReport> {
    const started = await t.call('drift.scan', { host, containers: [EVIL_ID] });
    const done = await waitFor(
      async () => {
        const info = await t.call('drift.result', { scanId: started.id });
        return info.state === 'running' ? undefined : info;
      },
      { what: 'the drift scan to end', timeoutMs: 60_000 },
    );
    const artifactId = done.containers[0]?.reportArtifactId;
    assert.ok(artifactId, `a report is stored even when the engine's answers are hostile: ${JSON.stringify(done)}`);
    return await t.call('drift.report', { artifactId });
  }

  before(() => {
    // Short engine deadlines, so a dripping engine fails in seconds rather than the 60 s default.
    process.env.DRYDOCK_ENGINE_TIMEOUT_MS = '2000';
    // Anything Drydock writes to a temporary file would land here, outside the store.
    process.env.TMPDIR = outside;
    t = startTestCore('drydock-hostile');
  });

  after(async () => {
    await t.close();
    await Promise.all(engines.map((e) => e.close()));
    process.env.TMPDIR = saved.tmp;
    if (saved.timeout === undefined) delete process.env.DRYDOCK_ENGINE_TIMEOUT_MS;
    else process.env.DRYDOCK_ENGINE_TIMEOUT_MS = saved.timeout;
    assert.deepEqual(tree(outside), [], 'nothing was written outside the store');
    rmSync(outside, { recursive: true, force: true });
    assert.ok(peakRssMb() < RSS_LIMIT_MB, `peak RSS ${peakRssMb().toFixed(0)} MB through the hostile suite, limit ${RSS_LIMIT_MB} MB`);
  });

  it('reports each API version 1.41 to 1.47 as the engine states it, with no inconsistency', async () => {
    for (const apiVersion of ['1.41', '1.42', '1.43', '1.44', '1.45', '1.46', '1.47']) {
      const { host } = await engine({ scenario: 'hostile-text', apiVersion });
      const facts = await t.call('hosts.test', { name: host });
      assert.equal(facts.apiVersion, apiVersion);
      // /info of the fake engine always says 20.10.24: a newer /version contradicts it.
      if (apiVersion === '1.41') assert.equal(facts.inconsistencies, undefined);
      else assert.match((facts.inconsistencies ?? []).join('\n'), /\/info says "20\.10\.24"/);
    }
  });

  it('reports a /version that contradicts /info as an inconsistency, in the result and the audit log', async () => {
    const { host } = await engine({ scenario: 'lying-version' });
    const facts = await t.call('hosts.test', { name: host });
    const text = (facts.inconsistencies ?? []).join('\n');
    assert.match(text, /engine "99\.0\.0" but \/info says "20\.10\.24"/);
    assert.match(text, /OS "windows" but \/info says "linux"/);
  });

  it('carries hostile names, labels and 1 MiB strings through the inventory unchanged and unharmed', async () => {
    const { host, engine: e } = await engine({ scenario: 'hostile-text' });
    const snapshot = await t.call('inventory.list', { host, record: true });
    const evil = snapshot.containers.find((c) => c.id === EVIL_ID);
    assert.ok(evil);
    assert.equal(evil.name, EVIL_NAME, 'the name is evidence: kept byte for byte, made safe only where shown');
    assert.equal(evil.labels.big, MEGA);
    // Drydock reads; it never changes the host under investigation (a helper sweep that trusted the
    // engine's label filter once force-removed this container: issue 12, fault 0).
    assert.deepEqual(
      e.requests.filter((r) => !/^(GET|HEAD) /.test(r)),
      [],
    );
  });

  it('fails within its deadline, naming the host, when the engine drips its answers a byte a second', async () => {
    const { host } = await engine({ scenario: 'slow-drip' });
    const started = Date.now();
    const error = await failure('inventory.list', { host });
    assert.equal(error.kind, 'unreachable');
    assert.equal(error.host, host);
    assert.match(error.message, new RegExp(`Host ${host} did not send its whole answer to GET /(info|containers/json) within 4 s`));
    assert.ok(Date.now() - started < 15_000, `failed after ${Date.now() - started} ms`);
  });

  it('keeps the host connected through garbage and a 4 MiB line on the event stream, and reads the event after them', async () => {
    const { host, engine: e } = await engine({ scenario: 'garbage-events' });
    await t.call('inventory.list', { host });
    // Wait until the garbage is through (the engine has sent it all), then one valid event follows it.
    await waitFor(() => (e.bytesSent() > 4 * 1024 * 1024 ? true : undefined), { what: 'the garbage to be sent' });
    e.sendEvent('die');
    // The inventory re-inspects the container for that event.
    const inspects = () => e.requests.filter((r) => r === `GET /containers/${EVIL_ID}/json`).length;
    await waitFor(() => (inspects() >= 2 ? true : undefined), {
      what: 'the inventory to re-inspect after the event that followed the garbage',
    });
    const statuses = await t.call('hosts.status', {});
    assert.equal(statuses.find((s) => s.name === host)?.state, 'connected');
  });

  it('drops ragged rows of top and says so, instead of inventing a parent', async () => {
    const { host } = await engine({ scenario: 'ragged-top' });
    const { snapshot } = await t.call('processes.snapshot', { host, container: EVIL_ID, store: false });
    const pids = snapshot.processes.map((p) => p.pid).sort();
    assert.deepEqual(pids, [4242, 4245], 'only the rows with one cell per title and a valid PID');
    assert.match(snapshot.limitations.join('\n'), /6 rows of the engine's top answer were malformed/);
  });

  it('reads a change list of 1,000,000 entries as a stream, capped, in bounded memory', async () => {
    const e = await startHostileEngine({ scenario: 'huge-changes', changeCount: 1_000_000 });
    engines.push(e);
    const rssBefore = process.memoryUsage().rss;
    const docker = new Dockerode({ host: '127.0.0.1', port: e.port, protocol: 'http' });
    const list = await readChangeList(docker.getContainer(EVIL_ID));
    assert.equal(list.changes.length, MAX_CHANGES);
    assert.equal(list.truncated, true);
    assert.ok(e.bytesSent() < 20 * 1024 * 1024, `stopped reading early: ${e.bytesSent()} bytes sent`);
    assert.ok(process.memoryUsage().rss - rssBefore < 150 * 1024 * 1024);
  });

  it('scans the path-escape archive: escaping names stated, links kept as entries, the 10 GiB file not read, nothing written outside', async () => {
    const { host, engine: e } = await engine({ scenario: 'archive-escape' });
    const report = await scanned(host);
    const limitations = report.limitations.join('\n');
    assert.match(
      limitations,
      /The archive of \/hostile held 2 entries named outside it \(absolute, with '\.\.' or under another name\): not read, nothing written for them/,
    );
    assert.match(
      limitations,
      new RegExp(
        `the archive of /hostile holds /hostile/f5, ${TEN_GIB} bytes by its header, over the ${MAX_READ_FILE_BYTES}-byte read limit: not read or hashed`,
      ),
    );
    const byPath = new Map(report.entries.map((x) => [x.path, x]));
    assert.equal(
      byPath.get('/hostile/f1')?.container?.linkTarget,
      '../../../../../etc/shadow',
      'a symlink out of the root is evidence, kept as its target text',
    );
    assert.equal(byPath.get('/hostile/f2')?.container?.type, 'hardlink');
    const big = byPath.get('/hostile/f5');
    assert.equal(big?.container?.size, TEN_GIB);
    assert.equal(big?.container?.sha256, undefined, 'not hashed');
    assert.equal(big?.content.state, 'over-cap');
    assert.ok(e.bytesSent() < 64 * 1024 * 1024, `the 10 GiB body was not streamed: ${e.bytesSent()} bytes sent`);
    assert.equal(
      report.entries.some((x) => /drydock-absolute|escape$/.test(x.path)),
      false,
      'no entry from an escaping name',
    );
    for (const target of ['/etc/drydock-absolute', '/etc/cron.d/drydock-pwned', '/pwned'])
      assert.equal(existsSync(target), false, `${target} was not written`);
  });

  it('states a truncated archive and a header claiming 2^40 bytes in the drift report, in bounded time', async () => {
    const truncated = await scanned((await engine({ scenario: 'archive-truncated' })).host);
    assert.equal(truncated.status, 'incomplete', 'the report says it is incomplete');
    assert.match(`${truncated.statusReason ?? ''} ${truncated.limitations.join(' ')}`, /cut short|ended|truncat/i);
    // The header's 2^40 bytes are over the per-file read limit: the body is never asked for.
    const { host, engine: e } = await engine({ scenario: 'archive-huge-header' });
    const huge = await scanned(host);
    assert.match(
      huge.limitations.join('\n'),
      new RegExp(`holds /hostile/f0, ${2 ** 40} bytes by its header, over the ${MAX_READ_FILE_BYTES}-byte read limit`),
    );
    assert.equal(huge.entries.find((x) => x.path === '/hostile/f0')?.content.state, 'over-cap');
    assert.ok(e.bytesSent() < 1024 * 1024, `${e.bytesSent()} bytes sent`);
  });
});
