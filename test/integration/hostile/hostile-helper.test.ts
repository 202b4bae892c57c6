// Issue 12, "A hostile engine": `connections` (network.snapshot through the dispatcher) runs the
// socket-table helper on the suspect's engine (create, inspect, attach, start, wait, remove). An
// engine that answers create with garbage JSON, holds the attach stream open forever, or never
// answers the wait must not hang the snapshot: the container's read fails with a message naming
// the host, within the helper's timeout, every helper created is removed again, and nothing is
// written outside the store.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestCore, type TestCore } from '../../helpers/docker';
import { EVIL_ID, startHostileEngine, type HelperMischief, type HostileEngine } from '../../helpers/hostile-engine';

/** The socket-table helper's own timeout (namespace-reader.ts) plus the 2 s the output may still drain. */
const HELPER_TIMEOUT_MS = 20_000;
const MARGIN_MS = 8_000;

function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('the socket-table helper on a hostile engine', () => {
  let t: TestCore;
  const engines: HostileEngine[] = [];
  const outside = mkdtempSync(path.join(tmpdir(), 'drydock-hostile-helper-outside-'));
  const saved = { timeout: process.env.DRYDOCK_ENGINE_TIMEOUT_MS, tmp: process.env.TMPDIR };

  before(async () => {
    // Above the helper's own timeout, as the 60 s default is: the wait that never returns is ended by the helper's timeout.
    process.env.DRYDOCK_ENGINE_TIMEOUT_MS = '30000';
    // Anything Drydock writes to a temporary file would land here, outside the store.
    process.env.TMPDIR = outside;
    t = startTestCore('drydock-hostile-helper');
    // A helper image named in settings: the fake engine has it, so no bundled image is loaded.
    await t.call('capture.set-settings', { helperImage: 'busybox:latest' });
  });

  after(async () => {
    await t.close();
    for (const e of engines) await e.close();
    if (saved.timeout === undefined) delete process.env.DRYDOCK_ENGINE_TIMEOUT_MS;
    else process.env.DRYDOCK_ENGINE_TIMEOUT_MS = saved.timeout;
    if (saved.tmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved.tmp;
    assert.deepEqual(tree(outside), [], 'nothing was written outside the store');
    rmSync(outside, { recursive: true, force: true });
  });

  const cases: { helper: HelperMischief; reason: RegExp }[] = [
    { helper: 'garbage-create', reason: /Host evil-garbage-create answered the creation of a sockets helper without a container ID/ },
    { helper: 'endless-attach', reason: /socket-table helper for container evil on host evil-endless-attach printed no table/ },
    { helper: 'silent-wait', reason: /Reading the socket tables of container evil on host evil-silent-wait timed out/ },
  ];
  for (const { helper, reason } of cases) {
    it(`${helper}: the read fails naming the host, within the helper's timeout, and no helper is left running`, async () => {
      const engine = await startHostileEngine({ scenario: 'hostile-helper', helper });
      engines.push(engine);
      const host = `evil-${helper}`;
      await t.call('hosts.add', { name: host, url: engine.url });
      const started = Date.now();
      const result = await t.dispatch('network.snapshot', { host });
      const took = Date.now() - started;
      assert.ok(took < HELPER_TIMEOUT_MS + MARGIN_MS, `the snapshot took ${took} ms`);
      assert.ok(
        engine.requests.some((r) => r.startsWith('POST /containers/create')),
        `a helper was asked for: ${engine.requests.join(', ')}`,
      );
      if (result.ok) {
        const { snapshot } = result.value as {
          snapshot: {
            hosts: { host: string; failed: number; scanned: number }[];
            nodes: { id: string; scan?: { status: string; reason?: string } }[];
          };
        };
        const report = snapshot.hosts.find((h) => h.host === host);
        assert.ok(report, JSON.stringify(snapshot.hosts));
        assert.equal(report.scanned, 0, 'no socket table was made up');
        assert.equal(report.failed, 1, JSON.stringify(report));
        const node = snapshot.nodes.find((n) => n.id.includes(EVIL_ID));
        assert.equal(node?.scan?.status, 'failed', JSON.stringify(node));
        assert.match(node?.scan?.reason ?? '', reason);
      } else {
        assert.match(`${result.error.kind}: ${result.error.message}`, reason);
      }
      assert.deepEqual(engine.runningHelpers(), [], 'every helper started was removed again');
      // After garbage on create there is no ID to start or remove: nothing was started.
      if (helper === 'garbage-create')
        assert.ok(!engine.requests.some((r) => /^POST \/containers\/[^/]+\/start/.test(r)), engine.requests.join(', '));
      else assert.deepEqual(engine.liveHelpers(), [], 'every helper created was removed again');
    });
  }
});
