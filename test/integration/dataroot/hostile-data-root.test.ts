// Hostile data roots, made by hand (no engine needed): a config.v2.json of 100 MB, one that is not
// JSON, a writable layer holding `etc -> /etc` of the analysing machine, a layer directory that is
// itself a symlink out of the root, a tarball with names leaving it (`../..`, absolute) and a
// whiteout naming `..`. Each must be a clear error or a finding; nothing outside the data root is
// read (no hash of this machine's /etc/passwd appears) and nothing is written anywhere.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { pack } from 'tar-stream';
import type { DataRootDriftResult, DataRootInventory } from '../../../shared/domain/dataroot';
import { drydock } from '../../helpers/cli';
import { hex, makeDataRoot, write, type Victim } from '../../helpers/data-root-fixture';

/** The data root as a tar archive, with `extra` entries appended (names as given, unchecked). */
async function tarOf(root: string, file: string, extra: { name: string; body?: string; type?: 'file' | 'directory' }[]): Promise<void> {
  const p = pack();
  const done = pipeline(p, createWriteStream(file));
  const add = (rel: string) => {
    const full = path.join(root, rel);
    const st = lstatSync(full);
    if (st.isDirectory()) {
      p.entry({ name: `${rel}/`, type: 'directory', mode: 0o755 });
      for (const name of readdirSync(full).sort()) add(rel ? `${rel}/${name}` : name);
    } else if (st.isSymbolicLink()) p.entry({ name: rel, type: 'symlink', linkname: readlinkSync(full), mode: 0o777 });
    else p.entry({ name: rel, mode: st.mode & 0o7777, mtime: st.mtime }, readFileSync(full));
  };
  for (const name of readdirSync(root).sort()) add(name);
  for (const e of extra) p.entry({ name: e.name, type: e.type ?? 'file', mode: 0o644 }, e.body ?? '');
  p.finalize();
  await done;
}

function run<T>(store: string, args: string[]): { code: number | null; value?: T; err: string } {
  const r = drydock(store, [...args, '--json']);
  return { code: r.code, err: r.err, ...(r.code === 0 ? { value: JSON.parse(r.out) as T } : {}) };
}

describe('hostile data roots', () => {
  let work: string;
  let store: string;
  let root: string;
  const victim: Victim = { id: hex('4d'), name: 'victim', mount: hex('5e') };
  const big: Victim = { id: hex('6f'), name: 'big', mount: hex('70') };
  const broken: Victim = { id: hex('81'), name: 'broken', mount: hex('92') };
  const escaper: Victim = { id: hex('a3'), name: 'escaper', mount: hex('b4') };
  const hostPasswd = createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex');

  before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'ddx-hostile-'));
    store = mkdtempSync(path.join(tmpdir(), 'ddx-hostile-store-'));
    root = path.join(work, 'docker');
    makeDataRoot(root, [victim, big, broken, escaper]);
    // The victim's writable layer replaces /etc by a symlink to the analysing machine's /etc.
    mkdirSync(path.join(root, 'overlay2', victim.mount, 'diff'), { recursive: true });
    symlinkSync('/etc', path.join(root, 'overlay2', victim.mount, 'diff', 'etc'));
    write(path.join(root, 'overlay2', victim.mount, 'diff', 'tmp', 'x'), 'dropped\n');
    // 100 MB that is not even JSON (sparse: no disk used).
    truncateSync(path.join(root, 'containers', big.id, 'config.v2.json'), 100 * 1024 * 1024);
    writeFileSync(path.join(root, 'containers', broken.id, 'config.v2.json'), '{"ID": "broken", ');
    // A layer directory that is a symlink out of the data root.
    mkdirSync(path.join(root, 'overlay2', escaper.mount), { recursive: true });
    symlinkSync('/etc', path.join(root, 'overlay2', escaper.mount, 'diff'));
  });

  after(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(store, { recursive: true, force: true });
  });

  it('turns an oversized and an invalid config.v2.json into problems, and lists the rest', () => {
    const r = run<DataRootInventory>(store, ['inventory', '--data-root', root]);
    assert.equal(r.code, 0, r.err);
    const problems = r.value?.problems ?? [];
    assert.ok(
      problems.some(
        (p) => p.path === `containers/${big.id}/config.v2.json` && /104857600 bytes, over the 16777216-byte limit/.test(p.problem),
      ),
    );
    assert.ok(problems.some((p) => p.path === `containers/${broken.id}/config.v2.json` && /invalid JSON/.test(p.problem)));
    assert.deepEqual(r.value?.containers.map((c) => c.name).sort(), ['escaper', 'victim']);
  });

  it('keeps a symlink to /etc in a writable layer a symlink: nothing of the analysing machine is read', () => {
    const r = run<DataRootDriftResult>(store, ['drift', 'victim', '--data-root', root]);
    assert.equal(r.code, 0, r.err);
    const report = r.value?.reports[0];
    const etc = report?.entries.find((e) => e.path === '/etc');
    assert.equal(etc?.container?.type, 'symlink');
    assert.equal(etc?.container?.linkTarget, '/etc');
    assert.equal(etc?.verdict, 'type-changed');
    assert.ok(!report?.entries.some((e) => e.path.startsWith('/etc/') && e.container), 'nothing under the link is read');
    assert.ok(!JSON.stringify(r.value).includes(hostPasswd), "this machine's /etc/passwd was not hashed");
    assert.equal(report?.entries.find((e) => e.path === '/tmp/x')?.verdict, 'added');
  });

  it('refuses a layer directory that is a symlink out of the data root', () => {
    const r = drydock(store, ['drift', 'escaper', '--data-root', root]);
    assert.equal(r.code === 0, false);
    assert.match(r.err, /overlay2\/b4b4[0-9a-f]*\/diff is a symlink: .*not followed/);
  });

  it('ignores tarball entries named outside the archive and a whiteout naming "..", and writes nothing', async () => {
    const tarball = path.join(work, 'hostile.tar');
    const escapes = [`../../../../tmp/ddx-escape-${process.pid}`, `/tmp/ddx-absolute-${process.pid}`];
    await tarOf(root, tarball, [
      ...escapes.map((name) => ({ name, body: 'pwned' })),
      { name: `overlay2/${victim.mount}/diff/tmp/.wh...`, body: '' },
    ]);
    const inv = run<DataRootInventory>(store, ['inventory', '--data-root', tarball]);
    assert.equal(inv.code, 0, inv.err);
    assert.ok(inv.value?.source.warnings.some((w) => w.includes('named outside it') && w.includes('ddx-escape')));
    const drift = run<DataRootDriftResult>(store, ['drift', 'victim', '--data-root', tarball]);
    assert.equal(drift.code, 0, drift.err);
    assert.ok(drift.value?.reports[0]?.limitations.some((l) => /whiteout \/tmp\/\.wh\.\.\. names "\.\."/.test(l)));
    assert.equal(drift.value?.reports[0]?.entries.find((e) => e.path === '/etc')?.container?.type, 'symlink');
    for (const name of escapes) assert.equal(existsSync(path.resolve('/tmp', path.basename(name))), false, `${name} was not written`);
  });
});
