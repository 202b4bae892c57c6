import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { listDockerContexts, resolveDefaultEndpoint } from '../../../main/core/hosts/docker-context';
import { DrydockFailure } from '../../../main/core/errors';

/** A HOME with the docker CLI's files as `docker context create` writes them (context store layout of docker/cli). */
function dockerHome(contexts: { name: string; host: string; skipVerify?: boolean; tls?: boolean }[], current?: string): string {
  const home = mkdtempSync(path.join(tmpdir(), 'drydock-docker-home-'));
  const config = path.join(home, '.docker');
  mkdirSync(config, { recursive: true });
  writeFileSync(path.join(config, 'config.json'), JSON.stringify(current ? { auths: {}, currentContext: current } : { auths: {} }));
  for (const c of contexts) {
    const id = createHash('sha256').update(c.name).digest('hex');
    mkdirSync(path.join(config, 'contexts', 'meta', id), { recursive: true });
    writeFileSync(
      path.join(config, 'contexts', 'meta', id, 'meta.json'),
      JSON.stringify({
        Name: c.name,
        Metadata: { Description: `the ${c.name} engine` },
        Endpoints: { docker: { Host: c.host, SkipTLSVerify: c.skipVerify ?? false } },
      }),
    );
    if (c.tls) {
      const tls = path.join(config, 'contexts', 'tls', id, 'docker');
      mkdirSync(tls, { recursive: true });
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(tls, f), 'PEM');
    }
  }
  return home;
}

describe('which engine "no --host" means (the docker CLI\'s order)', () => {
  const homes: string[] = [];
  const home = (...args: Parameters<typeof dockerHome>) => {
    const dir = dockerHome(...args);
    homes.push(dir);
    return dir;
  };
  after(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

  const contexts = [
    { name: 'prod', host: 'tcp://10.0.0.5:2376', tls: true },
    { name: 'edge', host: 'ssh://ops@10.0.0.7' },
    { name: 'lab', host: 'tcp://10.9.9.9:2376', skipVerify: true },
  ];

  it('takes the local socket when nothing is set', () => {
    const r = resolveDefaultEndpoint({ env: {}, home: home([]) });
    assert.equal(r.url, 'unix:///var/run/docker.sock');
    assert.equal(r.source, 'default-socket');
    assert.match(r.reason, /no DOCKER_HOST or DOCKER_CONTEXT, and the docker CLI's current context is "default"/);
  });

  it('takes the current context over the socket, DOCKER_CONTEXT over the current context, DOCKER_HOST over both', () => {
    const h = home(contexts, 'edge');
    let r = resolveDefaultEndpoint({ env: {}, home: h });
    assert.equal(r.source, 'current-context');
    assert.equal(r.url, 'ssh://ops@10.0.0.7');
    assert.equal(r.context, 'edge');
    assert.match(r.reason, /current context is edge/);
    r = resolveDefaultEndpoint({ env: { DOCKER_CONTEXT: 'prod' }, home: h });
    assert.equal(r.source, 'DOCKER_CONTEXT');
    assert.equal(r.url, 'tcp://10.0.0.5:2376');
    const tlsDir = path.join(h, '.docker', 'contexts', 'tls', createHash('sha256').update('prod').digest('hex'), 'docker');
    assert.deepEqual(r.tls, {
      verify: true,
      caFile: path.join(tlsDir, 'ca.pem'),
      certFile: path.join(tlsDir, 'cert.pem'),
      keyFile: path.join(tlsDir, 'key.pem'),
    });
    r = resolveDefaultEndpoint({ env: { DOCKER_CONTEXT: 'prod', DOCKER_HOST: 'unix:///run/other.sock' }, home: h });
    assert.equal(r.source, 'DOCKER_HOST');
    assert.equal(r.url, 'unix:///run/other.sock');
    // DOCKER_CONTEXT=default means the socket (or DOCKER_HOST), whatever config.json says.
    r = resolveDefaultEndpoint({ env: { DOCKER_CONTEXT: 'default' }, home: h });
    assert.equal(r.source, 'default-socket');
  });

  it('reads DOCKER_TLS_VERIFY and DOCKER_CERT_PATH with DOCKER_HOST', () => {
    const certs = home([]);
    const r = resolveDefaultEndpoint({
      env: { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: path.join(certs, 'certs') },
      home: certs,
    });
    assert.deepEqual(r.tls, { verify: true });
    assert.match(r.reason, /with TLS verification \(DOCKER_TLS_VERIFY\)/);
  });

  it("keeps a context's SkipTLSVerify as verification OFF, and lists every context with the current one marked", () => {
    const h = home(contexts, 'lab');
    const listed = listDockerContexts({ env: {}, home: h });
    assert.deepEqual(
      listed.map((c) => [c.name, c.current]),
      [
        ['default', false],
        ['edge', false],
        ['lab', true],
        ['prod', false],
      ],
    );
    assert.equal(listed.find((c) => c.name === 'lab')?.tls?.verify, false);
    assert.equal(listed.find((c) => c.name === 'edge')?.tls, undefined, 'TLS settings are for tcp:// only');
  });

  it('names the missing context and refuses unreadable configuration clearly', () => {
    assert.throws(
      () => resolveDefaultEndpoint({ env: { DOCKER_CONTEXT: 'nope' }, home: home(contexts) }),
      (err: unknown) => err instanceof DrydockFailure && err.kind === 'not-found' && /No Docker context named "nope"/.test(err.message),
    );
    const broken = home([]);
    writeFileSync(path.join(broken, '.docker', 'config.json'), '{not json');
    assert.throws(
      () => resolveDefaultEndpoint({ env: {}, home: broken }),
      (err: unknown) => err instanceof DrydockFailure && err.kind === 'invalid-input' && /config\.json is not valid JSON/.test(err.message),
    );
    const huge = home([]);
    writeFileSync(path.join(huge, '.docker', 'config.json'), ' '.repeat(2 * 1024 * 1024));
    assert.throws(() => resolveDefaultEndpoint({ env: {}, home: huge }), /refusing to read more than/);
  });
});
