// Issue 12, "A hostile engine" over TLS: the fake engine serves a certificate from a CA the test
// makes with openssl; the built CLI's `hosts test` with --tls-ca that CA connects, and with another
// CA it is refused with kind 'tls' (and exit status 4) naming the host, within its deadline.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { drydockSpawn, type CliRun } from '../../helpers/cli';
import { startHostileEngine, type HostileEngine } from '../../helpers/hostile-engine';

/** A CA and a server certificate for 127.0.0.1 signed by it, in dir. */
function makeCa(dir: string, name: string): { ca: string; cert: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', 'ca-key.pem', '-out', 'ca.pem');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server-key.pem', '-out', 'server.csr');
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca-key.pem',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'server.ext',
    '-out',
    'server-cert.pem',
  );
  return { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'server-cert.pem'), key: path.join(dir, 'server-key.pem') };
}

describe('the CLI against the hostile engine over TLS', () => {
  let engine: HostileEngine;
  const root = mkdtempSync(path.join(tmpdir(), 'drydock-hostile-tls-'));
  const store = path.join(root, 'store');
  const home = path.join(root, 'home');
  const good = makeCa(path.join(root, 'good'), 'drydock hostile CA');
  const wrong = makeCa(path.join(root, 'wrong'), 'some other CA');

  async function run(args: string[]): Promise<CliRun> {
    const child = drydockSpawn(store, args, { env: { HOME: home, DRYDOCK_ENGINE_TIMEOUT_MS: '5000' } });
    child.stdin.end();
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, out, err };
  }

  before(async () => {
    mkdirSync(home);
    engine = await startHostileEngine({
      scenario: 'hostile-text',
      apiVersion: '1.44',
      tls: { key: readFileSync(good.key), cert: readFileSync(good.cert) },
    });
  });

  after(async () => {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("connects with --tls-ca the engine's CA and reports the engine", async () => {
    const r = await run(['hosts', 'test', 'evil-tls', engine.url, '--tls-ca', good.ca, '--json']);
    assert.equal(r.code, 0, r.err);
    const facts = JSON.parse(r.out) as { apiVersion?: string; tlsVerify?: boolean };
    assert.equal(facts.apiVersion, '1.44');
    assert.ok(
      engine.requests.some((q) => q.startsWith('GET /version')),
      'the engine was reached over TLS',
    );
  });

  it('refuses an engine whose certificate does not chain to --tls-ca, kind tls, naming the host', async () => {
    const started = Date.now();
    const r = await run(['hosts', 'test', 'evil-tls', engine.url, '--tls-ca', wrong.ca, '--json']);
    assert.equal(r.code, 4, `${r.out}\n${r.err}`);
    const result = JSON.parse(r.out) as { ok: false; error: { kind: string; message: string; host?: string } };
    assert.equal(result.error.kind, 'tls');
    assert.match(result.error.message, /evil-tls|127\.0\.0\.1/);
    assert.ok(Date.now() - started < 20_000, `refused after ${Date.now() - started} ms`);
  });

  it('wrote nothing to HOME', () => {
    assert.deepEqual(readdirSync(home, { recursive: true }), []);
  });
});
