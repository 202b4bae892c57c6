// A fleet collector's bundle comes back through the node's engine (GET /containers/{id}/archive),
// and the node is under investigation: the archive is hostile input. Against the fake compromised
// engine (test/helpers/hostile-engine.ts): an archive with a directory, '..' and absolute names,
// links and a 10 GiB entry is refused, so is one whose header claims 2^40 bytes and one cut short;
// a single regular file is taken only within the size cap; nothing refused is left on disk.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, describe, it } from 'node:test';
import Dockerode from 'dockerode';
import { DrydockFailure } from '../../../main/core/errors';
import { fetchBundle } from '../../../main/core/fleet/bundle-fetch';
import type { NodeEngineClient } from '../../../main/core/fleet/collector-image';
import { EVIL_ID, startHostileEngine, type HostileEngine, type HostileScenario } from '../../helpers/hostile-engine';

const engines: HostileEngine[] = [];

async function nodeOn(scenario: HostileScenario): Promise<{ node: NodeEngineClient; engine: HostileEngine }> {
  const engine = await startHostileEngine({ scenario });
  engines.push(engine);
  const docker = new Dockerode({ host: '127.0.0.1', port: engine.port, protocol: 'http' });
  return { node: { host: 'evil-node', nodeId: 'n'.repeat(25), hostname: 'evil-node-1', docker }, engine };
}

const fetchDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('drydock-fleet-'));

describe("a node's bundle archive is hostile input", () => {
  after(async () => {
    for (const e of engines) await e.close();
  });

  for (const [scenario, why] of [
    ['archive-escape', /bundle\.tar\/.* is a directory, not a regular file/],
    ['archive-huge-header', /is a directory, not a regular file/],
    ['archive-truncated', /is a directory, not a regular file/],
  ] as const)
    it(`refuses ${scenario} and keeps nothing of it`, async () => {
      const before = fetchDirs();
      const { node, engine } = await nodeOn(scenario);
      await assert.rejects(fetchBundle(node, EVIL_ID), (err: unknown) => {
        assert.ok(err instanceof DrydockFailure, String(err));
        assert.equal(err.kind, 'integrity');
        assert.match(err.message, /node evil-node-1 \(host evil-node, container eeeeeeeeeeee\)/);
        assert.match(err.message, why);
        return true;
      });
      assert.deepEqual(fetchDirs(), before, 'no temporary file is left');
      // The 10 GiB entry is never read to its end.
      assert.ok(engine.bytesSent() < 64 * 1024 * 1024, `${engine.bytesSent()} bytes were sent`);
    });

  it('takes one regular file named bundle.tar, and only within the cap', async () => {
    const { node } = await nodeOn('hostile-text');
    const fetched = await fetchBundle(node, EVIL_ID);
    try {
      assert.equal(readFileSync(fetched.file, 'utf8'), 'root:x:0:0:root:/root:/bin/sh\n');
      assert.equal(fetched.bytes, 30);
    } finally {
      await fetched.discard();
    }
    const before = fetchDirs();
    await assert.rejects(fetchBundle(node, EVIL_ID, 16), /bundle\.tar is 30 bytes, over the 16-byte cap/);
    assert.deepEqual(fetchDirs(), before);
  });
});
