import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { EngineChange } from '../../../main/core/drift/engine-changes';
import { goFileMode } from '../../../main/core/drift/engine-changes';
import { planReads } from '../../../main/core/drift/fetch-plan';

const IMAGE: Record<string, { entries: number; bytes: number }> = {
  '/usr': { entries: 5000, bytes: 90e6 },
  '/usr/bin': { entries: 800, bytes: 40e6 },
  '/etc': { entries: 300, bytes: 800e3 },
  '/tmp': { entries: 0, bytes: 0 },
};
const DIRS = new Set(['/usr', '/usr/bin', '/etc', '/etc/cron.d', '/tmp', '/root']);

function plan(changes: EngineChange[]) {
  return planReads(changes, {
    cost: (d) => IMAGE[d] ?? { entries: 1, bytes: 100 },
    imageType: (p) => (DIRS.has(p) ? 'directory' : p.startsWith('/usr/bin/') ? 'file' : undefined),
  });
}

describe('read plan', () => {
  it('reads small directories whole, big ones file by file with a stat of the directory', () => {
    const result = plan([
      { path: '/usr', kind: 'modified' },
      { path: '/usr/bin', kind: 'modified' },
      { path: '/usr/bin/env', kind: 'modified' },
      { path: '/usr/bin/who', kind: 'deleted' },
      { path: '/etc', kind: 'modified' },
      { path: '/etc/passwd', kind: 'modified' },
      { path: '/etc/cron.d', kind: 'modified' },
      { path: '/etc/cron.d/x', kind: 'added' },
      { path: '/tmp', kind: 'modified' },
      { path: '/tmp/a', kind: 'added' },
      { path: '/tmp/b', kind: 'added' },
    ]);
    assert.deepEqual(result.roots.sort(), ['/etc', '/tmp', '/usr/bin/env']);
    assert.deepEqual(result.statOnly.sort(), ['/usr', '/usr/bin']);
  });

  it('reads a name with a replacement character through its parent', () => {
    const result = plan([
      { path: '/usr', kind: 'modified' },
      { path: '/usr/bin', kind: 'modified' },
      { path: '/usr/bin/\uFFFDx', kind: 'added' },
    ]);
    assert.deepEqual(result.roots, ['/usr/bin']);
    assert.deepEqual(result.statOnly, ['/usr']);
  });

  it('reads a small image whole in one request when the container has no volumes or binds', () => {
    const changes: EngineChange[] = [
      { path: '/etc', kind: 'modified' },
      { path: '/etc/passwd', kind: 'modified' },
      { path: '/tmp', kind: 'modified' },
      { path: '/tmp/x', kind: 'added' },
    ];
    const small = { cost: () => ({ entries: 500, bytes: 2e6 }), imageType: () => undefined };
    assert.deepEqual(planReads(changes, { ...small, wholeFilesystem: true }), { roots: ['/'], statOnly: [] });
    assert.deepEqual(planReads(changes, { ...small, wholeFilesystem: false }).roots, ['/etc', '/tmp']);
    assert.deepEqual(
      planReads(changes, { cost: () => ({ entries: 9000, bytes: 120e6 }), imageType: () => undefined, wholeFilesystem: true }).roots,
      ['/etc', '/tmp'],
      'a big image is still read in pieces',
    );
  });

  it('an added directory is read whole with everything under it', () => {
    const result = plan([
      { path: '/root', kind: 'modified' },
      { path: '/root/.ssh', kind: 'added' },
      { path: '/root/.ssh/authorized_keys', kind: 'added' },
    ]);
    assert.deepEqual(result.roots, ['/root']);
  });
});

describe('engine path stat', () => {
  it("decodes Go's os.FileMode", () => {
    assert.deepEqual(goFileMode(2 ** 31 + 0o755), { type: 'directory', mode: 0o755 });
    assert.deepEqual(goFileMode(2 ** 31 + 2 ** 20 + 0o777), { type: 'directory', mode: 0o1777 });
    assert.deepEqual(goFileMode(2 ** 23 + 0o755), { type: 'file', mode: 0o4755 });
    assert.deepEqual(goFileMode(2 ** 27 + 0o777), { type: 'symlink', mode: 0o777 });
  });
});

describe('drift core and the local filesystem', () => {
  it('never imports a filesystem or process API: container bytes go to the store through the evidence port only', () => {
    const dir = path.resolve(__dirname, '../../../main/core/drift');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(path.join(dir, file), 'utf8');
      assert.doesNotMatch(
        source,
        /from 'node:(fs|fs\/promises|child_process)'|require\('(node:)?fs'\)|from '(fs|child_process)'/,
        `${file} touches the local filesystem`,
      );
    }
  });
});
