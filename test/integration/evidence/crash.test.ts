import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore, tempDir } from '../../unit/evidence/store-fixture';

// kill -9 during a large artifact write: no partial blob becomes visible, the database passes
// its integrity check, the chain verifies, and the interrupted acquisition is recorded as
// incomplete with the bytes that reached the store.
describe('crash during an acquisition', () => {
  const dir = tempDir('drydock-crash-');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('recovers the interrupted artifact as incomplete on the next open', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'crash-writer.ts'), dir, String(24 * 1024 * 1024)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const written = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /written (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`crash-writer exited early (${code}): ${stderr}`)));
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const tmp = path.join(dir, 'blobs', 'tmp');
    assert.equal(readdirSync(tmp).length, 1, 'the partial file stays in the temporary folder, never under a blob name');
    const blobsBefore = existsSync(path.join(dir, 'blobs', 'sha256'))
      ? readdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true }).length
      : 0;
    assert.equal(blobsBefore, 0);

    const store = openStore(dir, 'examiner-b');
    try {
      assert.equal(store.db.pragma('integrity_check', { simple: true }), 'ok');
      const report = await store.evidence.verify();
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      const [artifact, ...rest] = await store.evidence.listArtifacts({ caseRef: 'Crash case' });
      assert.equal(rest.length, 0);
      assert.ok(artifact);
      assert.equal(artifact.status, 'incomplete');
      assert.match(artifact.statusReason ?? '', /process \d+ ended/);
      // Every batch awaited by the writer reached the file; the last one may still have been queued.
      assert.ok(artifact.size > 0 && artifact.size <= written, `${artifact.size} of ${written} bytes kept`);
      const actions = (await store.evidence.auditEntries({ caseRef: 'Crash case' })).map((e) => e.action);
      assert.deepEqual(actions, ['case.created', 'note.added', 'artifact.added']);
      assert.deepEqual(readdirSync(tmp), []);
    } finally {
      store.close();
    }
  });
});
