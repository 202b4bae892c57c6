import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { ErrorLog } from '../../../main/app/error-log';
import { startBridge, type Bridge } from '../../../main/bridge/server';
import { createBridgeClient } from '../../../renderer/src/transport/bridge-client';
import { APP_CSP } from '../../../shared/csp';
import { startTestCore, type TestCore } from '../../helpers/docker';

function http(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('loopback bridge', () => {
  let t: TestCore;
  let bridge: Bridge;
  let staticDir: string;

  before(async () => {
    t = startTestCore('drydock-bridge');
    staticDir = mkdtempSync(path.join(tmpdir(), 'drydock-static-'));
    mkdirSync(path.join(staticDir, 'assets'));
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Drydock</title>');
    writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(tmpdir(), 'drydock-secret.js'), 'secret');
    bridge = await startBridge({ dispatch: t.dispatch, events: t.core.events, staticDir });
  });

  after(async () => {
    await bridge.close();
    await t.close();
    rmSync(staticDir, { recursive: true, force: true });
  });

  const invoke = (body: unknown, headers: Record<string, string> = {}) =>
    http(bridge.port, {
      method: 'POST',
      path: '/api/invoke',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bridge.token}`, ...headers },
      body: JSON.stringify(body),
    });

  it('listens on loopback with a fresh token in the URL fragment', () => {
    assert.match(bridge.url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
  });

  it('serves the renderer with a strict CSP and nothing outside its directory', async () => {
    const index = await http(bridge.port, { path: '/' });
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-security-policy'], APP_CSP);
    assert.match(APP_CSP, /default-src 'self'; script-src 'self'.*frame-ancestors 'none'/);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    assert.equal((await http(bridge.port, { path: '/assets/app.js' })).status, 200);
    for (const sneaky of ['/../drydock-secret.js', '/%2e%2e/drydock-secret.js', '/assets/..%2f..%2fdrydock-secret.js', '/%00.js']) {
      assert.equal((await http(bridge.port, { path: sneaky })).status, 404, sneaky);
    }
  });

  it('answers the contract with the token, and refuses without it, with a foreign Host or Origin', async () => {
    const ok = await invoke({ channel: 'hosts.list', request: {} });
    assert.deepEqual(JSON.parse(ok.body), { ok: true, value: [] });
    assert.equal((await invoke({ channel: 'hosts.list', request: {} }, { authorization: 'Bearer wrong' })).status, 403);
    assert.equal((await invoke({ channel: 'hosts.list', request: {} }, { authorization: '' })).status, 403);
    assert.equal((await invoke({ channel: 'hosts.list', request: {} }, { origin: 'http://evil.example' })).status, 403);
    assert.equal((await invoke({ channel: 'hosts.list', request: {} }, { host: 'evil.example' })).status, 421);
    assert.equal((await invoke({ channel: 'hosts.list', request: {} }, { 'content-type': 'text/plain' })).status, 415);
  });

  it('runs a request sent again under the same request ID once, and answers the retry with the first result', async () => {
    const session = { 'x-drydock-session': 'replaysession0000000001', 'x-drydock-request': 'replay-request-000000001' };
    const add = { channel: 'hosts.add', request: { name: 'replayed', url: 'unix:///var/run/docker.sock' } };
    const [first, retry] = await Promise.all([invoke(add, session), invoke(add, session)]);
    assert.deepEqual(JSON.parse(first.body), JSON.parse(retry.body));
    assert.equal((JSON.parse(first.body) as { ok: boolean }).ok, true);
    const late = await invoke(add, session);
    assert.deepEqual(JSON.parse(late.body), JSON.parse(first.body), 'a late retry is answered from the first run');
    // Under a new request ID it runs again: the profile exists now, and the core says so.
    const again = JSON.parse((await invoke(add, { ...session, 'x-drydock-request': 'replay-request-000000002' })).body) as {
      ok: boolean;
      error?: { kind: string };
    };
    assert.deepEqual([again.ok, again.error?.kind], [false, 'conflict'], 'run again under a new ID, the add meets the saved profile');
    await invoke({ channel: 'hosts.remove', request: { name: 'replayed' } });
  });

  it("the page's client asks again when an answer is lost, and the core runs the request once", async () => {
    const origin = new URL(bridge.url).origin;
    const sent: string[] = [];
    let lose = 1;
    // The first answer is lost after the bridge has run the request, as when a network interface
    // changes under Chromium mid-request; the client retries under the same request ID.
    const fetchImpl: typeof fetch = async (input, init) => {
      sent.push(new Headers(init?.headers).get('x-drydock-request') ?? '');
      const response = await fetch(input, init);
      const text = await response.text();
      if (lose-- > 0) throw new TypeError('Failed to fetch');
      return new Response(text, { status: response.status, headers: response.headers });
    };
    const client = createBridgeClient({
      origin,
      token: bridge.token,
      fetchImpl,
      WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    try {
      const added = await client.invoke('hosts.add', { name: 'lost-answer', url: 'unix:///var/run/docker.sock' });
      assert.equal(added.ok, true, JSON.stringify(added));
      assert.equal(sent.length, 2);
      assert.equal(sent[0], sent[1], 'the retry carries the first request ID');
      assert.match(sent[0] ?? '', /^[0-9a-f]{32}$/);

      // A core that never answers: a few quick retries, then 'disconnected' naming the channel.
      const dead = createBridgeClient({
        origin,
        token: bridge.token,
        fetchImpl: () => Promise.reject(new TypeError('Failed to fetch')),
        WebSocketImpl: WebSocket as unknown as typeof globalThis.WebSocket,
      });
      const gone = await dead.invoke('hosts.list', {});
      dead.close();
      assert.deepEqual([gone.ok, gone.ok ? '' : gone.error.kind], [false, 'disconnected']);
    } finally {
      client.close();
      await invoke({ channel: 'hosts.remove', request: { name: 'lost-answer' } });
    }
  });

  it('validates every payload at the boundary', async () => {
    const unknown = JSON.parse((await invoke({ channel: 'shell.exec', request: {} })).body) as { ok: boolean; error: { kind: string } };
    assert.deepEqual([unknown.ok, unknown.error.kind], [false, 'invalid-input']);
    const bad = JSON.parse((await invoke({ channel: 'hosts.add', request: { name: '../../etc', url: 'unix:///x', extra: 1 } })).body) as {
      error: { message: string };
    };
    assert.match(bad.error.message, /Invalid request for hosts.add/);
    const big = await invoke({ channel: 'hosts.list', request: { pad: 'x'.repeat(2 << 20) } });
    assert.equal(big.status, 413);
  });

  it('pushes core events over a WebSocket that presents the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/api/events`, [`drydock.${bridge.token}`]);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const got = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())));
    t.core.events.emit('host.status', { name: 'x', state: 'connected', since: '2026-01-01T00:00:00.000Z' });
    assert.deepEqual(JSON.parse(await got), {
      event: 'host.status',
      payload: { name: 'x', state: 'connected', since: '2026-01-01T00:00:00.000Z' },
    });
    ws.close();
    const refused = new WebSocket(`ws://127.0.0.1:${bridge.port}/api/events`, ['drydock.nope']);
    await assert.rejects(
      new Promise((resolve, reject) => {
        refused.once('open', resolve);
        refused.once('error', reject);
      }),
    );
  });

  it("stops the watches a page started when the page's event stream closes, and only those", { timeout: 10_000 }, async () => {
    const openStream = async (session: string) => {
      const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/api/events?session=${session}`, [`drydock.${bridge.token}`]);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      return ws;
    };
    const ended = new Map<string, string>();
    const endedSeen = new Set<() => void>();
    const off = t.core.events.subscribe((event, payload) => {
      if (event !== 'network.watch-ended') return;
      const { watchId, reason } = payload as { watchId: string; reason: string };
      ended.set(watchId, reason);
      for (const notify of endedSeen) notify();
    });
    const whenEnded = (id: string) =>
      new Promise<string>((resolve) => {
        const check = () => {
          const reason = ended.get(id);
          if (reason !== undefined) resolve(reason);
        };
        endedSeen.add(check);
        check();
      });
    const mine = 'page-one-session-0001';
    const other = 'page-two-session-0002';
    const wsMine = await openStream(mine);
    const wsOther = await openStream(other);
    // No host is connected: a watch of "every connected host" refreshes without touching an engine.
    const start = async (session: string) =>
      JSON.parse((await invoke({ channel: 'network.watch', request: { intervalSeconds: 60 } }, { 'x-drydock-session': session })).body) as {
        ok: true;
        value: { id: string };
      };
    const a = (await start(mine)).value.id;
    const b = (await start(other)).value.id;
    wsMine.close();
    assert.equal(await whenEnded(a), 'stopped');
    const running = (t.core.network.list() as { id: string }[]).map((w) => w.id);
    assert.ok(running.includes(b) && !running.includes(a), `only the closed page's watch ended: ${running.join(', ')}`);
    wsOther.close();
    assert.equal(await whenEnded(b), 'stopped');
    off();
  });

  it('writes a request it fails on to the error log and answers with the error ID', async () => {
    const logDir = mkdtempSync(path.join(tmpdir(), 'drydock-bridge-log-'));
    const broken = await startBridge({
      dispatch: () => Promise.reject(new Error('dispatcher bug')),
      events: t.core.events,
      staticDir,
      errorLog: new ErrorLog(logDir),
    });
    try {
      const res = await http(broken.port, {
        method: 'POST',
        path: '/api/invoke',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${broken.token}` },
        body: JSON.stringify({ channel: 'hosts.list', request: {} }),
      });
      assert.equal(res.status, 500);
      const answer = JSON.parse(res.body) as { ok: boolean; error: { kind: string; errorId?: string; logFile?: string } };
      assert.deepEqual([answer.ok, answer.error.kind], [false, 'internal']);
      assert.match(answer.error.errorId ?? '', /^E-[0-9a-f]{8}$/);
      assert.equal(answer.error.logFile, path.join(logDir, 'errors.log'));
      const logged = readFileSync(path.join(logDir, 'errors.log'), 'utf8');
      assert.ok(logged.includes(answer.error.errorId ?? '\0') && logged.includes('dispatcher bug'), logged);
    } finally {
      await broken.close();
      rmSync(logDir, { recursive: true, force: true });
    }
  });
});
