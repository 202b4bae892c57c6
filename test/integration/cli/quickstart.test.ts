// The README's quick start, run literally (scripts/run-quickstart.sh extracts it from README.md) in a
// fresh HOME with the default store under it, so the first thing a newcomer types cannot drift from
// what the product does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { ArtifactInfo, CaseInfo } from '../../../shared/domain/evidence';
import { drydock, ROOT } from '../../helpers/cli';

describe("the README's quick start", () => {
  const home = mkdtempSync('/tmp/drydock-quickstart-home-');
  after(() => rmSync(home, { recursive: true, force: true }));

  it('runs as written, every acquisition landing in one ad-hoc case that verifies', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    assert.match(
      readme,
      /<!-- quick-start[^\n]*-->\n+```sh\n[\s\S]*?npx drydock inventory[\s\S]*?```\n+<!-- \/quick-start -->/,
      'the README has the block',
    );
    const run = spawnSync('bash', [path.join(ROOT, 'scripts/run-quickstart.sh'), home], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 600_000,
      env: { ...process.env, DRYDOCK_EXAMINER: 'newcomer' },
    });
    assert.equal(run.status, 0, `quick start failed:\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`);
    assert.match(run.stderr, /drydock: host local = unix:\/\/\/var\/run\/docker\.sock/);
    assert.match(run.stderr, /opened the ad-hoc case "local \d{4}-\d{2}-\d{2}"/);
    assert.match(run.stdout, /Verified \d+ artifacts? and \d+ audit entr(?:y|ies): OK/);
    assert.match(run.stdout, /demo-scenario: removed the dd-demo-\* containers and network, and the image drydock-demo\/busybox:1/);
    assert.notEqual(
      spawnSync('docker', ['image', 'inspect', 'drydock-demo/busybox:1'], { encoding: 'utf8' }).status,
      0,
      'down removes the image up imported',
    );

    // The default store the quick start wrote: the desktop app's, under the fresh HOME.
    const store = path.join(home, '.config', 'Drydock', 'store');
    const env = { HOME: home };
    const cases = JSON.parse(drydock(store, ['case', 'list', '--json'], { env }).out) as { cases: CaseInfo[] };
    assert.equal(cases.cases.length, 1, 'one case');
    const artifacts = JSON.parse(drydock(store, ['case', 'artifacts', '--json'], { env }).out) as ArtifactInfo[];
    const kinds = new Set(artifacts.map((a) => a.kind));
    for (const kind of ['inventory-snapshot', 'drift-report', 'process-snapshot', 'pcap', 'flow-summary', 'connection-snapshot'] as const)
      assert.ok(kinds.has(kind), `a ${kind} is in the case`);
    const pcap = artifacts.find((a) => a.kind === 'pcap');
    assert.equal(pcap?.status, 'complete');
    assert.ok((pcap?.size ?? 0) > 24, 'the capture saw the app fetching from the web server');
  });
});
