// A live engine against its own data root, through the built `drydock compare-disk`: on a second
// dockerd (overlay2) a container rewrites an image file keeping its size and modification time
// (touch -r), a file of an image layer is altered on disk behind the engine's back, and a container
// record is planted in containers/ that the engine never loaded. Each must come out as its finding —
// and nothing else: every untouched layer re-assembled from tar-split must hash to its diff ID.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CompareDiskResult } from '../../../shared/domain/dataroot';
import { drydock } from '../../helpers/cli';
import { BUSYBOX } from '../../helpers/docker';
import { startSecondEngine, type SecondEngine } from '../../helpers/second-engine';
import { waitFor } from '../../helpers/wait';

describe('drydock compare-disk: what the API reports against what the disk holds', () => {
  let engine: SecondEngine;
  let store: string;
  let work: string;
  let result: CompareDiskResult;
  let intrId = '';
  let planted = '';
  let tamperedLayer = '';
  const suffix = String(process.pid);

  before(async () => {
    store = mkdtempSync(path.join(tmpdir(), 'ddcd-store-'));
    work = mkdtempSync(path.join(tmpdir(), 'ddcd-work-'));
    engine = await startSecondEngine('ddcd', [BUSYBOX], { daemonArgs: ['--storage-driver', 'overlay2'] });
    const dataRoot = path.join(engine.dir, 'data');
    const d = (args: string[]) =>
      execFileSync('docker', ['-H', `unix://${engine.socket}`, ...args], {
        encoding: 'utf8',
        env: { ...process.env, DOCKER_BUILDKIT: '0' },
      }).trim();
    mkdirSync(path.join(work, 'image'));
    writeFileSync(
      path.join(work, 'image', 'Dockerfile'),
      `FROM ${BUSYBOX}\nRUN mkdir -p /etc && echo secret > /etc/shadow && echo welcome > /etc/motd\n`,
    );
    d(['build', '-q', '-t', `ddcd-app:${suffix}`, path.join(work, 'image')]);
    const script =
      'cp -p /etc/shadow /tmp/.r && printf "tamper\\n" > /etc/shadow && touch -r /tmp/.r /etc/shadow && rm /tmp/.r; echo ready; exec sleep 3600';
    intrId = d(['run', '-d', '--name', `ddcd-intr-${suffix}`, `ddcd-app:${suffix}`, 'sh', '-c', script]);
    await waitFor(() => d(['logs', intrId]).includes('ready'), { what: 'the container to rewrite /etc/shadow' });
    // A file of the image's top layer changed on disk, behind the engine.
    const top = JSON.parse(d(['image', 'inspect', '--format', '{{json .GraphDriver.Data}}', `ddcd-app:${suffix}`])) as { UpperDir: string };
    tamperedLayer = path.basename(path.dirname(top.UpperDir));
    appendFileSync(path.join(top.UpperDir, 'etc', 'motd'), 'planted\n');
    // A container record the engine never loaded.
    planted = 'f'.repeat(64);
    cpSync(path.join(dataRoot, 'containers', intrId), path.join(dataRoot, 'containers', planted), { recursive: true });
    const config = JSON.parse(readFileSync(path.join(dataRoot, 'containers', planted, 'config.v2.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(path.join(dataRoot, 'containers', planted, 'config.v2.json'), JSON.stringify({ ...config, ID: planted, Name: '/ghost' }));
    const run = drydock(store, ['compare-disk', '--host', `unix://${engine.socket}`, '--data-root', dataRoot, '--json']);
    assert.equal(run.code, 0, run.err);
    result = JSON.parse(run.out) as CompareDiskResult;
  });

  after(async () => {
    await engine?.stop();
    rmSync(store, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('finds the container the API does not list', () => {
    const hidden = result.findings.filter((f) => f.kind === 'hidden-from-api');
    assert.deepEqual(
      hidden.map((f) => [f.containerId, f.containerName, f.severity]),
      [[planted, 'ghost', 'critical']],
    );
    assert.deepEqual(
      result.findings.filter((f) => f.kind === 'missing-on-disk'),
      [],
    );
  });

  it('finds the one layer whose content no longer hashes to its diff ID, and verifies the others', () => {
    const mismatched = result.findings.filter((f) => f.kind === 'layer-content-mismatch');
    assert.deepEqual(
      mismatched.map((f) => f.layer?.cacheId),
      [tamperedLayer],
    );
    assert.ok(result.layersVerified >= 2, `${result.layersVerified} layers re-hashed`);
    assert.deepEqual(result.problems, []);
  });

  it("finds the rewrite the engine's change list does not show, and no other difference", () => {
    const differ = result.findings.filter((f) => f.kind === 'changes-differ');
    assert.equal(differ.length, 1);
    assert.equal(differ[0]?.containerId, intrId);
    assert.deepEqual(differ[0]?.onlyOnDisk, ['modified /etc/shadow']);
    assert.deepEqual(differ[0]?.onlyInApi, []);
    assert.equal(result.containersCompared, 1);
  });
});
