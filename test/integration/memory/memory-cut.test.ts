// An image cut short says what it holds: its program headers were written before the first byte,
// so they describe every region whole; the artifact's regions attribute says how much of each
// reached the store (storedBytes), and no region claims bytes past the end of the file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ImageRegion } from '../../../shared/domain/memory';
import { drydock, drydockSpawn } from '../../helpers/cli';
import { removeContainers } from '../../helpers/docker';
import { holdMemory, memoryReaderRunning } from '../../helpers/memory-holder';

describe('a memory image cut short', () => {
  let store: string;
  let holder = '';

  before(async () => {
    store = mkdtempSync(path.join(tmpdir(), 'ddmemcut-'));
    assert.equal(drydock(store, ['case', 'new', '--name', 'memory-cut']).code, 0);
    assert.equal(drydock(store, ['logs', '--follow-on-start', 'off']).code, 0);
    holder = await holdMemory(`ddmemcut-${process.pid}`, 256, 'C');
  });

  after(() => {
    removeContainers([holder]);
    rmSync(store, { recursive: true, force: true });
  });

  it('keeps the part read as incomplete, each region saying how many of its bytes were stored', async () => {
    const child = drydockSpawn(store, ['memory', holder, '--pid', '1']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await memoryReaderRunning(child.pid, () => stderr);
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    const artifacts = JSON.parse(drydock(store, ['case', 'artifacts', '--json']).out) as {
      kind: string;
      status: string;
      size: number;
      attributes: { regions: ImageRegion[] };
    }[];
    const image = artifacts.find((a) => a.kind === 'memory-image');
    assert.ok(image, 'the image cut short is kept');
    assert.equal(image.status, 'incomplete');
    const read = image.attributes.regions.filter((r) => r.fileSize > 0);
    assert.ok(read.length > 0);
    for (const r of read) {
      const stored = r.storedBytes ?? r.fileSize;
      assert.ok(stored <= r.fileSize);
      if (stored > 0)
        assert.ok(
          r.imageOffset + stored <= image.size,
          `region ${r.start} claims bytes past the end of the ${image.size}-byte image: ${JSON.stringify(r)}`,
        );
      if (r.storedBytes !== undefined) assert.match(r.unreadable ?? '', /stored/);
    }
    assert.ok(
      read.some((r) => r.storedBytes !== undefined),
      'a region not stored whole says so',
    );
  });
});
