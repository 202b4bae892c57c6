import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { APP_CSP } from '../../shared/csp';
import { trackClientWatches } from '../app/client-watches';
import { logInternal, type Dispatch } from '../app/dispatch';
import type { ErrorLog } from '../app/error-log';
import type { EventHub } from '../core/event-hub';
import { createDownloads } from './downloads';
import { createRequestReplay } from './request-replay';
import { serveStatic } from './static-files';

export interface BridgeOptions {
  dispatch: Dispatch;
  /** Where the core's events come from (the EventHub, or anything that subscribes like it). */
  events: Pick<EventHub, 'subscribe'>;
  /** Loopback only: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** Fixed token (tests); default a fresh random one per run. */
  token?: string;
  /** Where a request the bridge itself fails on (a bug, not a contract error) keeps its stack. */
  errorLog?: ErrorLog;
}

export interface Bridge {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
/** A renderer that stops reading events is cut off rather than buffered without bound. */
const MAX_WS_BUFFER = 16 << 20;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** A page's session: chosen by the page, sent on its event stream (?session=) and its requests (X-Drydock-Session). */
const SESSION = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * The renderer over loopback HTTP + WebSocket, speaking exactly the contract Electron IPC speaks.
 * Browsers on the same machine are the threat: every API call needs the per-run token (sent as a
 * bearer header, or the WebSocket subprotocol), the Host header must be loopback (DNS rebinding)
 * and a cross-site Origin is refused (CSRF).
 */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const bindHost = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(bindHost)) throw new Error(`The bridge binds to loopback only, not ${bindHost}`);
  const token = options.token ?? randomBytes(32).toString('hex');
  const staticDir = path.resolve(options.staticDir);
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const allowedOrigins = () => new Set([...allowedHosts()].map((h) => `http://${h}`));
  const securityHeaders = () => ({
    'Content-Security-Policy': APP_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  });

  // Watches belong to the page that started them: when its last event stream closes (tab closed,
  // reloaded, navigated away) they stop, rather than run on the host until a lease runs out.
  const watches = trackClientWatches(options.dispatch);
  const downloads = await createDownloads(options.dispatch);
  const openStreams = new Map<string, number>();
  // A retry of an invocation whose answer the page did not get is answered, not run again.
  const replay = createRequestReplay();
  const sessionOf = (value: unknown): string | undefined => (typeof value === 'string' && SESSION.test(value) ? value : undefined);

  const hostAllowed = (req: IncomingMessage) => allowedHosts().has(req.headers.host ?? '');
  const originAllowed = (req: IncomingMessage) => req.headers.origin === undefined || allowedOrigins().has(req.headers.origin);

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      // A bug in the bridge (the dispatcher answers contract errors itself): its stack goes to the
      // error log and the page gets the error ID, as the dispatcher does for a handler's bug.
      const error = { kind: 'internal' as const, message: 'bridge error' };
      const logged = options.errorLog ? logInternal(options.errorLog, err, error) : error;
      if (!res.headersSent) reply(res, 500, { ok: false, error: logged });
      else res.destroy();
    });
  });

  // Chromium keeps an idle connection for minutes and reuses it; Node closes one after 5 s by default.
  // A POST sent on a connection Node is closing at that moment fails with "Failed to fetch" and is
  // never retried (not idempotent): the page then shows a disconnection that did not happen. The
  // server keeps idle connections longer than the browser does, so the browser always closes first.
  server.keepAliveTimeout = 330_000;
  server.headersTimeout = 335_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req)) return reply(res, 421, { ok: false, error: { kind: 'permission-denied', message: 'wrong Host header' } });
    const url = new URL(req.url ?? '/', 'http://bridge.invalid');
    if (url.pathname === '/api/save') {
      if (req.method !== 'POST') return reply(res, 405, { ok: false, error: { kind: 'invalid-input', message: 'POST only' } });
      if (!originAllowed(req) || !tokenMatches(bearer(req.headers.authorization), token)) {
        return reply(res, 403, { ok: false, error: { kind: 'permission-denied', message: 'missing or wrong bridge token' } });
      }
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
        return reply(res, 415, { ok: false, error: { kind: 'invalid-input', message: 'JSON only' } });
      const body = await readBody(req);
      if (body === undefined)
        return reply(res, 413, { ok: false, error: { kind: 'invalid-input', message: `request larger than ${MAX_BODY} bytes` } });
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        // The client's mistake, answered as one (400 invalid-input); not a bug, so not logged.
        return reply(res, 400, { ok: false, error: { kind: 'invalid-input', message: 'request is not JSON' } });
      }
      return reply(
        res,
        200,
        await replay.once(sessionOf(req.headers['x-drydock-session']), req.headers['x-drydock-request'], () => downloads.prepare(parsed)),
      );
    }
    if (url.pathname.startsWith('/api/download/')) {
      if (req.method !== 'GET') return reply(res, 405, { ok: false, error: { kind: 'invalid-input', message: 'GET only' } });
      const served = await downloads.serve(url.pathname.slice('/api/download/'.length), res, securityHeaders());
      if (!served)
        return reply(res, 404, {
          ok: false,
          error: { kind: 'not-found', message: 'unknown or expired download (each link works once, for a minute)' },
        });
      return;
    }
    if (url.pathname === '/api/invoke') {
      if (req.method !== 'POST') return reply(res, 405, { ok: false, error: { kind: 'invalid-input', message: 'POST only' } });
      if (!originAllowed(req) || !tokenMatches(bearer(req.headers.authorization), token)) {
        return reply(res, 403, { ok: false, error: { kind: 'permission-denied', message: 'missing or wrong bridge token' } });
      }
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
        return reply(res, 415, { ok: false, error: { kind: 'invalid-input', message: 'JSON only' } });
      const body = await readBody(req);
      if (body === undefined)
        return reply(res, 413, { ok: false, error: { kind: 'invalid-input', message: `request larger than ${MAX_BODY} bytes` } });
      let message: { channel?: unknown; request?: unknown };
      try {
        message = JSON.parse(body) as typeof message;
      } catch {
        // The client's mistake, answered as one (400 invalid-input); not a bug, so not logged.
        return reply(res, 400, { ok: false, error: { kind: 'invalid-input', message: 'request is not JSON' } });
      }
      const session = sessionOf(req.headers['x-drydock-session']);
      const result = await replay.once(session, req.headers['x-drydock-request'], () =>
        watches.dispatch(session, message?.channel, message?.request),
      );
      return reply(res, 200, result);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return reply(res, 405, { ok: false, error: { kind: 'invalid-input', message: 'GET only' } });
    await serveStatic(staticDir, url.pathname, res, securityHeaders());
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => [...protocols].find((p) => tokenMatches(p.startsWith('drydock.') ? p.slice(8) : '', token)) ?? false,
  });
  server.on('upgrade', (req, socket, head) => {
    const requested = new URL(req.url ?? '/', 'http://bridge.invalid');
    const pathname = requested.pathname;
    const session = sessionOf(requested.searchParams.get('session'));
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const authorised = offered.some((p) => p.startsWith('drydock.') && tokenMatches(p.slice(8), token));
    if (pathname !== '/api/events' || !hostAllowed(req) || !originAllowed(req) || !authorised) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, session));
  });

  function attach(ws: WebSocket, session: string | undefined): void {
    if (session) {
      openStreams.set(session, (openStreams.get(session) ?? 0) + 1);
      ws.once('close', () => {
        const left = (openStreams.get(session) ?? 1) - 1;
        if (left > 0) return void openStreams.set(session, left);
        openStreams.delete(session);
        void watches.end(session);
      });
    }
    const unsubscribe = options.events.subscribe((event, payload) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_WS_BUFFER) {
        ws.close(1013, 'event consumer too slow');
        return;
      }
      ws.send(JSON.stringify({ event, payload }));
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
    // The renderer never sends on this socket; anything it does send is ignored.
    ws.on('message', () => undefined);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = bindHost === '::1' ? '[::1]' : bindHost;
  return {
    url: `http://${shownHost}:${port}/#token=${token}`,
    token,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await downloads.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function bearer(header: string | undefined): string {
  const match = /^Bearer ([A-Za-z0-9._-]+)$/.exec(header ?? '');
  return match?.[1] ?? '';
}

function tokenMatches(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The body, or undefined when it is over the limit (the rest is drained so the reply arrives). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) chunks = [];
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}
