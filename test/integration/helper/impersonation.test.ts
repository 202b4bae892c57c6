import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InventorySnapshot } from '../../../shared/domain/inventory';
import { drydock, drydockSpawn } from '../../helpers/cli';
import { BUSYBOX, docker, removeContainers, runContainer } from '../../helpers/docker';
import { waitFor } from '../../helpers/wait';

// Issue 12, fault 0: a label anyone can set must never make Drydock remove or hide a container.

function exists(id: string): boolean {
  return docker(['ps', '-aq', '--no-trunc', '--filter', `id=${id}`]).trim() === id;
}

describe('helpers are recognised by recorded IDs, never by labels', () => {
  const store = mkdtempSync(path.join(tmpdir(), 'drydock-helper-ids-'));
  const implantName = `implant-${process.pid}`;
  let implant = '';
  const extra: string[] = [];

  before(() => {
    assert.equal(drydock(store, ['hosts', 'add', 'local', 'unix:///var/run/docker.sock']).code, 0);
    const kase = drydock(store, ['case', 'create', '--name', 'helper ids', '--organisation', 'test', '--tz', 'UTC']);
    assert.equal(kase.code, 0, kase.err);
    implant = runContainer(['--name', implantName, '--label', 'drydock.helper=capture', BUSYBOX, 'sleep', '1d']);
  });

  after(() => {
    removeContainers([implant, ...extra]);
    rmSync(store, { recursive: true, force: true });
  });

  it('keeps a container that only carries the helper label through a sweep, and says it impersonates a helper', () => {
    const swept = drydock(store, ['capture-helper', 'sweep', '--host', 'local']);
    assert.equal(swept.code, 0, swept.err);
    assert.ok(exists(implant), 'the implant is still on the host');
    assert.match(swept.out, new RegExp(`kept ${implantName}: impersonates a Drydock helper`));
  });

  it('keeps it through `drydock connections` (which sweeps on connect) and shows it in the graph', () => {
    const run = drydock(store, ['connections', '--host', 'local', '--json', '--no-record'], { timeout: 240_000 });
    assert.equal(run.code, 0, run.err);
    assert.ok(exists(implant), 'the implant is still on the host');
    assert.ok(
      run.out.includes(implant.slice(0, 12)) || run.out.includes(implantName),
      'the implant is part of the graph, not hidden as a helper',
    );
  });

  it('flags it critical in the inventory', () => {
    const run = drydock(store, ['inventory', '--host', 'local', '--json', '--no-record']);
    assert.equal(run.code, 0, run.err);
    const snapshot = JSON.parse(run.out) as InventorySnapshot;
    const found = snapshot.containers.find((c) => c.id === implant);
    assert.ok(found, 'the implant is listed, not hidden');
    assert.notEqual(found.helper, true);
    const flag = found.risks.find((r) => r.id === 'impersonates-helper');
    assert.ok(flag, 'flagged as impersonating a helper');
    assert.equal(flag.severity, 'critical');
    assert.equal(found.topSeverity, 'critical');
  });

  it('still sweeps a real helper left behind by a killed Drydock process, and only that', async () => {
    const target = runContainer([BUSYBOX, 'sleep', '1d']);
    extra.push(target);
    const child = drydockSpawn(store, ['capture', target, '--host', 'local', '--duration', '600']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const helper = await waitFor(
      () =>
        docker([
          'ps',
          '-q',
          '--no-trunc',
          '--filter',
          `label=drydock.owner.pid=${child.pid}`,
          '--filter',
          'label=drydock.helper=capture',
        ]).trim() || undefined,
      { what: 'the capture helper running', timeoutMs: 60_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; capture stderr: ${stderr}`);
    });
    child.kill('SIGKILL');
    await exited;
    assert.ok(exists(helper), 'the killed process left its helper behind');
    const swept = drydock(store, ['capture-helper', 'sweep', '--host', 'local', '--json']);
    assert.equal(swept.code, 0, swept.err);
    const result = JSON.parse(swept.out) as { removed: string[]; impersonators: { containerId: string }[] };
    assert.ok(!exists(helper), 'the orphaned helper is gone');
    assert.equal(result.removed.length >= 1, true);
    assert.ok(exists(implant), 'the implant is still there');
    assert.ok(result.impersonators.some((i) => i.containerId === implant));
  });
});
