// Issue 12: the built CLI against the hostile engine. Every string from the host reaches the
// terminal with control characters and bidi/invisible format characters made visible, and nothing
// is written outside the store (HOME, TMPDIR and the working directory are fresh and stay empty).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { drydockSpawn, type CliRun } from '../../helpers/cli';
import { startHostileEngine, type HostileEngine } from '../../helpers/hostile-engine';

/** C0/C1 controls but newline, and the format characters that reorder or hide text. */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/u;

describe('the CLI against a hostile engine', () => {
  let engine: HostileEngine;
  let liar: HostileEngine;
  const root = mkdtempSync(path.join(tmpdir(), 'drydock-hostile-cli-'));
  const store = path.join(root, 'store');
  const home = path.join(root, 'home');
  const tmp = path.join(root, 'tmp');
  const cwd = path.join(root, 'cwd');

  /** The built bin, run without blocking this process: the fake engine answers from its event loop. */
  async function run(args: string[]): Promise<CliRun> {
    const child = drydockSpawn(store, args, { cwd, env: { HOME: home, TMPDIR: tmp, DRYDOCK_ENGINE_TIMEOUT_MS: '2000' } });
    child.stdin.end();
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, out, err };
  }

  before(async () => {
    for (const dir of [home, tmp, cwd]) mkdirSync(dir);
    engine = await startHostileEngine({ scenario: 'hostile-text' });
    liar = await startHostileEngine({ scenario: 'lying-version' });
  });

  after(async () => {
    await engine.close();
    await liar.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('prints hosts test and the inventory with every hostile character made visible', async () => {
    const added = await run(['hosts', 'add', 'evil', engine.url]);
    assert.equal(added.code, 0, added.err);
    for (const args of [
      ['hosts', 'test', 'evil'],
      ['inventory', '--host', 'evil'],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
      const bad = UNSAFE.exec(r.out + r.err);
      assert.equal(bad, null, `${args.join(' ')} printed U+${bad?.[0].codePointAt(0)?.toString(16).padStart(4, '0')} raw`);
      assert.match(r.out, /\\x1b/, `${args.join(' ')} shows the escape, made visible`);
    }
  });

  it('says when /version contradicts /info', async () => {
    assert.equal((await run(['hosts', 'add', 'liar', liar.url])).code, 0);
    const r = await run(['hosts', 'test', 'liar']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /INCONSISTENT: \/version says engine "99\.0\.0" but \/info says "20\.10\.24"/);
  });

  it('wrote nothing outside the store', () => {
    for (const dir of [home, tmp, cwd]) assert.deepEqual(readdirSync(dir, { recursive: true }), [], `${dir} stays empty`);
  });
});
