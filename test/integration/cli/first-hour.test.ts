// The first hour as a responder meets it: the built `drydock` command, a fresh HOME and a fresh
// store (no profile, no Docker context, no case), the local engine.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, CaseInfo } from '../../../shared/domain/evidence';
import { drydock, drydockSpawn } from '../../helpers/cli';
import { BUSYBOX, removeContainers, runContainer } from '../../helpers/docker';

/** A HOME whose docker CLI configuration has the given contexts (docker/cli's context store layout). */
function homeWith(contexts: { name: string; host: string }[] = [], current?: string): string {
  const home = mkdtempSync('/tmp/drydock-first-hour-home-');
  mkdirSync(path.join(home, '.docker'), { recursive: true });
  writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify(current ? { currentContext: current } : {}));
  for (const c of contexts) {
    const dir = path.join(home, '.docker', 'contexts', 'meta', createHash('sha256').update(c.name).digest('hex'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'meta.json'),
      JSON.stringify({ Name: c.name, Metadata: {}, Endpoints: { docker: { Host: c.host, SkipTLSVerify: false } } }),
    );
  }
  return home;
}

describe('the first hour: no profile, no case', () => {
  const dirs: string[] = [];
  const fresh = (prefix: string) => {
    const dir = mkdtempSync(`/tmp/${prefix}`);
    dirs.push(dir);
    return dir;
  };
  let web: string;
  const name = `dd-first-hour-${process.pid}`;

  before(() => {
    web = runContainer(['--name', name, BUSYBOX, 'sleep', '3600']);
  });
  after(() => {
    removeContainers([web]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("prints the commands by task, a command's help, and refuses an unknown command with exit 2", () => {
    const overview = drydock(undefined, []);
    assert.equal(overview.code, 0, overview.err);
    for (const title of ['Triage', 'Acquire', 'Respond', 'Evidence']) assert.match(overview.out, new RegExp(`^${title}`, 'm'));
    assert.match(overview.out, /e\.g\. drydock inventory/);
    const help = drydock(undefined, ['--help']);
    assert.equal(help.out, overview.out);
    const capture = drydock(undefined, ['capture', '--help']);
    assert.equal(capture.code, 0);
    assert.match(capture.out, /^Usage: drydock capture CONTAINER/);
    assert.match(capture.out, /--duration VALUE +stop after this many seconds/);
    assert.match(capture.out, /\nExample:\n {2}drydock capture /);
    const unknown = drydock(undefined, ['frobnicate', '--now']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /^drydock: unknown command "frobnicate"\. Run drydock --help for the list\.$/m);
    assert.equal(unknown.out, '');
    const typo = drydock(undefined, ['inventroy', '--flagged']);
    assert.equal(typo.code, 2);
    assert.match(typo.err, /unknown command "inventroy"\. Did you mean `drydock inventory`\?/);
    const group = drydock(undefined, ['case']);
    assert.equal(group.code, 2);
    assert.match(group.err, /^drydock case: which one\?\n {2}drydock case create --name NAME/);
    assert.match(group.err, /\n {6}\S/, 'each subcommand with its summary');
    // A group's --help lists its subcommands with their summaries, on stdout, and succeeds.
    for (const name of ['hosts', 'evidence', 'cluster']) {
      const help = drydock(undefined, [name, '--help']);
      assert.equal(help.code, 0, help.err);
      assert.match(help.out, new RegExp(`^drydock ${name}: subcommands\\n {2}drydock ${name} \\S+`));
      assert.match(help.out, /\n {6}\S/);
      assert.doesNotMatch(help.out + help.err, /which one/);
    }
    // Input the contract refuses is described without naming an internal channel.
    const bad = drydock(fresh('drydock-first-hour-bad-url-'), ['hosts', 'add', 'odd', 'ftp://example.invalid']);
    assert.equal(bad.code, 2, bad.err);
    assert.match(bad.err, /host odd not saved: invalid input: url: /);
    assert.doesNotMatch(bad.err, /Invalid request for|hosts\.test/);
  });

  it('acquires from the local engine into one ad-hoc case, saying which engine and which case', () => {
    const home = homeWith();
    const store = fresh('drydock-first-hour-store-');
    const env = { HOME: home, DOCKER_HOST: '', DOCKER_CONTEXT: '', DRYDOCK_EXAMINER: 'j.doe' };
    const inventory = drydock(store, ['inventory'], { env });
    assert.equal(inventory.code, 0, inventory.err);
    assert.match(
      inventory.err,
      /^drydock: host local = unix:\/\/\/var\/run\/docker\.sock \(no DOCKER_HOST or DOCKER_CONTEXT, and the docker CLI's current context is "default": the local socket/m,
    );
    assert.match(inventory.err, /opened the ad-hoc case "local \d{4}-\d{2}-\d{2}" for host local and made it the current case/);
    assert.match(inventory.out, new RegExp(name));
    const ps = drydock(store, ['ps', name], { env });
    assert.equal(ps.code, 0, ps.err);
    assert.doesNotMatch(ps.err, /ad-hoc/, 'the second acquisition goes into the same case, silently');
    const cases = JSON.parse(drydock(store, ['case', 'list', '--json'], { env }).out) as { cases: CaseInfo[]; currentCaseId: string };
    assert.equal(cases.cases.length, 1);
    const [kase] = cases.cases;
    assert.equal(kase?.id, cases.currentCaseId);
    assert.equal(kase?.examiner, 'j.doe');
    const artifacts = JSON.parse(drydock(store, ['case', 'artifacts', '--json'], { env }).out) as { kind: string }[];
    assert.deepEqual(artifacts.map((a) => a.kind).sort(), ['inventory-snapshot', 'process-snapshot']);
    const audit = drydock(store, ['case', 'audit', '--json'], { env })
      .out.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    const adHoc = audit.find((e) => e.action === 'case.adhoc-opened');
    assert.ok(adHoc, 'the ad-hoc case is in its own audit log');
    const chosen = audit.find((e) => e.action === 'host.resolved');
    assert.deepEqual(
      [chosen?.details.host, chosen?.details.source, chosen?.details.url],
      ['local', 'default-socket', 'unix:///var/run/docker.sock'],
      "the case's own chain says which engine it came from and why",
    );
    assert.ok(
      audit.every((e) => e.examiner === 'j.doe'),
      'every entry names the examiner',
    );
    const verify = drydock(store, ['evidence', 'verify'], { env });
    assert.equal(verify.code, 0, verify.err);
  });

  it('follows DOCKER_HOST, DOCKER_CONTEXT and the current context as the docker CLI does, and names a missing one', () => {
    const store = fresh('drydock-first-hour-store-');
    const home = homeWith(
      [
        { name: 'incident', host: 'unix:///var/run/docker.sock' },
        { name: 'gone', host: 'unix:///run/drydock-no-such.sock' },
      ],
      'incident',
    );
    const base = { HOME: home, DOCKER_HOST: '', DOCKER_CONTEXT: '' };
    let r = drydock(store, ['inventory', '--no-record'], { env: base });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^drydock: host incident = unix:\/\/\/var\/run\/docker\.sock \(the docker CLI's current context is incident/m);
    assert.match(r.err, /not recorded \(--no-record\)/);
    r = drydock(store, ['inventory', '--no-record'], { env: { ...base, DOCKER_CONTEXT: 'gone' } });
    assert.equal(r.code, 4, 'a dead engine is a connection failure');
    assert.match(
      r.err,
      /host unix:\/\/\/run\/drydock-no-such\.sock: no Docker socket at that path; no host profile saved \(DOCKER_CONTEXT names the Docker context gone/,
      'the error says which engine was chosen and why, and that nothing was saved',
    );
    assert.doesNotMatch(r.err, /saved as host profile/);
    for (const dead of ['tcp://127.0.0.1:1', 'unix:///run/drydock-no-such.sock']) {
      r = drydock(store, ['inventory', '--no-record', '--host', dead], { env: base });
      assert.equal(r.code, 4, r.err);
      assert.match(r.err, /no host profile saved/);
      assert.doesNotMatch(r.err, /saved as host profile/);
    }
    const saved = JSON.parse(drydock(store, ['hosts', 'list', '--json'], { env: base }).out) as { name: string }[];
    assert.deepEqual(
      saved.map((p) => p.name),
      ['incident'],
      'a dead endpoint leaves no profile behind (as hosts add refuses one)',
    );
    r = drydock(store, ['inventory', '--no-record'], {
      env: { ...base, DOCKER_CONTEXT: 'gone', DOCKER_HOST: 'unix:///var/run/docker.sock' },
    });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /\(DOCKER_HOST is set to unix:\/\/\/var\/run\/docker\.sock/);
    r = drydock(store, ['inventory', '--no-record', '--host', 'nosuch'], { env: base });
    assert.equal(r.code, 3);
    assert.match(
      r.err,
      /No host named nosuch: not a saved profile \(drydock hosts list\), a Docker context \(docker context ls\) or an endpoint URL/,
    );
    r = drydock(store, ['inventory', '--no-record', '--host', 'ftp://x'], { env: base });
    assert.equal(r.code, 2);
    r = drydock(store, ['hosts', 'import', '--json'], { env: base });
    assert.equal(r.code, 0, r.err);
    const again = JSON.parse(r.out) as { imported: { name: string }[]; skipped: { context: string; why: string }[] };
    assert.deepEqual(
      again.imported.map((p) => p.name),
      ['gone'],
      'only the dead context, which inventory did not save, is new (import saves without testing)',
    );
    assert.deepEqual(again.skipped.map((s) => s.context).sort(), ['default', 'incident']);
    const other = fresh('drydock-first-hour-store-');
    r = drydock(other, ['hosts', 'import', '--json'], { env: base });
    assert.equal(r.code, 0, r.err);
    const imported = JSON.parse(r.out) as { imported: { name: string; url: string }[]; skipped: { context: string; why: string }[] };
    assert.deepEqual(
      imported.imported.map((p) => [p.name, p.url]),
      [
        ['local', 'unix:///var/run/docker.sock'],
        ['gone', 'unix:///run/drydock-no-such.sock'],
      ],
    );
    assert.deepEqual(imported.skipped, [{ context: 'incident', why: 'already saved as host local' }]);
    r = drydock(other, ['hosts', 'import', 'nosuch'], { env: base });
    assert.equal(r.code, 3);
    assert.match(r.out, /Skipped context nosuch: no such Docker context/);
    const cases = JSON.parse(drydock(store, ['case', 'list', '--json'], { env: base }).out) as { cases: CaseInfo[] };
    assert.deepEqual(cases.cases, [], 'looking without recording opened no case');
  });

  it('serves the UI: prints the URL and the page loads', async () => {
    const store = fresh('drydock-first-hour-store-');
    const child = drydockSpawn(store, ['serve'], { env: { HOME: homeWith() } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const found = /http:\/\/127\.0\.0\.1:\d+\/#\S+/.exec(out);
          if (found) resolve(found[0]);
        });
        child.once('exit', (code) => reject(new Error(`drydock serve exited ${code}: ${out}`)));
      });
      const page = await fetch(url.replace(/#.*/, ''));
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'|default-src 'self'/);
      assert.match(await page.text(), /<div id="root">/);
      const api = await fetch(new URL('/api/invoke', url), { method: 'POST', body: '{}' });
      assert.equal(api.status, 403, 'the API wants the token');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
  });
});
