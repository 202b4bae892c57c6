// A fake Docker Engine API on loopback that answers like a compromised host would: plausible
// enough for Drydock to go on, hostile wherever it can be. Plain HTTP or TLS (a CA made by the
// test), any API version from 1.41 to 1.47, and one scenario per server. Large answers (a change
// list of a million entries, a 10 GiB file) are generated as they are sent, never held in memory.
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export type HostileScenario =
  /** Names, labels, image and command with escape codes, bidi overrides and a 1 MiB string. */
  | 'hostile-text'
  /** GET /containers/{id}/changes lists `changeCount` entries, streamed. */
  | 'huge-changes'
  /** Archive with ../ and absolute names, symlinks and hard links pointing outside, a GNU sparse file claiming 10 GiB. */
  | 'archive-escape'
  /** Archive whose one entry's header claims 2^40 bytes, then the stream ends. */
  | 'archive-huge-header'
  /** Archive cut off in the middle of an entry's body. */
  | 'archive-truncated'
  /** `top` whose rows have fewer and more cells than titles, and hostile text in them. */
  | 'ragged-top'
  /** An event stream that sends garbage, an overlong line without newline, and never ends. */
  | 'garbage-events'
  /** Every answer but /_ping and /version drips one byte a second. */
  | 'slow-drip'
  /** /version claims a newer engine and API than /info and the /_ping headers. */
  | 'lying-version'
  /** Any image exists; helper containers can be made, but answer as `helper` says (the socket-table reader's create, start, attach, wait, remove). */
  | 'hostile-helper';

/** How 'hostile-helper' answers: garbage JSON on create, an attach stream that never ends (wait says exit 0), or a wait that never returns. */
export type HelperMischief = 'garbage-create' | 'endless-attach' | 'silent-wait';

export interface HostileEngineOptions {
  scenario: HostileScenario;
  /** What /version and the Api-Version header claim (default 1.41). */
  apiVersion?: string;
  /** Entries in the change list of 'huge-changes' (default 1,000,000). */
  changeCount?: number;
  /** 'hostile-helper': which answer is hostile (default 'silent-wait'). */
  helper?: HelperMischief;
  /** TLS: the server's key and certificate (PEM); plain HTTP when absent. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer; requestCert?: boolean };
}

export interface HostileEngine {
  /** tcp://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Every request seen, as "METHOD /path?query" (versions stripped from the path). */
  requests: string[];
  /** Bytes sent in response bodies so far. */
  bytesSent(): number;
  /** Writes one line to every open /events stream (a container event for EVIL_ID with this action). */
  sendEvent(action: string): void;
  /** 'hostile-helper': IDs of helper containers created and not removed (a create with a garbage answer counts as created). */
  liveHelpers(): string[];
  /** 'hostile-helper': IDs of helper containers started and not removed. */
  runningHelpers(): string[];
  close(): Promise<void>;
}

/** The ID 'hostile-helper' gives the next created helper container. */
function helperId(n: number): string {
  return `${'c'.repeat(60)}${String(n).padStart(4, '0')}`;
}

/** The one container the fake engine holds. */
export const EVIL_ID = 'e'.repeat(63) + '1';
export const EVIL_IMAGE_ID = `sha256:${'f'.repeat(64)}`;
/** ESC sequences (set title, clear screen, OSC 8 link), a bidi override and isolates, a C1 CSI. */
export const EVIL_NAME = 'evil\x1b]0;pwned\x07\x1b[2J\u202Egnp.exe\u2066x\u2069\u009b31m';
export const MEGA = 'A'.repeat(1024 * 1024);
export const TEN_GIB = 10 * 1024 ** 3;

const ENGINE_VERSION: Record<string, string> = {
  '1.41': '20.10.24',
  '1.42': '23.0.6',
  '1.43': '24.0.9',
  '1.44': '25.0.5',
  '1.45': '26.1.4',
  '1.46': '27.1.2',
  '1.47': '27.5.1',
};

export async function startHostileEngine(options: HostileEngineOptions): Promise<HostileEngine> {
  const apiVersion = options.apiVersion ?? '1.41';
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const eventStreams = new Set<http.ServerResponse>();
  const helpers: HelperState = { created: 0, live: new Set<string>(), running: new Set<string>() };
  let sent = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    const path = url.pathname.replace(/^\/v1\.\d+/, '');
    requests.push(`${req.method ?? 'GET'} ${path}${url.search}`);
    const write = (chunk: Buffer | string) => {
      sent += Buffer.byteLength(chunk);
      return res.write(chunk);
    };
    const ctx: Ctx = { options, apiVersion, path, query: url.searchParams, method: req.method ?? 'GET', req, res, write, helpers };
    if (path === '/events') {
      eventStreams.add(res);
      res.on('close', () => eventStreams.delete(res));
    }
    route(ctx).catch((err: unknown) => {
      process.emitWarning(`hostile engine: ${String(err)}`);
      res.destroy();
    });
  };
  const server = options.tls
    ? https.createServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          ...(options.tls.ca ? { ca: options.tls.ca } : {}),
          requestCert: options.tls.requestCert ?? false,
        },
        handler,
      )
    : http.createServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // The attach of a helper is a hijacked connection (Upgrade: tcp): answered with 101 and then the raw stream.
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket) => {
    const path = new URL(req.url ?? '/', 'http://engine').pathname.replace(/^\/v1\.\d+/, '');
    requests.push(`${req.method ?? 'GET'} ${path} (upgrade)`);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (options.scenario !== 'hostile-helper' || !/^\/containers\/[^/]+\/attach$/.test(path)) {
      socket.destroy();
      return;
    }
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    // 'endless-attach': open and silent until the client leaves; otherwise the helper printed nothing.
    if ((options.helper ?? 'silent-wait') !== 'endless-attach') socket.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `tcp://127.0.0.1:${port}`,
    port,
    requests,
    bytesSent: () => sent,
    sendEvent(action) {
      const line = `{"Type":"container","Action":${JSON.stringify(action)},"Actor":{"ID":"${EVIL_ID}","Attributes":{}},"timeNano":${Date.now() * 1_000_000}}\n`;
      for (const res of eventStreams) res.write(line);
    },
    liveHelpers: () => [...helpers.live],
    runningHelpers: () => [...helpers.running],
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Ctx {
  options: HostileEngineOptions;
  apiVersion: string;
  path: string;
  query: URLSearchParams;
  method: string;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  write(chunk: Buffer | string): boolean;
  helpers: HelperState;
}

interface HelperState {
  created: number;
  live: Set<string>;
  running: Set<string>;
}

async function route(ctx: Ctx): Promise<void> {
  const { path, options } = ctx;
  const scenario = options.scenario;
  const headers = {
    'Api-Version': scenario === 'lying-version' ? '1.41' : ctx.apiVersion,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `Docker/${engineVersion(ctx)} (linux)`,
  };
  for (const [k, v] of Object.entries(headers)) ctx.res.setHeader(k, v);
  if (path === '/_ping') return text(ctx, 200, 'OK');
  if (path === '/version') return json(ctx, 200, versionDoc(ctx));
  if (scenario === 'slow-drip') return drip(ctx, JSON.stringify(answer(ctx) ?? { message: 'page not found' }));
  if (path === '/events') return events(ctx);
  if (path === `/containers/${EVIL_ID}/changes` || path === '/containers/evil/changes') return changes(ctx);
  if (/^\/containers\/[^/]+\/archive$/.test(path)) return archive(ctx);
  if (scenario === 'hostile-helper' && helperAnswer(ctx)) return;
  const value = answer(ctx);
  if (value === undefined) return json(ctx, 404, { message: `page not found: ${path}` });
  if (value === NOT_FOUND) return json(ctx, 404, { message: `No such object: ${path}` });
  return json(ctx, 200, value);
}

const NOT_FOUND = Symbol('not found');

/** 'hostile-helper': create, inspect, start, wait, kill and remove of helper containers; true when answered. */
function helperAnswer(ctx: Ctx): boolean {
  const { path, method, helpers } = ctx;
  const mischief = ctx.options.helper ?? 'silent-wait';
  const image = /^\/images\/(.+)\/json$/.exec(path);
  if (image && method === 'GET') {
    const ref = decodeURIComponent(image[1] ?? '');
    json(ctx, 200, { Id: `sha256:${'a'.repeat(64)}`, RepoTags: [ref], Architecture: 'amd64', Os: 'linux', Size: 1 });
    return true;
  }
  if (path === '/containers/create' && method === 'POST') {
    const id = helperId(++helpers.created);
    helpers.live.add(id);
    if (mischief === 'garbage-create') {
      ctx.res.writeHead(201, { 'Content-Type': 'application/json' });
      ctx.res.end(`{"Id":"${id}","Warnings":[\u0000\x1b[2J garbage`);
    } else json(ctx, 201, { Id: id, Warnings: [] });
    return true;
  }
  const m = /^\/containers\/([^/]+)(?:\/(json|start|wait|kill))?$/.exec(path);
  const id = decodeURIComponent(m?.[1] ?? '');
  if (!m || !/^c{60}\d{4}$/.test(id)) return false;
  const action = m[2];
  if (action === undefined && method === 'DELETE') {
    helpers.live.delete(id);
    helpers.running.delete(id);
    ctx.res.writeHead(204);
    ctx.res.end();
  } else if (action === 'json' && method === 'GET') {
    json(ctx, 200, {
      Id: id,
      Name: `/drydock-helper-${id.slice(-4)}`,
      Image: `sha256:${'a'.repeat(64)}`,
      State: { Running: true, Status: 'running' },
      Config: { Labels: {} },
    });
  } else if (action === 'wait' && method === 'POST') {
    // 'silent-wait': never answers (the client times out and kills); otherwise the helper exited 0.
    if (mischief !== 'silent-wait') json(ctx, 200, { StatusCode: 0 });
  } else if ((action === 'start' || action === 'kill') && method === 'POST') {
    if (action === 'start' && helpers.live.has(id)) helpers.running.add(id);
    ctx.res.writeHead(204);
    ctx.res.end();
  } else return false;
  return true;
}

function engineVersion(ctx: Ctx): string {
  return ENGINE_VERSION[ctx.apiVersion] ?? '20.10.24';
}

function versionDoc(ctx: Ctx): Record<string, unknown> {
  const lying = ctx.options.scenario === 'lying-version';
  return {
    Platform: { Name: 'Docker Engine - Community' },
    Version: lying ? '99.0.0' : engineVersion(ctx),
    ApiVersion: lying ? '1.99' : ctx.apiVersion,
    MinAPIVersion: '1.12',
    GitCommit: 'deadbee',
    GoVersion: 'go1.20',
    Os: lying ? 'windows' : 'linux',
    Arch: 'amd64',
    KernelVersion: '5.15.0-hostile',
  };
}

function infoDoc(ctx: Ctx): Record<string, unknown> {
  const hostile = ctx.options.scenario === 'hostile-text';
  return {
    ID: 'HOST:ILE0',
    Containers: 1,
    ContainersRunning: 1,
    ContainersPaused: 0,
    ContainersStopped: 0,
    Images: 1,
    Driver: 'overlay2',
    Name: hostile ? `host\x1b[31m\u202Elive\u200f\u2060\ufeff\u061c` : 'hostile-engine',
    ServerVersion: '20.10.24',
    OperatingSystem: hostile ? `Ubuntu\x1b]52;c;${Buffer.from('rm -rf ~').toString('base64')}\x07` : 'Ubuntu 22.04 LTS',
    OSType: 'linux',
    Architecture: 'x86_64',
    KernelVersion: '5.15.0-hostile',
    Swarm: { LocalNodeState: 'inactive', ControlAvailable: false, NodeID: '' },
    DockerRootDir: '/var/lib/docker',
  };
}

function labels(ctx: Ctx): Record<string, string> {
  if (ctx.options.scenario !== 'hostile-text') return { app: 'web' };
  return { 'evil\x1b[8m': `hidden\u202E\x1b[0m`, big: MEGA, 'drydock.helper': 'capture' };
}

function containerName(ctx: Ctx): string {
  return ctx.options.scenario === 'hostile-text' ? EVIL_NAME : 'evil';
}

function answer(ctx: Ctx): unknown {
  const { path, method } = ctx;
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  if (path === '/info') return infoDoc(ctx);
  if (path === '/containers/json') return [listEntry(ctx)];
  if (path === '/images/json')
    return [
      {
        Id: EVIL_IMAGE_ID,
        RepoTags: [ctx.options.scenario === 'hostile-text' ? `evil\x1b[5m:latest` : 'evil:latest'],
        RepoDigests: [],
        Created: 1700000000,
        Size: 1,
        Labels: labels(ctx),
      },
    ];
  if (path === '/networks')
    return [{ Name: 'bridge', Id: 'n'.repeat(64), Driver: 'bridge', Scope: 'local', Containers: {}, Options: {}, Labels: {} }];
  if (path === '/services') return NOT_FOUND;
  const m = /^\/containers\/([^/]+)\/(json|top)$/.exec(path);
  if (m) {
    const ref = decodeURIComponent(m[1] ?? '');
    if (ref !== EVIL_ID && ref !== EVIL_ID.slice(0, 12) && ref !== containerName(ctx) && ref !== 'evil') return NOT_FOUND;
    return m[2] === 'json' ? inspectDoc(ctx) : topDoc(ctx);
  }
  if (/^\/images\/[^/]+\/json$/.test(path)) return NOT_FOUND;
  return undefined;
}

function listEntry(ctx: Ctx): Record<string, unknown> {
  return {
    Id: EVIL_ID,
    Names: [`/${containerName(ctx)}`],
    Image: 'evil:latest',
    ImageID: EVIL_IMAGE_ID,
    Command: 'sh',
    Created: 1700000000,
    State: 'running',
    Status: 'Up 1 hour',
    Ports: [],
    Labels: labels(ctx),
    HostConfig: { NetworkMode: 'bridge' },
    NetworkSettings: { Networks: {} },
    Mounts: [],
  };
}

function inspectDoc(ctx: Ctx): Record<string, unknown> {
  const hostile = ctx.options.scenario === 'hostile-text';
  const network: Record<string, unknown> = {
    NetworkID: 'n'.repeat(64),
    EndpointID: 'p'.repeat(64),
    Gateway: '172.17.0.1',
    IPAddress: '172.17.0.9',
    IPPrefixLen: 16,
    Aliases: null,
  };
  // API 1.44 moved MacAddress to the endpoint (it always was there too); 1.41 also has it at the top.
  network.MacAddress = '02:42:ac:11:00:09';
  return {
    Id: EVIL_ID,
    Created: '2024-01-01T00:00:00.000000000Z',
    Path: 'sh',
    Args: hostile ? ['-c', `echo \x1b[2J\u202E${MEGA.slice(0, 4096)}`] : [],
    State: {
      Status: 'running',
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 4242,
      ExitCode: 0,
      Error: '',
      StartedAt: '2024-01-01T00:00:01Z',
      FinishedAt: '0001-01-01T00:00:00Z',
    },
    Image: EVIL_IMAGE_ID,
    Name: `/${containerName(ctx)}`,
    RestartCount: 0,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: 'docker-default',
    ExecIDs: null,
    HostConfig: {
      Binds: null,
      NetworkMode: 'bridge',
      PortBindings: {},
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      Privileged: false,
      CapAdd: null,
      CapDrop: null,
      PidMode: '',
      IpcMode: 'private',
      UTSMode: '',
      UsernsMode: '',
      SecurityOpt: null,
      ReadonlyRootfs: false,
      Devices: [],
    },
    GraphDriver: { Name: 'overlay2', Data: {} },
    Mounts: [],
    Config: {
      Hostname: 'evil',
      User: hostile ? `root\x1b[0m` : '',
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...(hostile ? [`SECRET=\u202E${MEGA}`] : [])],
      Cmd: ['sh'],
      Image: hostile ? `evil\x1b[5m:latest` : 'evil:latest',
      Entrypoint: null,
      WorkingDir: '',
      Labels: labels(ctx),
    },
    NetworkSettings: {
      Bridge: '',
      SandboxKey: '/var/run/docker/netns/hostile',
      Ports: {},
      MacAddress: ctx.apiVersion >= '1.44' ? '' : '02:42:ac:11:00:09',
      Networks: { bridge: network },
    },
  };
}

function topDoc(ctx: Ctx): Record<string, unknown> {
  if (ctx.options.scenario !== 'ragged-top') {
    return {
      Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      Processes: [['root', '4242', '4200', '0', '10:00', '?', '00:00:00', 'sh']],
    };
  }
  return {
    Titles: ['UID', 'PID', 'PPID', 'STAT', 'COMMAND'],
    Processes: [
      ['root', '4242', '4200', 'Ss', 'sh'],
      ['root', '4243'],
      ['root', '4244', '4242', 'R', `miner\x1b[2J\u202Eexe`, 'extra', 'cells', MEGA.slice(0, 65536)],
      [],
      ['root', 'not-a-pid', '4242', 'S', 'ghost'],
      ['root', '-1', '4242', 'S', 'negative'],
      ['root', '99999999999999999999', '4242', 'S', 'huge'],
      ['root', '4245', '4245', 'S', 'self-parent'],
    ],
  };
}

function json(ctx: Ctx, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  ctx.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  if (ctx.method === 'HEAD') return void ctx.res.end();
  ctx.write(body);
  ctx.res.end();
}

function text(ctx: Ctx, status: number, value: string): void {
  ctx.res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(value)) });
  if (ctx.method !== 'HEAD') ctx.write(value);
  ctx.res.end();
}

/** Waits for the client to drain, or gives up when it went away. */
async function drained(ctx: Ctx): Promise<boolean> {
  if (ctx.res.destroyed) return false;
  const gone = new AbortController();
  await Promise.race([once(ctx.res, 'drain', { signal: gone.signal }), once(ctx.res, 'close', { signal: gone.signal })]).catch(
    () => undefined,
  );
  gone.abort();
  return !ctx.res.destroyed;
}

/** One byte a second, for as long as the client listens. */
async function drip(ctx: Ctx, body: string): Promise<void> {
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.res.flushHeaders();
  const bytes = Buffer.from(body);
  for (let i = 0; i < bytes.length && !ctx.res.destroyed; i++) {
    ctx.write(bytes.subarray(i, i + 1));
    const gone = new AbortController();
    const closed = once(ctx.res, 'close', { signal: gone.signal }).then(
      () => true,
      () => false,
    );
    const tick = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000).unref());
    const left = await Promise.race([closed, tick]);
    gone.abort();
    if (left) return;
  }
  ctx.res.end();
}

async function events(ctx: Ctx): Promise<void> {
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  ctx.res.flushHeaders();
  if (ctx.options.scenario !== 'garbage-events') return; // open and silent until the client leaves
  const now = Date.now() * 1_000_000;
  ctx.write(`{"Type":"container","Action":"start","Actor":{"ID":"${EVIL_ID}","Attributes":{"name":"evil\\u001b[2J"}},"timeNano":${now}}\n`);
  ctx.write(Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x7b, 0x0a]));
  ctx.write('{"Type":"container","Action":\n');
  ctx.write('[1,2,3]\nnull\n"string"\n{"Action":{"nested":true}}\n');
  // A line that never ends: 4 MiB without a newline, then one more valid event.
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let i = 0; i < 64; i++) if (!ctx.write(chunk) && !(await drained(ctx))) return;
  ctx.write('\n'); // the test follows with sendEvent(): an event after the garbage must still be read
}

/** `[{"Path":"/hostile/N","Kind":K},…]`, written as the client reads it. */
async function changes(ctx: Ctx): Promise<void> {
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
  if (ctx.method === 'HEAD') return void ctx.res.end();
  if (ctx.options.scenario !== 'huge-changes') {
    // What the archive scenarios serve under /hostile, and a path outside any root.
    const paths = ['/hostile', '/hostile/f0', '/hostile/f1', '/hostile/f2', '/hostile/f4', '/hostile/f5', '/etc/cron.d/drydock-pwned'];
    ctx.write(JSON.stringify(paths.map((p, i) => ({ Path: p, Kind: i === 0 ? 0 : 1 }))));
    return void ctx.res.end();
  }
  const count = ctx.options.changeCount ?? 1_000_000;
  ctx.write('[');
  let batch = '';
  for (let i = 0; i < count; i++) {
    batch += `${i ? ',' : ''}{"Path":"/hostile/d${Math.floor(i / 1000)}/f${i}","Kind":${i % 3}}`;
    if (batch.length > 64 * 1024) {
      const ok = ctx.write(batch);
      batch = '';
      if (!ok && !(await drained(ctx))) return;
    }
  }
  ctx.write(`${batch}]`);
  ctx.res.end();
}

// ---- tar, written by hand so every field can lie ----

interface TarHeader {
  name: string;
  size: number;
  type: string;
  linkname?: string;
  mode?: number;
  /** Write the size in GNU base-256 (needed past 8 GiB). */
  base256?: boolean;
}

function tarHeader(h: TarHeader): Buffer {
  const block = Buffer.alloc(512);
  block.write(h.name.slice(0, 100), 0, 'utf8');
  block.write(`${(h.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  if (h.base256 || h.size > 0o77777777777) {
    block[124] = 0x80;
    let v = BigInt(h.size);
    for (let i = 135; i > 124; i--) {
      block[i] = Number(v & 0xffn);
      v >>= 8n;
    }
  } else {
    block.write(`${h.size.toString(8).padStart(11, '0')}\0`, 124);
  }
  block.write(`${Math.floor(1700000000).toString(8).padStart(11, '0')}\0`, 136);
  block.write(h.type, 156);
  if (h.linkname) block.write(h.linkname.slice(0, 100), 157, 'utf8');
  block.write('ustar\0', 257);
  block.write('00', 263);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

function pad(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

function pax(records: Record<string, string>): Buffer {
  let body = '';
  for (const [k, v] of Object.entries(records)) {
    const bare = ` ${k}=${v}\n`;
    let len = bare.length + 1;
    while (`${len}${bare}`.length !== len) len = `${len}${bare}`.length;
    body += `${len}${bare}`;
  }
  const data = Buffer.from(body);
  return Buffer.concat([tarHeader({ name: 'PaxHeaders/x', size: data.length, type: 'x' }), data, pad(data.length)]);
}

function entry(h: TarHeader, data = ''): Buffer {
  const body = Buffer.from(data);
  return Buffer.concat([tarHeader({ ...h, size: body.length }), body, pad(body.length)]);
}

function statHeader(ctx: Ctx): string {
  const root = ctx.query.get('path') ?? '/';
  return Buffer.from(
    JSON.stringify({ name: root.split('/').pop() || '/', size: 4096, mode: 2147484141, mtime: '2024-01-01T00:00:00Z', linkTarget: '' }),
  ).toString('base64');
}

async function archive(ctx: Ctx): Promise<void> {
  const scenario = ctx.options.scenario;
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': statHeader(ctx) });
  if (ctx.method === 'HEAD') return void ctx.res.end();
  const root = (ctx.query.get('path') ?? '/').replace(/\/+$/, '').split('/').pop() || 'root';
  if (!scenario.startsWith('archive-')) {
    ctx.write(Buffer.concat([entry({ name: root, size: 0, type: '0' }, 'root:x:0:0:root:/root:/bin/sh\n'), Buffer.alloc(1024)]));
    return void ctx.res.end();
  }
  const parts: Buffer[] = [entry({ name: `${root}/`, size: 0, type: '5', mode: 0o755 })];
  if (scenario === 'archive-huge-header') {
    parts.push(tarHeader({ name: `${root}/f0`, size: 2 ** 40, type: '0', base256: true }), Buffer.alloc(8192, 0x41));
    ctx.write(Buffer.concat(parts));
    ctx.res.end();
    return;
  }
  if (scenario === 'archive-truncated') {
    parts.push(tarHeader({ name: `${root}/f0`, size: 100_000, type: '0' }), Buffer.alloc(3000, 0x42));
    ctx.write(Buffer.concat(parts));
    ctx.res.end();
    return;
  }
  parts.push(
    entry({ name: `${root}/f0`, size: 0, type: '0' }, 'hello'),
    entry({ name: '../../../../etc/cron.d/drydock-pwned', size: 0, type: '0' }, '* * * * * root touch /pwned\n'),
    entry({ name: '/etc/drydock-absolute', size: 0, type: '0' }, 'absolute\n'),
    entry({ name: `${root}/f1`, size: 0, type: '2', linkname: '../../../../../etc/shadow' }),
    entry({ name: `${root}/f2`, size: 0, type: '1', linkname: '/etc/shadow' }),
    entry({ name: `${root}/f3`, size: 0, type: '2', linkname: '/' }),
    entry({ name: `${root}/f3/escape`, size: 0, type: '0' }, 'through a symlinked directory\n'),
  );
  // GNU sparse 1.0 in PAX: the real size is 10 GiB, the stored data one block.
  parts.push(
    pax({
      'GNU.sparse.major': '1',
      'GNU.sparse.minor': '0',
      'GNU.sparse.name': `${root}/f4`,
      'GNU.sparse.realsize': String(TEN_GIB),
      size: '1024',
    }),
  );
  parts.push(
    tarHeader({ name: `${root}/GNUSparseFile.0/f4`, size: 1024, type: '0' }),
    Buffer.from('1\n10737417728\n512\n'.padEnd(512, '\0')),
    Buffer.alloc(512, 0x5a),
  );
  ctx.write(Buffer.concat(parts));
  // And a plain 10 GiB entry, zeros generated as read, for as long as the client keeps reading.
  const size = TEN_GIB;
  ctx.write(tarHeader({ name: `${root}/f5`, size, type: '0', base256: true }));
  const zeros = Buffer.alloc(256 * 1024);
  for (let left = size; left > 0; left -= zeros.length) {
    if (!ctx.write(left >= zeros.length ? zeros : zeros.subarray(0, left)) && !(await drained(ctx))) return;
  }
  ctx.write(Buffer.alloc(1024));
  ctx.res.end();
}
