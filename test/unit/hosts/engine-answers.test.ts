// What an endpoint that is not a working Docker engine is called, against real listeners (no mocks):
// an HTTP server that is not Docker ("HTTP 404", never dockerode's raw text in doubled parentheses),
// a stale socket file nobody listens on, and a regular file or directory given as a socket.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Dockerode from 'dockerode';
import { DrydockFailure } from '../../../main/core/errors';
import { probeEngine } from '../../../main/core/hosts/engine-probe';

async function failureOf(docker: Dockerode): Promise<DrydockFailure> {
  try {
    await probeEngine(docker, 'h');
  } catch (err) {
    assert.ok(err instanceof DrydockFailure, String(err));
    return err;
  }
  throw new Error('the probe succeeded');
}

describe('an endpoint that does not answer as a Docker engine', () => {
  let dir: string;
  let web: Server;
  let port = 0;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'drydock-answers-'));
    web = createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    port = (web.address() as { port: number }).port;
  });

  after(async () => {
    await new Promise((resolve) => web.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('names an HTTP server that is not Docker by its status alone', async () => {
    const failure = await failureOf(new Dockerode({ host: '127.0.0.1', port, protocol: 'http' }));
    assert.equal(failure.kind, 'not-docker');
    assert.equal(failure.message, 'Host h answered, but not as a Docker engine (HTTP 404)');
  });

  it('says nothing listens on a stale socket file', async () => {
    const stale = path.join(dir, 'stale.sock');
    // A daemon killed outright leaves its socket file behind with nobody listening on it.
    const daemon = spawn(process.execPath, [
      '-e',
      "require('node:net').createServer().listen(process.argv[1], () => process.stdout.write('up'))",
      stale,
    ]);
    await new Promise<void>((resolve, reject) => {
      daemon.stdout.once('data', () => resolve());
      daemon.once('exit', (code) => reject(new Error(`the listener exited ${code}`)));
    });
    const gone = new Promise((resolve) => daemon.once('exit', resolve));
    daemon.kill('SIGKILL');
    await gone;
    assert.ok(statSync(stale).isSocket(), 'the stale socket file is there');
    const failure = await failureOf(new Dockerode({ socketPath: stale }));
    assert.equal(failure.kind, 'unreachable');
    assert.match(failure.message, /: nothing listens on that socket \(ECONNREFUSED\)$/);
  });

  it('says a regular file or a directory is not a socket', async () => {
    const file = path.join(dir, 'plain');
    writeFileSync(file, 'not a socket');
    const plain = await failureOf(new Dockerode({ socketPath: file }));
    assert.equal(plain.kind, 'unreachable');
    assert.match(plain.message, /: not a socket \(a regular file\)$/);
    assert.match((await failureOf(new Dockerode({ socketPath: dir }))).message, /: not a socket \(a directory\)$/);
  });
});
